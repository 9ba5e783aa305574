"""The outermost middleware: a record of every request, with its id, and a cap on bodies.

`RequestRecord` is the one object a request carries for those who report on it: created here,
filled in by the GraphQL endpoint (operation, error codes, Cypher round trips), read by the
access log and the metrics.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from graph.errors import ErrorCode

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass
class RequestRecord:
    """What is known about a request, for its log line and the metrics."""

    request_id: str
    graphql: bool = False
    operation: str | None = None
    error_codes: list[str] = field(default_factory=list)
    round_trips: int = 0


def record_of(scope: Scope) -> RequestRecord | None:
    found = (scope.get("state") or {}).get("record")
    return found if isinstance(found, RequestRecord) else None


class RequestLimits:
    """ASGI middleware: a request id (and record) for every request, and a cap on request bodies."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex
        record = RequestRecord(request_id)
        scope.setdefault("state", {})["record"] = record
        scope["state"]["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        authorizations = [value for name, value in scope["headers"] if name == b"authorization"]
        if len(authorizations) > 1:
            # Which one would count? Proxies and servers disagree; deptgraph does not guess.
            await _answer(send_with_id, 400, error_body(
                "The request carries more than one Authorization header; send exactly one.", ErrorCode.BAD_REQUEST,
                request_id))  # fmt: skip
            record.error_codes = [ErrorCode.BAD_REQUEST]
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await self._too_large(record, send_with_id)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send_with_id)
        except _BodyTooLarge:
            await self._too_large(record, send_with_id)

    async def _too_large(self, record: RequestRecord, send: Send) -> None:
        record.error_codes = [ErrorCode.PAYLOAD_TOO_LARGE]
        message = f"The request body is larger than {self.max_body_bytes} bytes."
        await _answer(send, 413, error_body(message, ErrorCode.PAYLOAD_TOO_LARGE, record.request_id))


async def _answer(send: Send, status: int, body: dict[str, object]) -> None:
    data = orjson.dumps(body)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


# Every response: pages run only what the app itself serves, are never framed, never sniffed,
# and send no Referer to other sites.
SECURITY_HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        b"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
        b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass
