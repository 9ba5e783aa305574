"""/graphql over HTTP: Strawberry's own view, with deptgraph's request policies in its hooks.

Strawberry reads the request, runs the operation through the schema (whose executor reads declared
root fields ahead, `api.execution`; whose extensions apply the error policy and the document
cache) and writes the response. The hooks here add what HTTP itself decides, once for every
operation:

* `run`: the request's time limit (bookmark wait included), its Deptgraph-Bookmark
  (`api.bookmarks`), the bookmark of its writes, its metrics;
* `parse_http_body`: a JSON object (`application/json` only) or GET parameters, automatic
  persisted queries (`api.persisted`), one operation or `operationName`;
* `execute_single`: the response cache (`api.cache`) — a fresh answer or 304 without executing;
* `process_result` / `create_response`: the media type the client accepts
  (`application/graphql-response+json`: 400 and no `data` for a request that cannot run), the
  answer kept for the cache, its ETag.

A request refused before GraphQL runs is answered in the errors format too (`error_body`).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql import OperationType as GraphQLOperation
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.types import HTTPMethod
from strawberry.http.websocket_origin import is_same_origin
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from api.auth import Auth, Role
from api.bookmarks import HEADER as BOOKMARK_HEADER
from api.bookmarks import BadBookmark, WaitLimits
from api.cache import ResponseCache, etag, etag_matches, request_key
from api.context import Context, preferred_lang
from api.errors import codes_of, error_body
from api.feed import authorization
from api.middleware import RequestRecord
from api.persisted import PersistedQueries, sha256
from api.queries import NamedQuery
from api.schema import DeptgraphSchema
from api.services import Services
from api.socket import FeedSocket
from graph.errors import ErrorCode
from graph.failures import BookmarkNotReached, DatabaseUnavailable, InvalidBookmark, QueryTimeout
from graph.request_scope import RequestStats, request_scope
from graph.version import Stamp

log = logging.getLogger("deptgraph.api")

GRAPHQL_RESPONSE = "application/graphql-response+json"
# Errors of a request that could not run: the document, or its variables.
_NOT_RUN = frozenset({ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED})
# Root fields whose answers depend on nothing but the graph, the request and the caller's role
# (besides the declared ones): `changes` reads a clock (`since: "2h"`), `about` the server.
CACHEABLE_ROOTS = frozenset({"ask", "__typename", "__schema", "__type"})
_HTTP_CODES = {
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
}
BAD_BOOKMARK = (
    "The Deptgraph-Bookmark header must be the value a mutation's response gave "
    "(extensions.bookmark, or its Deptgraph-Bookmark header)"
)


class Answered(Exception):
    """The request is answered before GraphQL runs (a cached answer, 304, a refusal)."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


@dataclass
class Exchange:
    """One HTTP request's business, as the hooks learn it."""

    request: Request
    record: RequestRecord
    stats: RequestStats
    media_type: str = "application/json"
    persisted: tuple[str, str] | None = None  # a query and the hash it came with, learned once it ran
    cached: tuple[str, Stamp, str] | None = None  # where to keep the answer: key, stamp, ETag
    context: Context | None = None
    status: int | None = None  # when the body decides it (a request that could not run)


_exchange: contextvars.ContextVar[Exchange] = contextvars.ContextVar("deptgraph_exchange")


