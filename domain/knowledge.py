"""The knowledge deptgraph serves, as validated data: the schema of the seed files.

One `Knowledge` document holds any of the sections below; the seed files in `seed/data/`
are such documents, merged in file-name order. The same models validate what admins send
through GraphQL mutations, so a fact is checked the same way whichever door it comes in by.

Rules every document obeys (checked here, reported with file, line and key by `seed.files`):
* unknown fields are refused; every text is given in Vietnamese (`vi`) and English (`en`),
  is not empty, is plain and visible (names, aliases and titles on one line; see `_refused`), and
  is stored in Unicode NFC;
* keys are slugs (`accounting`, `sales-to-accounting-revenue`), unique per kind;
* every reference (a flow's provider, a step's actor, a topic, a citation's document, a
  relationship's owner) names something that exists.

Where knowledge comes from: a `Source` is a document (the company's own text), and every item
taken from one carries a `Citation` — the section it is in, the sentence it rests on in the
document's own words, and where that sentence stands in the file (`seed.citations` computes and
checks them against the document itself).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from domain.names import fold

KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _nfc(value: Any) -> Any:
    """Normalise text to NFC and trim it; leave other values for pydantic to reject."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


# What a text may hold. Texts are plain and visible: every text refuses control characters
# (`\x00`, `\x1b`, …; a long text may hold line breaks `\n` and tabs), format characters
# (Unicode category Cf: bidi controls and overrides, byte-order marks, zero-width spaces, soft
# hyphens, tag characters, interlinear annotations, …), line and paragraph separators (U+2028,
# U+2029: a line break is `\n`) and lone surrogates, and needs a visible character. Names,
# aliases and titles are one line: no `\n` or tab either, and nothing that draws nothing — no
# default-ignorable character (variation selectors, the Hangul fillers, …) and no blank
# (U+2800) — so that what a name shows is all it holds. The zero-width joiner and non-joiner,
# which some scripts need inside words (Vietnamese and English do not), are allowed between two
# letters in long texts only.
_JOINERS = frozenset("\u200c\u200d")
# Letters and symbols that draw nothing: Hangul fillers and the blank Braille pattern.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Default-ignorable code points that are not format characters (Unicode's DerivedCoreProperties):
# rendered as nothing.
_IGNORABLE = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF),
)  # fmt: skip
_VISIBLE = ("L", "N", "P", "S")  # letters, numbers, punctuation, symbols


def _ignorable(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in _IGNORABLE)


def _named(char: str) -> str:
    names = {"\n": "a line break", "\t": "a tab", "\r": "a carriage return"}
    fallback = "a control character" if unicodedata.category(char) == "Cc" else "an unnamed character"
    return names.get(char) or unicodedata.name(char, "").lower() or fallback


def _refused(value: str, index: int, *, line: bool) -> str | None:
    """Why the character at `index` may not be in the text, or None."""
    char = value[index]
    category = unicodedata.category(char)
    if category == "Cc" and (line or char not in "\n\t"):
        return "texts are plain, visible characters" + ("; a name or title is one line" if char in "\n\t" else "")
    if category in ("Zl", "Zp"):
        return "a line break in a long text is \\n; a name or title is one line"
    if category == "Cs":
        return "texts are plain, visible characters"
    if category == "Cf":
        if not line and char in _JOINERS and 0 < index < len(value) - 1:
            before, after = unicodedata.category(value[index - 1]), unicodedata.category(value[index + 1])
            if before[0] in "LM" and after[0] in "LM":
                return None  # a joiner inside a word
        return "texts are plain, visible characters (no invisible format characters)"
    if line and (_ignorable(char) or char in _BLANK):
        return "a name or title shows everything it holds (no invisible or blank characters)"
    return None


def _check(value: Any, *, line: bool) -> Any:
    """NFC, trimmed, and readable (see above); at least one visible character, not starting
    with a bare combining mark."""
    value = _nfc(value)
    if not isinstance(value, str) or not value:
        return value
    for index, char in enumerate(value):
        if (why := _refused(value, index, line=line)) is not None:
            raise ValueError(f"contains {_named(char)} (U+{ord(char):04X}); {why}")
    if not any(unicodedata.category(char)[0] in _VISIBLE and char not in _BLANK for char in value):
        raise ValueError("has no visible character")
    if unicodedata.category(value[0]).startswith("M"):
        raise ValueError(f"starts with a combining mark (U+{ord(value[0]):04X}) that belongs to no letter")
    return value


