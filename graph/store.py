"""Reading and writing the knowledge as node records (see `graph/model.py`).

`read_records` returns every knowledge node with the relationships it owns; `plan_changes`
compares that with the wanted records; `write_plan` writes a plan inside the caller's transaction,
in batches of UNWIND statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from neo4j import AsyncManagedTransaction

from graph.database import Database
from graph.model import OWNED, SYSTEM_PROPERTIES, Link, NodeRecord, identifier
from graph.shape import CHILD_EDGES, LABELS, PART_EDGES

_CONTAINERS = {edge.type for edge in (*PART_EDGES, *CHILD_EDGES)}

BATCH_SIZE = 10_000


def normalized(record: NodeRecord) -> NodeRecord:
    """A record with the positions of its links as ranks (0, 1, 2, … per relationship type):
    positions only order things, so a gap left by a delete is no change."""
    by_type: dict[tuple[str, bool], list[Link]] = defaultdict(list)
    for link in record.links:
        by_type[(link.type, link.outgoing)].append(link)
    links = []
    for group in by_type.values():
        group.sort(key=lambda link: (link.position, link.target_key))
        links += [Link(x.type, x.outgoing, x.target_label, x.target_key, rank) for rank, x in enumerate(group)]
    return NodeRecord(record.label, record.key, record.props, tuple(sorted(links)))


def _ranked(records: list[NodeRecord]) -> list[NodeRecord]:
    """Node positions as ranks among their siblings: the nodes of a label held by the same
    container (a relationship's flows), or all of a label (departments)."""
    siblings: dict[tuple[str, str, str], list[NodeRecord]] = defaultdict(list)
    for record in records:
        container = next((x for x in record.links if not x.outgoing and x.type in _CONTAINERS), None)
        siblings[(record.label, container.type if container else "", container.target_key if container else "")].append(
            record
        )
    ranked = []
    for group in siblings.values():
        group.sort(key=lambda r: (r.props.get("position", 0), r.key))
        ranked += [NodeRecord(r.label, r.key, {**r.props, "position": rank}, r.links) for rank, r in enumerate(group)]
    return ranked


@dataclass(frozen=True)
class StoredNode:
    record: NodeRecord
    version: int


async def _rows(source: Database | AsyncManagedTransaction, cypher: str, **params: Any) -> list[dict[str, Any]]:
    if isinstance(source, Database):
        return await source.read(cypher, **params)
    result = await source.run(cypher, params)
    return [dict(zip(result.keys(), values, strict=True)) for values in await result.values()]


async def read_records(source: Database | AsyncManagedTransaction) -> dict[tuple[str, str], StoredNode]:
    """Every knowledge node, keyed by (label, key), with the relationships it owns (read through
    the database, or inside a transaction)."""
    # Two queries whose rows are whole labels: the driver's cost is per record, not per value.
    node_rows = await _rows(
        source,
        "MATCH (n) WHERE any(label IN labels(n) WHERE label IN $labels) "
        "WITH [label IN labels(n) WHERE label IN $labels][0] AS label, properties(n) AS props "
        "RETURN label, collect(props) AS nodes",
        labels=list(LABELS),
    )
    edge_rows = await _rows(
        source,
        "MATCH (a)-[r]->(b) WHERE a.key IS NOT NULL AND b.key IS NOT NULL AND NOT a:Change "
        "WITH type(r) AS type, labels(a)[0] AS from_label, labels(b)[0] AS to_label, "
        "     [a.key, b.key, coalesce(r.position, 0)] AS edge "
        "RETURN type, from_label, to_label, collect(edge) AS edges",
    )
    links: dict[tuple[str, str], list[Link]] = defaultdict(list)
    for row in edge_rows:
        rel_type, from_label, to_label = row["type"], row["from_label"], row["to_label"]
        owned_by_start = (rel_type, True) in OWNED.get(from_label, ())
        owned_by_end = (rel_type, False) in OWNED.get(to_label, ())
        for start, end, position in row["edges"]:
            if owned_by_start:
                links[(from_label, start)].append(Link(rel_type, True, to_label, end, position))
            if owned_by_end:
                links[(to_label, end)].append(Link(rel_type, False, from_label, start, position))
    records, versions = [], {}
    for row in node_rows:
        label = row["label"]
        for props in row["nodes"]:
            key = props["key"]
            records.append(normalized(NodeRecord(
                label,
                key,
                {k: v for k, v in props.items() if k not in SYSTEM_PROPERTIES},
                tuple(links.get((label, key), ())),
            )))  # fmt: skip
            versions[(label, key)] = int(props.get("version") or 1)
    return {(r.label, r.key): StoredNode(r, versions[(r.label, r.key)]) for r in _ranked(records)}


@dataclass
class LabelSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_files: int = 0
    deleted: int = 0


@dataclass
class Plan:
    created: list[NodeRecord] = field(default_factory=list)
    updated: list[tuple[NodeRecord, int]] = field(default_factory=list)  # record, new version
    deletions: list[tuple[str, str]] = field(default_factory=list)  # (label, key)
    summary: dict[str, LabelSummary] = field(default_factory=lambda: {label: LabelSummary() for label in LABELS})

    @property
    def changes(self) -> bool:
        return bool(self.created or self.updated or self.deletions)

    @property
    def written(self) -> list[NodeRecord]:
        return self.created + [record for record, _ in self.updated]

    @property
    def work(self) -> int:
        """Rows to write, for progress reporting."""
        links = sum(len(record.links) for record in self.written)
        return len(self.created) + 2 * len(self.updated) + links + len(self.deletions)


def plan_changes(stored: dict[tuple[str, str], StoredNode], wanted: Iterable[NodeRecord], prune: bool) -> Plan:
    """What to write so that the graph holds `wanted` (and, with `prune`, nothing else)."""
    plan = Plan()
    seen: set[tuple[str, str]] = set()
    for record in wanted:
        seen.add((record.label, record.key))
        summary = plan.summary[record.label]
        existing = stored.get((record.label, record.key))
        if existing is None:
            plan.created.append(record)
            summary.created += 1
        elif existing.record.same_as(record):
            summary.unchanged += 1
        else:
            plan.updated.append((record, existing.version + 1))
            summary.updated += 1
    for label, key in stored:
        if (label, key) not in seen:
            plan.summary[label].not_in_files += 1
            if prune:
                plan.deletions.append((label, key))
                plan.summary[label].deleted += 1
    return plan


def _batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


T = TypeVar("T")


def _grouped(items: Iterable[T], by: Callable[[T], Any]) -> dict[Any, list[T]]:
    groups: dict[Any, list[T]] = defaultdict(list)
    for item in items:
        groups[by(item)].append(item)
    return groups


async def write_plan(
    tx: AsyncManagedTransaction,
    plan: Plan,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Write the plan inside the caller's transaction, in UNWIND batches."""

    async def run(cypher: str, rows: Sequence[Any]) -> None:
        for batch in _batches(rows, batch_size):
            await tx.run(cypher, rows=list(batch))  # labels and types come from graph.model
            if on_progress:
                on_progress(len(batch))

    # New nodes are CREATEd (a concurrent creator would trip the key constraint and the whole
    # transaction fails cleanly); changed ones are MATCHed, overwritten and relinked.
    for label, records in _grouped(plan.created, lambda r: r.label).items():
        await run(
            f"UNWIND $rows AS row CREATE (n:{identifier(label)}) SET n = row.props",
            [{"props": _properties(r, 1)} for r in records],
        )
    for label, items in _grouped(plan.updated, lambda item: item[0].label).items():
        await run(
            f"UNWIND $rows AS row MATCH (n:{identifier(label)} {{key: row.key}}) SET n = row.props",
            [{"key": r.key, "props": _properties(r, version)} for r, version in items],
        )
        for rel_type, outgoing in OWNED[label]:
            rel = f"[r:{identifier(rel_type)}]"
            arrow = f"-{rel}->" if outgoing else f"<-{rel}-"
            await run(
                f"UNWIND $rows AS key MATCH (n:{identifier(label)} {{key: key}}){arrow}() DELETE r",
                [r.key for r, _ in items],
            )
    owned = [(r.label, link, r.key) for r in plan.written for link in r.links]
    by_shape = _grouped(owned, lambda x: (x[0], x[1].type, x[1].outgoing, x[1].target_label))
    for (label, rel_type, outgoing, target), links in by_shape.items():
        rel = f"[:{identifier(rel_type)} {{position: row.position}}]"
        pattern = f"(n)-{rel}->(t)" if outgoing else f"(t)-{rel}->(n)"
        await run(
            f"UNWIND $rows AS row MATCH (n:{identifier(label)} {{key: row.key}}) "
            f"MATCH (t:{identifier(target)} {{key: row.target}}) CREATE {pattern}",
            [{"key": key, "target": link.target_key, "position": link.position} for _, link, key in links],
        )
    for label, deletions in _grouped(plan.deletions, lambda d: d[0]).items():
        await run(
            f"UNWIND $rows AS key MATCH (n:{identifier(label)} {{key: key}}) DETACH DELETE n",
            [key for _, key in deletions],
        )


def _properties(record: NodeRecord, version: int) -> dict[str, Any]:
    props = {k: v for k, v in record.props.items() if v is not None}
    return {**props, "key": record.key, "version": version}


async def count_by_label(db: Database) -> dict[str, int]:
    """How many nodes of each knowledge label the graph holds."""
    rows = await db.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count")
    counts = {row["label"]: row["count"] for row in rows}
    return {label: counts.get(label, 0) for label in LABELS}


async def count_by_type(db: Database) -> dict[str, int]:
    rows = await db.read("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type")
    return {row["type"]: row["count"] for row in rows}
