"""The kinds of entity an admin edits, each described once as data, and a change to one.

An *entity* is what an admin edits as one thing: a department, a party, a topic, a principle, a
statement, a flow, a scenario with its steps, or a relationship with its goals, roles, duties and
activities. Each `Kind` says, once, how its input becomes node records, where it lives, what
cannot change and what must hold (its own checks: a relationship joins two departments no other
one joins and holds only their roles, a flow runs between its relationship's two departments, a
party's key is no department's, no two departments or parties answer to the same name). A
`Change` is one mutation of one entity of a kind; `graph.writes` makes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from domain import knowledge as k
from domain import references
from domain.names import fold
from graph import records
from graph.entities import Tx
from graph.errors import BadInput, Conflict
from graph.model import NodeRecord, identifier
from graph.shape import BETWEEN, INCLUDES, OF, PROVIDES, TO, Label
from graph.store import StoredNode

Check = Callable[[Tx, "Change", list[NodeRecord]], Awaitable[None]]


async def _participant_key_is_free(tx: Tx, change: Change, after: list[NodeRecord]) -> None:
    """Steps name their actor by key alone: a party may not take a department's key, nor back."""
    other = Label.PARTY if change.label is Label.DEPARTMENT else Label.DEPARTMENT
    result = await tx.run(f"MATCH (n:{other} {{key: $key}}) RETURN n.key AS key", key=change.key)
    if await result.single() is not None:
        raise Conflict(
            f"The key '{change.key}' is already a {other.lower()}'s: departments and parties share one set of keys.",
            field="input.key",
        )


async def _names_are_free(tx: Tx, change: Change, after: list[NodeRecord]) -> None:
    """No other department or party answers to any of this one's names (`references.name_clashes`)."""
    if not isinstance(change.item, k.Department | k.Party):
        return
    forms = sorted({form for _, _, form in references.name_forms(change.item) if form})
    result = await tx.run(
        f"MATCH (n) WHERE (n:{Label.DEPARTMENT} OR n:{Label.PARTY}) AND NOT (n:{identifier(change.label)} AND "
        "n.key = $key) AND any(form IN n.lookup WHERE form IN $forms) "
        "RETURN [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key, "
        "[n.name_vi, n.name_en] + coalesce(n.aliases_vi, []) + coalesce(n.aliases_en, []) + [n.key] AS names "
        "ORDER BY n.position, n.key LIMIT 1",
        key=change.key,
        forms=forms,
        labels=[Label.DEPARTMENT, Label.PARTY],
    )
    row = await result.single()
    if row is None:
        return
    theirs = {fold(name): name for name in reversed(row["names"]) if isinstance(name, str)}
    for loc, text, form in references.name_forms(change.item):
        if form in theirs:
            where = "input" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
            message = references.clash_message(text, row["label"].lower(), row["key"], theirs[form])
            raise BadInput(f"{where}: {message}.", field=where, clash=f"{row['label']}:{row['key']}")


async def _one_relationship_per_pair(tx: Tx, change: Change, after: list[NodeRecord]) -> None:
    pair = sorted(link.target_key for link in after[0].links if link.type == BETWEEN.type)
    result = await tx.run(
        f"MATCH (a:Department {{key: $a}})<-[:{BETWEEN}]-(r:Relationship)-[:{BETWEEN}]->(b:Department {{key: $b}}) "
        "WHERE r.key <> $key RETURN r.key AS key LIMIT 1",
        a=pair[0],
        b=pair[-1],
        key=change.key,
    )
    found = await result.single()
    if found is not None:
        raise Conflict(
            f"{pair[0]} and {pair[-1]} already have a relationship, '{found['key']}': change that one instead.",
            field="input.departments",
            existing=found["key"],
        )


async def _roles_are_of_its_pair(tx: Tx, change: Change, after: list[NodeRecord]) -> None:
    """A relationship's roles are roles of its two departments (the seed files' rule, `references.outsiders`)."""
    if isinstance(change.item, k.Relationship):
        for loc, key, _ in references.outsiders(change.item):
            where = "input" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
            between = " and ".join(change.item.departments)
            raise BadInput(f"{where}: '{key}' is not one of the two departments of relationship "
                           f"'{change.item.key}' ({between}); a relationship holds only their roles.", field=where)  # fmt: skip
    pair = {link.target_key for r in after if r.label == Label.RELATIONSHIP for link in r.links
            if link.type == BETWEEN.type}  # fmt: skip
    for record in after:  # (a change computed from the current state: the same rule)
        for link in record.links:
            if record.label == Label.ROLE and link.type == OF.type and link.target_key not in pair:
                raise BadInput(f"input.roles: '{link.target_key}' is not one of the two departments of the "
                               "relationship.", field="input.roles")  # fmt: skip


