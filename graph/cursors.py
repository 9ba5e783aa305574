"""Cursors: where a page of a list ends, as an opaque text a client hands back for the next one.

A cursor is the sort key of the last item read (a short list of numbers and texts), as
URL-safe base64 of its JSON; a text that is not one is a bad argument, never an error of ours.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson

from graph.errors import BadInput


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: Any, where: str) -> list[Any]:
    try:
        text = str(cursor)
        values = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or not values
        or len(values) > 8
        or not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values)
        or any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in values)  # Neo4j's integers
    ):
        raise BadInput(f"{where}: this is not a cursor from this list (use an endCursor or edge cursor).",
                       argument=where)  # fmt: skip
    return values
