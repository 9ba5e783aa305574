"""Liveness and readiness probes, for people, load balancers and Kubernetes alike."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.database import Database, DatabaseUnavailable, QueryTimeout

READY_CHECK_TIMEOUT = 2.0
log = logging.getLogger("deptgraph.api")


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving HTTP. Says nothing about Neo4j."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 when Neo4j answers a query now; 503 with the reason when it does not."""
    database: Database = request.app.state.database
    try:
        await asyncio.wait_for(database.check(), READY_CHECK_TIMEOUT)
    except (DatabaseUnavailable, QueryTimeout, TimeoutError, OSError) as exc:
        reason = str(exc) or f"no answer from Neo4j within {READY_CHECK_TIMEOUT:.0f}s"
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    except Exception as exc:  # a probe answers 503, never 500: whatever it is, we are not ready
        log.exception("readiness check failed")
        return JSONResponse({"status": "unavailable", "reason": f"{type(exc).__name__}: {exc}"}, status_code=503)
    return JSONResponse({"status": "ready"})