async def _runs_between_its_pair(tx: Tx, change: Change, after: list[NodeRecord]) -> None:
    """A flow's provider and receiver are the two departments of its relationship."""
    flow = after[0]
    relationship = next(link.target_key for link in flow.links if link.type == INCLUDES.type)
    result = await tx.run(
        f"MATCH (r:Relationship {{key: $key}}) RETURN COLLECT {{ MATCH (r)-[:{BETWEEN}]->(d) RETURN d.key }} AS pair",
        key=relationship,
    )
    row = await result.single()
    pair = row["pair"] if row else []
    for side, edge in (("provider", PROVIDES), ("receiver", TO)):
        key = next(link.target_key for link in flow.links if link.type == edge.type)
        if key not in pair:
            raise BadInput(
                f"input.{side}: '{key}' is not one of the two departments of relationship '{relationship}'.",
                field=f"input.{side}",
            )


@dataclass(frozen=True)
class Kind:
    """One kind of entity: the seed model that checks its input, how that input becomes node
    records, where it lives, what cannot change, and what must hold."""

    label: Label
    model: type[BaseModel]
    # (input, the key of the entity it lives in, the labels of the participants it names)
    records: Callable[[Any, str | None, Mapping[str, str]], list[NodeRecord]]
    inside: Label | None = None  # created inside an entity of this label (flows: a relationship)
    fixed: tuple[str, ...] = ()  # relationship types that cannot change once created
    participants: Callable[[Any], list[tuple[str, str]]] = lambda item: []  # (key, input field)
    checks: tuple[Check, ...] = ()


def _steps_participants(scenario: k.Scenario) -> list[tuple[str, str]]:
    named = []
    for i, step in enumerate(scenario.steps):
        named.append((step.actor, f"input.steps[{i}].actor"))
        if step.recipient is not None:
            named.append((step.recipient, f"input.steps[{i}].recipient"))
    return named


KINDS: dict[Label, Kind] = {
    kind.label: kind
    for kind in (
        Kind(Label.DEPARTMENT, k.Department, lambda item, _, __: [records.named_record(Label.DEPARTMENT, item, 0)],
             checks=(_participant_key_is_free, _names_are_free)),
        Kind(Label.PARTY, k.Party, lambda item, _, __: [records.named_record(Label.PARTY, item, 0)],
             checks=(_participant_key_is_free, _names_are_free)),
        Kind(Label.TOPIC, k.Topic, lambda item, _, __: [records.named_record(Label.TOPIC, item, 0)]),
        Kind(
            Label.RELATIONSHIP, k.Relationship,
            lambda item, _, __: records.relationship_records(item.model_copy(update={"flows": [], "examples": []}), 0, {}),
            fixed=(BETWEEN.type,), checks=(_one_relationship_per_pair, _roles_are_of_its_pair),
        ),
        Kind(Label.FLOW, k.Flow, lambda item, rel, _: [records.flow_record(str(rel), item, 0)],
             inside=Label.RELATIONSHIP, checks=(_runs_between_its_pair,)),
        Kind(Label.SCENARIO, k.Scenario, lambda item, rel, labels: records.scenario_records(str(rel), item, 0, labels),
             inside=Label.RELATIONSHIP, participants=_steps_participants),
        Kind(Label.PRINCIPLE, k.Principle, lambda item, _, __: [records.principle_record(item, 0)]),
        Kind(Label.STATEMENT, k.Statement, lambda item, _, labels: [records.statement_record(item, 0, labels)],
             participants=lambda item: [(key, f"input.about[{i}]") for i, key in enumerate(item.about)]),
    )
}  # fmt: skip


@dataclass
class Change:
    """One mutation of one entity (`label`, `key` name its root)."""

    operation: str
    actor: str
    label: Label
    key: str
    item: Any = None  # the new state, checked by the kind's model (None: a delete or a transform)
    expected_version: int | None = None  # None: create
    container: str | None = None  # creating a flow or a scenario: the key of its relationship
    cascade: bool = False
    # Instead of `item`: the new state computed from the current one, inside the transaction.
    transform: Callable[[list[StoredNode]], list[NodeRecord]] | None = None
    # Do everything, audit records included, then roll the transaction back: what it would do.
    dry_run: bool = False

    @property
    def kind(self) -> Kind:
        return KINDS[self.label]

    @property
    def creating(self) -> bool:
        return self.expected_version is None and self.transform is None and self.item is not None
