"""The knowledge deptgraph serves, as validated data: the schema of the seed files.

One `Knowledge` document holds any of the sections below; the seed files in `seed/data/`
are such documents, merged in file-name order. The same models validate what admins send
through GraphQL mutations, so a fact is checked the same way whichever door it comes in by.

Rules every document obeys (checked by these models and `domain.references`, reported with file,
line and key by `seed.files`):
* unknown fields are refused; every text is given in Vietnamese (`vi`) and English (`en`),
  is not empty, is plain and visible (names, aliases and titles on one line; see
  `domain.texts`), and is stored in Unicode NFC;
* keys are slugs (`accounting`, `sales-to-accounting-revenue`), unique per kind;
* every reference (a flow's provider, a step's actor, a topic, a citation's document, a
  relationship's owner) names something that exists (`domain.references` lists them).

Where knowledge comes from: a `Source` is a document (the company's own text), and every item
taken from one carries a `Citation` — the section it is in, the sentence it rests on in the
document's own words, and where that sentence stands in the file (`seed.citations` computes and
checks them against the document itself).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from domain.texts import Key, KeyList, LineText, NonEmptyText, clean_line, unique


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Text(Strict):
    """A text in both languages. Vietnamese is the source; English is its translation."""

    vi: NonEmptyText = Field(description="Vietnamese, in the document's own words.")
    en: NonEmptyText = Field(description="English translation.")

    def __getitem__(self, lang: str) -> str:
        return str(getattr(self, lang))


class Line(Text):
    """A name or a title in both languages: one line each (see `domain.texts`)."""

    vi: LineText = Field(description="Vietnamese, in the document's own words.")
    en: LineText = Field(description="English translation.")


# Names are what people type to find things: short, and few per thing, so that matching them
# costs the same whatever a file or an admin puts in.
MAX_NAME_LENGTH = 200
MAX_ALIASES = 30
NameText = Annotated[str, BeforeValidator(clean_line), StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH)]


class Aliases(Strict):
    """Other names people use, per language; used to find things by name."""

    vi: Annotated[list[NameText], AfterValidator(unique)] = Field(
        default=[], max_length=MAX_ALIASES, description=f"Other Vietnamese names (at most {MAX_ALIASES})."
    )
    en: Annotated[list[NameText], AfterValidator(unique)] = Field(
        default=[], max_length=MAX_ALIASES, description=f"Other English names (at most {MAX_ALIASES})."
    )


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
    version: Annotated[str, BeforeValidator(clean_line), StringConstraints(min_length=1, max_length=100)] = Field(
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
    departments: Annotated[list[Key], AfterValidator(unique)] = Field(
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


# Everything that can carry a citation, and the kind of thing it is.
Cited = Goal | Duty | Activity | Flow | Scenario | Step | Relationship | Principle | Statement
