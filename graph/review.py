"""Keeping the knowledge true: who answers for each relationship, and when it was last verified.

A relationship is due for review `interval` days after its last verification, and at once when
nobody ever verified it. `overdue` lists the relationships due at a given moment (the caller's
clock: tests move it, nothing here reads the time), the longest overdue first; `verification`
is the change `verifyRelationship` makes — through `graph.writes.apply_change`, so it is checked
against the version the verifier read, audited, and seen by the change feed and the caches like
any other change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.database import Database
from graph.model import NodeRecord
from graph.shape import OWNED_BY, Label
from graph.store import StoredNode


def moment(at: datetime) -> str:
    """A moment as deptgraph stores verifications: UTC, to the second (`domain.knowledge.MOMENT`),
    so that moments compare as text."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Overdue:
    """A relationship due for review, with who answers for it."""

    key: str
    title_vi: str
    title_en: str
    owner: str | None  # the owning department's key
    owner_vi: str | None
    owner_en: str | None
    contact: str | None
    verified_at: str | None  # None: never verified
    verified_by: str | None
    due_at: str | None  # when it fell due (None: never verified, so always)

    def days_overdue(self, now: datetime) -> int | None:
        """Whole days since it fell due; None when it was never verified."""
        return None if self.due_at is None else (now - parse_moment(self.due_at)).days


async def overdue(db: Database, now: datetime, older_than_days: int, limit: int | None = None) -> list[Overdue]:
    """The relationships whose last verification is more than `older_than_days` days before `now`,
    or that were never verified: never verified first, then the longest overdue."""
    rows = await db.read(
        "MATCH (r:Relationship) WHERE r.verified_at IS NULL OR r.verified_at < $cutoff "
        f"OPTIONAL MATCH (r)-[:{OWNED_BY}]->(o:{Label.DEPARTMENT}) "
        "RETURN r.key AS key, r.title_vi AS title_vi, r.title_en AS title_en, o.key AS owner, o.name_vi AS owner_vi, "
        "o.name_en AS owner_en, r.owner_contact AS contact, r.verified_at AS verified_at, r.verified_by AS verified_by "
        "ORDER BY r.verified_at IS NOT NULL, r.verified_at, r.position, r.key "
        "LIMIT $limit",
        cutoff=moment(now - timedelta(days=older_than_days)),
        limit=limit if limit is not None else 2**62,
    )
    interval = timedelta(days=older_than_days)
    return [
        Overdue(
            **row,
            due_at=None if row["verified_at"] is None else moment(parse_moment(row["verified_at"]) + interval),
        )
        for row in rows
    ]


def verification(key: str, at: datetime, by: str) -> Callable[[list[StoredNode]], list[NodeRecord]]:
    """The change that records a verification of relationship `key`: when, and by whom."""

    def transform(before: list[StoredNode]) -> list[NodeRecord]:
        out = []
        for node in before:
            record = node.record
            if (record.label, record.key) == (Label.RELATIONSHIP, key):
                props = {**record.props, "verified_at": moment(at), "verified_by": by}
                record = NodeRecord(record.label, record.key, props, record.links)
            out.append(record)
        return out

    return transform
