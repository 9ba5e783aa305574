"""What cannot be done as asked, and why: the errors `graph` raises for the API to pass on.

Each carries the API error code it stands for, a message a person can act on, and details
(`field`: the input field at fault; `cost` and `limit`; `currentVersion`; …) that go into the
error's extensions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every `extensions.code` a client may see: the README lists them from here, the error policy
    gives no other, and a test makes each one happen."""

    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    TIMEOUT = "TIMEOUT"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    BAD_REQUEST = "BAD_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    BOOKMARK_NOT_REACHED = "BOOKMARK_NOT_REACHED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

    @property
    def meaning(self) -> str:
        return MEANINGS[self]


MEANINGS = {
    ErrorCode.NOT_FOUND: "a name or key matched nothing; the message and `extensions.suggestions` name the closest",
    ErrorCode.BAD_USER_INPUT: "an argument or input is wrong; `extensions.field` / `argument` says which",
    ErrorCode.GRAPHQL_PARSE_FAILED: "the document is not GraphQL, or has more tokens than allowed",
    ErrorCode.GRAPHQL_VALIDATION_FAILED: "the document does not fit the schema or the request limits "
    "(depth, aliases, directives, repeated fields)",
    ErrorCode.UNAUTHENTICATED: "a token is needed, or the one sent is malformed, unknown or revoked",
    ErrorCode.FORBIDDEN: "the token's role is too low for this",
    ErrorCode.CONFLICT: "the thing changed since `expectedVersion`, or the graph holds something that forbids "
    "the change",
    ErrorCode.QUERY_TOO_COSTLY: "refused or cut off for its size (`extensions.cost`, `extensions.limit`)",
    ErrorCode.TIMEOUT: "the request ran past `DEPTGRAPH_REQUEST_TIMEOUT` (504 when the whole request did)",
    ErrorCode.SERVICE_UNAVAILABLE: "Neo4j cannot be reached right now; try again shortly",
    ErrorCode.TOO_MANY_SUBSCRIPTIONS: "the server or the token already holds as many change-feed subscriptions "
    "as allowed",
    ErrorCode.BAD_REQUEST: "400: a request GraphQL cannot take (a batch, bad JSON, several operations without "
    "`operationName`, two `Authorization` headers, a bookmark this deployment did not give, …)",
    ErrorCode.METHOD_NOT_ALLOWED: "405: only GET and POST reach /graphql; a mutation only by POST",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "415: a POST body must be `application/json`",
    ErrorCode.NOT_ACCEPTABLE: "406: the `Accept` header allows neither `application/graphql-response+json` nor "
    "`application/json`",
    ErrorCode.PAYLOAD_TOO_LARGE: "413: the body is larger than `DEPTGRAPH_MAX_BODY_BYTES`",
    ErrorCode.PERSISTED_QUERY_NOT_FOUND: "the hash of an automatic persisted query is not known yet: send the "
    "query with it once",
    ErrorCode.BOOKMARK_NOT_REACHED: "503: Neo4j did not reach the `Deptgraph-Bookmark`'s state in time",
    ErrorCode.INTERNAL_SERVER_ERROR: "anything unexpected: no stack trace or Cypher leaves the server; the log has "
    "the details under the request id",
}


class GraphError(Exception):
    code = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.field = field
        self.details = {**({"field": field} if field else {}), **details}


class BadInput(GraphError):
    """The request or its input is at fault."""

    code = ErrorCode.BAD_USER_INPUT


class NotFound(GraphError):
    code = ErrorCode.NOT_FOUND


class Conflict(GraphError):
    """The graph changed, or holds something that forbids this change."""

    code = ErrorCode.CONFLICT


class TooCostly(GraphError):
    """Refused, or cut off, for its size."""

    code = ErrorCode.QUERY_TOO_COSTLY


class OutOfTime(GraphError):
    code = ErrorCode.TIMEOUT
