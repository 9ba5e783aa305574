"""Content negotiation at /graphql, as the GraphQL-over-HTTP specification has it: what a response
is sent as, and what a request must be sent as.

A client that prefers `application/graphql-response+json` to `application/json` gets it, and with
it the specification's status codes: a request that could not run at all (not GraphQL, not valid,
variables that do not fit) is a 400 without `data`; `application/json` keeps the classic 200. A
GraphQL request whose `Accept` allows neither is refused (406); a POST body must be
`application/json` (415).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

GRAPHQL_RESPONSE = "application/graphql-response+json"


def is_graphql(request: Request) -> bool:
    """A GraphQL request, not a page: a POST, or a GET with an operation."""
    return request.method == "POST" or "query" in request.query_params or "extensions" in request.query_params


def is_json(content_type: str) -> bool:
    """Whether a request body's Content-Type is application/json (whatever its parameters)."""
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def response_media_type(accept: str | None) -> str | None:
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


def could_not_run(media_type: str, data: object, errors: list[dict[str, Any]]) -> bool:
    """Whether, sent as `media_type`, an answer is the 400 of a request that could not run at all:
    no data, and errors none of which belongs to a field."""
    return media_type != "application/json" and data is None and bool(errors) and all("path" not in e for e in errors)
