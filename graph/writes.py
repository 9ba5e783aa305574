"""Changing the knowledge one entity at a time: serialized, checked, versioned, audited.

`apply_change` makes any change (`graph.kinds.Change`) to any kind of entity in one transaction:

1. the transaction takes the graph's write lock first (`Database.write`): writers queue, so what
   a change checks is what it writes over — a concurrent delete cannot slip in between;
2. it locks the entity's root and checks `expectedVersion` (a stale one is a `Conflict`);
3. it builds the new records and checks them: everything they refer to exists, keys are free,
   the kind's own invariants hold (`graph.kinds`);
4. it writes the difference with the statements the seed loader uses, reads it back, and
5. records a `(:Change)` per node created, updated or deleted, describing what the graph now holds.

A delete goes through `graph.deletes` (what refers to it, what a cascade takes with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j.exceptions import ConstraintError
from pydantic import BaseModel

from graph.audit import Audit, ChangeRecord, write_audit
from graph.database import Database, GraphLock
from graph.deletes import deletion
from graph.entities import Tx, container_key, entity_nodes, read_nodes
from graph.errors import BadInput, Conflict, GraphError, NotFound
from graph.kinds import Change
from graph.model import NodeRecord, identifier
from graph.shape import CHILD_EDGES, CITATION_PROPERTIES, OWNED_BY, Label
from graph.store import Plan, StoredNode, normalized, write_plan

# The errors of a write (kept under these names for the API).
WriteError = GraphError
InvalidInput = BadInput


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
    stored = {(n.record.label, n.record.key): n.record for n in await read_nodes(tx, sorted(written))}
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
            before = await read_nodes(tx, await entity_nodes(tx, change.label, change.key))
        plan = Plan()
        audit = await (deletion(tx, change, before, plan) if change.item is None and change.transform is None
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
