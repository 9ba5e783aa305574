"""The knowledge deptgraph serves, as validated data: the schema of the seed files.

One `Knowledge` document holds any of the sections below; the seed files in `seed/data/`
are such documents, merged in file-name order. The same models validate what admins send
through GraphQL mutations, so a fact is checked the same way whichever door it comes in by.

Rules every document obeys (checked here, reported with file, line and key by `seed.files`):
* unknown fields are refused; every text is given in Vietnamese (`vi`) and English (`en`),
  is not empty, and is stored in Unicode NFC;
* keys are slugs (`accounting`, `sales-to-accounting-revenue`), unique per kind;
* every reference (a flow's provider, a step's actor, a topic) names something that exists.
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

KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _nfc(value: Any) -> Any:
    """Normalise text to NFC and trim it; leave other values for pydantic to reject."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


# Characters that change how text around them is shown, or are not shown at all: refused, so that
# a name always reads as what it is (no terminal escapes, no right-to-left overrides, no NULs).
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_VISIBLE = ("L", "N", "P", "S")  # letters, numbers, punctuation, symbols


def _clean(value: Any) -> Any:
    """NFC, trimmed, and readable: no control or bidi-override characters, no byte-order marks,
    at least one visible character, not starting with a bare combining mark."""
    value = _nfc(value)
    if not isinstance(value, str) or not value:
        return value
    for char in value:
        if char in _BIDI_CONTROLS or char == "\ufeff" or (unicodedata.category(char) == "Cc" and char not in "\n\t"):
            name = unicodedata.name(char, "a control character")
            raise ValueError(f"contains {name.lower()} (U+{ord(char):04X}); texts are plain, visible characters")
    if not any(unicodedata.category(char)[0] in _VISIBLE for char in value):
        raise ValueError("has no visible character")
    if unicodedata.category(value[0]).startswith("M"):
        raise ValueError(f"starts with a combining mark (U+{ord(value[0]):04X}) that belongs to no letter")
    return value


Key = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(pattern=KEY_PATTERN, max_length=80),
    Field(description="A stable slug: lowercase letters, digits and single hyphens."),
]
NonEmptyText = Annotated[str, BeforeValidator(_clean), StringConstraints(min_length=1, max_length=2000)]


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


# Names are what people type to find things: short, and few per thing, so that matching them
# costs the same whatever a file or an admin puts in.
MAX_NAME_LENGTH = 200
MAX_ALIASES = 30
NameText = Annotated[str, BeforeValidator(_clean), StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH)]


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
    name: Text = Field(description="Its name.")
    aliases: Aliases = Field(default=Aliases(), description="Other names people use.")


class Party(Named):
    """Someone outside the company who takes part (customers)."""

    key: Key
    name: Text = Field(description="Its name.")
    aliases: Aliases = Field(default=Aliases(), description="Other names people use.")


class Topic(Named):
    """What flows and steps are about ("complaints", "pricing"), so "who gets X" is a traversal."""

    key: Key
    name: Text = Field(description="Its name.")
    aliases: Aliases = Field(default=Aliases(), description="Other names people use.")


class Goal(Strict):
    key: Key
    text: Text = Field(description="The text, in both languages.")
    topics: KeyList = Field(default=[], description="Keys of the topics it is about.")
    concerns: KeyList = Field(default=[], description="Keys of outside parties it concerns (customer).")


class Duty(Strict):
    key: Key
    text: Text = Field(description="The text, in both languages.")
    topics: KeyList = Field(default=[], description="Keys of the topics it is about.")
    concerns: KeyList = Field(default=[], description="Keys of outside parties it concerns (customer).")


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


class Scenario(Strict):
    """An example from the document, told as ordered steps."""

    key: Key
    title: Text = Field(description="A short title, in both languages.")
    text: Text = Field(description="The text, in both languages.")
    steps: list[Step] = Field(min_length=1, description="What happens, in order.")


class Relationship(Strict):
    """How two departments work together: goals, roles, cooperation, flows and examples."""

    key: Key
    departments: Annotated[list[Key], AfterValidator(_unique)] = Field(
        min_length=2, max_length=2, description="The two departments (keys)."
    )
    title: Text = Field(description="A short title, in both languages.")
    summary: Text = Field(description="How they cooperate, in one sentence.")
    goals: list[Goal] = Field(default=[], description="The goals they share.")
    roles: list[Role] = Field(default=[], description="Each department's role in the relationship.")
    activities: list[Activity] = Field(default=[], description="What they do together.")
    flows: list[Flow] = Field(default=[], description="What passes between them.")
    examples: list[Scenario] = Field(default=[], description="Examples, as steps.")


class Principle(Strict):
    key: Key
    title: Text = Field(description="A short title, in both languages.")
    text: Text = Field(description="The text, in both languages.")


class Statement(Strict):
    """A sentence of the document's introduction or conclusion."""

    key: Key
    section: Section = Field(description="Introduction or conclusion.")
    text: Text = Field(description="The text, in both languages.")
    about: KeyList = Field(default=[], description="Keys of the departments or parties it speaks of.")


class Knowledge(Strict):
    """A seed document. Every section is optional; files are merged section by section."""

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


# Which kinds a reference may name.
DEPARTMENT = ("department",)
PARTICIPANT = ("department", "party")
TOPIC = ("topic",)
PARTY = ("party",)


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
