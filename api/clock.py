"""The time, as the app tells it: `create_app(clock=…)` sets it once for the app (tests move it
forward to make a verification overdue without waiting); the system's clock otherwise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from strawberry.types import Info

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def now(info: Info[Any, Any]) -> datetime:
    """Now, by the clock of the app serving the request."""
    clock = getattr(info.context, "clock", None)
    return clock() if clock is not None else system_clock()
