"""Internal tools' clients, as they are, against the real app and Neo4j (issue 26).

* the GraphQL-over-HTTP specification's own server audit (graphql-http's `serverAudits`): no error,
  no warning;
* Python's `gql` over aiohttp and httpx, and over websockets for the change feed;
* JavaScript's Apollo Client (with `graphql-ws` for the subscription) and `graphql-ws`'s own client,
  in Node (tests/clients/*.mjs).

Each does what an internal tool does: a named query with variables, an automatic persisted query
over GET (a miss, then a hit), a mutation with a token, and following the change feed — a change
made by a mutation arrives; after a reconnect with `after:`, nothing is missed or repeated.
The README's "From your own code" is copied from these.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from graph.database import Database
from graph.tokens import create_token

from .conftest import PROJECT, start_app

NODE = shutil.which("node")
NEEDS = """query WhatSalesNeedsFromAccounting($of: String!, $from: String) {
  needs(of: $of, from: $from) { key text provider { key } }
}"""
CREATE = """mutation CreateTopic($key: String!) {
  createTopic(input: {key: $key, name: {vi: $key, en: $key}}) { key version }
}"""
CHANGES = "subscription Changes($after: String) { changes(after: $after) { id operation key } }"


@pytest.fixture(scope="module")
def served(cli_env: dict[str, str]) -> Iterator[str]:
    process, base = start_app(cli_env | {"DEPTGRAPH_LOG_LEVEL": "warning", "DEPTGRAPH_CHANGE_FEED_POLL": "0.1"})
    yield base
    process.terminate()
    process.wait(timeout=20)


def node(script: str, *args: str) -> dict[str, Any]:
    assert NODE, "Node.js is needed for the JavaScript clients (make test installs the packages)"
    done = subprocess.run([NODE, str(PROJECT / "tests" / "clients" / script), *args], capture_output=True,
                          text=True, timeout=300, cwd=PROJECT, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_the_graphql_over_http_audit_passes_without_an_error_or_a_warning(served: str) -> None:
    """Before: 53 of 61 with 8 warnings, all one cause — no application/graphql-response+json."""
    audit = node("audit.mjs", f"{served}/graphql")
    problems = [result for result in audit["results"] if result["status"] != "ok"]
    assert (audit["error"], audit["warn"]) == (0, 0), problems
    assert audit["ok"] == len(audit["results"]) >= 60


# --- Python: gql -------------------------------------------------------------------------------


class PersistedGet(HTTPXAsyncTransport):  # type: ignore[misc]
    """gql has no automatic persisted queries: an internal tool adds them in its transport. GET
    with the query's hash; when the server does not know it, GET again with the query too."""

    sent: list[str]

    async def execute(self, request: GraphQLRequest, *args: Any, **kwargs: Any) -> Any:
        query = request.payload["query"]
        digest = hashlib.sha256(query.encode()).hexdigest()
        extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
        params = {"extensions": extensions, "variables": json.dumps(request.variable_values or {})}
        assert self.client is not None
        response = await self.client.get(self.url, params=params)
        body = response.json()
        self.sent.append("hash")
        if any(e.get("extensions", {}).get("code") == "PERSISTED_QUERY_NOT_FOUND" for e in body.get("errors", [])):
            response = await self.client.get(self.url, params=params | {"query": query})
            self.sent.append("hash+query")
        return self._prepare_result(response)


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_gql_runs_a_named_query_with_variables_and_a_mutation_with_a_token(
    served: str, seeded: Database, transport: str
) -> None:
    editor = await create_token(seeded, f"gql-{transport}", "editor")
    url = f"{served}/graphql"
    kind = AIOHTTPTransport if transport == "aiohttp" else HTTPXAsyncTransport
    async with Client(transport=kind(url=url)) as session:
        result = await session.execute(GraphQLRequest(NEEDS, variable_values={"of": "Kinh doanh", "from": "ke toan"}))
        assert result["needs"] and {f["provider"]["key"] for f in result["needs"]} == {"accounting"}
        with pytest.raises(TransportQueryError) as refused:  # no token: the error comes as GraphQL's
            await session.execute(GraphQLRequest(CREATE, variable_values={"key": f"gql-{transport}"}))
        assert refused.value.errors and refused.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    headers = {"Authorization": f"Bearer {editor}"}
    async with Client(transport=kind(url=url, headers=headers)) as session:
        created = await session.execute(GraphQLRequest(CREATE, variable_values={"key": f"gql-{transport}"}))
    assert created["createTopic"] == {"key": f"gql-{transport}", "version": 1}


