"""The one async Neo4j driver a process uses, and the two ways code reaches Neo4j through it.

`Database.read` runs one query in an auto-commit transaction (one network round trip);
`Database.write` runs a unit of work in one managed transaction. Both

* bound the Neo4j transaction by the time the current request has left (`request_deadline`),
* count round trips per request (`round_trips`), which tests use to prove there is no N+1,
* turn driver failures into the two errors callers handle: `DatabaseUnavailable` and
  `QueryTimeout`.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Query
from neo4j.exceptions import (
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.connection import Neo4jTarget

T = TypeVar("T")

# The longest a query may run when no request deadline is set (CLI, seeding).
DEFAULT_TX_TIMEOUT = 600.0
# Query texts Neo4j may be planning for one process at once, and how many planned ones it remembers.
PLANS_AT_ONCE = 2
PLANNED_KEPT = 4096


class DatabaseUnavailable(RuntimeError):
    """Neo4j cannot be reached right now (down, restarting, wrong address or credentials)."""


class CommitOutcomeUnknown(DatabaseUnavailable):
    """The connection broke while Neo4j was committing: the change may or may not be saved."""


class QueryTimeout(RuntimeError):
    """A query ran past the time its request was allowed."""


class InvalidBookmark(ValueError):
    """A bookmark Neo4j does not accept (not one it gave, or mangled)."""


class BookmarkNotReached(RuntimeError):
    """Neo4j did not reach the state a bookmark names in the time allowed (a bookmark from
    another database, from the future, or a cluster member far behind)."""


class QueryTooLarge(RuntimeError):
    """Neo4j ended a query that needed more memory than one transaction may use: that query's
    own fault, not an outage."""


@dataclass
class RequestStats:
    round_trips: int = 0
    deadline: float | None = None  # time.monotonic() value
    queries: list[str] = field(default_factory=list)
    # Causal consistency: the bookmarks the caller sent (reads wait for the state they name) and
    # those of the request's own writes (sent back to the caller).
    bookmarks: tuple[str, ...] = ()
    written: tuple[str, ...] = ()
    # What the request's reads may produce so far, by the cost estimate (graph.cost): the limit
    # holds for the whole request, however many root fields or aliases it has.
    cost: int = 0


def request_stats() -> RequestStats | None:
    """The current request's figures and bookmarks, if there is a request."""
    return _stats.get()


_stats: contextvars.ContextVar[RequestStats | None] = contextvars.ContextVar("deptgraph_request_stats", default=None)


@contextmanager
def request_scope(timeout: float | None = None) -> Iterator[RequestStats]:
    """Count round trips and set a deadline for everything Neo4j does inside the block."""
    stats = RequestStats(deadline=time.monotonic() + timeout if timeout else None)
    token = _stats.set(stats)
    try:
        yield stats
    finally:
        _stats.reset(token)


def request_deadline() -> float | None:
    """The current request's deadline (a `time.monotonic()` value), if it has one."""
    stats = _stats.get()
    return None if stats is None else stats.deadline


# Neo4j is asked to stop a bit before the request's own deadline, so that the database, not a
# cancelled coroutine, ends the transaction: it is rolled back there, and the client gets a clean
# TIMEOUT error rather than a cut connection.
DEADLINE_MARGIN = 0.25
# After Neo4j failed to answer, requests fail at once for this long (the breaker is open) …
BREAKER_SECONDS = 0.5
# … and until Neo4j answers again, one request at a time first asks it `RETURN 1`, giving up after
# this long. (A Neo4j that is starting accepts connections before it answers; without a cap that
# request would wait there for as long as its deadline allows.)
TRIAL_SECONDS = 1.0


def tls(target: Neo4jTarget) -> dict[str, Any]:
    """The driver's TLS settings: `neo4j+s://` / `bolt+s://` (system CAs) and `+ssc` (any
    certificate) say it in the URI; a private CA is given as a file (NEO4J_TRUSTED_CA) with a
    plain `neo4j://` or `bolt://` URI."""
    if target.trusted_ca is None:
        return {}
    if "+s" in target.uri.split("://", 1)[0]:
        raise ValueError("NEO4J_TRUSTED_CA goes with a neo4j:// or bolt:// URI; +s / +ssc URIs set TLS themselves.")
    return {"encrypted": True, "trusted_certificates": neo4j.TrustCustomCAs(str(target.trusted_ca))}


def _wanted_bookmarks() -> tuple[str, ...]:
    """The bookmarks the current request's caller sent (checked and signed: `api.bookmarks`)."""
    stats = _stats.get()
    return () if stats is None else stats.bookmarks


