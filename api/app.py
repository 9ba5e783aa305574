"""The ASGI application: Starlette routes around the Strawberry GraphQL endpoint.

`create_app(settings)` builds a fresh app; its lifespan opens one async Neo4j driver and
closes it on shutdown. Nothing is global: tests build as many apps as they like.

Every request gets a request id (the client's `X-Request-ID`, or a new one), returned in the
response header and in every GraphQL error, and logged with whatever went wrong.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET

from api.assets import static_endpoint, vendor_endpoint
from api.auth import Auth
from api.context import Context, Reading, preferred_lang
from api.errors import OutageLog, codes_of, error_body, without_suggestions
from api.health import healthz, readyz
from api.middleware import RequestLimits, RequestRecord, SecurityHeaders
from api.observability import AccessLog, Metrics
from api.queries import NamedQuery, load_queries
from api.schema import build_schema, measured_relations
from deptgraph.settings import Settings, settings_from_environment
from graph.compiler import Limits
from graph.connection import resolve_target
from graph.cost import GraphStats
from graph.database import Database, DatabaseUnavailable, QueryTimeout, request_scope

log = logging.getLogger("deptgraph.api")
STATIC = Path(__file__).with_name("static")


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view, with deptgraph's context, time limit, JSON encoder and GraphiQL."""

    def __init__(self, settings: Settings, queries: list[NamedQuery], metrics: Metrics, reading: Reading) -> None:
        self.metrics = metrics
        self.reading = reading
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
        )
        self.settings = settings
        self.graphiql_page = _graphiql_page(queries)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        assert isinstance(request, Request) and isinstance(response, Response)
        database = request.app.state.database
        record: RequestRecord = request.state.record
        return Context(
            request=request,
            response=response,
            database=database,
            request_id=record.request_id,
            reading=self.reading,
            lang=preferred_lang(request.headers.get("accept-language")),
            auth=Auth(request.headers.get("authorization"), database, self.settings.reads_need_token),
            outages=request.app.state.outages,
            development=self.settings.development,
            record=record,
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self.graphiql_page)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def parse_json(self, data: str | bytes) -> Any:
        """A GraphQL request body is a JSON object; anything else is the client's mistake (400)."""
        try:
            parsed = orjson.loads(data)
        except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HTTPException(400, "The request body is not valid JSON (UTF-8).") from exc
        if not isinstance(parsed, (dict, list)):
            raise HTTPException(400, 'The request body must be a JSON object like {"query": "…"}.')
        return parsed

    async def process_result(self, request: Any, result: Any) -> Any:
        """Errors raised before execution (a syntax error, too many tokens) never reach the
        schema's ErrorPolicy: give them a code and the request id here too."""
        response = await super().process_result(request, result)
        errors: list[dict[str, Any]] = response.get("errors") or []  # type: ignore[assignment]
        record: RequestRecord = request.state.record
        for error in errors:
            if not self.settings.development:
                error["message"] = without_suggestions(str(error.get("message", "")))
            extensions = error.get("extensions") or {}
            if "code" not in extensions:
                syntax = str(error.get("message", "")).startswith("Syntax Error")
                extensions["code"] = "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
            extensions.setdefault("requestId", record.request_id)
            error["extensions"] = extensions
        record.error_codes = codes_of(errors)
        return response

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        timeout = self.settings.request_timeout
        started = time.perf_counter()
        record: RequestRecord = request.state.record
        with request_scope(timeout) as stats:
            try:
                async with asyncio.timeout(timeout):
                    response = await super().run(request, context, root_value)
            except TimeoutError:
                log.warning("request %s: stopped after %.1fs", record.request_id, timeout)
                record.error_codes = ["TIMEOUT"]
                message = f"The request took longer than {timeout:g}s and was stopped."
                response = JSONResponse(error_body(message, "TIMEOUT", record.request_id), status_code=504)
            record.round_trips = stats.round_trips
        if request.method == "POST" or "query" in request.query_params:
            # A request refused with an HTTP error (bad JSON, a batch, a GET mutation) leaves run()
            # by an exception before this point: the HTTP metrics count it, by status.
            record.graphql = True
            record.operation = self.metrics.observe_graphql(
                record.operation, time.perf_counter() - started, record.error_codes, stats.round_trips
            )
        return response


def _graphiql_page(queries: list[NamedQuery]) -> str:
    listed = [
        {"name": q.name, "file": q.file, "vi": q.question_vi, "en": q.question_en, "text": q.text} for q in queries
    ]
    # Inside a <script> element: keep "</script>" and friends from closing it.
    payload = json.dumps(listed, ensure_ascii=False).replace("<", "\\u003c")
    return (STATIC / "graphiql.html").read_text(encoding="utf-8").replace("__QUERIES__", payload)


def create_app(settings: Settings, database: Database | None = None) -> Starlette:
    """Build the app. Pass `database` to share a driver; otherwise the lifespan opens one."""
    queries = load_queries(settings.queries_dir)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        owned = database is None
        db = database
        if db is None:
            target = resolve_target(settings)
            db = Database.connect(
                target, connect_timeout=settings.connect_timeout, max_concurrent=settings.neo4j_concurrency
            )
            log.info("connected to Neo4j at %s", target.describe())
        app.state.database = db
        metrics.watch(db)
        try:
            await asyncio.wait_for(reading.stats.measure(db), settings.request_timeout)
        except (DatabaseUnavailable, QueryTimeout, TimeoutError) as exc:
            log.warning("could not measure the graph's list sizes yet (%s); estimating costs with defaults", exc)
        try:
            yield {}
        finally:
            if owned:
                await db.close()

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
    graphql = GraphQLEndpoint(settings, queries, metrics, reading)
    routes = [
        Route("/", explorer, methods=["GET"]),
        Route("/static/{name}", static_endpoint(STATIC), methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
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
    app.state.outages = OutageLog()
    if database is not None:
        # Usable without running the lifespan (e.g. under httpx's ASGITransport in tests).
        app.state.database = database
        metrics.watch(database)
    return app


def app_from_environment() -> Starlette:
    """The app configured from environment variables (what `deptgraph serve` and uvicorn run)."""
    return create_app(settings_from_environment())
