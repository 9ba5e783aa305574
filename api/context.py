"""What every resolver may use: the database, the reader's language, the request id."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from api.auth import Auth
from graph.ask_index import AskIndexCache
from graph.compiled import Limits
from graph.cost import GraphStats
from graph.database import Database


@strawberry.enum(description="A language of the knowledge: Vietnamese (the source) or English.")
class Lang(Enum):
    VI = "vi"
    EN = "en"


def preferred_lang(accept_language: str | None) -> Lang:
    """The first of vi / en the Accept-Language header prefers; Vietnamese otherwise."""
    choices: list[tuple[float, int, Lang]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in ("vi", "en") and quality > 0:
            choices.append((-quality, index, Lang(primary)))
    return min(choices)[2] if choices else Lang.VI


ASKS_AT_ONCE = 2


# The request id of what the warm-up runs: its questions are counted by no one (api.ask).
WARM_UP = "warm-up"


@dataclass(frozen=True)
class Reading:
    """How reads are bounded: what one answer may hold, the largest cost accepted, and the
    graph's list sizes the cost is estimated from."""

    limits: Limits
    stats: GraphStats
    max_cost: int
    stats_max_age: float = 30.0
    vocabulary: AskIndexCache = field(default_factory=AskIndexCache)  # what ask knows of the graph
    # Questions answered at once per process: the others wait their turn without holding the event
    # loop, so that /healthz and cheap reads are not queued behind a crowd of asks.
    asks: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(ASKS_AT_ONCE))


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    database: Database
    request_id: str
    reading: Reading
    lang: Lang = Lang.VI
    auth: Auth | None = None
    development: bool = True  # suggestions in errors, versions for anyone (see DEPTGRAPH_ENV)
    outages: Any = None  # the app's api.errors.OutageLog
    record: Any = None  # the request's api.middleware.RequestRecord
    connection_params: Any = None  # a WebSocket connection's init payload (subscriptions)
    versions: Any = None  # the app's graph.version.VersionWatch
    feed: Any = None  # the app's api.feed.ChangeFeed (subscriptions)
    # What the executor read ahead for the query's declared root fields, by response key: an
    # answer, or the error that field gets (api.execution).
    read_ahead: dict[str, Any] | None = None
    review_interval_days: int = 180  # DEPTGRAPH_REVIEW_INTERVAL_DAYS: when a relationship is due for review
    clock: Any = None  # the app's api.clock.Clock: what time it is where answers depend on it
    # False when a resolver's answer must not be served again from the response cache (ask
    # counts every asking of a question it declines).
    cacheable: bool = True
    # False for the app's own requests (warming up): `ask` counts only the questions people ask.
    counts_questions: bool = True
