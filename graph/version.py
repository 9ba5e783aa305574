"""The graph's version, as the read side checks it: what answers computed earlier may be served.

Every transaction that changes the graph — a mutation, a seed, `deptgraph check --fix` — raises
`GraphState.version` inside itself, behind the graph's write lock (`graph.database.GraphLock`);
`GraphState.epoch` is drawn anew whenever the node is created, so a graph wiped and seeded again
never repeats an earlier (epoch, version). An answer computed after reading a stamp is correct
for as long as the stamp stays the same, in any process, on any host.

`VersionWatch.fresh()` gives the stamp as read by a check that *started after* the call: what
any write committed before the request arrived is seen. The checks are shared: while one is at
Neo4j, the requests that arrive wait for the next one, which then serves them all — one small
query per batch of requests, however many are in flight.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass

from graph.database import Database
from graph.failures import DatabaseUnavailable, QueryTimeout
from graph.request_scope import request_scope

log = logging.getLogger("deptgraph.graph")

CHECK_TIMEOUT = 5.0  # seconds; the requests waiting on a check are bounded by their own timeouts
READ_STAMP = "OPTIONAL MATCH (g:GraphState {id: 'graph'}) RETURN g.epoch AS epoch, g.version AS version"


@dataclass(frozen=True)
class Stamp:
    """Which state of the graph an answer was computed from."""

    epoch: str
    version: int

    def __str__(self) -> str:
        return f"{self.epoch[:8]}-{self.version}"


async def read_stamp(db: Database) -> Stamp | None:
    """The graph's stamp now (None for a graph that has never been written)."""
    rows = await db.read(READ_STAMP)
    if not rows or rows[0]["epoch"] is None:
        return None
    return Stamp(str(rows[0]["epoch"]), int(rows[0]["version"]))


class VersionWatch:
    """Batched, always-fresh checks of the graph's stamp, for one process."""

    def __init__(self, db: Database, on_check: Callable[[], None] | None = None) -> None:
        self.db = db
        self.on_check = on_check
        self.started = 0  # checks started so far; check n answers the requests that came before it started
        self.finished = 0  # the number of the newest check that finished
        self.stamp: Stamp | None = None
        self.checks = 0  # for the metrics: how many queries the checks took
        self._running: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    async def fresh(self, own: bool = False) -> Stamp | None:
        """The stamp as of a check that started after this call; None when the graph has none
        or Neo4j could not be asked (then nothing may be served from a cache). `own`: a check of
        the request's own, under its bookmarks (it must see a state that includes them)."""
        if self.db.breaker.degraded:
            return None  # the breaker decides who asks a Neo4j that failed; no check waits on it
        if own:
            try:
                return await read_stamp(self.db)
            except Exception as exc:  # no stamp, no cache: the request goes on and says what is wrong
                log.debug("graph version check failed: %s", exc)
                return None
        wanted = self.started + 1
        while self.finished < wanted:
            if self._running is None or self._running.done():
                self.started += 1
                # Outside the request's context: the check serves every request that waits for it,
                # and is counted in none of their round trips (the metrics count checks apart).
                self._running = asyncio.get_running_loop().create_task(
                    self._check(self.started), context=contextvars.Context()
                )
            running = self._running
            await asyncio.shield(running)
            if self._failure is not None and self.finished < wanted and running.done():
                # That check failed: this request does without a stamp rather than wait for more.
                return None
        return self.stamp

    async def _check(self, number: int) -> None:
        self.checks += 1
        if self.on_check is not None:
            self.on_check()
        try:
            with request_scope(CHECK_TIMEOUT):
                stamp = await read_stamp(self.db)
        except (DatabaseUnavailable, QueryTimeout) as exc:
            log.debug("graph version check failed: %s", exc)
            self._failure = exc
            return
        except Exception as exc:  # never let a failed check fail the requests waiting on it
            log.warning("graph version check failed unexpectedly: %r", exc)
            self._failure = exc
            return
        self._failure = None
        self.stamp = stamp
        self.finished = number
