"""A process's circuit breaker in front of Neo4j: when Neo4j fails to answer, requests fail at
once instead of each waiting on a connection of its own.

Closed: every request goes to Neo4j. When Neo4j fails to answer it opens: requests fail at once
for BREAKER_SECONDS. Then it is half-open: the next request first asks Neo4j something cheap (its
trial, capped at TRIAL_SECONDS) while the others still fail at once; an answer closes it, and that
request goes on. /readyz probes go to Neo4j in every state (bounded by /readyz itself), and their
success closes it too. A slow answer alone never opens it: only a failure does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from graph.failures import DatabaseUnavailable, translated_errors

T = TypeVar("T")

# After Neo4j failed to answer, requests fail at once for this long (the breaker is open) …
BREAKER_SECONDS = 0.5
# … and until Neo4j answers again, one request at a time first asks it `RETURN 1`, giving up after
# this long. (A Neo4j that is starting accepts connections before it answers; without a cap that
# request would wait there for as long as its deadline allows.)
TRIAL_SECONDS = 1.0


class CircuitBreaker:
    """`trial` asks Neo4j something cheap and read-only; `on_failure` is told of every failure
    (Neo4j may come back without what it knew, e.g. its query plans)."""

    def __init__(self, trial: Callable[[], Awaitable[object]], on_failure: Callable[[], None]) -> None:
        self._ask = trial
        self._on_failure = on_failure
        self.open_until = 0.0
        self._degraded = False
        self._trial_running = False
        self.on_open: Callable[[], None] | None = None  # told each time the breaker opens (metrics)

    @property
    def degraded(self) -> bool:
        """Neo4j failed to answer, and has not answered since."""
        return self._degraded

    @property
    def state(self) -> str:
        if not self._degraded:
            return "closed"
        return "open" if time.monotonic() < self.open_until else "half-open"

    def open(self) -> None:
        if not self._degraded and self.on_open is not None:
            self.on_open()
        self._on_failure()
        self._degraded = True
        self.open_until = time.monotonic() + BREAKER_SECONDS

    async def admit(self) -> None:
        """Let a request go on to Neo4j, or raise DatabaseUnavailable at once: while the breaker
        is open, and while another request's trial runs. Half-open, this request's trial first."""
        if not self._degraded:
            return
        if time.monotonic() < self.open_until or self._trial_running:
            raise DatabaseUnavailable("Neo4j did not answer a moment ago; deptgraph tries again shortly")
        self._trial_running = True
        try:
            await self._trial()
        finally:
            self._trial_running = False

    async def _trial(self) -> None:
        """Half-open: ask Neo4j something cheap and read-only (safe to abandon), within
        TRIAL_SECONDS. The request's own query runs only after that answer, and uncapped: a
        write is never cut off by deptgraph halfway through its commit."""
        try:
            with translated_errors():
                try:
                    await asyncio.wait_for(self._ask(), TRIAL_SECONDS)
                except TimeoutError as exc:
                    raise DatabaseUnavailable(f"Neo4j did not answer within {TRIAL_SECONDS}s") from exc
        except DatabaseUnavailable:
            self.open()
            raise
        self._degraded = False

    async def watch(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run `operation` with the driver's failures translated; one that finds Neo4j
        unavailable opens the breaker."""
        try:
            with translated_errors():
                return await operation()
        except DatabaseUnavailable:
            self.open()
            raise

    async def probe(self, operation: Callable[[], Awaitable[T]]) -> T:
        """`watch`, for a probe that goes to Neo4j in every state: its answer closes the breaker."""
        result = await self.watch(operation)
        self._degraded = False
        return result
