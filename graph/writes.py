"""Changing the knowledge one entity at a time: serialized, checked, versioned, audited.

An *entity* is what an admin edits as one thing: a department, a party, a topic, a principle, a
statement, a flow, a scenario with its steps, or a relationship with its goals, roles, duties and
activities. Each `Kind` below says, once, how its input becomes node records, where it lives and
what must hold; `apply_change` makes any change to any kind in one transaction:

1. the transaction takes the graph's write lock first (`Database.write`): writers queue, so what
   a change checks is what it writes over — a concurrent delete cannot slip in between;
2. it locks the entity's root and checks `expectedVersion` (a stale one is a `Conflict`);
3. it builds the new records and checks them: everything they refer to exists, keys are free,
   the kind's own invariants hold (a relationship joins two departments no other one joins and
   holds only their roles, a flow runs between its relationship's two departments, a party's key
   is no department's, no two departments or parties answer to the same name);
4. it writes the difference with the statements the seed loader uses, reads it back, and
5. records a `(:Change)` per node created, updated or deleted, describing what the graph now holds.

Deleting something others still refer to is refused with the list of what refers to it, unless
`cascade` — then the dependents go in the same transaction, each with its own audit record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError
from pydantic import BaseModel

from domain import knowledge as k
from domain.names import fold
from graph import records
from graph.audit import Audit, ChangeRecord, write_audit
from graph.database import Database, GraphLock
from graph.errors import BadInput, Conflict, GraphError, NotFound
from graph.model import OWNED, SYSTEM_PROPERTIES, Link, NodeRecord, identifier
from graph.shape import (
    BETWEEN,
    CHILD_EDGES,
    CITATION_PROPERTIES,
    INCLUDES,
    OF,
    OWNED_BY,
    PART_EDGES,
    PROVIDES,
    REFERENCES,
    TO,
    Label,
    OnDelete,
    Owner,
    container_of,
    is_part,
    types,
)
from graph.store import Plan, StoredNode, normalized, write_plan

# The errors of a write (kept under these names for the API).
WriteError = GraphError
InvalidInput = BadInput

# An entity is its root node and every part below it (a relationship's goals, roles, duties and
# activities; a scenario's steps): part relationships always point from the container down.
_PARTS = types(PART_EDGES)
_CHILDREN = types(CHILD_EDGES)
# A reference whose target goes takes its owner's entity with it (a flow without a provider).
_CASCADING_OUT = types(
    e for e in REFERENCES if e.on_delete is OnDelete.CASCADE and e.owner is Owner.START and e is not OF
)
# … but a role, whose relationship can do without it, goes alone (with its duties) when its
# department goes: its relationship goes only if that department is one of its two (BETWEEN).
_GOES_ALONE = OF
_CASCADING_IN = types(e for e in REFERENCES if e.on_delete is OnDelete.CASCADE and e.owner is Owner.END)

Tx = AsyncManagedTransaction
Check = Callable[[Tx, "Change", list[NodeRecord]], Awaitable[None]]


# --- the kinds --------------------------------------------------------------------------------


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
    """No other department or party answers to any of this one's names (`k.name_clashes`)."""
    if not isinstance(change.item, k.Department | k.Party):
        return
    forms = sorted({form for _, _, form in k.name_forms(change.item) if form})
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
    for loc, text, form in k.name_forms(change.item):
        if form in theirs:
            where = "input" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
            message = k.clash_message(text, row["label"].lower(), row["key"], theirs[form])
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
    """A relationship's roles are roles of its two departments (the seed files' rule, `k.outsiders`)."""
    if isinstance(change.item, k.Relationship):
        for loc, key, _ in k.outsiders(change.item):
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


# --- reading the entity -----------------------------------------------------------------------


