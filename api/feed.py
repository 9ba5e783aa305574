"""The change feed: every committed change, in commit order, to editors and admins who subscribe.

It reads the audit trail in Neo4j, never an in-process queue, so a change made through any
process (on any host) reaches every subscriber. A subscription waits until the graph's version
moves — one shared, batched check per process every `DEPTGRAPH_CHANGE_FEED_POLL` seconds
(`graph.version.VersionWatch`) — then sends the audit records after its cursor, in the order of
their ids (the graph's version when they committed, then their place in the change). A client
that reconnects with the id of the last change it got (`after:`) misses nothing and gets
nothing twice.

Subscriptions are bounded per token and for the whole deployment, across its processes and hosts
(leases in Neo4j, `graph.leases`). The token is checked again before every batch is sent: once
its revocation has committed, nothing more is delivered, and the feed ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError

from api.auth import Auth, Role
from api.errors import api_error
from graph import audit, leases
from graph.database import Database
from graph.errors import ErrorCode
from graph.failures import DatabaseUnavailable, QueryTimeout
from graph.tokens import Token
from graph.version import VersionWatch

CHANGE_ID = re.compile(r"^\d{12}-\d{4}-[0-9a-f]{1,32}$")
RECHECK_TOKEN = 10.0  # seconds between checks that an idle subscriber's token is still good
BATCH = 100


class ChangeFeed:
    """The subscriptions of one process."""

    def __init__(self, db: Database, versions: VersionWatch, poll: float, most: int, most_per_token: int) -> None:
        self.db = db
        self.versions = versions
        self.poll = poll
        self.most = most
        self.most_per_token = most_per_token
        self.by_token: Counter[str] = Counter()  # this process's subscriptions, for the metrics

    @property
    def active(self) -> int:
        return sum(self.by_token.values())

    async def follow(
        self, connection_params: Any, after: str | None, target: str | None
    ) -> AsyncIterator[audit.ChangeRecord]:
        """The changes after `after` (or from now), as they commit, for the token in the
        connection's init payload (`{"authorization": "Bearer dgt_…"}`)."""
        header = authorization(connection_params)
        auth = Auth(header, self.db)
        token = await auth.require(Role.EDITOR, "Following the changes")
        if after is not None and not CHANGE_ID.match(after):
            raise api_error("changes(after:) takes the id of a change (Change.id), e.g. 000000000042-0000-…",
                            ErrorCode.BAD_USER_INPUT, argument="after")  # fmt: skip
        if target is not None and len(target) > 200:
            raise api_error(
                "changes(target:) is a key, at most 200 characters.", ErrorCode.BAD_USER_INPUT, argument="target"
            )
        latest = await audit.latest_change(self.db)
        if after is not None and (latest is None or after[:17] > latest[:17]):
            raise api_error(f"changes(after:) names a change that has not happened (the latest is {latest}).",
                            ErrorCode.BAD_USER_INPUT, argument="after")  # fmt: skip
        lease = await leases.take(self.db, token.name, self.most_per_token, self.most)
        if isinstance(lease, leases.Refusal):
            if lease.per_token:
                message = f"Token '{token.name}' already has {lease.limit} subscriptions open; close one first."
            else:
                message = f"This service already follows {lease.limit} subscriptions; try again later."
            raise api_error(message, ErrorCode.TOO_MANY_SUBSCRIPTIONS)
        self.by_token[token.name] += 1
        try:
            cursor = after if after is not None else latest
            async for change in self._changes(cursor, target, auth, token, lease):
                yield change
        finally:
            self.by_token[token.name] -= 1
            if self.by_token[token.name] <= 0:
                del self.by_token[token.name]
            with contextlib.suppress(DatabaseUnavailable, QueryTimeout):
                await leases.release(self.db, lease)

    async def _changes(
        self, cursor: str | None, target: str | None, auth: Auth, token: Token, lease: str
    ) -> AsyncIterator[audit.ChangeRecord]:
        seen = None
        renewed = checked = time.monotonic()
        while True:
            stamp = await self.versions.fresh()
            if stamp is None or stamp != seen:
                # The version moved (or could not be read): whatever committed is in the trail.
                try:
                    while True:
                        batch = await audit.changes_after(self.db, cursor, target, BATCH)
                        if batch:  # read after the batch: a revocation that committed before it is seen
                            await _still_good(auth, token)
                            checked = time.monotonic()
                        for change in batch:
                            cursor = change.id
                            yield change
                        if len(batch) < BATCH:
                            break
                    seen = stamp
                except (DatabaseUnavailable, QueryTimeout):
                    pass  # Neo4j is away: the feed waits for it, and goes on from its cursor
            now = time.monotonic()
            if now - checked > RECHECK_TOKEN:
                await _still_good(auth, token)
                checked = now
            if now - renewed > leases.RENEW_SECONDS:
                with contextlib.suppress(DatabaseUnavailable, QueryTimeout):
                    await leases.renew(self.db, lease)
                    renewed = now
            await asyncio.sleep(self.poll)


def authorization(params: Any) -> str | None:
    if not isinstance(params, dict):
        return None
    value = params.get("authorization") or params.get("Authorization")
    return value if isinstance(value, str) else None


async def _still_good(auth: Auth, token: Token) -> None:
    fresh = Auth(auth.header, auth.database)
    try:
        await fresh.require(Role.EDITOR, "Following the changes")
    except GraphQLError as exc:
        raise api_error(f"The feed ends: {exc.message}", ErrorCode.UNAUTHENTICATED) from exc
