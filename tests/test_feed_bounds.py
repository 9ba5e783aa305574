"""The change feed's bounds hold for the whole deployment (issue 23): a revoked token's feed gets
nothing after the revocation commits; per-token and per-service limits hold across processes;
sockets are for editors, and say who they are in time; a malformed message closes the socket
with 4400, never with a traceback."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from graph.database import Database
from graph.tokens import create_token, revoke_token

from .conftest import start_app
from .test_scale import CREATE_TOPIC, FEED, Feed

PROTOCOL = [websockets.Subprotocol("graphql-transport-ws")]


@pytest.fixture(scope="module")
def pair(cli_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Two app processes on one Neo4j, with small limits: two feeds per token, three in all."""
    env = cli_env | {"DEPTGRAPH_LOG_LEVEL": "warning", "DEPTGRAPH_MAX_SUBSCRIPTIONS_PER_TOKEN": "2",
                     "DEPTGRAPH_MAX_SUBSCRIPTIONS": "3", "DEPTGRAPH_CHANGE_FEED_POLL": "0.1",
                     "DEPTGRAPH_SOCKET_INIT_TIMEOUT": "1"}  # fmt: skip
    one, first = start_app(env)
    two, second = start_app(env)
    yield first, second
    for process in (one, two):
        process.terminate()
        process.wait(timeout=20)


async def write(base: str, token: str, key: str) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(f"{base}/graphql", json={"query": CREATE_TOPIC, "variables": {"k": key}},
                                   headers={"authorization": f"Bearer {token}"})  # fmt: skip
        assert "errors" not in response.json(), response.json()


async def test_nothing_reaches_a_feed_after_its_token_is_revoked(pair: tuple[str, str], seeded: Database) -> None:
    """Hostile review: a change made 1 s after `deptgraph token revoke` was still delivered, in full."""
    writing, reading = pair
    follower = await create_token(seeded, "revoked-follower", "editor")
    writer = await create_token(seeded, "revoke-writer", "editor")
    async with Feed(reading, follower) as feed:
        await feed.subscribe(None)
        await write(writing, writer, "before-revoke")
        first = await feed.next()
        assert first["payload"]["data"]["changes"]["key"] == "before-revoke"
        await revoke_token(seeded, "revoked-follower")
        await write(writing, writer, "after-revoke")
        message = await feed.next()
    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "after-revoke" not in json.dumps(message)


async def test_limits_per_token_and_per_service_hold_across_processes(pair: tuple[str, str], seeded: Database) -> None:
    """Hostile review: one token held 10 feeds under a limit of 5 with two workers."""
    first, second = pair
    alice = await create_token(seeded, "lease-alice", "editor")
    bob = await create_token(seeded, "lease-bob", "editor")
    async with Feed(first, alice) as a1, Feed(second, alice) as a2, Feed(second, alice) as a3:
        await a1.subscribe(None)
        await a2.subscribe(None)
        await asyncio.sleep(1.0)  # both leases taken
        await a3.subscribe(None)
        assert await a3.refusal() == ("1", "TOO_MANY_SUBSCRIPTIONS")  # the token's third, on another process
        async with Feed(first, bob) as b1, Feed(second, bob) as b2:
            await b1.subscribe(None)
            await asyncio.sleep(1.0)
            await b2.subscribe(None)
            assert await b2.refusal() == ("1", "TOO_MANY_SUBSCRIPTIONS")  # the service's fourth
    # Closed feeds give their places back.
    async with Feed(second, bob) as again:
        await again.subscribe(None)
        await write(first, bob, "after-leases")
        assert (await again.next())["payload"]["data"]["changes"]["key"] == "after-leases"


@pytest.mark.parametrize("role", [None, "viewer"])
async def test_a_socket_is_closed_at_once_without_an_editors_token(
    pair: tuple[str, str], seeded: Database, role: str | None
) -> None:
    """Hostile review: 200 anonymous sockets were accepted, acknowledged and kept alive by pings."""
    token = await create_token(seeded, f"socket-{role}", role) if role else None
    url = pair[0].replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=PROTOCOL) as socket:
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_socket_that_does_not_say_who_it_is_is_closed(pair: tuple[str, str]) -> None:
    url = pair[0].replace("http://", "ws://") + "/graphql"

    async def ping_until_closed(socket: Any) -> None:
        while True:  # pings are answered, but do not keep it open
            await socket.send(json.dumps({"type": "ping"}))
            await asyncio.wait_for(socket.recv(), 30)

    async with websockets.connect(url, subprotocols=PROTOCOL) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ping_until_closed(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


MALFORMED: list[Any] = [
    [],
    "subscribe",
    {"id": "1"},
    {"type": 5},
    {"type": "subscribe", "id": {"a": 1}, "payload": {"query": FEED}},
    {"type": "subscribe", "id": "1", "payload": {"query": FEED, "variables": []}},
    {"type": "subscribe", "id": "1", "payload": {"query": FEED, "extensions": "x"}},
    {"type": "subscribe", "id": "1", "payload": {"query": FEED, "operationName": 5}},
    {"type": "complete"},
    {"type": "ping", "payload": [1]},
    {"type": "shout"},
]


@pytest.mark.parametrize("message", MALFORMED, ids=lambda m: json.dumps(m)[:40])
async def test_a_malformed_message_closes_the_socket_with_4400(
    cli_env: dict[str, str], seeded: Database, message: Any
) -> None:
    """Hostile review: `[]`, an `id` that is an object, `variables` a list raised tracebacks at
    ERROR level in Strawberry's handler and dropped the socket without a 4400, or got no answer."""
    editor = await create_token(seeded, "malformed-editor", "editor")
    process, base = start_app(cli_env | {"DEPTGRAPH_LOG_FORMAT": "json"}, stderr=subprocess.PIPE)
    try:
        async with Feed(base, editor) as feed:
            await feed.socket.send(json.dumps(message))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(feed.socket.recv(), 30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400, closed.value
        assert closed.value.rcvd.reason
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert "Traceback" not in err.decode() and '"level": "ERROR"' not in err.decode()


async def test_a_page_of_another_scheme_may_not_open_the_socket(pair: tuple[str, str]) -> None:
    """Hostile review: the Origin check did not compare schemes (an http page could open the
    socket of the https site on the same host and port)."""
    base = pair[0]
    host = base.removeprefix("http://")
    url = base.replace("http://", "ws://") + "/graphql"
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(url, subprotocols=PROTOCOL, origin=websockets.Origin(f"https://{host}"))
    async with websockets.connect(url, subprotocols=PROTOCOL, origin=websockets.Origin(f"http://{host}")):
        pass  # the same origin, scheme included
