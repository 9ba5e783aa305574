"""Every error a client sees is built here: a message it can act on, `extensions.code` (one of
`graph.errors.ErrorCode`), and the request id; anything unexpected is masked (no stack trace,
Cypher or path leaves the server) and logged under that request id.

Resolvers raise what they know (`graph` errors, `api_error`s); `ErrorPolicy` (a schema extension)
turns each into its envelope — for queries, mutations and every result a subscription streams
alike; the HTTP layer uses `error_body` for what never reaches GraphQL.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.compiled import ReadError
from graph.errors import ErrorCode
from graph.failures import Busy, CommitOutcomeUnknown, DatabaseUnavailable, QueryTimeout, QueryTooLarge
from graph.names import NameNotFound

log = logging.getLogger("deptgraph.api")

WHAT = {"Department": "department", "Topic": "topic", "Party": "party"}


def api_error(message: str, code: ErrorCode, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code.value, **extensions})


def not_found(label: str, path: str, value: str, suggestions: Sequence[dict[str, str]]) -> GraphQLError:
    what = WHAT.get(label, label.lower())
    shown = value if len(value) <= 80 else value[:77] + "…"
    message = f'No {what} matches "{shown}" (in {path}).'
    if label == "Topic" and not suggestions:
        message += " The document does not cover it: no topic, and no flow, step, duty, activity or goal, says so."
    if suggestions:
        names = ", ".join(f"{s['name_en']} ({s['name_vi']}, key `{s['key']}`)" for s in suggestions)
        message += f" Did you mean: {names}?"
    return api_error(
        message, ErrorCode.NOT_FOUND, argument=path, value=shown, suggestions=[s["key"] for s in suggestions]
    )


def error_body(message: str, code: ErrorCode, request_id: str | None, **extensions: Any) -> dict[str, Any]:
    """A GraphQL response body holding one error, for answers given before GraphQL runs."""
    return {"errors": [{"message": message, "extensions": {"code": code.value, **extensions, "requestId": request_id}}]}


class OutageLog:
    """While Neo4j is away every request fails alike: log the first, then one summary line per
    interval rather than hundreds of identical lines a second. One per app (in its state)."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self.last = -interval
        self.suppressed = 0

    def note(self, request_id: str | None, error: Exception) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            more = f" ({self.suppressed} more since the last report)" if self.suppressed else ""
            log.warning("request %s: Neo4j unavailable: %s%s", request_id, error, more)
            self.last, self.suppressed = now, 0
        else:
            self.suppressed += 1


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """A validation message without graphql-core's "Did you mean …?" (which names fields,
    arguments, enum values and input fields the schema has: in production, not for everyone)."""
    return _SUGGESTION.sub("", message)


# Errors graphql-core raises before anything runs: the document is not GraphQL, or too long.
_PARSE_FAILURES = ("Syntax Error", "Document contains more than")
_OURS = frozenset(code.value for code in ErrorCode)