def _clean(value: Any) -> Any:
    """A long text: it may hold line breaks (`\n`) and tabs."""
    return _check(value, line=False)


def _clean_line(value: Any) -> Any:
    """A name, alias or title: one line."""
    return _check(value, line=True)


Key = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(pattern=KEY_PATTERN, max_length=80),
    Field(description="A stable slug: lowercase letters, digits and single hyphens."),
]
NonEmptyText = Annotated[str, BeforeValidator(_clean), StringConstraints(min_length=1, max_length=2000)]
LineText = Annotated[str, BeforeValidator(_clean_line), StringConstraints(min_length=1, max_length=2000)]


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value.casefold() in seen:
            raise ValueError(f"'{value}' is listed twice")
        seen.add(value.casefold())
    return values


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Text(Strict):
    """A text in both languages. Vietnamese is the source; English is its translation."""

    vi: NonEmptyText = Field(description="Vietnamese, in the document's own words.")
    en: NonEmptyText = Field(description="English translation.")

    def __getitem__(self, lang: str) -> str:
        return str(getattr(self, lang))


class Line(Text):
    """A name or a title in both languages: one line each (see `_refused`)."""

    vi: LineText = Field(description="Vietnamese, in the document's own words.")
    en: LineText = Field(description="English translation.")


# Names are what people type to find things: short, and few per thing, so that matching them
# costs the same whatever a file or an admin puts in.
MAX_NAME_LENGTH = 200
MAX_ALIASES = 30
NameText = Annotated[str, BeforeValidator(_clean_line), StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH)]


class Aliases(Strict):
    """Other names people use, per language; used to find things by name."""

    vi: Annotated[list[NameText], AfterValidator(_unique)] = Field(
        default=[], max_length=MAX_ALIASES, description=f"Other Vietnamese names (at most {MAX_ALIASES})."
    )
    en: Annotated[list[NameText], AfterValidator(_unique)] = Field(
        default=[], max_length=MAX_ALIASES, description=f"Other English names (at most {MAX_ALIASES})."
    )


KeyList = Annotated[list[Key], AfterValidator(_unique)]


class FlowKind(StrEnum):
    NEED = "NEED"  # the document lists it as what the receiver needs from the provider
    CONTRIBUTION = "CONTRIBUTION"  # the document lists it as what the provider contributes


class Section(StrEnum):
    INTRODUCTION = "introduction"
    CONCLUSION = "conclusion"


# --- where knowledge comes from ---------------------------------------------------------------

# A document's file, relative to the documents folder: plain path segments, no `..`, no absolute
# path, a `.txt` file (the documents are plain UTF-8 text).
DOCUMENT_PATH = r"^(?:[A-Za-z0-9_][A-Za-z0-9._-]*/){0,8}[A-Za-z0-9_][A-Za-z0-9._-]*\.txt$"
ISO_DATE = r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"
MAX_OFFSET = 10_000_000  # no document is longer (seed.citations reads at most 10 MB)


class Source(Strict):
    """A document the knowledge comes from: the company's own text, kept as a plain UTF-8 file."""

    key: Key
    title: Line = Field(description="The document's title, in both languages.")
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")] = Field(
        description="The language the document is written in (ISO 639, e.g. `vi`): its quotes are in it."
    )
    version: Annotated[str, BeforeValidator(_clean_line), StringConstraints(min_length=1, max_length=100)] = Field(
        description="Which version of the document this is, as the company names it (e.g. `1`, `2026-Q4`)."
    )
    date: Annotated[str, StringConstraints(pattern=ISO_DATE)] | None = Field(
        default=None, description="The date of that version (YYYY-MM-DD)."
    )
    file: Annotated[str, StringConstraints(pattern=DOCUMENT_PATH, max_length=300)] = Field(
        description="The file, relative to the documents folder (DEPTGRAPH_DOCUMENTS_DIR; by default the seed/ "
        "folder), e.g. `source-document.vi.txt`."
    )


