"""Changing the knowledge one entity at a time: transactional, versioned, audited.

An *entity* is what an admin edits as one thing: a department, a party, a topic, a principle, a
statement, a flow, a scenario with its steps, or a relationship with its goals, roles, duties and
activities. `apply_change` runs one change in one transaction:

1. lock the entity's root node and check `expectedVersion` (optimistic concurrency: a stale
   version is a `Conflict` and nothing is written);
2. read the entity as node records (its "before");
3. check that everything the new state refers to exists;
4. write the difference with the same statements the seed loader uses;
5. record a `(:Change)` per node created, updated or deleted, with its state before and after.

Deleting something others still refer to is refused with the list of what refers to it, unless
`cascade` — then the dependents go in the same transaction, each with its own audit record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graph.audit import ChangeRecord
from graph.database import Database
from graph.model import OWNED, SYSTEM_PROPERTIES, Link, NodeRecord, identifier
from graph.shape import CHILD_EDGES, PART_EDGES, REFERENCES, Label, OnDelete, Owner, container_of, is_part, types
from graph.store import Plan, StoredNode, write_plan

# An entity is its root node and every part below it (a relationship's goals, roles, duties and
# activities; a scenario's steps): part relationships always point from the container down.
_PARTS = types(PART_EDGES)
_CHILDREN = types(CHILD_EDGES)
# A reference whose target goes takes its owner's entity with it (a flow without a provider).
_CASCADING_OUT = types(e for e in REFERENCES if e.on_delete is OnDelete.CASCADE and e.owner is Owner.START)
_CASCADING_IN = types(e for e in REFERENCES if e.on_delete is OnDelete.CASCADE and e.owner is Owner.END)


class WriteError(Exception):
    """A change that cannot be made; `code` says why, `field` where (if the input is at fault)."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.field = field
        self.details = details


class NotFound(WriteError):
    code = "NOT_FOUND"


class Conflict(WriteError):
    code = "CONFLICT"


class InvalidInput(WriteError):
    code = "BAD_USER_INPUT"


@dataclass(frozen=True)
class Reference:
    """Something the new state names, and the input field that names it."""

    labels: tuple[str, ...]
    key: str
    field: str


@dataclass
class Change:
    """One mutation: the entity's root, its records after the change (None: delete), and more."""

    operation: str
    actor: str
    label: str
    key: str
    after: list[NodeRecord] | None
    expected_version: int | None = None  # None: create
    references: list[Reference] = field(default_factory=list)
    cascade: bool = False
    # Extra checks run inside the transaction, before anything is written: (cypher returning one
    # boolean, parameters, message, input field at fault).
    checks: list[tuple[str, dict[str, Any], str, str]] = field(default_factory=list)
    # Instead of `after`: compute the new state from the current one, inside the transaction.
    transform: Callable[[list[StoredNode]], list[NodeRecord]] | None = None


def _record_json(record: NodeRecord | None, version: int | None) -> str | None:
    if record is None:
        return None
    links = [
        {
            "type": link.type,
            "outgoing": link.outgoing,
            "label": link.target_label,
            "key": link.target_key,
            "position": link.position,
        }
        for link in sorted(record.links, key=lambda lk: (lk.type, not lk.outgoing, lk.position, lk.target_key))
    ]
    state = {
        "label": record.label,
        "key": record.key,
        "version": version,
        "properties": dict(record.props),
        "links": links,
    }
    return orjson.dumps(state, option=orjson.OPT_SORT_KEYS).decode()


async def _read_nodes(tx: AsyncManagedTransaction, idents: Sequence[tuple[str, str]]) -> list[StoredNode]:
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
                sorted(Link(t, out, target_label, target_key, position)
                       for t, out, target_label, target_key, position in row["links"] if (t, out) in owned)
            )  # fmt: skip
            record = NodeRecord(
                label, props["key"], {k: v for k, v in props.items() if k not in SYSTEM_PROPERTIES}, links
            )
            nodes.append(StoredNode(record, int(props.get("version", 1))))
    return nodes


async def _entity(tx: AsyncManagedTransaction, label: str, key: str) -> list[tuple[str, str]]:
    """(label, key) of an entity's nodes: its root and every part below it."""
    result = await tx.run(
        f"MATCH (root:{identifier(label)} {{key: $key}})-[:{_PARTS}*0..]->(n) "
        "RETURN DISTINCT [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key",
        key=key,
        labels=list(OWNED),
    )
    return [(row["label"], row["key"]) async for row in result]


