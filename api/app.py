"""The ASGI application: Starlette routes around the Strawberry GraphQL endpoint.

`create_app(settings)` builds a fresh app; its lifespan opens one async Neo4j driver and
closes it on shutdown. Nothing is global: tests build as many apps as they like.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.context import Context
from api.health import healthz, readyz
from api.schema import schema
from deptgraph.settings import Settings
from graph.connection import resolve_target
from graph.database import Database

log = logging.getLogger("deptgraph.api")


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view, with deptgraph's context."""

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        assert isinstance(request, Request) and isinstance(response, Response)
        return Context(
            request=request,
            response=response,
            database=request.app.state.database,
            request_id=request.headers.get("x-request-id") or uuid.uuid4().hex,
        )


def create_app(settings: Settings, database: Database | None = None) -> Starlette:
    """Build the app. Pass `database` to share a driver; otherwise the lifespan opens one."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        owned = database is None
        db = database
        if db is None:
            target = resolve_target(settings)
            db = Database.connect(target, connect_timeout=settings.connect_timeout)
            log.info("connected to Neo4j at %s", target.describe())
        app.state.database = db
        try:
            yield {}
        finally:
            if owned:
                await db.close()

    graphql = GraphQLEndpoint(schema, graphql_ide="graphiql", allow_queries_via_get=True)
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    if database is not None:
        # Usable without running the lifespan (e.g. under httpx's ASGITransport in tests).
        app.state.database = database
    return app


def app_from_environment() -> Starlette:
    """The app configured from environment variables (what `deptgraph serve` and uvicorn run)."""
    return create_app(Settings())