class Citation(Strict):
    """Where an item comes from: the sentence of a source document it rests on, in the document's own
    words, and where that sentence stands in the file (character offsets into the file read as UTF-8
    and normalised to NFC; `end` is exclusive)."""

    document: Key = Field(description="The key of the source document.")
    section: LineText | None = Field(
        default=None,
        description="The heading of the section it is in, without its colon (e.g. '3. Phòng Kinh doanh và Phòng "
        "Kế toán'); none for the opening paragraph, before the first heading.",
    )
    quote: NonEmptyText = Field(description="The sentence it rests on, exactly as the document writes it.")
    start: int = Field(ge=0, le=MAX_OFFSET, description="Where the quote starts in the file (characters).")
    end: int = Field(gt=0, le=MAX_OFFSET, description="Where the quote ends in the file (characters, exclusive).")

    @model_validator(mode="after")
    def _span_fits_quote(self) -> Citation:
        if self.end - self.start != len(self.quote):
            raise ValueError(
                f"the span {self.start}–{self.end} is {self.end - self.start} characters long, but the quote has "
                f"{len(self.quote)}"
            )
        return self


CITATION_DOC = "Where it comes from in a source document (none for what was added through the API)."


class Named(Strict):
    """Something people look up by name: its names are short."""

    @model_validator(mode="after")
    def _short_names(self) -> Named:
        name = getattr(self, "name", None)
        for lang in ("vi", "en"):
            if name is not None and len(name[lang]) > MAX_NAME_LENGTH:
                raise ValueError(f"name.{lang} is longer than {MAX_NAME_LENGTH} characters")
        return self


class Department(Named):
    key: Key
    name: Line = Field(description="Its name.")
    aliases: Aliases = Field(default=Aliases(), description="Other names people use.")


class Party(Named):
    """Someone outside the company who takes part (customers)."""

    key: Key
    name: Line = Field(description="Its name.")
    aliases: Aliases = Field(default=Aliases(), description="Other names people use.")


class Topic(Named):
    """What flows and steps are about ("complaints", "pricing"), so "who gets X" is a traversal."""

    key: Key
    name: Line = Field(description="Its name.")
    aliases: Aliases = Field(default=Aliases(), description="Other names people use.")


class Goal(Strict):
    key: Key
    text: Text = Field(description="The text, in both languages.")
    topics: KeyList = Field(default=[], description="Keys of the topics it is about.")
    concerns: KeyList = Field(default=[], description="Keys of outside parties it concerns (customer).")
    source: Citation | None = Field(default=None, description=CITATION_DOC)


class Duty(Strict):
    key: Key
    text: Text = Field(description="The text, in both languages.")
    topics: KeyList = Field(default=[], description="Keys of the topics it is about.")
    concerns: KeyList = Field(default=[], description="Keys of outside parties it concerns (customer).")
    source: Citation | None = Field(default=None, description=CITATION_DOC)


class Role(Strict):
    """A department's role within one relationship: its list of duties."""

    department: Key = Field(description="Whose role it is (a department key).")
    duties: list[Duty] = Field(min_length=1, description="Its duties, in order.")


class Activity(Strict):
    """Something the two departments of a relationship do together."""

    key: Key
    text: Text = Field(description="The text, in both languages.")
    topics: KeyList = Field(default=[], description="Keys of the topics it is about.")
    concerns: KeyList = Field(default=[], description="Keys of outside parties it concerns (customer).")
    source: Citation | None = Field(default=None, description=CITATION_DOC)


class Flow(Strict):
    """One item of information or work that passes from a provider to a receiver."""

    key: Key
    kind: FlowKind = Field(description="NEED or CONTRIBUTION, as the document phrases it.")
    provider: Key = Field(description="The department it comes from (key).")
    receiver: Key = Field(description="The department it goes to (key).")
    text: Text = Field(description="The text, in both languages.")
    purpose: Text | None = Field(default=None, description="Why: the document's 'để …' (so that …).")
    statement: Text | None = Field(default=None, description="The document's sentence it comes from, if any.")
    topics: KeyList = Field(default=[], description="Keys of the topics it is about.")
    source: Citation | None = Field(default=None, description=CITATION_DOC)

    @model_validator(mode="after")
    def _two_sides(self) -> Flow:
        if self.provider == self.receiver:
            raise ValueError(f"provider and receiver are both '{self.provider}'")
        return self


