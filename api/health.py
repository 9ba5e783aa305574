"""Liveness and readiness probes, for people, load balancers and Kubernetes alike."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.database import Database
from graph.failures import DatabaseUnavailable, QueryTimeout

READY_CHECK_TIMEOUT = 2.0
log = logging.getLogger("deptgraph.api")


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving HTTP. Says nothing about Neo4j."""
    return JSONResponse({"status": "ok"})


def readiness(services: Any) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The /readyz endpoint of an app whose `services` hold its database."""

    async def readyz(request: Request) -> JSONResponse:
        if services.warming:
            return _unavailable("warming up: running the first queries once (see DEPTGRAPH_WARM_UP)")
        return await ready(services.database)

    return readyz


async def ready(database: Database) -> JSONResponse:
    """200 when Neo4j answers a query now; 503 with the reason when it does not."""
    # The reason says what kind of trouble it is, not where Neo4j lives or what it said: anyone
    # who can reach the service can ask. The details go to the log (debug level: probes are many).
    try:
        await asyncio.wait_for(database.check(), READY_CHECK_TIMEOUT)
    except (QueryTimeout, TimeoutError) as exc:
        log.debug("readiness: %r", exc)
        return _unavailable(f"Neo4j did not answer within {READY_CHECK_TIMEOUT:.0f}s")
    except DatabaseUnavailable as exc:
        log.debug("readiness: %s", exc)
        refused = "credentials" in str(exc)
        return _unavailable("Neo4j refused deptgraph's credentials" if refused else "Neo4j is unreachable")
    except Exception:  # a probe answers 503, never 500: whatever it is, we are not ready
        log.exception("readiness check failed")
        return _unavailable("the readiness check failed; see the log")
    return JSONResponse({"status": "ready"})


def _unavailable(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
