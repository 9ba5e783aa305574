"""Query texts Neo4j has not planned yet, planned once each and a few at a time.

A text Neo4j has not planned costs a plan, up to a second or two of Neo4j's CPU: the first request
with it plans it while the others with the same text wait for that one (not a plan each), and at
most PLANS_AT_ONCE different texts are planned at once — after a restart of Neo4j, when every
query is new again, and when a client sends shapes nobody sent before. The texts planned are
remembered until Neo4j fails to answer (it may come back with none of its plans).

Waiting for other texts' plans is bounded by a third of the time the request has left (3 s of
the default 10): after a
restart every text is new, and the last of a few dozen would otherwise wait for all the others and
run out its whole time limit. A request that waited that long fails at once with
SERVICE_UNAVAILABLE (try again shortly), holding nothing.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeVar

from graph.failures import Busy
from graph.request_scope import time_left

T = TypeVar("T")

# Query texts Neo4j may be planning for one process at once, and how many planned ones it remembers.
PLANS_AT_ONCE = 2
PLANNED_KEPT = 4096
# The share of the time a request has left that it may wait for Neo4j to plan other texts.
PLAN_WAIT_SHARE = 1 / 3
BUSY_PLANNING = "Neo4j is planning other new queries (after a restart, or many new shapes at once); try again shortly"


class PlanLimiter:
    """The query texts Neo4j has planned for this process, and those it is planning now."""

    def __init__(self) -> None:
        self._planned: OrderedDict[str, None] = OrderedDict()
        self._planning: dict[str, asyncio.Future[None]] = {}
        self._plans = asyncio.Semaphore(PLANS_AT_ONCE)
        self.now = 0  # new texts at Neo4j now
        self.peak = 0  # most new texts at Neo4j at once (for tests and metrics)

    def forget(self) -> None:
        self._planned.clear()

    async def run(self, cypher: str, run: Callable[[], Awaitable[T]]) -> T:
        """Run a query whose text Neo4j may not have planned yet without a crowd planning it
        (callers keep this outside their bulkhead, so that waiting for a plan holds no slot)."""
        if cypher in self._planned:
            self._planned.move_to_end(cypher)
            return await run()
        until = asyncio.get_running_loop().time() + PLAN_WAIT_SHARE * time_left()
        try:
            async with asyncio.timeout_at(until):
                while (pending := self._planning.get(cypher)) is not None:
                    await asyncio.shield(pending)  # planned now, or failed: then this one tries
        except TimeoutError:
            raise Busy(BUSY_PLANNING) from None
        if cypher in self._planned:
            return await run()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._planning[cypher] = done
        try:
            try:
                async with asyncio.timeout_at(until):
                    await self._plans.acquire()
            except TimeoutError:
                raise Busy(BUSY_PLANNING) from None
            try:
                self.now += 1
                self.peak = max(self.peak, self.now)
                result = await run()
            finally:
                self.now -= 1
                self._plans.release()
            self._planned[cypher] = None
            if len(self._planned) > PLANNED_KEPT:
                self._planned.popitem(last=False)
            return result
        finally:
            del self._planning[cypher]
            done.set_result(None)
