"""The app serves GraphQL over the real Neo4j and reports its health truthfully."""

from __future__ import annotations

import re

import httpx

from deptgraph.settings import NEO4J_VERSION

from .conftest import PROJECT


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


async def test_every_module_the_explorer_imports_is_served_as_javascript(client: httpx.AsyncClient) -> None:
    """The explorer is ES modules, each loaded by name from /static/: a module the server does not
    serve, or serves with another type, stops the page (browsers run modules of a script type only)."""
    static = PROJECT / "api" / "static"
    files = sorted(path.name for path in static.iterdir() if path.suffix in (".js", ".css"))
    imported = {
        name for path in static.glob("*.js") for name in re.findall(r'from "\./([\w-]+\.js)"', path.read_text())
    }
    assert imported and imported <= set(files)
    for name in files:
        response = await client.get(f"/static/{name}")
        assert response.status_code == 200, name
        wanted = "application/javascript" if name.endswith(".js") else "text/css"
        assert response.headers["content-type"].startswith(wanted), name
