"""The response cache, GET queries, persisted queries and ETags (issue 14).

A cached answer must never be served once the graph has changed — through this process or
another, by any mutation or a seed. The reader and the writer here are separate apps (each with
its own cache and version checks) on one Neo4j, and in the first test two `deptgraph serve`
processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.persisted import PersistedQueries
from api.schema import build_schema
from deptgraph.settings import Settings
from domain.knowledge import Knowledge
from graph.database import Database
from graph.tokens import create_token
from seed.loader import load

from .conftest import app_client, data_of, start_app

DEPARTMENTS = "{ departments { key name(lang: EN) } }"


def metric(text: str, name: str, **labels: str) -> float:
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return 0.0


async def cache_counts(http: httpx.AsyncClient) -> dict[str, float]:
    text = (await http.get("/metrics")).text
    return {r: metric(text, "deptgraph_response_cache_total", result=r) for r in ("hit", "miss", "not_modified")}


async def as_editor(http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                               headers={"authorization": f"Bearer {token}"})  # fmt: skip
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest_asyncio.fixture
async def reader(settings: Settings, seeded: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, seeded) as http:
        yield http


@pytest_asyncio.fixture
async def writer(settings: Settings, seeded: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, seeded) as http:
        yield http


@pytest_asyncio.fixture
async def editor(seeded: Database) -> str:
    return await create_token(seeded, "cache-editor", "editor")


def test_a_write_through_one_process_is_seen_at_once_through_another(
    cli_env: dict[str, str], seeded: Database, editor: str
) -> None:
    env = cli_env | {"DEPTGRAPH_LOG_LEVEL": "warning"}
    one, reading = start_app(env)
    two, writing = start_app(env)
    try:
        first = httpx.post(f"{reading}/graphql", json={"query": DEPARTMENTS}, timeout=10).json()
        again = httpx.post(f"{reading}/graphql", json={"query": DEPARTMENTS}, timeout=10).json()
        assert first == again and "qa" not in {d["key"] for d in first["data"]["departments"]}
        assert metric(httpx.get(f"{reading}/metrics").text, "deptgraph_response_cache_total", result="hit") >= 1
        created = httpx.post(
            f"{writing}/graphql",
            json={"query": 'mutation { createDepartment(input: {key: "qa", name: {vi: "Phòng QA", en: "QA"}}) { key } }'},
            headers={"authorization": f"Bearer {editor}"}, timeout=10,
        ).json()  # fmt: skip
        assert created["data"] == {"createDepartment": {"key": "qa"}}, created
        after = httpx.post(f"{reading}/graphql", json={"query": DEPARTMENTS}, timeout=10).json()
        assert {"key": "qa", "name": "QA"} in after["data"]["departments"]
    finally:
        for process in (one, two):
            process.terminate()
            process.wait(timeout=20)


TEXT = '{vi: "%s", en: "%s"}'


def kinds() -> list[tuple[str, str, str, str, str]]:
    """Per kind: the read the reader caches, a create, an update (`$v`: the version), a delete,
    and the mark the read shows after the create and the update."""
    step = '{actor: "sales", action: {vi: "Kinh doanh làm", en: "Sales does"}}'
    return [
        ("department", DEPARTMENTS,
         f'createDepartment(input: {{key: "qa", name: {TEXT % ("QA", "QA one")}}})',
         f'updateDepartment(key: "qa", expectedVersion: $v, input: {{key: "qa", name: {TEXT % ("QA", "QA two")}}})',
         'deleteDepartment(key: "qa", expectedVersion: $v)'),
        ("party", "{ parties { key name(lang: EN) } }",
         f'createParty(input: {{key: "vendors", name: {TEXT % ("Nhà cung cấp", "QA one")}}})',
         f'updateParty(key: "vendors", expectedVersion: $v, input: {{key: "vendors", name: {TEXT % ("NCC", "QA two")}}})',
         'deleteParty(key: "vendors", expectedVersion: $v)'),
        ("topic", "{ topics { key name(lang: EN) } }",
         f'createTopic(input: {{key: "qa-topic", name: {TEXT % ("Chủ đề", "QA one")}}})',
         f'updateTopic(key: "qa-topic", expectedVersion: $v, input: {{key: "qa-topic", name: {TEXT % ("Chủ đề", "QA two")}}})',
         'deleteTopic(key: "qa-topic", expectedVersion: $v)'),
        ("principle", "{ principles { key title(lang: EN) } }",
         f'createPrinciple(input: {{key: "qa-rule", title: {TEXT % ("Quy tắc", "QA one")}, text: {TEXT % ("a", "b")}}})',
         f'updatePrinciple(key: "qa-rule", expectedVersion: $v, input: {{key: "qa-rule", title: {TEXT % ("Quy tắc", "QA two")}, text: {TEXT % ("a", "b")}}})',
         'deletePrinciple(key: "qa-rule", expectedVersion: $v)'),
        ("statement", "{ statements { key text(lang: EN) } }",
         f'createStatement(input: {{key: "qa-line", section: CONCLUSION, text: {TEXT % ("Câu", "QA one")}}})',
         f'updateStatement(key: "qa-line", expectedVersion: $v, input: {{key: "qa-line", section: CONCLUSION, text: {TEXT % ("Câu", "QA two")}}})',
         'deleteStatement(key: "qa-line", expectedVersion: $v)'),
        ("relationship", '{ department(key: "marketing") { relationships { key title(lang: EN) } } }',
         f'createRelationship(input: {{key: "qa-pair", departments: ["marketing", "accounting"], title: {TEXT % ("Cặp", "QA one")}, summary: {TEXT % ("a", "b")}}})',
         f'updateRelationship(key: "qa-pair", expectedVersion: $v, input: {{key: "qa-pair", departments: ["marketing", "accounting"], title: {TEXT % ("Cặp", "QA two")}, summary: {TEXT % ("a", "b")}}})',
         'deleteRelationship(key: "qa-pair", expectedVersion: $v)'),
        ("flow", '{ relationship(between: "sales", and: "accounting") { flows { key text(lang: EN) } } }',
         f'createFlow(relationship: "sales-accounting", input: {{key: "qa-flow", kind: NEED, provider: "accounting", receiver: "sales", text: {TEXT % ("Luồng", "QA one")}}})',
         f'updateFlow(key: "qa-flow", expectedVersion: $v, input: {{key: "qa-flow", kind: NEED, provider: "accounting", receiver: "sales", text: {TEXT % ("Luồng", "QA two")}}})',
         'deleteFlow(key: "qa-flow", expectedVersion: $v)'),
        ("scenario", '{ relationship(between: "sales", and: "accounting") { examples { key title(lang: EN) } } }',
         f'createScenario(relationship: "sales-accounting", input: {{key: "qa-story", title: {TEXT % ("Ví dụ", "QA one")}, text: {TEXT % ("a", "b")}, steps: [{step}]}})',
         f'updateScenario(key: "qa-story", expectedVersion: $v, input: {{key: "qa-story", title: {TEXT % ("Ví dụ", "QA two")}, text: {TEXT % ("a", "b")}, steps: [{step}]}})',
         'deleteScenario(key: "qa-story", expectedVersion: $v)'),
    ]  # fmt: skip


@pytest.mark.parametrize(("kind", "read", "create", "update", "delete"), kinds(), ids=[k[0] for k in kinds()])
async def test_every_kind_of_mutation_invalidates_what_another_app_cached(
    reader: httpx.AsyncClient, writer: httpx.AsyncClient, editor: str,
    kind: str, read: str, create: str, update: str, delete: str,
) -> None:  # fmt: skip
    before = json.dumps(await data_of(reader, read))
    assert json.dumps(await data_of(reader, read)) == before  # now from the cache
    assert (await cache_counts(reader))["hit"] >= 1
    version = (await as_editor(writer, editor, f"mutation {{ made: {create} {{ version }} }}"))["made"]["version"]
    assert "QA one" in json.dumps(await data_of(reader, read))
    update_doc = f"mutation($v: Int!) {{ made: {update} {{ version }} }}"
    version = (await as_editor(writer, editor, update_doc, {"v": version}))["made"]["version"]
    shown = json.dumps(await data_of(reader, read))
    assert "QA two" in shown and "QA one" not in shown
    delete_doc = f"mutation($v: Int!) {{ gone: {delete} {{ key }} }}"
    await as_editor(writer, editor, delete_doc, {"v": version})
    assert json.dumps(await data_of(reader, read)) == before


async def test_a_seed_invalidates_what_was_cached(
    reader: httpx.AsyncClient, seeded: Database, seed_knowledge: Knowledge
) -> None:
    query = '{ topic(name: "complaints") { name(lang: EN) } }'
    assert (await data_of(reader, query))["topic"]["name"] == "Complaints"
    await data_of(reader, query)
    topics = [
        t.model_copy(update={"name": t.name.model_copy(update={"en": "Grievances"})}) if t.key == "complaints" else t
        for t in seed_knowledge.topics
    ]
    await load(seeded, seed_knowledge.model_copy(update={"topics": topics}))
    assert (await data_of(reader, query))["topic"]["name"] == "Grievances"


async def test_answers_depend_on_the_language_and_the_caller(reader: httpx.AsyncClient, seeded: Database) -> None:
    query = '{ department(key: "sales") { name } }'
    vi = await data_of(reader, query, lang="vi")
    en = await data_of(reader, query, lang="en")
    assert vi["department"]["name"] == "Phòng Kinh doanh" and en["department"]["name"] == "Sales"
    assert await data_of(reader, query, lang="vi") == vi
    viewer = await create_token(seeded, "cache-viewer", "viewer")
    bad = await reader.post("/graphql", json={"query": query}, headers={"authorization": "Bearer dgt_" + "x" * 40})
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # never a cached answer
    good = await reader.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {viewer}"})
    assert good.json() == {"data": vi}


async def test_queries_over_get_with_etag_and_304(reader: httpx.AsyncClient) -> None:
    params = {"query": "query($k: String!) { department(key: $k) { key } }", "variables": json.dumps({"k": "sales"})}
    first = await reader.get("/graphql", params=params)
    assert first.status_code == 200 and first.json() == {"data": {"department": {"key": "sales"}}}
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    assert "Accept-Language" in first.headers["vary"]
    again = await reader.get("/graphql", params=params, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = await reader.get("/graphql", params=params | {"variables": json.dumps({"k": "accounting"})},
                             headers={"if-none-match": tag})  # fmt: skip
    assert other.status_code == 200 and other.headers["etag"] != tag
    mutation = await reader.get(
        "/graphql", params={"query": 'mutation { deletePrinciple(key: "x", expectedVersion: 1) { key } }'}
    )
    assert mutation.status_code in (400, 405)
    assert (await cache_counts(reader))["not_modified"] == 1


async def test_etag_changes_when_the_graph_does(
    reader: httpx.AsyncClient, writer: httpx.AsyncClient, editor: str
) -> None:
    params = {"query": DEPARTMENTS}
    tag = (await reader.get("/graphql", params=params)).headers["etag"]
    await as_editor(
        writer, editor, 'mutation { createDepartment(input: {key: "qa", name: {vi: "QA", en: "QA"}}) { key } }'
    )
    changed = await reader.get("/graphql", params=params, headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert "qa" in {d["key"] for d in changed.json()["data"]["departments"]}


async def test_the_etag_tells_nothing_of_the_graph_and_star_does_not_answer_304(
    settings: Settings, seeded: Database, writer: httpx.AsyncClient, editor: str
) -> None:
    """Hostile review: the ETag showed anonymous callers the graph's write counter, and
    `If-None-Match: *` answered 304 before the request ran (for a would-be NOT_FOUND, or an
    UNAUTHENTICATED where reads need a token)."""
    stamp = (await seeded.read("MATCH (g:GraphState) RETURN g.epoch AS e, g.version AS v"))[0]
    async with app_client(settings, seeded) as reader:
        tag = (await reader.get("/graphql", params={"query": DEPARTMENTS})).headers["etag"]
        assert str(stamp["v"]) not in tag.split("-") and stamp["e"][:8] not in tag
        missing = await reader.get("/graphql", params={"query": '{ needs(of: "nobody") { key } }'},
                                   headers={"if-none-match": "*"})  # fmt: skip
        assert missing.status_code == 200 and missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    closed = settings.model_copy(update={"reads_need_token": True})
    async with app_client(closed, seeded) as reader:
        refused = await reader.get("/graphql", params={"query": DEPARTMENTS}, headers={"if-none-match": "*"})
        assert refused.status_code == 200
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_cache_control_is_what_the_deployment_sets(settings: Settings, seeded: Database) -> None:
    custom = settings.model_copy(update={"cache_control": "public, max-age=30"})
    async with app_client(custom, seeded) as http:
        response = await http.get("/graphql", params={"query": "{ principles { key } }"})
    assert response.headers["cache-control"] == "public, max-age=30"


async def test_persisted_queries_by_hash(reader: httpx.AsyncClient) -> None:
    query = '{ department(key: "accounting") { key name(lang: EN) } }'
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    unknown = await reader.post("/graphql", json={"extensions": extensions})
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    wrong = await reader.post("/graphql", json={"query": query + " ", "extensions": extensions})
    assert wrong.status_code == 400 and "does not match" in wrong.json()["errors"][0]["message"]
    registered = await reader.post("/graphql", json={"query": query, "extensions": extensions})
    expected = {"data": {"department": {"key": "accounting", "name": "Accounting"}}}
    assert registered.json() == expected
    by_hash = await reader.post("/graphql", json={"extensions": extensions})
    assert by_hash.json() == expected
    over_get = await reader.get("/graphql", params={"extensions": json.dumps(extensions)})
    assert over_get.json() == expected and over_get.headers["etag"]


async def test_the_operations_of_queries_are_persisted_from_the_start(reader: httpx.AsyncClient) -> None:
    listed = (await reader.get("/queries")).json()
    first = listed[0]
    digest = hashlib.sha256(first["query"].encode()).hexdigest()
    body = (await reader.post("/graphql", json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
                                                "variables": {}})).json()  # fmt: skip
    assert "errors" not in body and body["data"]


async def test_one_version_check_serves_many_requests_at_once(reader: httpx.AsyncClient) -> None:
    async def ask() -> None:
        await data_of(reader, "{ principles { key } }")

    before = metric((await reader.get("/metrics")).text, "deptgraph_graph_version_checks_total")
    await asyncio.gather(*(ask() for _ in range(40)))
    checks = metric((await reader.get("/metrics")).text, "deptgraph_graph_version_checks_total") - before
    assert 1 <= checks < 40


async def test_errors_are_never_cached(reader: httpx.AsyncClient) -> None:
    query = '{ needs(of: "nobody") { key } }'
    for _ in range(2):
        body = (await reader.post("/graphql", json={"query": query})).json()
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert body["errors"][0]["extensions"]["requestId"]
    assert (await cache_counts(reader))["hit"] == 0


async def test_the_cache_can_be_turned_off(settings: Settings, seeded: Database) -> None:
    off = settings.model_copy(update={"response_cache": False})
    async with app_client(off, seeded) as http:
        for _ in range(2):
            response = await http.get("/graphql", params={"query": "{ principles { key } }"})
            assert response.status_code == 200 and "etag" not in response.headers
        assert await cache_counts(http) == {"hit": 0, "miss": 0, "not_modified": 0}


def test_what_clients_register_is_bounded_in_bytes_not_only_in_number(settings: Settings) -> None:
    """Hostile review: 5,300 registered 90 kB queries grew each worker from 177 to 342 MB."""
    store = PersistedQueries(max_bytes=1 << 20)
    for n in range(200):
        store.learn(f"h{n}", "x" * 60_000)
    kept = [n for n in range(200) if store.lookup(f"h{n}")]
    assert kept and kept[-1] == 199 and 60_000 * len(kept) <= 1 << 20  # the newest, within the bytes
    store.learn("huge", "x" * (1 << 19))
    assert store.lookup("huge") is None  # one query may not take a sixteenth of the store
    documents = build_schema(settings).documents
    for n in range(120):  # 10.8 MB of documents
        documents.parsed(f'{{ search(text: "{n}{"y" * 90_000}") {{ key }} }}')
    for n in range(3000):
        documents.parsed(f'{{ search(text: "{n}{"y" * 3_000}") {{ key }} }}')
    assert documents.size <= documents.max_bytes and len(documents) <= documents.max_entries
    assert documents.size == sum(len(text) for text in documents._kept)
