"""A database that stalls or drowns: requests fail fast with SERVICE_UNAVAILABLE, and Neo4j
never gets more queries at once than the bulkhead allows.

Found by the load run with a dying database (`python -m bench.load`): a Neo4j that was starting
accepted connections but did not answer, and every request waited on it until its own deadline
(HTTP 504 after 10 s); and 50 clients at once drowned the freshly started Neo4j.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

import graph.breaker
from api.app import create_app
from api.errors import OutageLog
from api.health import READY_CHECK_TIMEOUT
from deptgraph.settings import Settings
from graph.breaker import TRIAL_SECONDS
from graph.connection import Neo4jTarget
from graph.database import Database
from graph.failures import DatabaseUnavailable
from graph.request_scope import request_scope

from .conftest import app_client, graphql

CONNECT_TIMEOUT = 3.0  # well above TRIAL_SECONDS, so that the test sees the trial's own cap


@pytest_asyncio.fixture
async def stalled() -> AsyncIterator[Database]:
    """A Bolt address whose server completes the handshake and then never says another word, as
    a Neo4j does while it starts, or one behind a hung network path."""
    held: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(20)  # the Bolt preamble and the versions the driver offers
        writer.write(b"\x00\x00\x04\x05")  # "let us speak Bolt 5.4" — and then silence
        await writer.drain()
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    database = Database.connect(
        Neo4jTarget(f"bolt://127.0.0.1:{port}", "neo4j", "x", "neo4j", None), connect_timeout=CONNECT_TIMEOUT
    )
    database.held = held  # type: ignore[attr-defined]  # the connections made to it, for the tests to count
    try:
        yield database
    finally:
        await database.close()
        for writer in held:
            writer.close()
        server.close()


async def timed_query(http: httpx.AsyncClient, query: str) -> tuple[dict[str, object], float]:
    started = time.perf_counter()
    body = await graphql(http, query)
    return body, time.perf_counter() - started


def code_of(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


async def test_a_stalled_neo4j_fails_requests_fast_and_readyz_says_so(
    settings: Settings, stalled: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph.breaker, "BREAKER_SECONDS", 2.0)  # long enough to test the open state
    async with app_client(settings, stalled) as http:
        # The first request finds out: it waits for the connection timeout, not its deadline.
        body, took = await timed_query(http, "{ departments { key } }")
        assert code_of(body) == "SERVICE_UNAVAILABLE"
        assert took < CONNECT_TIMEOUT + 1.0, f"took {took:.2f}s"
        assert stalled.breaker.degraded and stalled.breaker.state == "open"

        # The ones behind it do not try Neo4j at all while the breaker is open (no connection is
        # made; one that tried would wait for the connection timeout) …
        connections = len(stalled.held)  # type: ignore[attr-defined]
        answers = await asyncio.gather(*(timed_query(http, "{ principles { key } }") for _ in range(20)))
        assert {code_of(body) for body, _ in answers} == {"SERVICE_UNAVAILABLE"}
        assert len(stalled.held) == connections  # type: ignore[attr-defined]
        assert max(took for _, took in answers) < CONNECT_TIMEOUT

        # … and when it is half-open, one of them asks Neo4j, for at most TRIAL_SECONDS (not the
        # connection timeout), while the rest still fail at once.
        await asyncio.sleep(2.1)
        assert stalled.breaker.state == "half-open"
        connections = len(stalled.held)  # type: ignore[attr-defined]
        answers = await asyncio.gather(*(timed_query(http, "{ principles { key } }") for _ in range(10)))
        assert {code_of(body) for body, _ in answers} == {"SERVICE_UNAVAILABLE"}
        times = sorted(took for _, took in answers)
        assert TRIAL_SECONDS - 0.1 < times[-1] < CONNECT_TIMEOUT, times  # the trial's own cap, not the timeout
        tried = len(stalled.held) - connections  # type: ignore[attr-defined]
        assert tried <= 1, "only one request at a time tries a Neo4j that did not answer"
        assert stalled.breaker.state == "open"

        started = time.perf_counter()
        ready = await http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        assert time.perf_counter() - started < READY_CHECK_TIMEOUT + 0.7

        metrics = (await http.get("/metrics")).text
        assert 'deptgraph_graphql_errors_total{code="SERVICE_UNAVAILABLE"} 31.0' in metrics
        assert 'deptgraph_neo4j_breaker_state{state="closed"} 0.0' in metrics


async def test_the_breaker_closes_as_soon_as_neo4j_answers(neo4j_target: Neo4jTarget) -> None:
    database = Database.connect(neo4j_target)
    try:
        # As after an outage: Neo4j failed to answer a moment ago.
        database.breaker.open()
        with_breaker_open = time.perf_counter()
        with pytest.raises(DatabaseUnavailable):
            await database.read("RETURN 1 AS ok")
        assert time.perf_counter() - with_breaker_open < 0.05, "an open breaker lets no query through"
        await database.check()  # /readyz's probe goes through, and its answer closes the breaker
        assert database.breaker.state == "closed"

        # Half-open: the next request asks Neo4j first, and goes on when it answers.
        database.breaker.open()
        database.breaker.open_until = time.monotonic()
        assert database.breaker.state == "half-open"
        with request_scope(timeout=10) as stats:
            assert await database.read("RETURN 2 AS ok") == [{"ok": 2}]
        assert database.breaker.state == "closed"
        assert stats.round_trips == 1  # the trial's `RETURN 1` is not the request's
    finally:
        await database.close()


async def test_a_request_waiting_for_its_turn_fails_when_the_breaker_opens(neo4j_target: Neo4jTarget) -> None:
    database = Database.connect(neo4j_target, max_concurrent=1)
    try:
        with request_scope(timeout=30):
            running = asyncio.create_task(database.read("UNWIND range(1, 3000000) AS x RETURN sum(x) AS s"))
            await asyncio.sleep(0.05)
            assert database.in_flight == 1  # it holds the only slot
            waiting = asyncio.create_task(database.read("RETURN 1 AS ok"))
            await asyncio.sleep(0.05)
            database.breaker.open()  # as when another request has just found Neo4j gone
            with pytest.raises(DatabaseUnavailable, match="waited its turn"):
                await waiting
            assert (await running)[0]["s"] == 3000000 * 3000001 // 2  # what was at Neo4j carries on
    finally:
        await database.close()


async def test_neo4j_never_gets_more_queries_at_once_than_the_bulkhead_allows(neo4j_target: Neo4jTarget) -> None:
    database = Database.connect(neo4j_target, max_concurrent=2)
    try:
        with request_scope(timeout=30):
            results = await asyncio.gather(
                *(database.read("UNWIND range(1, $n) AS x RETURN sum(x) AS total", n=200_000 + i) for i in range(8))
            )
        assert [rows[0]["total"] for rows in results] == [(n * (n + 1)) // 2 for n in range(200_000, 200_008)]
        assert database.peak_in_flight == 2
        assert database.in_flight == 0
    finally:
        await database.close()


async def test_an_outage_is_logged_once_per_interval_not_once_per_request(
    settings: Settings, stalled: Database, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings, database=stalled)
    app.state.services.outages = OutageLog(interval=60)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://deptgraph.test") as http:
        with caplog.at_level(logging.WARNING, logger="deptgraph"):
            for _ in range(25):
                assert code_of(await graphql(http, "{ departments { key } }")) == "SERVICE_UNAVAILABLE"
    reports = [r.getMessage() for r in caplog.records if "Neo4j unavailable" in r.getMessage()]
    assert len(reports) == 1, reports  # the first failure, then silence until the interval is over
    assert app.state.services.outages.suppressed == 24
