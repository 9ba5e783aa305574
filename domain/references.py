"""What the items of a knowledge document say of each other, and what must hold across them.

A document defines keys (`defined_keys`; a role's and a step's derived from their place) and
refers to things by key (`references`, each with the kinds it may name): every reference must
name something defined, and a relationship's roles and flows stay within its pair
(`outsiders`). Items cite source documents (`cited_items`). Departments and parties are found by
name, so no two of them may answer to the same one (`name_clashes`). `seed.files` reports what
does not hold with file, line and key; mutations check the same rules (`graph.kinds`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.knowledge import Activity, Cited, Department, Duty, Goal, Knowledge, Party, Relationship
from domain.names import fold


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
