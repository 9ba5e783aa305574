"""The short path answers exactly as the executor does (issue 14).

The same documents go through two apps on the same graph, one answering compiled operations by
the short path (api/shortcut.py), the other with it switched off so that graphql-core executes
every field; the two responses must be the same, errors included (request ids aside).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.routing import Route

from api.app import GraphQLEndpoint, create_app
from api.queries import load_queries
from deptgraph.settings import Settings
from graph.database import Database

from .conftest import PROJECT

EXTRA = [
    (
        "fragments and aliases",
        """
        query F { a: department(key: "sales") { ...D } b: department(key: "ke toan") { ...D } }
        fragment D on Department { key vi: name(lang: VI) en: name(lang: EN) __typename }""",
        {},
    ),
    (
        "skip and include",
        """
        query($yes: Boolean!) { principles { key title @include(if: $yes) text @skip(if: $yes) } }""",
        {"yes": True},
    ),
    (
        "a default variable",
        """
        query($k: String = "accounting") { department(key: $k) { key needs { key kind } } }""",
        {},
    ),
    ("a name that matches nothing", '{ needs(of: "nobody") { key } principles { key } }', {}),
    ("an optional name that matches nothing", '{ department(key: "nobody") { key } principles { key } }', {}),
    ("a page", "{ topicsConnection(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { key } } }", {}),
    ("too costly", "{ departments { relationships { flows { topics { flows { topics { flows { key } } } } } } } }", {}),
    ("a bad argument", '{ search(text: "ke toan", limit: 0) { key } }', {}),
    ("two operations", "query A { principles { key } } query B { topics { key } }", {}),
]


def without_request_ids(body: dict[str, Any]) -> dict[str, Any]:
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


def endpoint_of(app: Any) -> GraphQLEndpoint:
    return next(r.app for r in app.routes if isinstance(r, Route) and isinstance(r.app, GraphQLEndpoint))


@pytest_asyncio.fixture
async def both(settings: Settings, seeded: Database) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    uncached = settings.model_copy(update={"response_cache": False})
    short, whole = create_app(uncached, database=seeded), create_app(uncached, database=seeded)
    endpoint_of(whole).shortcut.compiled_roots = frozenset()  # every operation through the executor
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=short), base_url="http://short") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=whole), base_url="http://whole") as b,
    ):
        yield a, b


CASES = [(q.name, q.text, {"lang": "EN"}) for q in load_queries(PROJECT / "queries")] + EXTRA


@pytest.mark.parametrize(("name", "query", "variables"), CASES, ids=[c[0] for c in CASES])
async def test_the_short_path_answers_as_the_executor_does(
    both: tuple[httpx.AsyncClient, httpx.AsyncClient], name: str, query: str, variables: dict[str, Any]
) -> None:
    short, whole = both
    payload = {"query": query, "variables": variables}
    if name == "two operations":
        payload["operationName"] = "B"
    a, b = await short.post("/graphql", json=payload), await whole.post("/graphql", json=payload)
    assert (a.status_code, without_request_ids(a.json())) == (b.status_code, without_request_ids(b.json()))
    assert a.json().get("data") or a.json().get("errors")


async def test_compiled_operations_do_take_the_short_path(settings: Settings, seeded: Database) -> None:
    app = create_app(settings.model_copy(update={"response_cache": False}), database=seeded)
    prepared = endpoint_of(app).shortcut.prepare("{ principles { key } }", None)
    assert prepared is not None and prepared.compiled
    assert not endpoint_of(app).shortcut.prepare('{ ask(question: "x") { understood } }', None).compiled  # type: ignore[union-attr]
    assert endpoint_of(app).shortcut.prepare("{ principles { nope } }", None) is None  # the executor says why
