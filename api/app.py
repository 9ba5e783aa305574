"""The ASGI application: Starlette routes around the Strawberry GraphQL endpoint.

`create_app(settings)` builds a fresh app; its lifespan opens one async Neo4j driver and
closes it on shutdown. Nothing is global: tests build as many apps as they like.

Every request gets a request id (the client's `X-Request-ID`, or a new one), returned in the
response header and in every GraphQL error, and logged with whatever went wrong.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as GraphQLOperation
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from api.assets import static_endpoint, vendor_endpoint
from api.auth import Auth
from api.bookmarks import HEADER as BOOKMARK_HEADER
from api.bookmarks import BadBookmark, Bookmarks, WaitLimits
from api.cache import ResponseCache, etag, etag_matches, request_key
from api.clock import Clock, system_clock
from api.context import Context, Reading, preferred_lang
from api.errors import OutageLog, codes_of, error_body, without_suggestions
from api.feed import ChangeFeed
from api.health import healthz, readyz
from api.middleware import RequestLimits, RequestRecord, SecurityHeaders
from api.observability import MULTIPROCESS, AccessLog, Metrics, configure_logging
from api.persisted import PersistedQueries, sha256
from api.queries import NamedQuery, load_queries
from api.schema import DeptgraphSchema, build_schema, measured_relations
from api.shortcut import Shortcut
from deptgraph.settings import Settings, settings_from_environment
from graph.compiler import Limits
from graph.connection import resolve_target
from graph.cost import GraphStats
from graph.database import (
    BookmarkNotReached,
    Database,
    DatabaseUnavailable,
    InvalidBookmark,
    QueryTimeout,
    request_scope,
    request_stats,
)
from graph.keys import deployment_key
from graph.version import Stamp, VersionWatch

log = logging.getLogger("deptgraph.api")
STATIC = Path(__file__).with_name("static")


class FeedSocket(ASGIWebSocketAdapter):
    """The WebSocket on /graphql carries the change feed, and nothing else.

    Its messages go out as text frames (browsers hand binary ones over as Blobs, which the
    protocol's clients cannot read). A `subscribe` message must carry a subscription: queries and
    mutations go over HTTP, where the request timeout, the response cache and the bookmarks
    apply. A malformed `subscribe` closes the socket with 4400 and the reason, as the
    graphql-transport-ws protocol has it for invalid messages."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        async for message in super().iter_json(ignore_parsing_errors=ignore_parsing_errors):
            if isinstance(message, dict) and message.get("type") == "subscribe":
                refusal = _not_a_subscription(message.get("payload"), self.view.shortcut.max_tokens)  # type: ignore[attr-defined]
                if refusal is not None:
                    await self.ws.close(code=4400, reason=refusal)
                    return
            yield message


def _not_a_subscription(payload: object, max_tokens: int) -> str | None:
    """Why a `subscribe` payload is refused, or None for a subscription."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "subscribe needs a payload with a query"
    name = payload.get("operationName")
    if name is not None and not isinstance(name, str):
        return "operationName must be a string"
    try:
        document = parse(payload["query"], max_tokens=max_tokens)
    except GraphQLError:
        return "the query is not valid GraphQL"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if name is None or (o.name is not None and o.name.value == name)]
    if len(chosen) != 1:
        return "name the operation to run (operationName)"
    if chosen[0].operation is not GraphQLOperation.SUBSCRIPTION:
        return "only subscriptions here: send queries and mutations over HTTP POST"
    return None


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view, with deptgraph's context, time limit, JSON encoder and GraphiQL."""

    def __init__(self, settings: Settings, queries: list[NamedQuery], metrics: Metrics, reading: Reading) -> None:
        self.metrics = metrics
        self.reading = reading
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            # Only the current protocol: the legacy `graphql-ws` one would be one more way in.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.websocket_adapter_class = FeedSocket
        self.settings = settings
        self.graphiql_page = _graphiql_page(queries)
        schema = self.schema
        assert isinstance(schema, DeptgraphSchema)
        self.shortcut = Shortcut(schema._schema, schema.validation_rules, schema.max_tokens, settings.development)
        self.cacheable_roots = self.shortcut.compiled_roots | CACHEABLE_ROOTS
        self.persisted = PersistedQueries([q.text for q in queries])
        self.bookmark_waits = WaitLimits()
        self.cache = ResponseCache(settings.response_cache_mb * 2**20) if settings.response_cache else None
        if self.cache is not None:
            cache = self.cache
            if MULTIPROCESS:
                metrics.cache_sizes = lambda: cache.size
            else:
                metrics.cache_bytes.set_function(lambda: cache.size)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        database = request.app.state.database
        record = getattr(request.state, "record", None)
        if record is None:  # a WebSocket: the HTTP middleware does not see it
            record = RequestRecord(uuid.uuid4().hex)
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
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
        return orjson.dumps(data)  # over the WebSocket, FeedSocket sends text frames

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
        if isinstance(request, WebSocket):  # the change feed: graphql-transport-ws, bounded by its own rules
            return await super().run(request, context, root_value)
        timeout = self.settings.request_timeout
        started = time.perf_counter()
        deadline = asyncio.get_running_loop().time() + timeout  # bookmark wait included
        record: RequestRecord = request.state.record
        bookmarks: Bookmarks = request.app.state.bookmarks
        with request_scope(timeout) as stats:
            refused = await self._reach_bookmarks(request, bookmarks, stats, timeout)
            if refused is not None:
                return refused
            try:
                async with asyncio.timeout_at(deadline):
                    response = await self._respond(request)
            except HTTPException as exc:  # a request GraphQL cannot take: said in the errors format too
                record.error_codes = [_HTTP_CODES.get(exc.status_code, "BAD_REQUEST")]
                body = error_body(_sentence(exc.reason), record.error_codes[0], record.request_id)
                response = JSONResponse(body, status_code=exc.status_code)
            except TimeoutError:
                log.warning("request %s: stopped after %.1fs", record.request_id, timeout)
                record.error_codes = ["TIMEOUT"]
                message = f"The request took longer than {timeout:g}s and was stopped."
                response = JSONResponse(error_body(message, "TIMEOUT", record.request_id), status_code=504)
            record.round_trips = stats.round_trips
        if stats.written:
            response.headers[BOOKMARK_HEADER] = await bookmarks.seal(stats.written)
        if record.graphql or request.method == "POST" or "query" in request.query_params:
            # A request refused with an HTTP error (bad JSON, a batch, a GET mutation) leaves run()
            # by an exception before this point: the HTTP metrics count it, by status.
            record.graphql = True
            record.operation = self.metrics.observe_graphql(
                record.operation, time.perf_counter() - started, record.error_codes, stats.round_trips
            )
        return response

    async def _reach_bookmarks(
        self, request: Request, bookmarks: Bookmarks, stats: Any, limit: float
    ) -> Response | None:
        """Check the caller's Deptgraph-Bookmark and wait until Neo4j's state includes it; a
        response when the request cannot go on (a bookmark this deployment did not give, one not
        reached in time, too many waits from this client)."""
        record: RequestRecord = request.state.record
        try:
            stats.bookmarks = await bookmarks.open(request.headers.get(BOOKMARK_HEADER))
            if not stats.bookmarks:
                return None
            client = request.client.host if request.client else "unknown"
            async with self.bookmark_waits.slot(client) as allowed:
                if not allowed:
                    raise BookmarkNotReached("too many requests are waiting for bookmarks")
                await request.app.state.database.reach(stats.bookmarks, min(self.settings.bookmark_wait, limit))
        except (BadBookmark, InvalidBookmark) as exc:
            stats.bookmarks = ()
            record.error_codes = ["BAD_REQUEST"]
            message = str(exc) if isinstance(exc, BadBookmark) else f"{BAD_BOOKMARK} ({exc})"
            body = error_body(message, "BAD_REQUEST", record.request_id, header="Deptgraph-Bookmark")
            return JSONResponse(body, status_code=400)
        except BookmarkNotReached as exc:
            record.error_codes = ["BOOKMARK_NOT_REACHED"]
            body = error_body(f"{exc}; try again shortly, or without the Deptgraph-Bookmark header.",
                              "BOOKMARK_NOT_REACHED", record.request_id, header="Deptgraph-Bookmark")  # fmt: skip
            return JSONResponse(body, status_code=503, headers={"retry-after": "1"})
        except (DatabaseUnavailable, QueryTimeout):
            pass  # the request itself meets the outage, and says so the usual way
        return None

    # --- the request, read once ---------------------------------------------------------------

    async def _respond(self, request: Request) -> Response:
        """Answer from the cache, by the short path, or the whole way through Strawberry."""
        wanted = await self._wanted(request)
        if wanted is None:
            return await super().run(request)  # GraphiQL, a malformed request: Strawberry says what is wrong
        record: RequestRecord = request.state.record
        record.graphql = True
        if isinstance(wanted, Response):
            return wanted
        prepared = self.shortcut.prepare(wanted.query, wanted.operation_name)
        unnamed = prepared is None and wanted.operation_name is None
        if unnamed and _operations(wanted.query, self.shortcut.max_tokens) > 1:
            # The spec's rule; Strawberry would quietly run the first one.
            record.error_codes = ["BAD_REQUEST"]
            message = "The document holds several operations: say which one to run with operationName."
            return JSONResponse(error_body(message, "BAD_REQUEST", record.request_id), status_code=400)
        if prepared is not None and wanted.persisted:
            self.persisted.learn(wanted.persisted, wanted.query)
        context = await self.get_context(request, None)  # type: ignore[arg-type]  # no resolver sets headers
        cached: Response | tuple[str, Stamp, str] | None = None
        if (
            self.cache is not None
            and prepared is not None
            and prepared.kind is GraphQLOperation.QUERY
            and (prepared.roots <= self.cacheable_roots)
        ):
            cached = await self._cached(request, wanted, context)
            if isinstance(cached, Response):
                record.operation = prepared.name
                return cached
        answer = None
        if prepared is not None and prepared.compiled:
            answer = await self.shortcut.answer(prepared, wanted.variables, context)
        if answer is None:
            answer = await self._execute(request, context, wanted)
        else:
            record.error_codes = codes_of(answer.get("errors") or [])
        written = request_stats()
        if written is not None and written.written:  # read your writes: send this back, on any process
            bookmarks: Bookmarks = request.app.state.bookmarks
            answer.setdefault("extensions", {})["bookmark"] = await bookmarks.seal(written.written)
        body = orjson.dumps(answer)
        headers: dict[str, str] = {}
        if isinstance(cached, tuple) and not answer.get("errors"):
            key, stamp, tag = cached
            assert self.cache is not None
            self.cache.put(key, stamp, body)
            headers = self._cache_headers(tag, wanted.method)
        return Response(body, media_type="application/json", headers=headers)

    async def _wanted(self, request: Request) -> Wanted | Response | None:
        """The GraphQL request a POST body or GET parameters hold; None for what Strawberry
        answers itself; a response for a persisted query that cannot be run."""
        if request.method == "POST":
            if "json" not in request.headers.get("content-type", ""):
                return None
            try:
                body = orjson.loads(await request.body())
            except orjson.JSONDecodeError:
                return None
            if not isinstance(body, dict):
                return None
            query, variables = body.get("query"), body.get("variables")
            operation, extensions = body.get("operationName"), body.get("extensions")
        elif request.method == "GET":
            params = request.query_params
            if "query" not in params and "extensions" not in params:
                return None
            query, operation = params.get("query"), params.get("operationName")
            try:
                variables = orjson.loads(params["variables"]) if params.get("variables") else None
                extensions = orjson.loads(params["extensions"]) if params.get("extensions") else None
            except orjson.JSONDecodeError as exc:
                raise HTTPException(400, "The variables and extensions parameters must be JSON objects.") from exc
        else:
            return None
        if not (
            isinstance(query, str | None) and isinstance(variables, dict | None)
            and isinstance(operation, str | None) and isinstance(extensions, dict | None)
        ):  # fmt: skip
            return None
        digest = ""
        if extensions and "persistedQuery" in extensions:
            found = self._persisted(request, query, extensions["persistedQuery"])
            if isinstance(found, Response):
                return found
            query, digest = found
        if not query:
            return None
        return Wanted(query, variables or {}, operation, request.method, digest)

    def _persisted(self, request: Request, query: str | None, persisted: Any) -> tuple[str, str] | Response:
        record: RequestRecord = request.state.record
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str) or persisted.get("version") != 1:
            record.error_codes = ["BAD_REQUEST"]
            return JSONResponse(error_body("extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": …}.",
                                           "BAD_REQUEST", record.request_id), status_code=400)  # fmt: skip
        digest = digest.lower()
        if query is None:
            known = self.persisted.lookup(digest)
            if known is None:
                record.error_codes = ["PERSISTED_QUERY_NOT_FOUND"]
                return JSONResponse(
                    error_body("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", record.request_id)
                )
            return known, ""
        if sha256(query) != digest:
            record.error_codes = ["BAD_REQUEST"]
            return JSONResponse(error_body("provided sha does not match query", "BAD_REQUEST", record.request_id),
                                status_code=400)  # fmt: skip
        return query, digest

    # --- the response cache ---------------------------------------------------------------------

    async def _cached(
        self, request: Request, wanted: Wanted, context: Context
    ) -> Response | tuple[str, Stamp, str] | None:
        """A cached answer (or 304) for the request, or where to keep its answer; None when it
        may not be cached (a token that does not check out, Neo4j not answering)."""
        assert self.cache is not None
        role = await _role(context)
        if role is None:
            return None
        stamp = await request.app.state.versions.fresh(own=bool(self._bookmarks()))
        if stamp is None:
            return None
        key = request_key(wanted.query, wanted.operation_name, wanted.variables, context.lang.value, role)
        tag = etag(stamp, key)
        if wanted.method == "GET" and etag_matches(request.headers.get("if-none-match"), tag):
            self.metrics.cache_results.labels("not_modified").inc()
            return Response(status_code=304, headers=self._cache_headers(tag, "GET"))
        body = self.cache.get(key, stamp)
        if body is not None:
            self.metrics.cache_results.labels("hit").inc()
            return Response(body, media_type="application/json", headers=self._cache_headers(tag, wanted.method))
        self.metrics.cache_results.labels("miss").inc()
        return key, stamp, tag

    @staticmethod
    def _bookmarks() -> tuple[str, ...]:
        stats = request_stats()
        return stats.bookmarks if stats is not None else ()

    def _cache_headers(self, tag: str, method: str) -> dict[str, str]:
        headers = {"etag": tag, "vary": "Accept-Language, Authorization"}
        if method == "GET":
            headers["cache-control"] = self.settings.cache_control
        return headers

    # --- the whole way --------------------------------------------------------------------------

    async def _execute(self, request: Request, context: Context, wanted: Wanted) -> dict[str, Any]:
        try:
            result = await self.schema.execute(
                wanted.query, variable_values=wanted.variables, context_value=context,
                operation_name=wanted.operation_name, allowed_operation_types=OperationType.from_http(wanted.method),  # type: ignore[arg-type]
            )  # fmt: skip
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason(wanted.method)) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc
        answer: dict[str, Any] = await self.process_result(request, result)
        return answer