async def _read_nodes(tx: Tx, idents: Sequence[tuple[str, str]]) -> list[StoredNode]:
    """The records (properties and owned relationships) of the given (label, key) nodes."""
    by_label: dict[str, list[str]] = {}
    for label, key in idents:
        by_label.setdefault(label, []).append(key)
    nodes = []
    for label, keys in by_label.items():
        owned = set(OWNED[label])
        result = await tx.run(
            f"UNWIND $keys AS key MATCH (n:{identifier(label)} {{key: key}}) "
            "RETURN properties(n) AS props, "
            "COLLECT { MATCH (n)-[r]->(t) RETURN [type(r), true, labels(t)[0], t.key, coalesce(r.position, 0)] } + "
            "COLLECT { MATCH (n)<-[r]-(t) RETURN [type(r), false, labels(t)[0], t.key, coalesce(r.position, 0)] } AS links",
            keys=keys,
        )
        async for row in result:
            props = dict(row["props"])
            links = tuple(
                Link(t, out, target_label, target_key, position)
                for t, out, target_label, target_key, position in row["links"] if (t, out) in owned
            )  # fmt: skip
            record = NodeRecord(
                label, props["key"], {k: v for k, v in props.items() if k not in SYSTEM_PROPERTIES}, links
            )
            nodes.append(StoredNode(normalized(record), int(props.get("version") or 1)))
    return nodes


async def _entity(tx: Tx, label: str, key: str) -> list[tuple[str, str]]:
    """(label, key) of an entity's nodes: its root and every part below it."""
    result = await tx.run(
        f"MATCH (root:{identifier(label)} {{key: $key}})-[:{_PARTS}*0..]->(n) "
        "RETURN DISTINCT [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key",
        key=key,
        labels=list(OWNED),
    )
    return [(row["label"], row["key"]) async for row in result]