class Step(Strict):
    """One step of an example: actor → action → recipient (optional), for a purpose."""

    actor: Key = Field(description="Who acts: a department or party key.")
    action: Text = Field(description="What the actor does.")
    recipient: Key | None = Field(default=None, description="Who receives it: a department or party key.")
    purpose: Text | None = Field(default=None, description="Why, if the document says.")
    topics: KeyList = Field(default=[], description="Keys of the topics it is about.")
    source: Citation | None = Field(default=None, description=CITATION_DOC)


class Scenario(Strict):
    """An example from the document, told as ordered steps."""

    key: Key
    title: Line = Field(description="A short title, in both languages.")
    text: Text = Field(description="The text, in both languages.")
    steps: list[Step] = Field(min_length=1, description="What happens, in order.")
    source: Citation | None = Field(default=None, description=CITATION_DOC)


# A moment, as deptgraph stores them: UTC, to the second ("2026-12-01T09:30:00Z"), so that moments
# compare as text and a file shows them the same way every time.
MOMENT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


class Owner(Strict):
    """Who answers for a relationship: a department, and optionally a person to ask."""

    department: Key = Field(description="The department that owns it (a key).")
    contact: NameText | None = Field(default=None, description="A person to ask (a name or an address).")


class Verification(Strict):
    """Someone looked at a relationship and confirmed it still says how the two work together."""

    at: Annotated[str, StringConstraints(pattern=MOMENT)] = Field(description="When (UTC, e.g. 2026-12-01T09:30:00Z).")
    by: NameText = Field(description="Who (the name of the token that recorded it).")


class Relationship(Strict):
    """How two departments work together: goals, roles, cooperation, flows and examples."""

    key: Key
    departments: Annotated[list[Key], AfterValidator(_unique)] = Field(
        min_length=2, max_length=2, description="The two departments (keys)."
    )
    title: Line = Field(description="A short title, in both languages.")
    summary: Text = Field(description="How they cooperate, in one sentence.")
    goals: list[Goal] = Field(default=[], description="The goals they share.")
    roles: list[Role] = Field(default=[], description="Each department's role in the relationship.")
    activities: list[Activity] = Field(default=[], description="What they do together.")
    flows: list[Flow] = Field(default=[], description="What passes between them.")
    examples: list[Scenario] = Field(default=[], description="Examples, as steps.")
    source: Citation | None = Field(default=None, description=CITATION_DOC + " Its summary's sentence.")
    owner: Owner | None = Field(
        default=None,
        description="Who answers for it: a department, and optionally a person to ask. Through the API, an update "
        "that leaves it out keeps the owner it has.",
    )
    verified: Verification | None = Field(default=None, description="When someone last confirmed it, and who.")


class Principle(Strict):
    key: Key
    title: Line = Field(description="A short title, in both languages.")
    text: Text = Field(description="The text, in both languages.")
    source: Citation | None = Field(default=None, description=CITATION_DOC)


class Statement(Strict):
    """A sentence of the document's introduction or conclusion."""

    key: Key
    section: Section = Field(description="Introduction or conclusion.")
    text: Text = Field(description="The text, in both languages.")
    about: KeyList = Field(default=[], description="Keys of the departments or parties it speaks of.")
    source: Citation | None = Field(default=None, description=CITATION_DOC)


class Knowledge(Strict):
    """A seed document. Every section is optional; files are merged section by section."""

    sources: list[Source] = []
    departments: list[Department] = []
    parties: list[Party] = []
    topics: list[Topic] = []
    relationships: list[Relationship] = []
    principles: list[Principle] = []
    statements: list[Statement] = []


# --- Cross-references -----------------------------------------------------------------------


def role_key(relationship: str, department: str) -> str:
    """Roles and steps get keys derived from their place, so seed files need not name them."""
    return f"{relationship}-{department}-role"


def step_key(scenario: str, position: int) -> str:
    return f"{scenario}-step-{position}"


Location = tuple[str | int, ...]  # a path into a document, as pydantic reports it