_HTTP_CODES = {405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE"}


def _sentence(reason: str) -> str:
    reason = reason.strip() or "The request cannot be taken."
    return reason if reason.endswith((".", "?", "!")) else reason + "."


def _operations(query: str, max_tokens: int) -> int:
    """How many operations a document holds (0 when it does not parse: Strawberry says why)."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return 0
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


BAD_BOOKMARK = (
    "The Deptgraph-Bookmark header must be the value a mutation's response gave "
    "(extensions.bookmark, or its Deptgraph-Bookmark header)"
)


# Root fields whose answers depend on nothing but the graph, the request and the caller's role
# (besides the compiled ones): `changes` reads a clock (`since: "2h"`), `about` the server.
CACHEABLE_ROOTS = frozenset({"ask", "__typename", "__schema", "__type"})


@dataclass(frozen=True)
class Wanted:
    """A GraphQL request, as read from the HTTP request."""

    query: str
    variables: dict[str, Any]
    operation_name: str | None
    method: str
    persisted: str = ""  # the hash it was sent with, to be learned once it validates


async def _role(context: Context) -> str | None:
    """The caller's role, for the cache key: `anonymous` without a token; None for a token that
    does not check out (the answer says why, uncached)."""
    auth = context.auth
    if auth is None or auth.header is None:
        return "anonymous"
    try:
        token = await auth.principal()
    except GraphQLError:
        return None
    return token.role if token is not None else "anonymous"


def _graphiql_page(queries: list[NamedQuery]) -> str:
    listed = [
        {"name": q.name, "file": q.file, "vi": q.question_vi, "en": q.question_en, "text": q.text} for q in queries
    ]
    # Inside a <script> element: keep "</script>" and friends from closing it.
    payload = json.dumps(listed, ensure_ascii=False).replace("<", "\\u003c")
    return (STATIC / "graphiql.html").read_text(encoding="utf-8").replace("__QUERIES__", payload)


def create_app(settings: Settings, database: Database | None = None, clock: Clock = system_clock) -> Starlette:
    """Build the app. Pass `database` to share a driver; otherwise the lifespan opens one. `clock`
    tells the time where answers depend on it (what is due for review: `stale`, verifications)."""
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
        app.state.versions = reading.stats.watch = VersionWatch(db, metrics.version_checks.inc)
        app.state.feed = _feed(db, app.state.versions)
        metrics.watch(db)
        try:
            await asyncio.wait_for(reading.stats.measure(db), settings.request_timeout)
        except (DatabaseUnavailable, QueryTimeout, TimeoutError) as exc:
            log.warning("could not measure the graph's list sizes yet (%s); estimating costs with defaults", exc)
        try:
            await asyncio.wait_for(app.state.bookmarks.ready(), settings.request_timeout)
        except (DatabaseUnavailable, QueryTimeout, TimeoutError) as exc:
            log.warning("could not read the bookmark key yet (%s); it is read when first needed", exc)
        # Everything made so far (modules, the schema, compiled plans) lives as long as the process:
        # keep it out of the garbage collector's sweeps, which otherwise walk it on every pause.
        gc.collect()
        gc.freeze()
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

    def _feed(db: Database, versions: VersionWatch) -> ChangeFeed:
        return ChangeFeed(db, versions, settings.change_feed_poll, settings.max_subscriptions,
                          settings.max_subscriptions_per_token)  # fmt: skip

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
    app.state.clock = clock
    app.state.outages = OutageLog()
    key = settings.bookmark_key.get_secret_value().encode() if settings.bookmark_key else None
    app.state.bookmarks = Bookmarks(
        settings.neo4j_database, lambda: deployment_key(app.state.database, "bookmark"), key
    )
    if database is not None:
        # Usable without running the lifespan (e.g. under httpx's ASGITransport in tests).
        app.state.database = database
        app.state.versions = reading.stats.watch = VersionWatch(database, metrics.version_checks.inc)
        app.state.feed = _feed(database, app.state.versions)
        metrics.watch(database)
    return app


def app_from_environment() -> Starlette:
    """The app configured from environment variables (what `deptgraph serve` and uvicorn run, in
    each worker process: logging is set up here too, as workers start afresh)."""
    settings = settings_from_environment()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
