"""The WebSocket on /graphql: the change feed (graphql-transport-ws), and nothing else.

Only editors and admins follow the changes, so a socket is for them alone: `connection_init` must
carry an editor's token (else it is closed with 4403 at once) and must come within a few seconds
(4408). A browser's socket must come from the site's own origin. Every message must be one the
protocol knows, in its shape: anything else closes the socket with 4400 and the reason, as the
protocol has it — no traceback, no message left unanswered.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql import OperationType as GraphQLOperation
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.websocket_origin import is_same_origin

log = logging.getLogger("deptgraph.api")


def same_origin(request: Any, trust_forwarded_proto: bool) -> bool:
    """A browser's socket must come from this very origin — scheme, host and port: a page served
    over plain http may not open the socket of the https site on the same host (Strawberry's
    own check compares host and port only). Clients that send no Origin are not browsers."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    scheme = {"ws": "http", "wss": "https"}.get(request.url.scheme, request.url.scheme)
    forwarded = request.headers.get("x-forwarded-proto")
    if forwarded and trust_forwarded_proto:
        scheme = forwarded.split(",", 1)[0].strip().lower()
    same = is_same_origin(origin, request.headers.get("host")) and origin.lower().startswith(f"{scheme}://")
    if not same:
        log.warning("refused a WebSocket from origin %r to %s://%s", origin[:100], scheme,
                    (request.headers.get("host") or "")[:100])  # fmt: skip
    return same


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
            refusal = _malformed(message)
            if refusal is None and isinstance(message, dict) and message["type"] == "subscribe":
                refusal = _not_a_subscription(message["payload"], self.view.max_tokens)  # type: ignore[attr-defined]
            if refusal is not None:
                await self.ws.close(code=4400, reason=refusal)
                return
            yield message


# The messages a client may send, and what each must hold besides its type.
_CLIENT_MESSAGES = {"connection_init", "ping", "pong", "subscribe", "complete"}


def _malformed(message: object) -> str | None:
    """Why a client's message is not one of graphql-transport-ws's, or None."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "a message is a JSON object with a type"
    kind = message["type"]
    if kind not in _CLIENT_MESSAGES:
        return f"unknown message type {kind[:40]!r}"
    wants_id = kind in ("subscribe", "complete")
    if wants_id and (not isinstance(message.get("id"), str) or not 0 < len(message["id"]) <= 100):
        return f"{kind} needs an id: a string of at most 100 characters"
    if kind in ("connection_init", "ping", "pong") and not isinstance(message.get("payload", {}), dict | None):
        return f"the payload of {kind} is an object"
    if kind == "subscribe":
        payload = message.get("payload")
        if not isinstance(payload, dict):
            return "subscribe needs a payload with a query"
        for name, kinds in (("variables", dict), ("extensions", dict), ("operationName", str)):
            if payload.get(name) is not None and not isinstance(payload[name], kinds):
                return f"{name} must be {'a string' if kinds is str else 'an object'}"
    return None


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