async def _dependents(tx: AsyncManagedTransaction, doomed: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """What a cascading delete of `doomed` takes with it: the entities inside it (a relationship's
    flows and examples) and those that cannot exist without it (a flow without its provider, an
    example without its actor), each whole, until nothing more depends on what goes."""
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
        frontier = reached - found - doomed
        found |= frontier
    return found


async def _owners_of_links_into(tx: AsyncManagedTransaction, idents: set[tuple[str, str]]) -> set[tuple[str, str]]:
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


async def _lock_and_check_version(tx: AsyncManagedTransaction, change: Change) -> int:
    """Take the root's write lock, then compare versions: concurrent writers queue here."""
    result = await tx.run(
        # Setting a property to the value it has may not lock; writing a scratch one always does.
        f"MATCH (n:{identifier(change.label)} {{key: $key}}) SET n._lock = true REMOVE n._lock "
        "RETURN n.version AS version",
        key=change.key,
    )
    row = await result.single()
    if row is None:
        raise NotFound(f"No {change.label.lower()} has the key '{change.key}'.", field="key")
    version = int(row["version"])
    if change.expected_version is not None and version != change.expected_version:
        raise Conflict(
            f"{change.label} '{change.key}' is at version {version}, not {change.expected_version}: "
            "someone changed it since you read it. Read it again and retry.",
            field="expectedVersion",
            currentVersion=version,
        )
    return version


async def _check_references(tx: AsyncManagedTransaction, references: Sequence[Reference]) -> None:
    by_labels: dict[tuple[str, ...], list[Reference]] = {}
    for reference in references:
        by_labels.setdefault(reference.labels, []).append(reference)
    missing: list[Reference] = []
    for labels, refs in by_labels.items():
        condition = " OR ".join(f"n:{identifier(label)}" for label in labels)
        result = await tx.run(
            f"UNWIND $keys AS key OPTIONAL MATCH (n {{key: key}}) WHERE {condition} RETURN key, n IS NOT NULL AS found",
            keys=sorted({r.key for r in refs}),
        )
        found = {row["key"]: row["found"] async for row in result}
        missing += [r for r in refs if not found.get(r.key)]
    if missing:
        first = missing[0]
        names = ", ".join(f"{' or '.join(m.labels).lower()} '{m.key}' ({m.field})" for m in missing)
        raise InvalidInput(f"These do not exist: {names}.", field=first.field, missing=[m.key for m in missing])


def _without_links_to(node: StoredNode, doomed: set[tuple[str, str]]) -> NodeRecord:
    links = tuple(link for link in node.record.links if (link.target_label, link.target_key) not in doomed)
    return NodeRecord(node.record.label, node.record.key, node.record.props, links)


async def _keys_are_free(tx: AsyncManagedTransaction, records: Sequence[NodeRecord]) -> None:
    """A new part (a goal, a step) may not take a key that something else already has."""
    by_label: dict[str, list[str]] = {}
    for record in records:
        by_label.setdefault(record.label, []).append(record.key)
    for label, keys in by_label.items():
        result = await tx.run(
            f"UNWIND $keys AS key MATCH (n:{identifier(label)} {{key: key}}) RETURN key",
            keys=keys,
        )
        taken = [row["key"] async for row in result]
        if taken:
            raise Conflict(
                f"The {label.lower()} key '{taken[0]}' is already used elsewhere.", field="input", keys=taken
            )


async def _next_position(tx: AsyncManagedTransaction, record: NodeRecord) -> int:
    """New things go last among their siblings (in their relationship, or of their label)."""
    parent = next(
        (link for link in record.links if not link.outgoing and link.type in {e.type for e in CHILD_EDGES}),
        None,
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


async def apply_change(db: Database, change: Change) -> list[ChangeRecord]:
    """Make one change in one transaction; return its audit records (empty: nothing changed)."""

    async def work(tx: AsyncManagedTransaction) -> list[ChangeRecord]:
        creating = change.expected_version is None and change.after is not None and change.transform is None
        if creating:
            result = await tx.run(
                f"MATCH (n:{identifier(change.label)} {{key: $key}}) RETURN n.key AS key",
                key=change.key,
            )
            if await result.single() is not None:
                raise Conflict(
                    f"A {change.label.lower()} with the key '{change.key}' already exists.", field="input.key"
                )
            before: list[StoredNode] = []
        else:
            await _lock_and_check_version(tx, change)
            before = await _read_nodes(tx, await _entity(tx, change.label, change.key))
        await _check_references(tx, change.references)
        for cypher, params, message, field_name in change.checks:
            row = await (await tx.run(cypher, **params)).single()
            if row is None or not row[0]:
                raise InvalidInput(message, field=field_name)
        if change.transform is not None:
            change.after = change.transform(before)

        plan = Plan()
        before_by_id = {(n.record.label, n.record.key): n for n in before}
        if change.after is None:  # delete
            entity = set(before_by_id)
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
            audit: list[tuple[NodeRecord | None, int | None, NodeRecord | None, int | None]] = [
                (n.record, n.version, None, None) for n in [*before, *deleted]
            ]
            for node in touched:
                trimmed = _without_links_to(node, doomed)
                plan.updated.append((trimmed, node.version + 1))
                audit.append((node.record, node.version, trimmed, node.version + 1))
        else:
            after = list(change.after)
            root = (change.label, change.key)
            index = next(i for i, r in enumerate(after) if (r.label, r.key) == root)
            if creating:
                after[index] = _with_position(after[index], await _next_position(tx, after[index]))
            else:  # an edit keeps the entity where it was in its list
                after[index] = _with_position(after[index], int(before_by_id[root].record.props.get("position", 0)))
            audit = []
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
            await _keys_are_free(tx, [r for r in plan.created if (r.label, r.key) != root])
            if not creating and all(
                old is not None and new is not None and old.same_as(new) for old, _, new, _ in audit
            ):
                return []  # nothing to change: no new version, no audit record
        try:
            await write_plan(tx, plan)
        except ConstraintError as exc:
            raise Conflict(
                f"A {change.label.lower()} with the key '{change.key}' already exists.", field="input.key"
            ) from exc

        mutation = uuid.uuid4().hex
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        rows: list[dict[str, Any]] = []
        made: list[ChangeRecord] = []
        for seq, (was, was_version, becomes, becomes_version) in enumerate(audit):
            subject = becomes or was
            assert subject is not None
            before_json, after_json = _record_json(was, was_version), _record_json(becomes, becomes_version)
            change_id = f"{mutation}-{seq}"
            rows.append(
                {"id": change_id, "mutation": mutation, "seq": seq, "at": at, "actor": change.actor,
                 "operation": change.operation, "label": subject.label, "key": subject.key,
                 "before": before_json, "after": after_json}
            )  # fmt: skip
            made.append(
                ChangeRecord(
                    change_id, at, change.actor, change.operation, subject.label, subject.key,
                    orjson.loads(before_json) if before_json else None,
                    orjson.loads(after_json) if after_json else None,
                )
            )  # fmt: skip
        await tx.run("UNWIND $rows AS row CREATE (c:Change) SET c = row", rows=rows)
        return made

    return await db.write(work)


async def participant_labels(db: Database, keys: Sequence[str]) -> dict[str, str]:
    """For step actors and recipients: which keys are departments and which are parties."""
    rows = await db.read(
        "UNWIND $keys AS key OPTIONAL MATCH (n {key: key}) WHERE n:Department OR n:Party "
        "RETURN key, labels(n)[0] AS label",
        keys=list(keys),
    )
    return {row["key"]: row["label"] for row in rows if row["label"]}


async def relationship_departments(db: Database, key: str) -> list[str] | None:
    rows = await db.read(
        "MATCH (r:Relationship {key: $key}) "
        "RETURN COLLECT { MATCH (r)-[b:BETWEEN]->(d) RETURN d.key ORDER BY b.position } AS departments",
        key=key,
    )
    return list(rows[0]["departments"]) if rows else None


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


async def current_version(db: Database, label: str, key: str) -> int | None:
    rows = await db.read(f"MATCH (n:{identifier(label)} {{key: $key}}) RETURN n.version AS v", key=key)
    return int(rows[0]["v"]) if rows else None
