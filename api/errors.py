"""Errors clients can act on, each with an `extensions.code`; everything else is masked.

Codes: NOT_FOUND (a name matched nothing; suggestions included), BAD_USER_INPUT,
SERVICE_UNAVAILABLE (Neo4j cannot be reached right now), TIMEOUT, INTERNAL_SERVER_ERROR
(anything unexpected: no details leave the server, the log has them under the request id).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

KNOWN_CODES = frozenset(
    {
        "NOT_FOUND", "BAD_USER_INPUT", "SERVICE_UNAVAILABLE", "TIMEOUT",
        "UNAUTHENTICATED", "FORBIDDEN", "CONFLICT",
    }
)  # fmt: skip

WHAT = {"Department": "department", "Topic": "topic", "Party": "party"}


def api_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def not_found(label: str, path: str, value: str, suggestions: list[dict[str, str]]) -> GraphQLError:
    what = WHAT.get(label, label.lower())
    message = f'No {what} matches "{value}" (in {path}).'
    if suggestions:
        names = ", ".join(f"{s['name_en']} ({s['name_vi']}, key `{s['key']}`)" for s in suggestions)
        message += f" Did you mean: {names}?"
    return api_error(
        message,
        "NOT_FOUND",
        argument=path,
        value=value,
        suggestions=[s["key"] for s in suggestions],
    )