def _remaining() -> float:
    stats = _stats.get()
    if stats is None or stats.deadline is None:
        return DEFAULT_TX_TIMEOUT
    left = stats.deadline - time.monotonic() - DEADLINE_MARGIN
    if left <= 0:
        raise QueryTimeout("the request ran out of time before Neo4j was asked")
    return left


def _count(cypher: str) -> None:
    stats = _stats.get()
    if stats is not None:
        stats.round_trips += 1
        stats.queries.append(cypher)


def _is_out_of_memory(exc: Neo4jError) -> bool:
    """Neo4j refused the memory a transaction asked for (its own limit, or the shared pool)."""
    return "OutOfMemory" in (exc.code or "") or "memory.transaction" in (exc.message or "")


def _is_timeout(exc: Neo4jError) -> bool:
    """Neo4j ended the transaction because its time was up (even while it waited for a lock)."""
    code = exc.code or ""
    return "TimedOut" in code or "LockClientStopped" in code or code.endswith("Transaction.Terminated")


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Driver failures as the two errors callers handle. A query's own mistakes (syntax, a
    broken constraint) are left as they are: those are bugs or conflicts, not outages."""
    try:
        yield
    except neo4j.exceptions.IncompleteCommit as exc:
        raise CommitOutcomeUnknown(f"the connection to Neo4j broke while it was committing: {exc}") from exc
    except (ServiceUnavailable, SessionExpired) as exc:
        raise DatabaseUnavailable(f"Neo4j is unreachable: {exc}") from exc
    except neo4j.exceptions.AuthError as exc:
        raise DatabaseUnavailable(f"Neo4j refused the credentials: {exc.message}") from exc
    except Neo4jError as exc:
        if _is_timeout(exc):
            raise QueryTimeout("Neo4j stopped the query: it ran out of time") from exc
        if _is_out_of_memory(exc):
            raise QueryTooLarge(f"Neo4j stopped the query: it needed too much memory ({exc.message})") from exc
        if isinstance(exc, TransientError) or (exc.code or "").startswith("Neo.TransientError"):
            # e.g. the database is starting or shutting down
            raise DatabaseUnavailable(f"Neo4j cannot run it right now: {exc.message}") from exc
        raise
    except DriverError as exc:
        # Connection pool timeouts, transactions cut off with their connection, …
        raise DatabaseUnavailable(f"no usable Neo4j connection: {exc}") from exc
    except OSError as exc:
        raise DatabaseUnavailable(f"Neo4j connection failed: {exc}") from exc


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
        # A circuit breaker. Closed: every request goes to Neo4j. When Neo4j fails to answer it
        # opens: requests fail at once for BREAKER_SECONDS instead of each waiting on a connection
        # of its own. Then it is half-open: the next request first asks Neo4j `RETURN 1` (capped
        # at TRIAL_SECONDS) while the others still fail at once; an answer closes it, and that
        # request goes on. A request that waited for a slot while it opened fails too.
        # /readyz probes go to Neo4j in every state (bounded by /readyz itself), and their success
        # closes it too. A slow answer alone never opens it: only a failure does.
        self._open_until = 0.0
        self._degraded = False
        self._trial_running = False
        self.on_open: Callable[[], None] | None = None  # told each time the breaker opens (metrics)
        # Bookmarks a caller sent, reached before its request (outside the bulkhead: waiting for
        # one must not hold a slot); the ones reached are remembered.
        self._reached: dict[tuple[str, ...], None] = {}
        # Query texts Neo4j has planned for this process (since it last failed to answer). A text
        # it has not costs a plan, up to a second or two of Neo4j's CPU: the first request with it
        # plans it while the others with the same text wait for that one (not a plan each), and at
        # most a few different texts are planned at once — after a restart of Neo4j, when every
        # query is new again, and when a client sends shapes nobody sent before.
        self._planned: OrderedDict[str, None] = OrderedDict()
        self._planning: dict[str, asyncio.Future[None]] = {}
        self._plans = asyncio.Semaphore(PLANS_AT_ONCE)
        self.planning_now = 0
        self.peak_planning = 0  # most new texts at Neo4j at once (for tests and metrics)

    @property
    def degraded(self) -> bool:
        """Neo4j failed to answer, and has not answered since."""
        return self._degraded

    @property
    def breaker_state(self) -> str:
        if not self._degraded:
            return "closed"
        return "open" if time.monotonic() < self._open_until else "half-open"

    def _open(self) -> None:
        if not self._degraded and self.on_open is not None:
            self.on_open()
        self._planned.clear()  # Neo4j may come back with none of its plans
        self._degraded = True
        self._open_until = time.monotonic() + BREAKER_SECONDS

    async def _trial(self) -> None:
        """Half-open: ask Neo4j something cheap and read-only (safe to abandon), within
        TRIAL_SECONDS. The request's own query runs only after that answer, and uncapped: a
        write is never cut off by deptgraph halfway through its commit."""
        try:
            with _translated_errors():
                try:
                    await asyncio.wait_for(self._read_once("RETURN 1 AS ok", {}), TRIAL_SECONDS)
                except TimeoutError as exc:
                    raise DatabaseUnavailable(f"Neo4j did not answer within {TRIAL_SECONDS}s") from exc
        except DatabaseUnavailable:
            self._open()
            raise
        self._degraded = False

    async def _guarded(self, operation: Callable[[], Awaitable[T]], probe: bool = False) -> T:
        if probe:  # /readyz bounds it itself (a slow answer is not a failure); it skips the queue
            try:
                with _translated_errors():
                    result = await operation()
            except DatabaseUnavailable:
                self._open()
                raise
            self._degraded = False
            return result
        if self._degraded:
            if time.monotonic() < self._open_until or self._trial_running:
                raise DatabaseUnavailable("Neo4j did not answer a moment ago; deptgraph tries again shortly")
            self._trial_running = True
            try:
                await self._trial()
            finally:
                self._trial_running = False
        try:
            with _translated_errors():
                async with self._slots:
                    if self._degraded:  # the breaker opened while this request waited for a slot
                        raise DatabaseUnavailable("Neo4j stopped answering while the request waited its turn")
                    self.in_flight += 1
                    self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                    try:
                        result = await operation()
                    finally:
                        self.in_flight -= 1
        except DatabaseUnavailable:
            self._open()
            raise
        return result

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
        _count(cypher)
        if _probe:
            return await self._guarded(lambda: self._read_retrying(cypher, params), probe=True)
        return await self._planned_once(cypher, lambda: self._guarded(lambda: self._read_retrying(cypher, params)))

    async def _planned_once(self, cypher: str, run: Callable[[], Awaitable[T]]) -> T:
        """Run a query whose text Neo4j may not have planned yet without a crowd planning it (see
        `_planned`): outside the bulkhead, so that waiting for a plan holds no slot."""
        if cypher in self._planned:
            self._planned.move_to_end(cypher)
            return await run()
        pending = self._planning.get(cypher)
        if pending is not None:
            await asyncio.shield(pending)  # planned now (or failed: then this one tries)
            return await run()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._planning[cypher] = done
        try:
            async with self._plans:
                self.planning_now += 1
                self.peak_planning = max(self.peak_planning, self.planning_now)
                try:
                    result = await run()
                finally:
                    self.planning_now -= 1
            self._planned[cypher] = None
            if len(self._planned) > PLANNED_KEPT:
                self._planned.popitem(last=False)
            return result
        finally:
            del self._planning[cypher]
            done.set_result(None)

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
        wanted = _wanted_bookmarks()
        if not wanted:
            return {"bookmark_manager": self.bookmark_manager}, ()
        own = tuple(await self.bookmark_manager.get_bookmarks())
        return {"bookmarks": neo4j.Bookmarks.from_raw_values((*wanted, *own))}, own

    def _session(self, causal: dict[str, Any], read: bool = False) -> neo4j.AsyncSession:
        mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode, **causal)

    async def _read_once(self, cypher: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        query = Query(cypher, timeout=_remaining())
        causal, _ = await self._causal()
        async with self._session(causal, read=True) as session:
            result = await session.run(query, params)
            keys = result.keys()
            return [dict(zip(keys, values, strict=True)) for values in await result.values()]

    async def command(self, cypher: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run one statement in write mode, auto-commit: schema commands and maintenance."""
        _count(cypher)

        async def run() -> list[dict[str, Any]]:
            query = Query(cypher, timeout=_remaining())  # counted from when it got its turn
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
        _count(getattr(work, "__name__", "write"))

        async def locked(tx: AsyncManagedTransaction) -> T:
            lock = GraphLock(tx)
            await lock.take()
            return await work(tx, lock)

        async def run() -> T:
            unit = neo4j.unit_of_work(timeout=_remaining())(locked)  # counted from when it got its turn
            causal, own = await self._causal()
            async with self._session(causal) as session:
                result = await session.execute_write(unit)
                written = tuple((await session.last_bookmarks()).raw_values)
            if "bookmarks" in causal:  # the manager did not see this write: give it this process's own
                await self.bookmark_manager.update_bookmarks(own, written)
            stats = _stats.get()
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
                with _translated_errors():
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
        _count(getattr(work, "__name__", "read"))

        async def run() -> T:
            unit = neo4j.unit_of_work(timeout=_remaining())(work)
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