def classify(error: GraphQLError, request_id: str | None, outages: OutageLog | None) -> GraphQLError:
    """The error as the client may see it."""
    original = error.original_error
    extensions = dict(error.extensions or {})
    if isinstance(original, CommitOutcomeUnknown):
        log.warning("request %s: %s", request_id, original)
        message, extensions = (
            "Neo4j went away while committing this change: it may or may not have been saved. "
            "Check `changes` (or the data) before you try again.",
            {"code": ErrorCode.SERVICE_UNAVAILABLE.value, "outcome": "UNKNOWN"},
        )
    elif isinstance(original, Busy):
        message, extensions = f"{original}.", {"code": ErrorCode.SERVICE_UNAVAILABLE.value}
    elif isinstance(original, DatabaseUnavailable):
        if outages is not None:
            outages.note(request_id, original)
        message = "Neo4j is unavailable right now; try again shortly."
        extensions = {"code": ErrorCode.SERVICE_UNAVAILABLE.value}
    elif isinstance(original, QueryTimeout):
        message, extensions = "The request took too long and was stopped.", {"code": ErrorCode.TIMEOUT.value}
    elif isinstance(original, QueryTooLarge):
        log.warning("request %s: %s", request_id, original)
        message, extensions = (
            "Neo4j stopped this query: its answer needs more memory than one query may use. Ask for less, "
            "or page through long lists with their …Connection(first:, after:) fields.",
            {"code": ErrorCode.QUERY_TOO_COSTLY.value},
        )
    elif isinstance(original, NameNotFound):
        found = not_found(original.use.label, original.use.where, original.value, original.suggestions)
        message, extensions = found.message, dict(found.extensions or {})
    elif isinstance(original, ReadError):
        message, extensions = str(original), {"code": original.code.value, **original.details}
    elif extensions.get("code") in _OURS and (original is None or isinstance(original, GraphQLError)):
        message = error.message  # one of ours
    elif error.path is None and original is None and error.message.startswith(_PARSE_FAILURES):
        message, extensions = error.message, {"code": ErrorCode.GRAPHQL_PARSE_FAILED.value}
    elif error.path is None and (isinstance(original, GraphQLError) or "invalid value" in error.message):
        # Variables that do not fit their types: the client's input is at fault.
        message, extensions = error.message, {"code": ErrorCode.BAD_USER_INPUT.value, **_input_field(error.message)}
    elif original is None:
        message = error.message  # a validation error
        code = ErrorCode.GRAPHQL_VALIDATION_FAILED if error.path is None else ErrorCode.BAD_USER_INPUT
        extensions = {"code": code.value}
    else:
        log.error("request %s: unexpected error in %s", request_id, error.path, exc_info=original)
        message, extensions = "Internal server error.", {"code": ErrorCode.INTERNAL_SERVER_ERROR.value}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**extensions, "requestId": request_id},
    )


def _input_field(message: str) -> dict[str, str]:
    """The input field a variable-coercion message points at, e.g. `input.text.en`."""
    variable = re.search(r"Variable '\$(\w+)'", message)
    if variable is None:
        return {}
    at = re.search(r"invalid value at ([^\s:]+)", message)
    missing = re.search(r"required field '(\w+)'", message)
    where = variable.group(1) + (at.group(1) if at else "") + (f".{missing.group(1)}" if missing else "")
    return {"field": where}


class ErrorPolicy(SchemaExtension):
    """Every error leaves with a code and the request id; unexpected ones are masked and logged —
    the result of a query or mutation, and each result a subscription streams."""

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:  # a stream's results were each seen as they left
            self._apply(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        self._streamed = True
        self._apply(result)
        yield

    def _apply(self, result: Any) -> None:
        if result is None or not getattr(result, "errors", None):
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        outages = getattr(context, "outages", None)
        errors = [classify(error, request_id, outages) for error in result.errors or []]
        if not getattr(context, "development", True):
            errors = [_plain(error) for error in errors]
        result.errors = errors
        record = getattr(context, "record", None)
        if record is not None:  # for the access log and the metrics
            record.error_codes = [str((error.extensions or {}).get("code")) for error in errors]

    def on_execute(self) -> Iterator[None]:
        record = getattr(self.execution_context.context, "record", None)
        if record is not None:  # for the access log and the metrics
            record.operation = self.execution_context.operation_name
        yield


def _plain(error: GraphQLError) -> GraphQLError:
    if error.extensions and error.extensions.get("code") == ErrorCode.NOT_FOUND:
        return error  # names of the graph's own things, which anyone who may read can read
    message = without_suggestions(error.message)
    if message == error.message:
        return error
    return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
                        extensions=error.extensions)  # fmt: skip


def codes_of(errors: Sequence[dict[str, Any]]) -> list[str]:
    """The codes of a response's errors (for the access log and the metrics)."""
    return [str((error.get("extensions") or {}).get("code")) for error in errors]