async def test_gql_sends_a_persisted_query_over_get_that_misses_then_hits(served: str, seeded: Database) -> None:
    transport = PersistedGet(url=f"{served}/graphql")
    transport.sent = []
    query = "query PersistedNeeds($of: String!) { needs(of: $of) { key } }"
    async with Client(transport=transport) as session:
        first = await session.execute(GraphQLRequest(query, variable_values={"of": "accounting"}))
        again = await session.execute(GraphQLRequest(query, variable_values={"of": "accounting"}))
    assert first == again and first["needs"]
    assert transport.sent == ["hash", "hash+query", "hash"]  # learned once, then known by its hash


async def test_gql_follows_the_change_feed_and_resumes_after_the_last_change(served: str, seeded: Database) -> None:
    editor = await create_token(seeded, "gql-feed", "editor")
    ws_url = served.replace("http://", "ws://") + "/graphql"
    feed = WebsocketsTransport(url=ws_url, init_payload={"authorization": f"Bearer {editor}"},
                               subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])  # fmt: skip

    async def write(key: str) -> None:
        async with httpx.AsyncClient() as http:
            body = (await http.post(f"{served}/graphql", json={"query": CREATE, "variables": {"key": key}},
                                    headers={"authorization": f"Bearer {editor}"})).json()  # fmt: skip
            assert "errors" not in body, body

    got: list[dict[str, Any]] = []
    async with Client(transport=feed) as session:
        changes = session.subscribe(GraphQLRequest(CHANGES))
        first = asyncio.ensure_future(anext(aiter(changes)))
        for n in range(20):  # until the subscription has started and passes one on (bounded, not timed)
            await write(f"gql-feed-{n}")
            done, _ = await asyncio.wait([first], timeout=1.0)
            if done:
                break
        got.append(first.result()["changes"])
        await changes.aclose()
    written = [f"gql-feed-{n}" for n in range(n + 1)]
    for extra in range(3):
        await write(f"gql-feed-more-{extra}")
        written.append(f"gql-feed-more-{extra}")
    async with Client(transport=WebsocketsTransport(
        url=ws_url, init_payload={"authorization": f"Bearer {editor}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )) as session:  # fmt: skip
        async for item in session.subscribe(GraphQLRequest(CHANGES, variable_values={"after": got[-1]["id"]})):
            got.append(item["changes"])
            if got[-1]["key"] == written[-1]:
                break
    keys = [change["key"] for change in got]
    assert keys == written[written.index(keys[0]) :]  # in order, from where it started: none missed, none twice
    assert all(change["operation"] == "createTopic" for change in got)


# --- JavaScript: Apollo Client, graphql-ws -------------------------------------------------------


async def test_apollo_client_does_what_an_internal_tool_does(served: str, seeded: Database) -> None:
    editor = await create_token(seeded, "apollo-editor", "editor")
    result = await asyncio.to_thread(node, "apollo.mjs", served, editor)
    assert result["needs"] and set(result["providers"]) == {"accounting"}
    assert result["persisted"] == ["miss", "hit"]  # the hash alone, unknown; then known
    assert result["persistedMethods"] == ["GET", "POST", "GET"]  # hashed ones by GET; Apollo registers by POST
    assert result["created"] == {"key": "apollo-topic", "version": 1}
    assert result["fed"] == "apollo-topic"  # the change the mutation made came over the feed


async def test_the_graphql_ws_client_follows_and_resumes_the_feed(served: str, seeded: Database) -> None:
    editor = await create_token(seeded, "graphql-ws-editor", "editor")
    result = await asyncio.to_thread(node, "feed.mjs", served, editor)
    assert result["before"] == ["ws-0", "ws-1"]  # got while connected
    assert result["resumed"] == ["ws-2", "ws-3", "ws-4"]  # written while away, got after `after:`
