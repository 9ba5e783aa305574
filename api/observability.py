"""What the service tells its operators: one JSON log line per request, Prometheus metrics, and
a `Server-Timing` header on every response.

Every request is logged with its request id, route, status and duration; GraphQL requests add
the operation name, the error codes and the number of Cypher round trips. `/metrics` exposes
request counts, latency histograms by operation and error counts by code, from a registry that
belongs to the app (so several apps in one process, as in tests, do not mix their numbers).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from pythonjsonlogger.json import JsonFormatter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.middleware import record_of
from graph.database import Database

log = logging.getLogger("deptgraph.access")

# Set by `deptgraph serve --workers N` (N > 1) before the workers start: metrics live in files
# there, shared by the workers, and any worker's /metrics reports them all.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

ROUTES = ("/", "/graphql", "/healthz", "/readyz", "/metrics", "/queries")


class WithoutQueryStrings(logging.Filter):
    """Query strings never reach the log: a client may put a token in a URL (a WebSocket's, which
    uvicorn logs as it accepts it), and the log is read by more people than the token's owner."""

    _QUERY = re.compile(r"\?[^\s\"'\]]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = self._QUERY.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        return True


def log_format(setting: str) -> str:
    """`auto`: plain lines at a terminal (as uvicorn prints them), JSON lines otherwise."""
    if setting == "auto":
        return "text" if sys.stderr.isatty() else "json"
    return setting


def configure_logging(level: str, fmt: str) -> None:
    """Logs to stderr: one JSON object per line (`json`), or plain lines for people (`text`);
    `auto` chooses by whether stderr is a terminal."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(WithoutQueryStrings())
    if log_format(fmt) == "json":
        renamed = {"asctime": "time", "levelname": "level", "name": "logger"}
        handler.setFormatter(JsonFormatter("{asctime}{levelname}{name}{message}", style="{", rename_fields=renamed))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    # The driver logs every broken connection at ERROR while Neo4j restarts; deptgraph reports
    # outages itself (rate-limited), so the driver speaks only when debugging.
    logging.getLogger("neo4j").setLevel(logging.DEBUG if root.level <= logging.DEBUG else logging.CRITICAL)


class Metrics:
    """The app's Prometheus metrics."""

    def __init__(self, known_operations: list[str]) -> None:
        self.registry = CollectorRegistry()
        self.http = Counter(
            "deptgraph_http_requests", "HTTP requests by route and status.", ["route", "status"], registry=self.registry
        )
        self.requests = Counter(
            "deptgraph_graphql_requests", "GraphQL requests by operation.", ["operation"], registry=self.registry
        )
        self.latency = Histogram(
            "deptgraph_graphql_request_duration_seconds", "GraphQL request latency by operation.", ["operation"],
            buckets=(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=self.registry,
        )  # fmt: skip
        self.errors = Counter("deptgraph_graphql_errors", "GraphQL errors by code.", ["code"], registry=self.registry)
        self.round_trips = Counter(
            "deptgraph_cypher_round_trips", "Cypher round trips to Neo4j.", registry=self.registry
        )
        self.in_flight = Gauge(
            "deptgraph_neo4j_queries_in_flight",
            "Queries at Neo4j now (at most DEPTGRAPH_NEO4J_CONCURRENCY per process).",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.breaker = Gauge(
            "deptgraph_neo4j_breaker_state",
            "The Neo4j circuit breaker of each process: how many processes are in each state.",
            ["state"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.breaker_openings = Counter(
            "deptgraph_neo4j_breaker_openings",
            "How often a process's Neo4j circuit breaker opened (Neo4j failed to answer).",
            registry=self.registry,
        )
        self.cache_results = Counter(
            "deptgraph_response_cache",
            "Cacheable GraphQL requests by what the response cache did: hit, miss, not_modified (304).",
            ["result"],
            registry=self.registry,
        )
        for result in ("hit", "miss", "not_modified"):
            self.cache_results.labels(result)
        self.cache_bytes = Gauge(
            "deptgraph_response_cache_bytes", "Bytes of answers in the response caches of the live processes.",
            registry=self.registry, multiprocess_mode="livesum",
        )  # fmt: skip
        self.database: Database | None = None
        self.cache_sizes: Callable[[], int] | None = None
        self.version_checks = Counter(
            "deptgraph_graph_version_checks", "Queries that read the graph's version (shared by requests).",
            registry=self.registry,
        )  # fmt: skip
        self.operations = set(known_operations)

    def watch(self, database: Database) -> None:
        """Read the database's live figures whenever /metrics is scraped (with several worker
        processes, each process writes its own at the end of every request, and the scrape sums
        them over the live processes)."""
        self.database = database
        database.breaker.on_open = self.breaker_openings.inc
        if MULTIPROCESS:
            return
        self.in_flight.set_function(lambda: database.in_flight)
        for state in ("closed", "open", "half-open"):
            self.breaker.labels(state).set_function(partial(_is_state, database, state))

    def watch_cache(self, cache: Any) -> None:
        """Report the response cache's size (`cache.size`, bytes)."""
        if MULTIPROCESS:
            self.cache_sizes = lambda: int(cache.size)
        else:
            self.cache_bytes.set_function(lambda: cache.size)

    def note_process(self) -> None:
        """This process's live figures, for a multiprocess scrape."""
        database = self.database
        if not MULTIPROCESS or database is None:
            return
        self.in_flight.set(database.in_flight)
        if self.cache_sizes is not None:
            self.cache_bytes.set(self.cache_sizes())
        for state in ("closed", "open", "half-open"):
            self.breaker.labels(state).set(_is_state(database, state))

    def operation_label(self, name: str | None) -> str:
        """Operation names come from clients: only the ones the app knows (queries/, persisted
        queries) are labels of their own; any other is `other`, unnamed ones `anonymous`."""
        if not name:
            return "anonymous"
        return name if name in self.operations else "other"

    def know(self, names: list[str]) -> None:
        self.operations.update(names)

    def observe_graphql(self, operation: str | None, seconds: float, codes: list[str], round_trips: int) -> str:
        label = self.operation_label(operation)
        self.requests.labels(label).inc()
        self.latency.labels(label).observe(seconds)
        for code in codes:
            self.errors.labels(code).inc()
        self.round_trips.inc(round_trips)
        return label

    def endpoint(self, token: str | None, open_without_token: bool) -> Any:
        """The /metrics route: behind `Authorization: Bearer <token>` when a token is set; without
        one, open only where `open_without_token` (development)."""
        expected = f"Bearer {token}".encode() if token else None

        async def metrics(request: Request) -> Response:
            if expected is None and not open_without_token:
                return Response("Metrics are served only with DEPTGRAPH_METRICS_TOKEN set in production.\n",
                                status_code=403, media_type="text/plain")  # fmt: skip
            if expected is not None:
                given = request.headers.get("authorization", "").encode()
                if not hmac.compare_digest(given, expected):
                    return Response("Send Authorization: Bearer <DEPTGRAPH_METRICS_TOKEN>.\n", status_code=401,
                                    media_type="text/plain", headers={"www-authenticate": "Bearer"})  # fmt: skip
            self.note_process()
            if MULTIPROCESS:  # every worker's figures, from the files they share
                registry = CollectorRegistry()
                multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
                return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return metrics


def _is_state(database: Database, state: str) -> float:
    return float(database.breaker.state == state)


def route_label(path: str) -> str:
    if path in ROUTES:
        return path
    for prefix in ("/static/", "/assets/"):
        if path.startswith(prefix):
            return prefix + "*"
    return "other"


class AccessLog:
    """ASGI middleware: time each request, count it, and log one line about it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                # How long the app took, for browsers' developer tools and for clients that want
                # to tell the service's time from the network's (https://www.w3.org/TR/server-timing/).
                took = (time.perf_counter() - started) * 1000
                message["headers"] = [*message.get("headers", []), (b"server-timing", f"app;dur={took:.1f}".encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.metrics.note_process()
            record = record_of(scope)
            route = route_label(scope["path"])
            self.metrics.http.labels(route, str(status)).inc()
            fields: dict[str, Any] = {
                "request_id": record.request_id if record else None,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
            if record is not None and record.graphql:
                fields |= {
                    "operation": record.operation,
                    "round_trips": record.round_trips,
                    "error_codes": record.error_codes,
                }
            if route != "/metrics":
                log.info("%s %s %s", scope["method"], scope["path"], status, extra=fields)