async def _dependents(tx: Tx, doomed: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """What a cascading delete of `doomed` takes with it: the entities inside it (a relationship's
    flows and examples) and those that cannot exist without it (a flow without its provider, an
    example without its actor), each whole — but a role without its department goes alone —
    until nothing more depends on what goes."""
    found: set[tuple[str, str]] = set()
    frontier = set(doomed)
    while frontier:
        by_label: dict[str, list[str]] = {}
        for label, key in frontier:
            by_label.setdefault(label, []).append(key)
        reached: set[tuple[str, str]] = set()
        for label, keys in by_label.items():
            result = await tx.run(
                f"UNWIND $keys AS key MATCH (x:{identifier(label)} {{key: key}}) "
                "CALL (x) { "
                f"  MATCH (x)-[:{_CHILDREN}]->(d) RETURN d "
                f"  UNION MATCH (d)-[:{_CASCADING_OUT}]->(x) RETURN d "
                f"  UNION MATCH (x)-[:{_CASCADING_IN}]->(d) RETURN d }} "
                f"MATCH (root)-[:{_PARTS}*0..]->(d) WHERE NOT EXISTS {{ ()-[:{_PARTS}]->(root) }} "
                f"MATCH (root)-[:{_PARTS}*0..]->(n) "
                "RETURN DISTINCT [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key",
                keys=keys,
                labels=list(OWNED),
            )
            reached |= {(row["label"], row["key"]) async for row in result}
            if label in _GOES_ALONE.end:
                result = await tx.run(
                    f"UNWIND $keys AS key MATCH (:{identifier(label)} {{key: key}})<-[:{_GOES_ALONE}]-(part) "
                    f"MATCH (part)-[:{_PARTS}*0..]->(n) "
                    "RETURN DISTINCT [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key",
                    keys=keys,
                    labels=list(OWNED),
                )
                reached |= {(row["label"], row["key"]) async for row in result}
        frontier = reached - found - doomed
        found |= frontier
    return found


async def _owners_of_links_into(tx: Tx, idents: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Nodes outside `idents` that own a relationship to a node inside: they refer to it."""
    owners: set[tuple[str, str]] = set()
    by_label: dict[str, list[str]] = {}
    for label, key in idents:
        by_label.setdefault(label, []).append(key)
    for label, keys in by_label.items():
        result = await tx.run(
            f"UNWIND $keys AS key MATCH (x:{identifier(label)} {{key: key}})-[r]-(other) "
            "WHERE other.key IS NOT NULL AND NOT other:Change "
            "RETURN DISTINCT labels(other)[0] AS label, other.key AS key, type(r) AS type, "
            "startNode(r) = other AS other_is_start",
            keys=keys,
        )
        async for row in result:
            ident = (row["label"], row["key"])
            if ident not in idents and (row["type"], row["other_is_start"]) in OWNED.get(row["label"], ()):
                owners.add(ident)
    return owners


async def _lock_and_check_version(tx: Tx, change: Change) -> int:
    """Take the root's write lock, then compare versions."""
    result = await tx.run(
        # Setting a property to the value it has may not lock; writing a scratch one always does.
        f"MATCH (n:{identifier(change.label)} {{key: $key}}) SET n._lock = true REMOVE n._lock "
        "RETURN n.version AS version",
        key=change.key,
    )
    row = await result.single()
    if row is None:
        raise NotFound(f"No {change.label.lower()} has the key '{change.key}'.", field="key")
    version = int(row["version"] or 1)
    if change.expected_version is not None and version != change.expected_version:
        raise Conflict(
            f"{change.label} '{change.key}' is at version {version}, not {change.expected_version}: "
            "someone changed it since you read it. Read it again and retry.",
            field="expectedVersion",
            currentVersion=version,
        )
    return version


async def container_key(tx: Tx, label: Label, key: str) -> str | None:
    """The key of the entity holding a child (a flow's relationship)."""
    edge = container_of(label)
    if edge is None:
        return None
    result = await tx.run(
        f"MATCH (o)-[:{edge.type}]->(:{identifier(label)} {{key: $key}}) RETURN o.key AS key", key=key
    )
    row = await result.single()
    return None if row is None else str(row["key"])


async def _participant_labels(tx: Tx, named: list[tuple[str, str]]) -> dict[str, str]:
    """Which of the keys a scenario or statement names are departments and which are parties."""
    if not named:
        return {}
    result = await tx.run(
        "UNWIND $keys AS key OPTIONAL MATCH (n {key: key}) WHERE n:Department OR n:Party "
        "RETURN key, [l IN labels(n) WHERE l IN ['Department', 'Party']][0] AS label",
        keys=sorted({key for key, _ in named}),
    )
    labels = {row["key"]: row["label"] async for row in result if row["label"]}
    missing = [(key, where) for key, where in named if key not in labels]
    if missing:
        key, where = missing[0]
        raise BadInput(f"{where}: no department or party has the key '{key}'.", field=where,
                       missing=[key for key, _ in missing])  # fmt: skip
    return labels


# --- checking the new state -------------------------------------------------------------------


def _where_named(item: Any, key: str, container: str | None) -> str:
    """The input field that names `key` (for messages), found by walking the input."""
    if container is not None and key == container:
        return "relationship"

    def walk(value: Any, path: str) -> str | None:
        if value == key and isinstance(value, str):
            return path
        if isinstance(value, dict):
            for name, inner in value.items():
                if name != "key" and (found := walk(inner, f"{path}.{name}")):
                    return found
        if isinstance(value, list):
            for index, inner in enumerate(value):
                if found := walk(inner, f"{path}[{index}]"):
                    return found
        return None

    dumped = item.model_dump(mode="json") if isinstance(item, BaseModel) else None
    return (walk(dumped, "input") if dumped is not None else None) or "input"


async def _check_references(tx: Tx, change: Change, after: list[NodeRecord]) -> None:
    """Everything the new records link to exists (or is created by this very change)."""
    made = {(r.label, r.key) for r in after}
    wanted = {(link.target_label, link.target_key) for r in after for link in r.links} - made
    by_label: dict[str, list[str]] = {}
    for label, key in wanted:
        by_label.setdefault(label, []).append(key)
    missing: list[tuple[str, str]] = []
    for label, keys in sorted(by_label.items()):
        result = await tx.run(
            f"UNWIND $keys AS key OPTIONAL MATCH (n:{identifier(label)} {{key: key}}) RETURN key, n IS NOT NULL AS found",
            keys=sorted(keys),
        )
        missing += [(label, row["key"]) async for row in result if not row["found"]]
    if missing:
        named = [(label, key, _where_named(change.item, key, change.container)) for label, key in missing]
        listed = ", ".join(f"{label.lower()} '{key}' ({where})" for label, key, where in named)
        raise BadInput(f"These do not exist: {listed}.", field=named[0][2], missing=[key for _, key, _ in named])


def _check_parts(after: list[NodeRecord]) -> None:
    seen: set[tuple[str, str]] = set()
    for record in after:
        if (record.label, record.key) in seen:
            raise BadInput(f"input: the {record.label.lower()} key '{record.key}' is used twice.", field="input")
        seen.add((record.label, record.key))


async def _keys_are_free(tx: Tx, created: Sequence[NodeRecord]) -> None:
    """A new node (an entity, or a goal or step of one) may not take a key something has."""
    by_label: dict[str, list[str]] = {}
    for record in created:
        by_label.setdefault(record.label, []).append(record.key)
    for label, keys in by_label.items():
        result = await tx.run(f"UNWIND $keys AS key MATCH (n:{identifier(label)} {{key: key}}) RETURN key", keys=keys)
        taken = [row["key"] async for row in result]
        if taken:
            raise Conflict(f"A {label.lower()} with the key '{taken[0]}' already exists.", field="input.key",
                           keys=taken)  # fmt: skip


def _check_fixed(change: Change, before: list[StoredNode], after: list[NodeRecord]) -> None:
    if change.creating:
        return
    for link_type in change.kind.fixed:
        was = sorted(link.target_key for n in before if n.record.key == change.key for link in n.record.links
                     if link.type == link_type)  # fmt: skip
        becomes = sorted(link.target_key for r in after if r.key == change.key for link in r.links
                         if link.type == link_type)  # fmt: skip
        if was != becomes:
            raise BadInput(
                f"input.departments: {change.label.lower()} '{change.key}' is between {' and '.join(was)}; that "
                f"cannot change. Create a new {change.label.lower()} instead.",
                field="input.departments",
            )


async def _next_position(tx: Tx, record: NodeRecord) -> int:
    """New things go last among their siblings (in their relationship, or of their label)."""
    parent = next(
        (link for link in record.links if not link.outgoing and link.type in {e.type for e in CHILD_EDGES}), None
    )
    if parent is not None:
        result = await tx.run(
            f"MATCH (:{identifier(parent.target_label)} {{key: $key}})-[:{identifier(parent.type)}]->(s) "
            "RETURN coalesce(max(s.position) + 1, 0) AS next",
            key=parent.target_key,
        )
    else:
        result = await tx.run(f"MATCH (s:{identifier(record.label)}) RETURN coalesce(max(s.position) + 1, 0) AS next")
    row = await result.single()
    return int(row["next"]) if row else 0


def _with_position(record: NodeRecord, position: int) -> NodeRecord:
    return NodeRecord(record.label, record.key, {**record.props, "position": position}, record.links)


def _without_links_to(node: StoredNode, doomed: set[tuple[str, str]]) -> NodeRecord:
    links = tuple(link for link in node.record.links if (link.target_label, link.target_key) not in doomed)
    props = dict(node.record.props)
    if not any(link.type == OWNED_BY.type for link in links):
        props.pop("owner_contact", None)  # the contact was the owner's: a relationship without one has neither
    return normalized(NodeRecord(node.record.label, node.record.key, props, links))


# --- the change -------------------------------------------------------------------------------


async def _deletion(tx: Tx, change: Change, before: list[StoredNode], plan: Plan) -> Audit:
    entity = {(n.record.label, n.record.key) for n in before}
    referrers = await _owners_of_links_into(tx, entity)
    deleted: list[StoredNode] = []
    if referrers and not change.cascade:
        listed = ", ".join(f"{label.lower()} '{key}'" for label, key in sorted(referrers)[:20])
        raise Conflict(
            f"{change.label} '{change.key}' is still referenced by {len(referrers)} thing(s): {listed}. "
            "Change or delete those first, or pass cascade: true.",
            references=[f"{label}:{key}" for label, key in sorted(referrers)],
        )
    if referrers:
        deleted = await _read_nodes(tx, sorted(await _dependents(tx, entity)))
    doomed = entity | {(n.record.label, n.record.key) for n in deleted}
    # Survivors that pointed at something deleted only lose that link (a MENTIONS, an ABOUT).
    touched = await _read_nodes(tx, sorted(await _owners_of_links_into(tx, doomed)))
    plan.deletions = sorted(doomed)
    audit: Audit = [(n.record, n.version, None, None) for n in [*before, *deleted]]
    for node in touched:
        trimmed = _without_links_to(node, doomed)
        plan.updated.append((trimmed, node.version + 1))
        audit.append((node.record, node.version, trimmed, node.version + 1))
    return audit


# What an edit through the API keeps as it was: where each item comes from (its citation: the
# document says what it says, whoever rewords the item) and a relationship's last verification
# (recorded by `verifyRelationship` only). A relationship's owner too, when the input leaves it out.
KEPT = (*CITATION_PROPERTIES, "verified_at", "verified_by")


def _keeping(before: list[StoredNode], after: list[NodeRecord]) -> list[NodeRecord]:
    """`after`, with what an edit keeps copied from the nodes it had before (by label and key)."""
    was = {(n.record.label, n.record.key): n.record for n in before}
    kept = []
    for record in after:
        old = was.get((record.label, record.key))
        if old is None:
            kept.append(record)
            continue
        props = {**{k: v for k, v in record.props.items() if k not in KEPT},
                 **{k: v for k, v in old.props.items() if k in KEPT}}  # fmt: skip
        links = record.links
        if record.label == Label.RELATIONSHIP and not any(link.type == OWNED_BY.type for link in links):
            links += tuple(link for link in old.links if link.type == OWNED_BY.type)
            if "owner_contact" in old.props:
                props["owner_contact"] = old.props["owner_contact"]
        kept.append(NodeRecord(record.label, record.key, props, links))
    return kept


async def _new_state(tx: Tx, change: Change, before: list[StoredNode]) -> list[NodeRecord]:
    if change.transform is not None:
        return change.transform(before)
    kind = change.kind
    container = change.container if change.creating else await container_key(tx, change.label, change.key)
    labels = await _participant_labels(tx, kind.participants(change.item))
    return _keeping(before, kind.records(change.item, container, labels))


async def _edit(tx: Tx, change: Change, before: list[StoredNode], plan: Plan) -> Audit | None:
    after = await _new_state(tx, change, before)
    _check_parts(after)
    _check_fixed(change, before, after)
    await _check_references(tx, change, after)
    for check in change.kind.checks:
        await check(tx, change, after)
    root = (change.label, change.key)
    before_by_id = {(n.record.label, n.record.key): n for n in before}
    index = next(i for i, r in enumerate(after) if (r.label, r.key) == root)
    if change.creating:
        after[index] = _with_position(after[index], await _next_position(tx, after[index]))
    else:  # an edit keeps the entity where it was in its list
        after[index] = _with_position(after[index], int(before_by_id[root].record.props.get("position", 0)))
    audit: Audit = []
    after_ids = set()
    for record in after:
        ident = (record.label, record.key)
        after_ids.add(ident)
        old = before_by_id.get(ident)
        if old is None:
            plan.created.append(record)
            audit.append((None, None, record, 1))
        elif not old.record.same_as(record) or ident == root:
            plan.updated.append((record, old.version + 1))
            audit.append((old.record, old.version, record, old.version + 1))
    for ident, old in before_by_id.items():
        if ident not in after_ids:
            plan.deletions.append(ident)
            audit.append((old.record, old.version, None, None))
    await _keys_are_free(tx, plan.created)
    if not change.creating and all(
        old is not None and new is not None and old.same_as(new) for old, _, new, _ in audit
    ):
        return None  # nothing to change: no new version, no audit record
    return audit


async def _verify(tx: Tx, plan: Plan) -> None:
    """The graph now holds exactly the records written (else the transaction is undone)."""
    written = {(r.label, r.key): r for r in plan.written}
    stored = {(n.record.label, n.record.key): n.record for n in await _read_nodes(tx, sorted(written))}
    for ident, record in written.items():
        found = stored.get(ident)
        if found is None or sorted(found.links) != sorted(normalized(record).links):
            raise Conflict(f"{ident[0]} '{ident[1]}' could not be written as asked (what it refers to changed); "
                           "nothing was saved. Read again and retry.")  # fmt: skip


class _RolledBack(Exception):  # not an error: how a dry run undoes its transaction
    def __init__(self, records: list[ChangeRecord]) -> None:
        super().__init__("dry run")
        self.records = records


async def apply_change(db: Database, change: Change) -> list[ChangeRecord]:
    """Make one change in one transaction; return its audit records (empty: nothing changed).

    A dry run (`change.dry_run`) takes exactly the same path, then rolls the transaction back:
    its audit records say what the change would have done, and nothing is written."""

    async def work(tx: Tx, lock: GraphLock) -> list[ChangeRecord]:
        if change.creating:
            await _keys_are_free(tx, [NodeRecord(change.label, change.key, {})])
            before: list[StoredNode] = []
        else:
            await _lock_and_check_version(tx, change)
            before = await _read_nodes(tx, await _entity(tx, change.label, change.key))
        plan = Plan()
        audit = await (_deletion(tx, change, before, plan) if change.item is None and change.transform is None
                       else _edit(tx, change, before, plan))  # fmt: skip
        if audit is None:
            return []
        try:
            await write_plan(tx, plan)
        except ConstraintError as exc:
            raise Conflict(f"A {change.label.lower()} with the key '{change.key}' already exists.",
                           field="input.key") from exc  # fmt: skip
        await _verify(tx, plan)
        records = await write_audit(tx, change.actor, change.operation, audit, await lock.version())
        if change.dry_run:
            raise _RolledBack(records)
        return records

    try:
        return await db.write(work)
    except _RolledBack as undone:
        return undone.records


async def current_record(db: Database, label: Label, key: str) -> tuple[int, str | None, BaseModel] | None:
    """An entity as its mutations take it: (version, the key of the relationship it lives in, its
    input as its kind's model), read with the very statements a change reads it with; None if missing."""

    async def work(tx: Tx) -> tuple[int, str | None, list[NodeRecord]] | None:
        nodes = await _read_nodes(tx, await _entity(tx, label, key))
        root = next((n for n in nodes if (n.record.label, n.record.key) == (label, key)), None)
        if root is None:
            return None
        container = await container_key(tx, label, key)
        if container is not None:  # a flow or an example is read as a piece of its relationship
            nodes += await _read_nodes(tx, [(Label.RELATIONSHIP, container)])
        return root.version, container, [n.record for n in nodes]

    found = await db.read_transaction(work)
    if found is None:
        return None
    version, container, stored = found
    knowledge = records.from_records(stored)
    if label is Label.FLOW:
        item: BaseModel = knowledge.relationships[0].flows[0]
    elif label is Label.SCENARIO:
        item = knowledge.relationships[0].examples[0]
    elif label is Label.RELATIONSHIP:
        item = knowledge.relationships[0]
    else:
        field = {Label.DEPARTMENT: "departments", Label.PARTY: "parties", Label.TOPIC: "topics",
                 Label.PRINCIPLE: "principles", Label.STATEMENT: "statements"}[label]  # fmt: skip
        item = getattr(knowledge, field)[0]
    return version, container, item


async def owner(db: Database, label: str, key: str) -> tuple[str, str] | None:
    """The entity a part or child belongs to: (label, key) of a flow's or a scenario's
    relationship, a step's scenario, a goal's, duty's or activity's relationship."""
    pattern, near = f"(:{identifier(label)} {{key: $key}})", Label(label)
    if container_of(near) is None:
        raise ValueError(f"a {label} belongs to no other entity")
    while (edge := container_of(near)) is not None:
        near = next(iter(edge.start))
        pattern = f"({'o' if not is_part(near) else ''}:{near})-[:{edge.type}]->{pattern}"
        if not is_part(near):
            break
    rows = await db.read(f"MATCH {pattern} RETURN o.key AS key", key=key)
    return (str(near), rows[0]["key"]) if rows else None