class GraphQLEndpoint(GraphQL[Context, None]):
    """Strawberry's ASGI view for /graphql, with deptgraph's context, policies and GraphiQL."""

    websocket_adapter_class = FeedSocket

    def __init__(self, schema: DeptgraphSchema, services: Services, queries: list[NamedQuery], page: str) -> None:
        settings = services.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            # Only the current protocol: the legacy `graphql-ws` one would be one more way in.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # A socket that does not say who it is within a few seconds is closed (4408).
            connection_init_wait_timeout=timedelta(seconds=settings.socket_init_timeout),
            max_subscriptions_per_connection=settings.max_subscriptions,
        )
        self.sockets = 0  # open WebSockets of this process
        self.services = services
        self.settings = settings
        self.max_tokens = schema.max_tokens
        self.graphiql_page = page
        self.persisted = PersistedQueries([q.text for q in queries])
        self.bookmark_waits = WaitLimits()
        self.cacheable_roots = schema.declared_roots | CACHEABLE_ROOTS
        self.cache = ResponseCache(settings.response_cache_mb * 2**20) if settings.response_cache else None
        if self.cache is not None:
            services.metrics.watch_cache(self.cache)

    # --- the request as a whole -------------------------------------------------------------------

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, WebSocket):  # the change feed: graphql-transport-ws, bounded by its own rules
            if self.sockets >= self.settings.max_subscriptions:  # every socket needs an editor: as many as feeds
                await request.close(code=1013, reason="too many connections; try again later")
                return request
            self.sockets += 1
            try:
                return await super().run(request, context, root_value)
            finally:
                self.sockets -= 1
        timeout = self.settings.request_timeout
        started = time.perf_counter()
        deadline = asyncio.get_running_loop().time() + timeout  # bookmark wait included
        record: RequestRecord = request.state.record
        bookmarks = self.services.bookmarks
        media_type = _media_type(request.headers.get("accept"))
        with request_scope(timeout) as stats:
            exchange = Exchange(request, record, stats, media_type or "application/json")
            token = _exchange.set(exchange)
            try:
                if media_type is None and _is_graphql(request):
                    message = f"Send Accept: {GRAPHQL_RESPONSE} or application/json (or none)."
                    raise Answered(self._refusal(exchange, message, ErrorCode.NOT_ACCEPTABLE, 406))
                response = await self._reach_bookmarks(exchange, timeout)
                if response is None:
                    async with asyncio.timeout_at(deadline):
                        response = await super().run(request)
            except Answered as answered:
                response = answered.response
            except HTTPException as exc:  # a request GraphQL cannot take: said in the errors format too
                code = _HTTP_CODES.get(exc.status_code, ErrorCode.BAD_REQUEST)
                response = self._refusal(exchange, _sentence(exc.reason), code, exc.status_code)
            except TimeoutError:
                log.warning("request %s: stopped after %.1fs", record.request_id, timeout)
                message = f"The request took longer than {timeout:g}s and was stopped."
                response = self._refusal(exchange, message, ErrorCode.TIMEOUT, 504)
            finally:
                _exchange.reset(token)
            record.round_trips = stats.round_trips
        if stats.written:
            response.headers[BOOKMARK_HEADER] = await bookmarks.seal(stats.written)
        if record.graphql or request.method == "POST" or "query" in request.query_params:
            record.graphql = True
            record.operation = self.services.metrics.observe_graphql(
                record.operation, time.perf_counter() - started, record.error_codes, stats.round_trips
            )
        return response

    def _refusal(
        self, exchange: Exchange, message: str, code: ErrorCode, status: int, **extensions: Any
    ) -> JSONResponse:
        exchange.record.error_codes = [code]
        body = error_body(message, code, exchange.record.request_id, **extensions)
        headers = {"allow": "GET, POST"} if status == 405 else {}
        return JSONResponse(body, status_code=status, media_type=exchange.media_type, headers=headers)

    async def _reach_bookmarks(self, exchange: Exchange, limit: float) -> Response | None:
        """Check the caller's Deptgraph-Bookmark and wait until Neo4j's state includes it; a
        response when the request cannot go on (a bookmark this deployment did not give, one not
        reached in time, too many waits from this client)."""
        request, stats = exchange.request, exchange.stats
        try:
            stats.bookmarks = await self.services.bookmarks.open(request.headers.get(BOOKMARK_HEADER))
            if not stats.bookmarks:
                return None
            client = request.client.host if request.client else "unknown"
            async with self.bookmark_waits.slot(client) as allowed:
                if not allowed:
                    raise BookmarkNotReached("too many requests are waiting for bookmarks")
                await self.services.database.reach(stats.bookmarks, min(self.settings.bookmark_wait, limit))
        except (BadBookmark, InvalidBookmark) as exc:
            stats.bookmarks = ()
            message = str(exc) if isinstance(exc, BadBookmark) else f"{BAD_BOOKMARK} ({exc})"
            return self._refusal(exchange, message, ErrorCode.BAD_REQUEST, 400, header="Deptgraph-Bookmark")
        except BookmarkNotReached as exc:
            message = f"{exc}; try again shortly, or without the Deptgraph-Bookmark header."
            response = self._refusal(
                exchange, message, ErrorCode.BOOKMARK_NOT_REACHED, 503, header="Deptgraph-Bookmark"
            )
            response.headers["retry-after"] = "1"
            return response
        except (DatabaseUnavailable, QueryTimeout):
            pass  # the request itself meets the outage, and says so the usual way
        return None

    # --- Strawberry's hooks -----------------------------------------------------------------------

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        services = self.services
        database = services.database
        record = getattr(request.state, "record", None)
        if record is None:  # a WebSocket: the HTTP middleware does not see it
            record = RequestRecord(uuid.uuid4().hex)
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            database=database,
            request_id=record.request_id,
            reading=services.reading,
            lang=preferred_lang(request.headers.get("accept-language")),
            auth=Auth(request.headers.get("authorization"), database, self.settings.reads_need_token),
            outages=services.outages,
            development=self.settings.development,
            record=record,
            versions=services.versions,
            feed=services.feed,
            clock=services.clock,
            review_interval_days=self.settings.review_interval_days,
        )

    def _check_websocket_origin(self, request: Any) -> bool:
        """A browser's socket must come from this very origin — scheme, host and port: a page served
        over plain http may not open the socket of the https site on the same host (Strawberry's
        own check compares host and port only). Clients that send no Origin are not browsers."""
        origin = request.headers.get("origin")
        if origin is None:
            return True
        scheme = {"ws": "http", "wss": "https"}.get(request.url.scheme, request.url.scheme)
        forwarded = request.headers.get("x-forwarded-proto")
        if forwarded and self.settings.trust_forwarded_proto:
            scheme = forwarded.split(",", 1)[0].strip().lower()
        same = is_same_origin(origin, request.headers.get("host")) and origin.lower().startswith(f"{scheme}://")
        if not same:
            log.warning("refused a WebSocket from origin %r to %s://%s", origin[:100], scheme,
                        (request.headers.get("host") or "")[:100])  # fmt: skip
        return same

    async def on_ws_connect(self, context: Context) -> Any:
        """A socket is for editors and admins (the change feed): the token in `connection_init`'s
        payload must be one, or the socket is closed with 4403."""
        header = authorization(context.connection_params)
        try:
            await Auth(header, self.services.database).require(Role.EDITOR, "Following the changes")
        except GraphQLError as exc:
            raise ConnectionRejectionError from exc
        return UNSET

    def should_render_graphql_ide(self, request: Any) -> bool:
        params = request.query_params
        return (
            request.method == "GET"
            and params.get("query") is None
            and params.get("extensions") is None
            and "text/html" in request.headers.get("accept", "")
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
        if isinstance(parsed, list):
            raise HTTPException(400, "Batching is not supported: send one operation per request.")
        if not isinstance(parsed, dict):
            raise HTTPException(400, 'The request body must be a JSON object like {"query": "…"}.')
        return parsed

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:
        """The operation a POST body or GET parameters hold, its persisted query resolved."""
        exchange = _exchange.get()
        if request.method == "GET":
            data = self._parameters(request.query_params)
        elif request.method == "POST":
            if _media(request.content_type or "") != "application/json":
                raise HTTPException(415, "A GraphQL POST body must be application/json.")
            data = self.parse_json(await request.get_body())
        else:
            raise HTTPException(405, "/graphql takes GET and POST requests.")
        query, variables = data.get("query"), data.get("variables")
        name, extensions = data.get("operationName"), data.get("extensions")
        if not isinstance(query, str | None):
            raise HTTPException(400, "The operation's query must be a string.")
        if not isinstance(variables, dict | None):
            raise HTTPException(400, "The operation's variables must be a JSON object.")
        if not isinstance(name, str | None):
            raise HTTPException(400, "The operationName must be a string.")
        if not isinstance(extensions, dict | None):
            raise HTTPException(400, "The operation's extensions must be a JSON object.")
        if extensions and "persistedQuery" in extensions:
            query = self._persisted(exchange, query, extensions["persistedQuery"])
        if not query:
            raise HTTPException(400, "No GraphQL query found in the request.")
        exchange.record.graphql = True
        return GraphQLRequestData(query=query, variables=variables, operation_name=name, extensions=extensions)

    @staticmethod
    def _parameters(params: Mapping[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {"query": params.get("query"), "operationName": params.get("operationName")}
        for name in ("variables", "extensions"):
            if params.get(name):
                try:
                    data[name] = orjson.loads(params[name])
                except orjson.JSONDecodeError as exc:
                    raise HTTPException(400, f"The {name} parameter must be a JSON object.") from exc
        return data

    def _persisted(self, exchange: Exchange, query: str | None, persisted: Any) -> str:
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str) or persisted.get("version") != 1:
            raise HTTPException(400, 'extensions.persistedQuery must be {"version": 1, "sha256Hash": …}.')
        digest = digest.lower()
        if query is None:
            known = self.persisted.lookup(digest)
            if known is None:
                exchange.record.graphql = True
                raise Answered(self._refusal(exchange, "PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND,
                                             200))  # fmt: skip
            return known
        if sha256(query) != digest:
            raise HTTPException(400, "provided sha does not match query")
        exchange.persisted = (digest, query)
        return query

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Run the operation — or answer it from the response cache (or 304) without running it."""
        exchange = _exchange.get()
        exchange.context = context
        method: HTTPMethod = request_adapter.method
        assert request_data.query is not None
        document = self.schema.documents.parsed(request_data.query)  # type: ignore[attr-defined]
        operation = _chosen(document, request_data.operation_name) if document is not None else None
        if (
            self.cache is not None
            and operation is not None
            and operation.operation is GraphQLOperation.QUERY
            and _root_names(operation, document) <= self.cacheable_roots
        ):
            await self._cached(exchange, request_data, context, method, operation)
        try:
            return await self.schema.execute(
                request_data.query, variable_values=request_data.variables, context_value=context,
                operation_name=request_data.operation_name, allowed_operation_types=OperationType.from_http(method),
                operation_extensions=request_data.extensions,
            )  # fmt: skip
        except CannotGetOperationTypeError as exc:
            if request_data.operation_name is None:
                message = "The document holds several operations: say which one to run with operationName."
                raise HTTPException(400, message) from exc
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            raise HTTPException(405, f"{exc.as_http_error_reason(method)}: send it with POST.") from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request.") from exc

    async def _cached(
        self,
        exchange: Exchange,
        data: GraphQLRequestData,
        context: Context,
        method: str,
        operation: OperationDefinitionNode,
    ) -> None:
        """Answer from the cache (Answered) or note where to keep this answer."""
        assert self.cache is not None
        role = await _role(context)
        if role is None or self.services.versions is None:
            return
        stamp = await self.services.versions.fresh(own=bool(exchange.stats.bookmarks))
        if stamp is None:
            return
        assert data.query is not None
        key = request_key(data.query, data.operation_name, data.variables, context.lang.value, role)
        tag = etag(stamp, key)
        metrics = self.services.metrics
        if method == "GET" and etag_matches(exchange.request.headers.get("if-none-match"), tag):
            metrics.cache_results.labels("not_modified").inc()
            raise Answered(Response(status_code=304, headers=self._cache_headers(tag, "GET")))
        body = self.cache.get(key, stamp)
        if body is not None:
            metrics.cache_results.labels("hit").inc()
            exchange.record.operation = operation.name.value if operation.name else None
            headers = self._cache_headers(tag, method)
            raise Answered(Response(body, media_type=exchange.media_type, headers=headers))
        metrics.cache_results.labels("miss").inc()
        exchange.cached = (key, stamp, tag)

    def _cache_headers(self, tag: str, method: str) -> dict[str, str]:
        headers = {"etag": tag, "vary": "Accept, Accept-Language, Authorization"}
        if method == "GET":
            headers["cache-control"] = self.settings.cache_control
        return headers

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        """The response body: every error with a code and the request id; the bookmark of the
        request's writes; for `application/graphql-response+json`, a request that could not run
        (not GraphQL, not valid, variables that do not fit) is a 400 without `data`."""
        exchange = _exchange.get()
        response = await super().process_result(request, result)
        errors: list[dict[str, Any]] = response.get("errors") or []  # type: ignore[assignment]
        for error in errors:
            extensions = error.setdefault("extensions", {})
            extensions.setdefault("code", ErrorCode.INTERNAL_SERVER_ERROR.value)
            extensions.setdefault("requestId", exchange.record.request_id)
        exchange.record.error_codes = codes_of(errors)
        if exchange.persisted is not None and not any(
            error["extensions"]["code"] in _NOT_RUN for error in errors
        ):  # a document that parsed and validated: later requests may send its hash alone
            self.persisted.learn(*exchange.persisted)
        if (
            exchange.media_type != "application/json"
            and result.data is None
            and errors
            and all("path" not in error for error in errors)
        ):  # GraphQL-over-HTTP: a request that could not run at all
            exchange.status = 400
            response.pop("data", None)
        if exchange.stats.written:
            bookmark = await self.services.bookmarks.seal(exchange.stats.written)
            response["extensions"] = {**(response.get("extensions") or {}), "bookmark": bookmark}
        return response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        exchange = _exchange.get()
        body = orjson.dumps(response_data)
        status = exchange.status or sub_response.status_code or 200
        response = Response(body, status_code=status, media_type=exchange.media_type)
        response.headers.raw.extend(sub_response.headers.raw)
        cacheable = exchange.context is None or exchange.context.cacheable
        if exchange.cached is not None and cacheable and not response_data.get("errors") and status == 200:
            assert self.cache is not None
            key, stamp, tag = exchange.cached
            self.cache.put(key, stamp, body)
            response.headers.update(self._cache_headers(tag, exchange.request.method))
        return response


def _is_graphql(request: Request) -> bool:
    """A GraphQL request, not a page: a POST, or a GET with an operation."""
    return request.method == "POST" or "query" in request.query_params or "extensions" in request.query_params


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _media_type(accept: str | None) -> str | None:
    """What the response is sent as: the GraphQL-over-HTTP media type when the client prefers it
    to application/json, else application/json; None when the client accepts neither (nor any
    application type, nor anything at all)."""
    if not accept or not accept.strip():
        return "application/json"
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        if media in (GRAPHQL_RESPONSE, "application/json", "application/*", "*/*") and quality > 0:
            ranked.append((-quality, index, media))
    if not ranked:
        return None
    if min(ranked)[2] == GRAPHQL_RESPONSE:
        return f"{GRAPHQL_RESPONSE}; charset=utf-8"
    return "application/json"


def _sentence(reason: str) -> str:
    reason = reason.strip() or "The request cannot be taken."
    return reason if reason.endswith((".", "?", "!")) else reason + "."


def _chosen(document: Any, name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: the one named, or the only one. Several and no name is the
    client's mistake (400) — Strawberry would quietly run the first."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) > 1:
            raise HTTPException(400, "The document holds several operations: say which one to run with operationName.")
        return operations[0] if operations else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _root_names(operation: OperationDefinitionNode, document: Any) -> set[str]:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: set[str] = set()
    stack = [operation.selection_set]
    seen: set[str] = set()
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    seen.add(name)
                    stack.append(fragments[name].selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
    return names


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


def graphiql_page(template: str, queries: list[NamedQuery]) -> str:
    listed = [
        {"name": q.name, "file": q.file, "vi": q.question_vi, "en": q.question_en, "text": q.text} for q in queries
    ]
    # Inside a <script> element: keep "</script>" and friends from closing it.
    payload = json.dumps(listed, ensure_ascii=False).replace("<", "\\u003c")
    return template.replace("__QUERIES__", payload)
