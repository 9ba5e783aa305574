"""The one async Neo4j driver a process uses, and the two ways code reaches Neo4j through it.

`Database.read` runs one query in an auto-commit transaction (one network round trip);
`Database.write` runs a unit of work in one managed transaction. Both

* bound the Neo4j transaction by the time the current request has left (`request_deadline`),
* count round trips per request (`round_trips`), which tests use to prove there is no N+1,
* turn driver failures into the two errors callers handle: `DatabaseUnavailable` and
  `QueryTimeout`.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Query
from neo4j.exceptions import (
    ClientError,
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


class DatabaseUnavailable(RuntimeError):
    """Neo4j cannot be reached right now (down, restarting, wrong address or credentials)."""


class QueryTimeout(RuntimeError):
    """A query ran past the time its request was allowed."""


@dataclass
class RequestStats:
    round_trips: int = 0
    deadline: float | None = None  # time.monotonic() value
    queries: list[str] = field(default_factory=list)


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


# Neo4j is asked to stop a bit before the request's own deadline, so that the database, not a
# cancelled coroutine, ends the transaction: it is rolled back there, and the client gets a clean
# TIMEOUT error rather than a cut connection.
DEADLINE_MARGIN = 0.25


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


def _is_timeout(exc: Neo4jError) -> bool:
    """Neo4j ended the transaction because its time was up (even while it waited for a lock)."""
    code = exc.code or ""
    return "TimedOut" in code or "LockClientStopped" in code or code.endswith("Transaction.Terminated")


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except (ServiceUnavailable, SessionExpired) as exc:
        raise DatabaseUnavailable(f"Neo4j is unreachable: {exc}") from exc
    except neo4j.exceptions.AuthError as exc:
        raise DatabaseUnavailable(f"Neo4j refused the credentials: {exc.message}") from exc
    except (ClientError, TransientError) as exc:
        if _is_timeout(exc):
            raise QueryTimeout("Neo4j stopped the query: it ran out of time") from exc
        raise
    except DriverError as exc:
        if "timed out" in str(exc).lower() or "acquisition" in str(exc).lower():
            raise DatabaseUnavailable(f"no Neo4j connection could be had in time: {exc}") from exc
        raise


class Database:
    """Neo4j, as the rest of deptgraph sees it."""

    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self.driver = driver
        self.database = database

    @classmethod
    def connect(cls, target: Neo4jTarget, connect_timeout: float = 2.0) -> Database:
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
        )
        return cls(driver, target.database)

    async def close(self) -> None:
        await self.driver.close()

    async def read(self, cypher: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run one read query; one round trip. Rows come back as plain dicts.

        Values are taken as the driver decoded them (maps and lists stay dicts and lists);
        queries return maps, not nodes, so the driver's slow deep conversion is not needed."""
        query = Query(cypher, timeout=_remaining())
        _count(cypher)
        with _translated_errors():
            async with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                result = await session.run(query, params)
                keys = result.keys()
                return [dict(zip(keys, values, strict=True)) for values in await result.values()]

    async def command(self, cypher: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run one statement in write mode, auto-commit: schema commands and maintenance."""
        query = Query(cypher, timeout=_remaining())
        _count(cypher)
        with _translated_errors():
            async with self.driver.session(database=self.database) as session:
                result = await session.run(query, params)
                return await result.data()

    async def write(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` in one write transaction: all of it is committed, or none of it."""
        unit = neo4j.unit_of_work(timeout=_remaining())(work)
        _count(getattr(work, "__name__", "write"))
        with _translated_errors():
            async with self.driver.session(database=self.database) as session:
                return await session.execute_write(unit)

    async def server_info(self) -> dict[str, str]:
        """Neo4j's version and edition; also a cheap connectivity check."""
        rows = await self.read(
            "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition LIMIT 1"
        )
        return {"version": rows[0]["version"], "edition": rows[0]["edition"]}

    async def check(self) -> None:
        """Raise DatabaseUnavailable unless Neo4j answers a query now."""
        await self.read("RETURN 1 AS ok")
