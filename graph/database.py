"""The one async Neo4j driver a process uses, and the ways code reaches Neo4j through it.

`Database.read` runs one query in an auto-commit transaction (one network round trip);
`Database.write` runs a unit of work in one managed transaction. Every query

* is bounded by the time the current request has left, and counted for it (`graph.request_scope`:
  round trips, which tests use to prove there is no N+1),
* waits for the state the request must see (this process's writes, the caller's bookmarks),
* passes the circuit breaker (`graph.breaker`) and a bulkhead of `max_concurrent` slots; a read
  whose text Neo4j has not planned yet first waits for its turn to be planned (`graph.planning`),
* fails with the errors callers handle (`graph.failures`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Query
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graph.breaker import CircuitBreaker
from graph.connection import Neo4jTarget
from graph.failures import BookmarkNotReached, DatabaseUnavailable, InvalidBookmark, QueryTimeout, translated_errors
from graph.planning import PlanLimiter
from graph.request_scope import count_round_trip, request_stats, time_left, wanted_bookmarks

T = TypeVar("T")


def tls(target: Neo4jTarget) -> dict[str, Any]:
    """The driver's TLS settings: `neo4j+s://` / `bolt+s://` (system CAs) and `+ssc` (any
    certificate) say it in the URI; a private CA is given as a file (NEO4J_TRUSTED_CA) with a
    plain `neo4j://` or `bolt://` URI."""
    if target.trusted_ca is None:
        return {}
    if "+s" in target.uri.split("://", 1)[0]:
        raise ValueError("NEO4J_TRUSTED_CA goes with a neo4j:// or bolt:// URI; +s / +ssc URIs set TLS themselves.")
    return {"encrypted": True, "trusted_certificates": neo4j.TrustCustomCAs(str(target.trusted_ca))}


# The graph's state: its version, raised by every write transaction that changes something, and
# an epoch that changes when the graph is wiped and begun again. Every write transaction takes its
# lock first, so writers queue one behind the other.
GRAPH_STATE = "MERGE (g:GraphState {id: 'graph'}) ON CREATE SET g.version = 0, g.epoch = randomUUID()"


class GraphLock:
    """The graph's write lock, held by one write transaction: `version()` raises the graph's
    version (once) for a transaction that changes something, and says what it is now."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self.tx = tx
        self._version: int | None = None

    async def take(self) -> None:
        await self.tx.run(f"{GRAPH_STATE} SET g._lock = true REMOVE g._lock")

    async def version(self) -> int:
        if self._version is None:
            result = await self.tx.run(f"{GRAPH_STATE} SET g.version = g.version + 1 RETURN g.version AS version")
            row = await result.single()
            assert row is not None
            self._version = int(row["version"])
        return self._version


