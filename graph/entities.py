"""An entity as the graph holds it: its nodes, read the way every change reads them.

An entity is its root node and every part below it (`PARTS`); `read_nodes` reads nodes as
records (properties and owned relationships) with their versions. `current_record` reads an
entity as its mutations take it, and `container_key` / `owner` name the entity a child or a
part belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel

from graph.database import Database
from graph.model import OWNED, SYSTEM_PROPERTIES, Link, NodeRecord, identifier
from graph.records_back import from_records
from graph.shape import PART_EDGES, Label, container_of, is_part, types
from graph.store import StoredNode, normalized

Tx = AsyncManagedTransaction

# An entity is its root node and every part below it (a relationship's goals, roles, duties and
# activities; a scenario's steps): part relationships always point from the container down.
PARTS = types(PART_EDGES)


async def read_nodes(tx: Tx, idents: Sequence[tuple[str, str]]) -> list[StoredNode]:
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


async def entity_nodes(tx: Tx, label: str, key: str) -> list[tuple[str, str]]:
    """(label, key) of an entity's nodes: its root and every part below it."""
    result = await tx.run(
        f"MATCH (root:{identifier(label)} {{key: $key}})-[:{PARTS}*0..]->(n) "
        "RETURN DISTINCT [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key",
        key=key,
        labels=list(OWNED),
    )
    return [(row["label"], row["key"]) async for row in result]


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


async def current_record(db: Database, label: Label, key: str) -> tuple[int, str | None, BaseModel] | None:
    """An entity as its mutations take it: (version, the key of the relationship it lives in, its
    input as its kind's model), read with the very statements a change reads it with; None if missing."""

    async def work(tx: Tx) -> tuple[int, str | None, list[NodeRecord]] | None:
        nodes = await read_nodes(tx, await entity_nodes(tx, label, key))
        root = next((n for n in nodes if (n.record.label, n.record.key) == (label, key)), None)
        if root is None:
            return None
        container = await container_key(tx, label, key)
        if container is not None:  # a flow or an example is read as a piece of its relationship
            nodes += await read_nodes(tx, [(Label.RELATIONSHIP, container)])
        return root.version, container, [n.record for n in nodes]

    found = await db.read_transaction(work)
    if found is None:
        return None
    version, container, stored = found
    knowledge = from_records(stored)
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
