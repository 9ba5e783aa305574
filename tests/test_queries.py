"""The named operations in queries/: they all answer, GraphiQL offers them, and none is N+1."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.context import Context, Lang, Reading
from api.queries import load_queries
from api.schema import build_schema
from deptgraph.settings import Settings
from domain.knowledge import Knowledge
from graph.compiled import Limits
from graph.cost import GraphStats
from graph.database import Database
from graph.request_scope import request_scope
from seed.loader import load
from seed.synthetic import synthetic_org

from .conftest import PROJECT, data_of

QUERIES = load_queries(PROJECT / "queries")


def test_there_is_one_named_operation_per_onboarding_question() -> None:
    assert len(QUERIES) == 12  # the eleven questions of domain.md, and how customer feedback reaches Engineering
    assert len({q.name for q in QUERIES}) == len(QUERIES)
    for query in QUERIES:
        assert query.question_vi and query.question_en, f"{query.file} lacks its vi/en comment"


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_named_query_answers_with_data_and_no_errors(api: httpx.AsyncClient, query: Any, lang: str) -> None:
    data = await data_of(api, query.text, lang=lang)
    assert data and all(value not in (None, []) for value in data.values()), data


async def test_graphiql_opens_with_the_named_queries_served_by_the_app(api: httpx.AsyncClient) -> None:
    page = await api.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    for query in QUERIES:
        assert query.name in page.text
    assert "unpkg.com" not in page.text and "cdn." not in page.text
    for asset in ("/assets/graphiql/graphiql.min.js", "/assets/graphiql/graphiql.min.css",
                  "/assets/react/react.production.min.js", "/assets/react-dom/react-dom.production.min.js"):  # fmt: skip
        assert asset in page.text
        response = await api.get(asset)
        assert response.status_code == 200 and len(response.content) > 1000, asset
    assert (await api.get("/assets/../package.json")).status_code == 404


async def test_internal_tools_can_list_the_named_queries(api: httpx.AsyncClient) -> None:
    listed = (await api.get("/queries")).json()
    assert [q["name"] for q in listed] == [q.name for q in QUERIES]
    assert (
        listed[0]["question"]["en"]
        == "What does Sales need from Accounting? (change $of / $from for any department; drop $from for all)"
    )


async def round_trips(schema: Any, db: Database, text: str) -> tuple[int, Any]:
    stats = GraphStats()
    await stats.measure(db)
    reading = Reading(Limits(), stats, max_cost=1_000_000)
    context = Context(request=None, response=None, database=db, request_id="n-plus-one", reading=reading, lang=Lang.EN)  # type: ignore[arg-type]
    with request_scope(30) as stats:
        result = await schema.execute(text, context_value=context)
    assert not result.errors, result.errors
    return stats.round_trips, result.data


async def test_round_trips_do_not_grow_with_the_graph(
    settings: Settings, seeded: Database, seed_knowledge: Knowledge
) -> None:
    schema = build_schema(settings)
    small = {q.name: await round_trips(schema, seeded, q.text) for q in QUERIES}
    plain = build_schema(settings, read_ahead=False)  # graphql-core's executor: a query per root field
    field_by_field = {q.name: await round_trips(plain, seeded, q.text) for q in QUERIES}

    await load(seeded, synthetic_org(200, 4_000, base=seed_knowledge))
    departments = (await seeded.read("MATCH (d:Department) RETURN count(d) AS n"))[0]["n"]
    assert departments == 205
    large = {q.name: await round_trips(schema, seeded, q.text) for q in QUERIES}

    for name, (count, data) in small.items():
        assert count == large[name][0], f"{name}: {count} round trips on the seed, {large[name][0]} on 205 departments"
        # One query for the whole operation, however many root fields it has (graphql-core's own
        # executor makes one per root field: one per response key).
        assert count == 1, name
        assert field_by_field[name] == (len(data), data), name
        if name != "Search":  # ranking depends on the whole corpus; the rest must not change
            assert large[name][1] == data, name