class Database:
    """Neo4j, as the rest of deptgraph sees it."""

    def __init__(self, driver: AsyncDriver, database: str, max_concurrent: int = 8) -> None:
        self.driver = driver
        self.database = database
        # Every session of this process shares one bookmark manager: a read waits for this
        # process's own writes, on any member of a cluster (read-your-writes within a process).
        # It holds this process's own writes only: a session that also waits for a caller's
        # bookmarks takes the manager's bookmarks as its own and leaves the manager alone, so what
        # one caller sent never reaches another request (`_session`).
        self.bookmark_manager = AsyncGraphDatabase.bookmark_manager()
        # A bulkhead: at most this many queries are at Neo4j at once; the others wait their turn
        # here. More would not finish sooner (Neo4j has few cores to run them on), and a Neo4j
        # that has just started, with cold caches and no query plans, would drown under all of
        # them at once and stall.
        self._slots = asyncio.Semaphore(max_concurrent)
        self.in_flight = 0  # queries at Neo4j now (probes excepted)
        self.peak_in_flight = 0
        # New query texts go to Neo4j a few at a time (graph.planning); when Neo4j fails to answer
        # the breaker opens (graph.breaker), and what it had planned is forgotten.
        self.planning = PlanLimiter()
        self.breaker = CircuitBreaker(
            trial=lambda: self._read_once("RETURN 1 AS ok", {}), on_failure=self.planning.forget
        )
        # Bookmarks a caller sent, reached before its request (outside the bulkhead: waiting for
        # one must not hold a slot); the ones reached are remembered.
        self._reached: dict[tuple[str, ...], None] = {}

    async def _guarded(self, operation: Callable[[], Awaitable[T]], probe: bool = False) -> T:
        if probe:  # /readyz bounds it itself (a slow answer is not a failure); it skips the queue
            return await self.breaker.probe(operation)
        await self.breaker.admit()
        return await self.breaker.watch(lambda: self._in_turn(operation))

    async def _in_turn(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run `operation` once it has one of the bulkhead's slots."""
        async with self._slots:
            if self.breaker.degraded:  # the breaker opened while this request waited for a slot
                raise DatabaseUnavailable("Neo4j stopped answering while the request waited its turn")
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                return await operation()
            finally:
                self.in_flight -= 1

    @classmethod
    def connect(cls, target: Neo4jTarget, connect_timeout: float = 1.5, max_concurrent: int = 8) -> Database:
        """Create the driver. It connects lazily, so this works while Neo4j is down."""
        driver = AsyncGraphDatabase.driver(
            target.uri,
            auth=(target.user, target.password),
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=connect_timeout,
            max_connection_pool_size=64,
            # Drop pooled connections promptly after a restart instead of failing on them.
            liveness_check_timeout=30,
            # Retrying a failed write for long would hold the request; fail fast instead.
            max_transaction_retry_time=connect_timeout,
            notifications_min_severity="OFF",
            **tls(target),
        )
        return cls(driver, target.database, max_concurrent)

    async def close(self) -> None:
        await self.driver.close()

    async def read(self, cypher: LiteralString, *, _probe: bool = False, **params: Any) -> list[dict[str, Any]]:
        """Run one read query; one round trip. Rows come back as plain dicts.

        Values are taken as the driver decoded them (maps and lists stay dicts and lists);
        queries return maps, not nodes, so the driver's slow deep conversion is not needed."""
        count_round_trip(cypher)
        if _probe:
            return await self._guarded(lambda: self._read_retrying(cypher, params), probe=True)
        return await self.planning.run(cypher, lambda: self._guarded(lambda: self._read_retrying(cypher, params)))

    async def _read_retrying(self, cypher: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        started = time.monotonic()
        try:
            return await self._read_once(cypher, params)
        except (ServiceUnavailable, SessionExpired):
            # After a Neo4j restart the pool may hand out a connection that died with the old
            # server: that fails at once, and a read is safe to repeat on a fresh connection.
            # A slow failure (Neo4j is away) is not repeated, so requests still fail fast.
            if time.monotonic() - started > 0.2:
                raise
            return await self._read_once(cypher, params)

    async def _causal(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        """How a session waits for what it must see: this process's writes (the shared manager)
        and, when the caller sent bookmarks, those too — then without the manager, so that what
        Neo4j answers to the caller's bookmarks stays with this session. Also the manager's
        bookmarks taken, for a write to replace with its own."""
        wanted = wanted_bookmarks()
        if not wanted:
            return {"bookmark_manager": self.bookmark_manager}, ()
        own = tuple(await self.bookmark_manager.get_bookmarks())
        return {"bookmarks": neo4j.Bookmarks.from_raw_values((*wanted, *own))}, own

    def _session(self, causal: dict[str, Any], read: bool = False) -> neo4j.AsyncSession:
        mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode, **causal)

    async def _read_once(self, cypher: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        query = Query(cypher, timeout=time_left())
        causal, _ = await self._causal()
        async with self._session(causal, read=True) as session:
            result = await session.run(query, params)
            keys = result.keys()
            return [dict(zip(keys, values, strict=True)) for values in await result.values()]

    async def command(self, cypher: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run one statement in write mode, auto-commit: schema commands and maintenance."""
        count_round_trip(cypher)

        async def run() -> list[dict[str, Any]]:
            query = Query(cypher, timeout=time_left())  # counted from when it got its turn
            async with self.driver.session(database=self.database, bookmark_manager=self.bookmark_manager) as session:
                result = await session.run(query, params)
                return await result.data()

        return await self._guarded(run)

    async def write(self, work: Callable[[AsyncManagedTransaction, GraphLock], Awaitable[T]]) -> T:
        """Run `work(tx, lock)` in one write transaction: all of it is committed, or none.

        Every write transaction first takes the graph's write lock, so writers queue one behind
        the other: what a change checks cannot change before it writes. One that changes
        something raises the graph's version (`lock.version()`): the versions give the order in
        which changes committed."""
        count_round_trip(getattr(work, "__name__", "write"))

        async def locked(tx: AsyncManagedTransaction) -> T:
            lock = GraphLock(tx)
            await lock.take()
            return await work(tx, lock)

        async def run() -> T:
            unit = neo4j.unit_of_work(timeout=time_left())(locked)  # counted from when it got its turn
            causal, own = await self._causal()
            async with self._session(causal) as session:
                result = await session.execute_write(unit)
                written = tuple((await session.last_bookmarks()).raw_values)
            if "bookmarks" in causal:  # the manager did not see this write: give it this process's own
                await self.bookmark_manager.update_bookmarks(own, written)
            stats = request_stats()
            if stats is not None:
                stats.written = written
            return result

        return await self._guarded(run)

    async def reach(self, bookmarks: tuple[str, ...], wait: float) -> None:
        """Return once Neo4j answers from a state that includes `bookmarks`.

        Raises InvalidBookmark for a value Neo4j refuses, BookmarkNotReached when the state is
        not reached within `wait` seconds, DatabaseUnavailable when Neo4j is away. The session
        waits for these bookmarks alone and shares nothing with other sessions."""
        if bookmarks in self._reached:
            return
        try:
            async with asyncio.timeout(wait):
                with translated_errors():
                    causal = {"bookmarks": neo4j.Bookmarks.from_raw_values(bookmarks)}
                    async with self._session(causal, read=True) as session:
                        await (await session.run(Query("RETURN 1", timeout=wait))).consume()
        except TimeoutError as exc:
            raise BookmarkNotReached(f"Neo4j did not reach the bookmark's state within {wait:g}s") from exc
        except QueryTimeout as exc:
            raise BookmarkNotReached(str(exc)) from exc
        except DatabaseUnavailable as exc:
            if "Bookmark" in str(getattr(exc.__cause__, "code", "") or ""):
                raise BookmarkNotReached(f"Neo4j did not reach the bookmark's state: {exc}") from exc
            raise
        except Neo4jError as exc:  # RETURN 1 fails only for what came with it: the bookmark
            raise InvalidBookmark(exc.message or str(exc)) from exc
        self._reached[bookmarks] = None
        if len(self._reached) > 4096:
            del self._reached[next(iter(self._reached))]

    async def read_transaction(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work(tx)` in one read transaction: several statements that see one state."""
        count_round_trip(getattr(work, "__name__", "read"))

        async def run() -> T:
            unit = neo4j.unit_of_work(timeout=time_left())(work)
            causal, _ = await self._causal()
            async with self._session(causal, read=True) as session:
                return await session.execute_read(unit)

        return await self._guarded(run)

    async def server_info(self) -> dict[str, str]:
        """Neo4j's version and edition; also a cheap connectivity check."""
        rows = await self.read(
            "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition LIMIT 1"
        )
        return {"version": rows[0]["version"], "edition": rows[0]["edition"]}

    async def check(self) -> None:
        """Raise DatabaseUnavailable unless Neo4j answers a query now (always asks Neo4j)."""
        await self.read("RETURN 1 AS ok", _probe=True)
