"""The ASGI application: Starlette routes around the Strawberry GraphQL endpoint.

`create_app(settings)` builds a fresh app; its lifespan opens one async Neo4j driver (into the
app's `Services`) and closes it on shutdown. Nothing is global: tests build as many apps as they
like, and may hand one a database of their own.

Every request gets a request id (the client's `X-Request-ID`, or a new one), returned in the
response header and in every GraphQL error, and logged with whatever went wrong.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route, WebSocketRoute

from api.assets import graphiql_page, static_endpoint, vendor_endpoint
from api.clock import Clock, system_clock
from api.context import Reading
from api.endpoint import GraphQLEndpoint
from api.health import healthz, readiness
from api.middleware import RequestLimits, SecurityHeaders
from api.observability import AccessLog, Metrics, configure_logging
from api.queries import load_queries
from api.schema import build_schema, measured_relations
from api.services import Services
from api.warmup import explorer_operations, warm_up
from deptgraph.settings import Settings, settings_from_environment
from graph.compiled import Limits
from graph.connection import resolve_target
from graph.cost import GraphStats
from graph.database import Database
from graph.failures import DatabaseUnavailable, QueryTimeout

log = logging.getLogger("deptgraph.api")
STATIC = Path(__file__).with_name("static")


def create_app(settings: Settings, database: Database | None = None, clock: Clock = system_clock) -> Starlette:
    """Build the app. Pass `database` to share a driver; otherwise the lifespan opens one. `clock`
    tells the time where answers depend on it (what is due for review: `stale`, verifications)."""
    queries = load_queries(settings.queries_dir)
    metrics = Metrics([q.name for q in queries])
    reading = Reading(
        Limits(
            max_items=settings.max_list_items,
            max_values=settings.max_values,
            max_bytes=settings.max_response_bytes,
            max_first=settings.max_page_size,
        ),
        GraphStats(measured_relations()),
        settings.max_cost,
    )
    services = Services.create(settings, reading, metrics, clock)
    if database is not None:  # usable without the lifespan (e.g. under httpx's ASGITransport in tests)
        services.open(database)
    page = graphiql_page((STATIC / "graphiql.html").read_text(encoding="utf-8"), queries)
    schema = build_schema(settings)
    graphql = GraphQLEndpoint(schema, services, queries, page)
    warm_up_documents = [q.text for q in queries] + explorer_operations(STATIC)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        owned = database is None
        if owned:
            target = resolve_target(settings)
            services.open(
                Database.connect(
                    target, connect_timeout=settings.connect_timeout, max_concurrent=settings.neo4j_concurrency
                )
            )
            log.info("connected to Neo4j at %s", target.describe())
        try:
            await asyncio.wait_for(reading.stats.measure(services.database), settings.warm_up_seconds)
        except (DatabaseUnavailable, QueryTimeout, TimeoutError) as exc:
            log.warning("could not measure the graph's list sizes yet (%s); estimating costs with defaults", exc)
        try:
            await asyncio.wait_for(services.bookmarks.ready(), settings.request_timeout)
        except (DatabaseUnavailable, QueryTimeout, TimeoutError) as exc:
            log.warning("could not read the bookmark key yet (%s); it is read when first needed", exc)
        warming = None
        if settings.warm_up:  # requests are served meanwhile; /readyz says "warming up" until it is done
            warming = asyncio.get_running_loop().create_task(warm_up(schema, services, warm_up_documents, settings))
        # Everything made so far (modules, the schema, compiled plans) lives as long as the process:
        # keep it out of the garbage collector's sweeps, which otherwise walk it on every pause.
        gc.collect()
        gc.freeze()
        try:
            yield {}
        finally:
            if warming is not None:
                warming.cancel()
            if owned:
                await services.database.close()

    async def list_queries(request: Request) -> JSONResponse:
        """The named operations of queries/, for internal tools."""
        return JSONResponse(
            [{"name": q.name, "file": q.file, "question": {"vi": q.question_vi, "en": q.question_en},
              "query": q.text} for q in queries]
        )  # fmt: skip

    async def explorer(request: Request) -> HTMLResponse:
        """The visual explorer for onboarding staff (it reads only /graphql)."""
        return HTMLResponse(
            (STATIC / "explorer.html").read_text(encoding="utf-8"), headers={"cache-control": "no-cache"}
        )

    routes = [
        Route("/", explorer, methods=["GET"]),
        Route("/static/{name}", static_endpoint(STATIC), methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readiness(services), methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/queries", list_queries, methods=["GET"]),
        Route("/assets/{path:path}", vendor_endpoint(settings.assets_dir), methods=["GET"]),
        Route(
            "/metrics",
            metrics.endpoint(
                settings.metrics_token.get_secret_value() if settings.metrics_token else None, settings.development
            ),
            methods=["GET"],
        ),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(AccessLog, metrics=metrics),
            Middleware(RequestLimits, max_body_bytes=settings.max_body_bytes),
        ],
    )
    app.state.settings = settings
    app.state.services = services
    return app


def app_from_environment() -> Starlette:
    """The app configured from environment variables (what `deptgraph serve` and uvicorn run, in
    each worker process: logging is set up here too, as workers start afresh)."""
    settings = settings_from_environment()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
