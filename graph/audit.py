"""The audit trail: one `(:Change)` per node a mutation created, updated or deleted, written in
the mutation's own transaction, and read back newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from graph.compiler import BadArgument, decode_cursor, encode_cursor
from graph.database import Database


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


def record_of(c: dict[str, Any]) -> ChangeRecord:
    before, after = c.get("before"), c.get("after")
    return ChangeRecord(
        c["id"], c["at"], c["actor"], c["operation"], c["label"], c["key"],
        orjson.loads(before) if before else None,
        orjson.loads(after) if after else None,
    )  # fmt: skip


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