def defined_keys(doc: Knowledge) -> Iterator[tuple[str, str, Location]]:
    """Every (kind, key, location) the document defines."""
    for i, source in enumerate(doc.sources):
        yield "source", source.key, ("sources", i, "key")
    for i, d in enumerate(doc.departments):
        yield "department", d.key, ("departments", i, "key")
    for i, p in enumerate(doc.parties):
        yield "party", p.key, ("parties", i, "key")
    for i, t in enumerate(doc.topics):
        yield "topic", t.key, ("topics", i, "key")
    for i, r in enumerate(doc.relationships):
        at: Location = ("relationships", i)
        yield "relationship", r.key, (*at, "key")
        for j, g in enumerate(r.goals):
            yield "goal", g.key, (*at, "goals", j, "key")
        for j, role in enumerate(r.roles):
            yield "role", role_key(r.key, role.department), (*at, "roles", j, "department")
            for k, duty in enumerate(role.duties):
                yield "duty", duty.key, (*at, "roles", j, "duties", k, "key")
        for j, a in enumerate(r.activities):
            yield "activity", a.key, (*at, "activities", j, "key")
        for j, f in enumerate(r.flows):
            yield "flow", f.key, (*at, "flows", j, "key")
        for j, s in enumerate(r.examples):
            yield "scenario", s.key, (*at, "examples", j, "key")
    for i, principle in enumerate(doc.principles):
        yield "principle", principle.key, ("principles", i, "key")
    for i, statement in enumerate(doc.statements):
        yield "statement", statement.key, ("statements", i, "key")


# Everything that can carry a citation, and the kind of thing it is.
Cited = Goal | Duty | Activity | Flow | Scenario | Step | Relationship | Principle | Statement


def cited_items(doc: Knowledge) -> Iterator[tuple[Location, Cited, str]]:
    """Every item that can come from a document: (location, item, what it is, e.g. "flow 'x'"),
    in the order the files hold them."""
    for i, r in enumerate(doc.relationships):
        at: Location = ("relationships", i)
        yield at, r, f"relationship '{r.key}'"
        for j, g in enumerate(r.goals):
            yield (*at, "goals", j), g, f"goal '{g.key}'"
        for j, role in enumerate(r.roles):
            for n, duty in enumerate(role.duties):
                yield (*at, "roles", j, "duties", n), duty, f"duty '{duty.key}'"
        for j, a in enumerate(r.activities):
            yield (*at, "activities", j), a, f"activity '{a.key}'"
        for j, f in enumerate(r.flows):
            yield (*at, "flows", j), f, f"flow '{f.key}'"
        for j, s in enumerate(r.examples):
            yield (*at, "examples", j), s, f"scenario '{s.key}'"
            for n, step in enumerate(s.steps):
                yield (*at, "examples", j, "steps", n), step, f"scenario '{s.key}' step {n + 1}"
    for i, p in enumerate(doc.principles):
        yield ("principles", i), p, f"principle '{p.key}'"
    for i, st in enumerate(doc.statements):
        yield ("statements", i), st, f"statement '{st.key}'"


# Which kinds a reference may name.
DEPARTMENT = ("department",)
PARTICIPANT = ("department", "party")
TOPIC = ("topic",)
PARTY = ("party",)
SOURCE = ("source",)


