"""/graphql over HTTP: Strawberry's own view, with deptgraph's request policies in its hooks.

Strawberry reads the request, runs the operation through the schema (whose executor reads declared
root fields ahead, `api.execution`; whose extensions apply the error policy and the document
cache) and writes the response. The hooks here add what HTTP itself decides, once for every
operation:

* `run`: the media type the client accepts (`api.negotiation`; 406 when it accepts none the
  API speaks), the request's time limit (bookmark wait included), its Deptgraph-Bookmark
  (`api.bookmarks`), the bookmark of its writes, its metrics;
* `parse_http_body`: a JSON object (`application/json` only) or GET parameters, checked
  (`api.request_body`), automatic persisted queries (`api.persisted`), one operation or
  `operationName`;
* `execute_single`: the response cache (`api.http_cache`) — a fresh answer or 304 without
  executing;
* `process_result` / `create_response`: the body in the media type the client accepts
  (`application/graphql-response+json`: 400 and no `data` for a request that cannot run), the
  answer kept for the cache, its ETag.

A request refused before GraphQL runs is answered in the errors format too (`error_body`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from graphql import OperationType as GraphQLOperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.types import HTTPMethod
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from api.auth import Auth, Role
from api.bookmarks import HEADER as BOOKMARK_HEADER
from api.bookmarks import BadBookmark, WaitLimits
from api.cache import ResponseCache
from api.context import Context, preferred_lang
from api.errors import codes_of, error_body
from api.feed import authorization
from api.http_cache import AnswerCache, Entry
from api.middleware import RequestRecord
from api.negotiation import GRAPHQL_RESPONSE, could_not_run, is_graphql, is_json, response_media_type
from api.persisted import PersistedQueries, PersistedQueryNotFound
from api.queries import NamedQuery
from api.request_body import chosen, get_parameters, json_object, operation_parts
from api.schema import DeptgraphSchema
from api.services import Services
from api.socket import FeedSocket, same_origin
from graph.errors import ErrorCode
from graph.failures import BookmarkNotReached, DatabaseUnavailable, InvalidBookmark, QueryTimeout
from graph.request_scope import RequestStats, request_scope

log = logging.getLogger("deptgraph.api")

# Errors of a request that could not run: the document, or its variables.
_NOT_RUN = frozenset({ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED})
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
    cached: Entry | None = None  # where to keep the answer
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
        self.cache: AnswerCache | None = None
        if settings.response_cache:
            store = ResponseCache(settings.response_cache_mb * 2**20)
            services.metrics.watch_cache(store)
            self.cache = AnswerCache(store, services, schema.declared_roots)

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
        media_type = response_media_type(request.headers.get("accept"))
        with request_scope(timeout) as stats:
            exchange = Exchange(request, record, stats, media_type or "application/json")
            token = _exchange.set(exchange)
            try:
                if media_type is None and is_graphql(request):
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
        return same_origin(request, self.settings.trust_forwarded_proto)

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
        return json_object(data)

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:
        """The operation a POST body or GET parameters hold, its persisted query resolved."""
        exchange = _exchange.get()
        if request.method == "GET":
            data = get_parameters(request.query_params)
        elif request.method == "POST":
            if not is_json(request.content_type or ""):
                raise HTTPException(415, "A GraphQL POST body must be application/json.")
            data = json_object(await request.get_body())
        else:
            raise HTTPException(405, "/graphql takes GET and POST requests.")
        query, variables, name, extensions = operation_parts(data)
        if extensions and "persistedQuery" in extensions:
            try:
                query, digest = self.persisted.resolve(query, extensions["persistedQuery"])
            except PersistedQueryNotFound:
                exchange.record.graphql = True
                message, code = "PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND
                raise Answered(self._refusal(exchange, message, code, 200)) from None
            if digest is not None:
                exchange.persisted = (digest, query)
        if not query:
            raise HTTPException(400, "No GraphQL query found in the request.")
        exchange.record.graphql = True
        return GraphQLRequestData(query=query, variables=variables, operation_name=name, extensions=extensions)

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
        operation = chosen(document, request_data.operation_name) if document is not None else None
        if operation is not None and operation.operation is GraphQLOperationType.SUBSCRIPTION:
            message = "A subscription runs over the WebSocket at /graphql (graphql-transport-ws), not over HTTP."
            raise HTTPException(400, message)
        if self.cache is not None and operation is not None and self.cache.covers(operation, document):
            found = await self.cache.lookup(
                exchange.request, exchange.record, exchange.media_type, bool(exchange.stats.bookmarks),
                request_data, context, operation,
            )  # fmt: skip
            if isinstance(found, Response):
                raise Answered(found)
            exchange.cached = found
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
        if could_not_run(exchange.media_type, result.data, errors):  # GraphQL over HTTP
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
            self.cache.keep(exchange.cached, body, response, exchange.request.method)
        return response


def _sentence(reason: str) -> str:
    reason = reason.strip() or "The request cannot be taken."
    return reason if reason.endswith((".", "?", "!")) else reason + "."
