"""The audit trail: one `(:Change)` per node a mutation created, updated or deleted, written in
the mutation's own transaction, and read back newest first, a page at a time."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from neo4j import AsyncManagedTransaction

from graph.compiled import BadArgument
from graph.cursors import decode_cursor, encode_cursor
from graph.database import Database
from graph.model import NodeRecord

log = logging.getLogger("deptgraph.audit")


@dataclass(frozen=True)
class ChangeRecord:
    id: str
    at: str
    actor: str
    operation: str
    label: str
    key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class ChangePage:
    records: list[ChangeRecord]
    total: int
    has_next: bool
    cursors: list[str]


def since_text(since: datetime | None) -> str | None:
    """A moment as the audit trail stores them (UTC, ISO 8601); times before year 1 in UTC
    (year 1 at +05:00) mean "from the beginning"."""
    if since is None:
        return None
    moment = since if since.tzinfo else since.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    except OverflowError:
        return None


# A node's state before and after a change (None: it did not exist / no longer does), with versions.
Audit = list[tuple[NodeRecord | None, int | None, NodeRecord | None, int | None]]


def _record_json(record: NodeRecord | None, version: int | None) -> str | None:
    if record is None:
        return None
    links = [
        {"type": link.type, "outgoing": link.outgoing, "label": link.target_label, "key": link.target_key,
         "position": link.position}
        for link in sorted(record.links, key=lambda lk: (lk.type, not lk.outgoing, lk.position, lk.target_key))
    ]  # fmt: skip
    state = {"label": record.label, "key": record.key, "version": version, "properties": dict(record.props),
             "links": links}  # fmt: skip
    return orjson.dumps(state, option=orjson.OPT_SORT_KEYS).decode()


async def write_audit(
    tx: AsyncManagedTransaction, actor: str, operation: str, audit: Audit, graph_version: int, keep: bool = True
) -> list[ChangeRecord]:
    """Record one `(:Change)` per node changed, in the change's own transaction; return them
    (unless `keep` is off: a seed's thousands are not needed back)."""
    mutation = uuid.uuid4().hex[:12]
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    rows: list[dict[str, Any]] = []
    made: list[ChangeRecord] = []
    for seq, (was, was_version, becomes, becomes_version) in enumerate(audit):
        subject = becomes or was
        assert subject is not None
        before_json, after_json = _record_json(was, was_version), _record_json(becomes, becomes_version)
        # Ordered by the graph's version: the order in which changes committed.
        change_id = f"{graph_version:012d}-{seq:04d}-{mutation}"
        rows.append(
            {"id": change_id, "mutation": mutation, "version": graph_version, "seq": seq, "at": at,
             "actor": actor, "operation": operation, "label": subject.label, "key": subject.key,
             "before": before_json, "after": after_json}
        )  # fmt: skip
        if keep:
            made.append(
                ChangeRecord(change_id, at, actor, operation, subject.label, subject.key,
                             orjson.loads(before_json) if before_json else None,
                             orjson.loads(after_json) if after_json else None)
            )  # fmt: skip
    for start in range(0, len(rows), 10_000):
        await tx.run("UNWIND $rows AS row CREATE (c:Change) SET c = row", rows=rows[start : start + 10_000])
    return made


# What a record shows for a field it lacks, or a state that is not the JSON the trail writes.
UNREADABLE = "(unreadable)"


def record_of(c: dict[str, Any]) -> ChangeRecord:
    """A `(:Change)` as a record. One written otherwise than by the trail (by hand, a restore, an
    older version) is shown as far as it can be read, never failing the page it is on."""
    damaged: list[str] = []

    def text(name: str) -> str:
        value = c.get(name)
        if isinstance(value, str):
            return value
        damaged.append(name)
        return UNREADABLE

    def state(name: str) -> Any:
        value = c.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        damaged.append(name)
        return {"unreadable": True, "stored": str(value)[:200]}

    record = ChangeRecord(text("id"), text("at"), text("actor"), text("operation"), text("label"), text("key"),
                          state("before"), state("after"))  # fmt: skip
    if damaged:
        log.warning("audit record %s cannot be read in full (%s): shown as far as it can be",
                    record.id, ", ".join(damaged))  # fmt: skip
    return record


async def changes(
    db: Database, *, since: str | None, target: str | None, first: int, after: str | None = None, count: bool = False
) -> ChangePage:
    """Audit records, newest first: `first` of them after the cursor `after`."""
    position = None if after is None else decode_cursor(after, "changesConnection(after:)")
    if position is not None and (len(position) != 3 or not isinstance(position[1], int)):
        raise BadArgument("changesConnection(after:): this is not a cursor of the audit trail.", argument="after")
    rows = await db.read(
        "MATCH (c:Change) WHERE ($since IS NULL OR c.at >= $since) AND ($target IS NULL OR c.key = $target) "
        "WITH c, [c.at, c.seq, c.id] AS k WHERE $after IS NULL OR k < $after "
        "RETURN c {.*} AS c, k ORDER BY k DESC LIMIT $window",
        since=since,
        target=target,
        after=position,
        window=first + 1,
    )
    total = 0
    if count:
        total = (
            await db.read(
                "MATCH (c:Change) WHERE ($since IS NULL OR c.at >= $since) AND ($target IS NULL OR c.key = $target) "
                "RETURN count(c) AS n",
                since=since,
                target=target,
            )
        )[0]["n"]
    page = rows[:first]
    return ChangePage([record_of(row["c"]) for row in page], total, len(rows) > first,
                      [encode_cursor(row["k"]) for row in page])  # fmt: skip


async def changes_after(db: Database, after: str | None, target: str | None, limit: int = 100) -> list[ChangeRecord]:
    """Audit records in commit order, strictly after the record `after` (from the start when
    None): what a change feed sends next."""
    rows = await db.read(
        "MATCH (c:Change) WHERE ($after IS NULL OR c.id > $after) AND ($target IS NULL OR c.key = $target) "
        "RETURN c {.*} AS c ORDER BY c.id LIMIT $limit",
        after=after,
        target=target,
        limit=limit,
    )
    return [record_of(row["c"]) for row in rows]


async def latest_change(db: Database) -> str | None:
    """The id of the newest audit record (a change feed that starts now starts after it)."""
    rows = await db.read("MATCH (c:Change) RETURN c.id AS id ORDER BY c.id DESC LIMIT 1")
    return rows[0]["id"] if rows else None
