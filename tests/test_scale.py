"""Past one process (issue 15): read-your-writes with bookmarks across app processes, the change
feed across processes, workers with one set of metrics, and a routing (neo4j://) URI."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from deptgraph.settings import Settings
from graph import audit
from graph.connection import Neo4jTarget
from graph.database import Database
from graph.tokens import create_token

from .conftest import app_client, data_of, start_app

CREATE_TOPIC = "mutation($k: String!) { createTopic(input: {key: $k, name: {vi: $k, en: $k}}) { key } }"
FEED = "subscription($after: String) { changes(after: $after) { id operation key } }"


@pytest.fixture(scope="module")
def two_apps(cli_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    env = cli_env | {"DEPTGRAPH_LOG_LEVEL": "warning", "DEPTGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN": "2",
                     "DEPTGRAPH_CHANGE_FEED_POLL": "0.1"}  # fmt: skip
    one, first = start_app(env)
    two, second = start_app(env)
    yield first, second
    for process in (one, two):
        process.terminate()
        process.wait(timeout=20)


async def test_a_read_with_the_bookmark_sees_the_write_on_another_process_every_time(
    two_apps: tuple[str, str], seeded: Database
) -> None:
    writing, reading = two_apps
    editor = await create_token(seeded, "ryw-editor", "editor")
    async with httpx.AsyncClient(timeout=30) as http:
        for round_ in range(200):
            key = f"ryw-{round_}"
            wrote = await http.post(f"{writing}/graphql", json={"query": CREATE_TOPIC, "variables": {"k": key}},
                              headers={"authorization": f"Bearer {editor}"})  # fmt: skip
            body = wrote.json()
            assert body["data"] == {"createTopic": {"key": key}}, body
            bookmark = wrote.headers["deptgraph-bookmark"]
            assert bookmark and body["extensions"]["bookmark"] == bookmark
            read = await http.post(f"{reading}/graphql", json={"query": "query($k: String!) { topic(name: $k) { key } }",
                                                         "variables": {"k": key}},
                             headers={"deptgraph-bookmark": bookmark})  # fmt: skip
            assert read.json() == {"data": {"topic": {"key": key}}}, (round_, read.json())


def test_a_bookmark_that_is_not_one_is_refused(two_apps: tuple[str, str]) -> None:
    response = httpx.post(f"{two_apps[0]}/graphql", json={"query": "{ principles { key } }"},
                          headers={"deptgraph-bookmark": "<script>"}, timeout=10)  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


class Feed:
    """A graphql-transport-ws client of the change feed."""

    def __init__(self, base: str, token: str | None) -> None:
        self.url = base.replace("http://", "ws://") + "/graphql"
        self.token = token

    async def __aenter__(self) -> Feed:
        self.socket = await websockets.connect(self.url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")])
        payload = {"authorization": f"Bearer {self.token}"} if self.token else {}
        await self.socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert await self.next() == {"type": "connection_ack"}
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.socket.close()

    async def subscribe(self, after: str | None, id_: str = "1") -> None:
        message = {"id": id_, "type": "subscribe", "payload": {"query": FEED, "variables": {"after": after}}}
        await self.socket.send(json.dumps(message))

    async def next(self) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.socket.recv(), 30)
        assert isinstance(frame, str), frame  # text frames, as the protocol and browsers expect
        return json.loads(frame)  # type: ignore[no-any-return]

    async def refusal(self) -> tuple[str, str]:
        """The operation's id and error code: an `error` message, or a `next` carrying only errors."""
        message = await self.next()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert message["type"] == "error" or message["payload"]["data"] is None, message
        if message["type"] == "next":  # then the operation is complete
            assert await self.next() == {"id": message["id"], "type": "complete"}
        return message["id"], errors[0]["extensions"]["code"]


async def _write(base: str, token: str, key: str) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(f"{base}/graphql", json={"query": CREATE_TOPIC, "variables": {"k": key}},
                                   headers={"authorization": f"Bearer {token}"})  # fmt: skip
        assert "errors" not in response.json(), response.json()


async def test_a_subscriber_on_one_process_gets_every_change_made_through_another_and_resumes(
    two_apps: tuple[str, str], seeded: Database
) -> None:
    writing, reading = two_apps
    editor = await create_token(seeded, "feed-editor", "editor")
    start = await audit.latest_change(seeded)
    got: list[dict[str, Any]] = []
    async with Feed(reading, editor) as feed:
        await feed.subscribe(start)
        for n in range(10):
            await _write(writing, editor, f"feed-{n}")
        while len(got) < 5:
            message = await feed.next()
            assert message["type"] == "next", message
            got.append(message["payload"]["data"]["changes"])
    # Disconnected: more changes meanwhile; then back, from the last one received.
    for n in range(10, 15):
        await _write(writing, editor, f"feed-{n}")
    async with Feed(reading, editor) as feed:
        await feed.subscribe(got[-1]["id"])
        while len(got) < 15:
            message = await feed.next()
            assert message["type"] == "next", message
            got.append(message["payload"]["data"]["changes"])
    assert [change["key"] for change in got] == [f"feed-{n}" for n in range(15)]  # in order, none lost or twice
    assert all(change["operation"] == "createTopic" for change in got)
    assert [change["id"] for change in got] == sorted(change["id"] for change in got)