def references(doc: Knowledge) -> Iterator[tuple[str, tuple[str, ...], Location, str]]:
    """Every (key, kinds it may name, location, what refers) in the document."""

    def topics_and_parties(owner: Goal | Duty | Activity, at: Location, what: str) -> Iterator[Any]:
        for n, t in enumerate(owner.topics):
            yield t, TOPIC, (*at, "topics", n), what
        for n, p in enumerate(owner.concerns):
            yield p, PARTY, (*at, "concerns", n), what

    for i, r in enumerate(doc.relationships):
        at: Location = ("relationships", i)
        for n, d in enumerate(r.departments):
            yield d, DEPARTMENT, (*at, "departments", n), f"relationship '{r.key}'"
        for j, g in enumerate(r.goals):
            yield from topics_and_parties(g, (*at, "goals", j), f"goal '{g.key}'")
        for j, role in enumerate(r.roles):
            what = f"relationship '{r.key}'"
            yield role.department, DEPARTMENT, (*at, "roles", j, "department"), what
            for k, duty in enumerate(role.duties):
                yield from topics_and_parties(duty, (*at, "roles", j, "duties", k), f"duty '{duty.key}'")
        for j, a in enumerate(r.activities):
            yield from topics_and_parties(a, (*at, "activities", j), f"activity '{a.key}'")
        for j, f in enumerate(r.flows):
            fat: Location = (*at, "flows", j)
            what = f"flow '{f.key}'"
            yield f.provider, DEPARTMENT, (*fat, "provider"), what
            yield f.receiver, DEPARTMENT, (*fat, "receiver"), what
            for n, t in enumerate(f.topics):
                yield t, TOPIC, (*fat, "topics", n), what
        for j, s in enumerate(r.examples):
            for k, step in enumerate(s.steps):
                sat: Location = (*at, "examples", j, "steps", k)
                what = f"scenario '{s.key}' step {k + 1}"
                yield step.actor, PARTICIPANT, (*sat, "actor"), what
                if step.recipient is not None:
                    yield step.recipient, PARTICIPANT, (*sat, "recipient"), what
                for n, t in enumerate(step.topics):
                    yield t, TOPIC, (*sat, "topics", n), what
    for i, st in enumerate(doc.statements):
        for n, key in enumerate(st.about):
            yield key, PARTICIPANT, ("statements", i, "about", n), f"statement '{st.key}'"
    for loc, item, what in cited_items(doc):
        if item.source is not None:
            yield item.source.document, SOURCE, (*loc, "source", "document"), what
    for i, r in enumerate(doc.relationships):
        if r.owner is not None:
            yield r.owner.department, DEPARTMENT, ("relationships", i, "owner", "department"), f"relationship '{r.key}'"


def outsiders(relationship: Relationship) -> Iterator[tuple[Location, str, str]]:
    """Roles and flows of a relationship that name a department outside its pair."""
    pair = " and ".join(relationship.departments)
    for j, role in enumerate(relationship.roles):
        if role.department not in relationship.departments:
            yield (
                ("roles", j, "department"),
                role.department,
                (f"role of '{role.department}' in relationship '{relationship.key}', which is between {pair}"),
            )
    for j, f in enumerate(relationship.flows):
        for side in ("provider", "receiver"):
            key = getattr(f, side)
            if key not in relationship.departments:
                yield (
                    ("flows", j, side),
                    key,
                    (f"flow '{f.key}' has {side} '{key}', but relationship '{relationship.key}' is between {pair}"),
                )


# --- Names: one thing per name -----------------------------------------------------------------
# Departments and parties are found by name (`domain.names.fold`: case, accents and punctuation
# aside), so no two of them may answer to the same one: a new department with the alias "Sales"
# would pass itself off as Sales.


def name_forms(item: Department | Party) -> Iterator[tuple[Location, str, str]]:
    """(where, text, folded form) of every way `item` is found by name: its key, names, aliases."""
    for lang in ("vi", "en"):
        yield ("name", lang), item.name[lang], fold(item.name[lang])
    for lang in ("vi", "en"):
        for i, alias in enumerate(getattr(item.aliases, lang)):
            yield ("aliases", lang, i), alias, fold(alias)
    yield ("key",), item.key, fold(item.key)


def clash_message(text: str, kind: str, key: str, theirs: str) -> str:
    return (
        f"'{text}' is already how {kind} '{key}' is named ('{theirs}'); a department or party may not "
        "take another's name or alias (compared without case, accents or punctuation)"
    )


def name_clashes(doc: Knowledge) -> Iterator[tuple[Location, str]]:
    """Names and aliases of departments and parties that another department or party answers to
    (reported on the later one, with the message)."""
    first: dict[str, tuple[str, str, str, bool]] = {}  # folded form → (kind, key, text, a key?)
    named: list[tuple[str, str, int, Department | Party]] = [
        *(("departments", "department", i, d) for i, d in enumerate(doc.departments)),
        *(("parties", "party", i, p) for i, p in enumerate(doc.parties)),
    ]
    for section, kind, i, item in named:
        for loc, text, form in name_forms(item):
            if not form:
                continue
            other = first.setdefault(form, (kind, item.key, text, loc == ("key",)))
            if other[:2] != (kind, item.key) and not (other[3] and loc == ("key",)):  # (shared keys: see files)
                yield (section, i, *loc), clash_message(text, *other[:3])
