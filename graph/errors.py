"""What cannot be done as asked, and why: the errors `graph` raises for the API to pass on.

Each carries the API error code it stands for, a message a person can act on, and details
(`field`: the input field at fault; `cost` and `limit`; `currentVersion`; …) that go into the
error's extensions.
"""

from __future__ import annotations

from typing import Any


class GraphError(Exception):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.field = field
        self.details = {**({"field": field} if field else {}), **details}


class BadInput(GraphError):
    """The request or its input is at fault."""

    code = "BAD_USER_INPUT"


class NotFound(GraphError):
    code = "NOT_FOUND"


class Conflict(GraphError):
    """The graph changed, or holds something that forbids this change."""

    code = "CONFLICT"


class TooCostly(GraphError):
    """Refused, or cut off, for its size."""

    code = "QUERY_TOO_COSTLY"


class OutOfTime(GraphError):
    code = "TIMEOUT"