async def test_a_feed_from_now_gets_what_commits_after_it_starts(two_apps: tuple[str, str], seeded: Database) -> None:
    writing, reading = two_apps
    editor = await create_token(seeded, "now-editor", "editor")
    async with Feed(reading, editor) as feed:
        await feed.subscribe(None)
        written: list[str] = []
        received: list[str] = []
        for n in range(30):  # write until the feed has started and passes one on (bounded, not timed)
            written.append(f"now-{n}")
            await _write(writing, editor, written[-1])
            try:
                message = json.loads(await asyncio.wait_for(feed.socket.recv(), 1.0))
            except TimeoutError:
                continue
            received.append(message["payload"]["data"]["changes"]["key"])
            break
        assert received, "the feed passed nothing on"
        while received[-1] != written[-1]:
            received.append((await feed.next())["payload"]["data"]["changes"]["key"])
        assert received == written[written.index(received[0]) :]  # from where it started, every one in order


async def test_the_feed_is_bounded_per_token(two_apps: tuple[str, str], seeded: Database) -> None:
    _, reading = two_apps
    editor = await create_token(seeded, "feed-limited", "editor")
    async with Feed(reading, editor) as feed:
        for id_ in ("1", "2", "3"):
            await feed.subscribe(None, id_)
        refused, code = await feed.refusal()  # the three start at once: whichever comes last is refused
        assert code == "TOO_MANY_SUBSCRIPTIONS" and refused in {"1", "2", "3"}
        with pytest.raises(TimeoutError):  # only one: the other two follow the changes
            await asyncio.wait_for(feed.socket.recv(), 2)
    async with Feed(reading, editor) as feed:
        await feed.subscribe("not-a-change-id")
        assert await feed.refusal() == ("1", "BAD_USER_INPUT")
        # Hostile review: a cursor from the future was accepted and then passed nothing on, ever.
        await feed.subscribe("999999999999-0000-ffffffffffff", "2")
        assert await feed.refusal() == ("2", "BAD_USER_INPUT")


def test_workers_share_one_set_of_metrics(cli_env: dict[str, str], seeded: Database) -> None:
    process, base = start_app(cli_env | {"DEPTGRAPH_WORKERS": "2", "DEPTGRAPH_LOG_LEVEL": "warning"})
    try:
        import psutil

        assert len(psutil.Process(process.pid).children(recursive=True)) >= 2
        with httpx.Client(timeout=10) as http:
            for _ in range(20):
                assert http.post(f"{base}/graphql", json={"query": "query Q { principles { key } }"}).status_code == 200
            text = http.get(f"{base}/metrics").text
        total = sum(float(line.split()[-1]) for line in text.splitlines()
                    if line.startswith("deptgraph_graphql_requests_total{"))  # fmt: skip
        assert total >= 20, text[:2000]
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_a_routing_uri_reads_and_writes(settings: Settings, neo4j_target: Neo4jTarget, seeded: Database) -> None:
    routing = Neo4jTarget(neo4j_target.uri.replace("bolt://", "neo4j://"), neo4j_target.user, neo4j_target.password,
                          neo4j_target.database, None)  # fmt: skip
    assert routing.uri.startswith("neo4j://")
    db = Database.connect(routing)
    try:
        token = await create_token(db, "routing-editor", "editor")
        async with app_client(settings, db) as http:
            wrote = await http.post("/graphql", json={"query": CREATE_TOPIC, "variables": {"k": "routed"}},
                                    headers={"authorization": f"Bearer {token}"})  # fmt: skip
            assert wrote.json()["data"] == {"createTopic": {"key": "routed"}}
            assert wrote.headers["deptgraph-bookmark"]
            assert await data_of(http, '{ topic(name: "routed") { key } }') == {"topic": {"key": "routed"}}
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [({"query": "{ departments { key } }"}, "only subscriptions"),
     ({"query": "mutation { deletePrinciple(key: \"x\", expectedVersion: 1) { key } }"}, "only subscriptions"),
     (None, "needs a payload"), ({"query": 5}, "needs a payload"), ({"query": "subscription {"}, "not valid"),
     ({"query": "subscription A { changes { id } } subscription B { changes { id } }"}, "operationName")],
)  # fmt: skip
async def test_the_socket_carries_subscriptions_only_and_refuses_malformed_ones(
    live_server: str, seeded: Database, payload: Any, reason: str
) -> None:
    """Hostile review: queries sent over the socket escaped the request timeout (5 MB answers after
    18 s); a null payload crashed the handler; a syntax error got only `complete`."""
    editor = await create_token(seeded, "socket-editor", "editor")
    async with Feed(live_server, editor) as feed:
        await feed.socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await feed.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
    assert reason in closed.value.rcvd.reason
