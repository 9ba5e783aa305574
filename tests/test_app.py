"""The app serves GraphQL over the real Neo4j and reports its health truthfully."""

from __future__ import annotations

import httpx

from deptgraph.settings import NEO4J_VERSION


async def test_healthz_says_the_process_is_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_when_neo4j_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_graphql_round_trip_reaches_neo4j_through_the_apps_driver(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": "{ about { version neo4jVersion neo4jEdition } }"})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert body["data"]["about"]["neo4jVersion"] == NEO4J_VERSION
    assert body["data"]["about"]["neo4jEdition"] == "community"


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
