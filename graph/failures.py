"""What can go wrong at Neo4j, as the few errors the rest of deptgraph handles.

The driver raises many kinds of error; callers handle these: Neo4j cannot be reached
(`DatabaseUnavailable`; `CommitOutcomeUnknown` when it went away while committing), a query ran
out of its request's time (`QueryTimeout`) or of the memory one transaction may use
(`QueryTooLarge`), and a caller's bookmark is not one Neo4j accepts (`InvalidBookmark`) or not
reached in time (`BookmarkNotReached`). `translated_errors` turns the driver's failures into them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j.exceptions import (
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)


class DatabaseUnavailable(RuntimeError):
    """Neo4j cannot be reached right now (down, restarting, wrong address or credentials)."""


class Busy(DatabaseUnavailable):
    """Neo4j answers, but this process's turns for this kind of work stayed taken for too long
    (other texts' plans, other costly queries): the request gave up waiting. Its message is meant
    for the client."""


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


def _is_out_of_memory(exc: Neo4jError) -> bool:
    """Neo4j refused the memory a transaction asked for (its own limit, or the shared pool)."""
    return "OutOfMemory" in (exc.code or "") or "memory.transaction" in (exc.message or "")


def _is_timeout(exc: Neo4jError) -> bool:
    """Neo4j ended the transaction because its time was up (even while it waited for a lock)."""
    code = exc.code or ""
    return "TimedOut" in code or "LockClientStopped" in code or code.endswith("Transaction.Terminated")


@contextmanager
def translated_errors() -> Iterator[None]:
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
