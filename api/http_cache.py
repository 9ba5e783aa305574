"""The response cache at /graphql: which requests it may answer, answering them from it (or with
304 Not Modified) without running them, keeping what ran, and the validators a client and a CDN
read (ETag, Vary, Cache-Control).

The store itself, keyed and stamped with the graph's version, is `api.cache`. A query may be
answered from it when every root field depends on nothing but the graph, the request and the
caller's role; the key holds the role, so a token that does not check out is never answered from
it (the answer says why, uncached).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql import OperationType as GraphQLOperation
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import GraphQLRequestData

from api.cache import ResponseCache, etag, etag_matches, request_key
from api.context import Context
from api.middleware import RequestRecord
from api.services import Services
from graph.version import Stamp

# Root fields whose answers depend on nothing but the graph, the request and the caller's role
# (besides the declared ones): `changes` reads a clock (`since: "2h"`), `about` the server.
CACHEABLE_ROOTS = frozenset({"ask", "__typename", "__schema", "__type"})


@dataclass(frozen=True)
class Entry:
    """Where an answer is kept once it ran: its key, the graph's stamp read before, its ETag."""

    key: str
    stamp: Stamp
    tag: str


class AnswerCache:
    """The response cache as /graphql uses it."""

    def __init__(self, store: ResponseCache, services: Services, declared_roots: frozenset[str]) -> None:
        self.store = store
        self.services = services
        self.cacheable_roots = declared_roots | CACHEABLE_ROOTS

    def covers(self, operation: OperationDefinitionNode, document: DocumentNode) -> bool:
        """A query whose every root field may be answered from the cache."""
        return (
            operation.operation is GraphQLOperation.QUERY and _root_names(operation, document) <= self.cacheable_roots
        )

    async def lookup(
        self,
        request: Request,
        record: RequestRecord,
        media_type: str,
        own_bookmarks: bool,
        data: GraphQLRequestData,
        context: Context,
        operation: OperationDefinitionNode,
    ) -> Response | Entry | None:
        """The answer from the cache (or 304), or where to keep this one once it ran; None when it
        is not to be kept (a token that does not check out, a graph whose version is not known)."""
        role = await _role(context)
        if role is None or self.services.versions is None:
            return None
        stamp = await self.services.versions.fresh(own=own_bookmarks)
        if stamp is None:
            return None
        assert data.query is not None
        key = request_key(data.query, data.operation_name, data.variables, context.lang.value, role)
        tag = etag(stamp, key)
        metrics = self.services.metrics
        method = request.method
        if method == "GET" and etag_matches(request.headers.get("if-none-match"), tag):
            metrics.cache_results.labels("not_modified").inc()
            return Response(status_code=304, headers=self.headers(tag, "GET"))
        body = self.store.get(key, stamp)
        if body is not None:
            metrics.cache_results.labels("hit").inc()
            record.operation = operation.name.value if operation.name else None
            return Response(body, media_type=media_type, headers=self.headers(tag, method))
        metrics.cache_results.labels("miss").inc()
        return Entry(key, stamp, tag)

    def keep(self, entry: Entry, body: bytes, response: Response, method: str) -> None:
        """Keep an answer that ran (without errors), and tell the client how to validate it."""
        self.store.put(entry.key, entry.stamp, body)
        response.headers.update(self.headers(entry.tag, method))

    def headers(self, tag: str, method: str) -> dict[str, str]:
        headers = {"etag": tag, "vary": "Accept, Accept-Language, Authorization"}
        if method == "GET":
            headers["cache-control"] = self.services.settings.cache_control
        return headers


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
