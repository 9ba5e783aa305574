"""Change-feed subscriptions, counted across every process of a deployment.

A process that opens a subscription takes a lease in Neo4j — whose token holds it, and until when
— and renews it while the subscription lives; a lease that is not renewed expires (its process
died), so nothing stays counted for ever. Taking one counts the live leases per token and in all
and creates the new one in the same transaction, behind the graph's write lock: two processes
cannot both take the last place. Times are Neo4j's own clock, the same for every host.
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph.database import Database, GraphLock

LABEL = "FeedLease"
TTL_SECONDS = 30.0  # a lease not renewed for this long is gone
RENEW_SECONDS = 10.0  # how often a live subscription renews its lease


@dataclass(frozen=True)
class Refusal:
    """Why a lease was not given: the token's limit, or the deployment's."""

    held: int
    limit: int
    per_token: bool


async def take(db: Database, token: str, per_token: int, total: int) -> str | Refusal:
    """A new lease for `token`'s subscription, or why there is none."""

    async def lease(tx: AsyncManagedTransaction, lock: GraphLock) -> str | Refusal:
        await tx.run("MATCH (l:FeedLease) WHERE l.expires < timestamp() DELETE l")
        result = await tx.run(
            "OPTIONAL MATCH (l:FeedLease) "
            "RETURN count(l) AS total, count(CASE WHEN l.token = $token THEN 1 END) AS mine",
            token=token,
        )
        row = await result.single(strict=True)
        if row["mine"] >= per_token:
            return Refusal(row["mine"], per_token, per_token=True)
        if row["total"] >= total:
            return Refusal(row["total"], total, per_token=False)
        created = await tx.run(
            "CREATE (l:FeedLease {id: randomUUID(), token: $token, expires: timestamp() + $ttl}) RETURN l.id AS id",
            token=token,
            ttl=int(TTL_SECONDS * 1000),
        )
        return str((await created.single(strict=True))["id"])

    lease.__name__ = "take_feed_lease"
    return await db.write(lease)


async def renew(db: Database, lease: str) -> None:
    await db.command(
        "MATCH (l:FeedLease {id: $id}) SET l.expires = timestamp() + $ttl", id=lease, ttl=int(TTL_SECONDS * 1000)
    )


async def release(db: Database, lease: str) -> None:
    await db.command("MATCH (l:FeedLease {id: $id}) DELETE l", id=lease)
