"""What Neo4j does for one request, bounded and counted: its deadline, its round trips, the
bookmarks its caller sent and those of its writes, and what its reads may cost so far.

`request_scope` opens it around a request (the /graphql view, the warm-up, tests); every query
`graph.database` sends reads it: how long Neo4j may take (`time_left`), which state the session
must wait for (`wanted_bookmarks`), and it counts the round trip (`count_round_trip`).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from graph.failures import QueryTimeout

# The longest a query may run when no request deadline is set (CLI, seeding).
DEFAULT_TX_TIMEOUT = 600.0
# Neo4j is asked to stop a bit before the request's own deadline, so that the database, not a
# cancelled coroutine, ends the transaction: it is rolled back there, and the client gets a clean
# TIMEOUT error rather than a cut connection.
DEADLINE_MARGIN = 0.25


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


_stats: contextvars.ContextVar[RequestStats | None] = contextvars.ContextVar("deptgraph_request_stats", default=None)


def request_stats() -> RequestStats | None:
    """The current request's figures and bookmarks, if there is a request."""
    return _stats.get()


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


def wanted_bookmarks() -> tuple[str, ...]:
    """The bookmarks the current request's caller sent (checked and signed: `api.bookmarks`)."""
    stats = _stats.get()
    return () if stats is None else stats.bookmarks


def time_left() -> float:
    """How long Neo4j may take for a query of the current request (DEFAULT_TX_TIMEOUT outside one)."""
    stats = _stats.get()
    if stats is None or stats.deadline is None:
        return DEFAULT_TX_TIMEOUT
    left = stats.deadline - time.monotonic() - DEADLINE_MARGIN
    if left <= 0:
        raise QueryTimeout("the request ran out of time before Neo4j was asked")
    return left


def count_round_trip(cypher: str) -> None:
    stats = _stats.get()
    if stats is not None:
        stats.round_trips += 1
        stats.queries.append(cypher)
