"""Hostile requests, as GraphQL Cop and the OWASP GraphQL cheat sheet send them: each is refused
quickly, with a clear error, and nothing behind it runs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.types import ASGIApp, Message

from api.app import create_app
from deptgraph.settings import Settings
from graph.database import Database
from graph.tokens import create_token

from .conftest import app_client

QUICK = 5.0  # seconds: a refusal must not cost more than this (generous: CI shares 2 cores)


async def timed(http: httpx.AsyncClient, method: str, url: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await http.request(method, url, **kwargs)  # type: ignore[arg-type]
    return response, time.perf_counter() - started


async def refused(http: httpx.AsyncClient, query: str) -> str:
    response, took = await timed(http, "POST", "/graphql", json={"query": query})
    assert took < QUICK, f"took {took:.2f}s"
    assert response.status_code == 200
    body = response.json()
    assert body.get("data") is None
    [error, *_] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    return str(error["message"])


async def test_101_aliases(api: httpx.AsyncClient) -> None:
    query = "{ " + " ".join(f"a{i}: principles {{ key }}" for i in range(101)) + " }"
    assert "aliases" in await refused(api, query)


async def test_500_duplicated_fields(api: httpx.AsyncClient) -> None:
    query = "{ principles { " + "key " * 500 + "} }"
    assert await refused(api, query) == "'key' is selected 500 times in one place; at most 20 are allowed."


async def test_deep_nesting(api: httpx.AsyncClient) -> None:
    inner = "key"
    for _ in range(20):
        inner = f"relationships {{ departments {{ {inner} }} }}"
    assert "exceeds maximum operation depth of 8" in await refused(api, f'{{ department(key: "sales") {{ {inner} }} }}')


async def test_circular_fragments(api: httpx.AsyncClient) -> None:
    query = "query { departments { ...A } } fragment A on Department { relationships { departments { ...B } } } " \
            "fragment B on Department { relationships { departments { ...A } } }"  # fmt: skip
    assert "Cannot spread fragment 'A' within itself" in await refused(api, query)


async def test_directive_overloading(api: httpx.AsyncClient) -> None:
    query = "{ principles { key " + "@aa " * 100 + "} }"
    response, took = await timed(api, "POST", "/graphql", json={"query": query})
    assert took < QUICK
    messages = [e["message"] for e in response.json()["errors"]]
    assert "The query uses more than 20 directives; at most 20 are allowed." in messages
    assert response.json().get("data") is None


async def test_an_oversized_body_is_refused_before_it_is_read(api: httpx.AsyncClient, settings: Settings) -> None:
    body = b'{"query": "' + b"a" * (settings.max_body_bytes * 5) + b'"}'
    response, took = await timed(api, "POST", "/graphql", content=body, headers={"content-type": "application/json"})
    assert took < QUICK and response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_batched_arrays(api: httpx.AsyncClient) -> None:
    response, took = await timed(api, "POST", "/graphql", json=[{"query": "{ principles { key } }"}] * 50)
    assert took < QUICK and response.status_code == 400
    assert "batch" in response.text.lower()


async def test_get_mutations(api: httpx.AsyncClient) -> None:
    mutation = 'mutation { deletePrinciple(key: "mutual-respect", expectedVersion: 1) { key } }'
    response, took = await timed(api, "GET", "/graphql", params={"query": mutation})
    assert took < QUICK and response.status_code in (400, 405)
    assert "mutation" in response.text.lower()


async def test_form_encoded_posts(api: httpx.AsyncClient) -> None:
    response, took = await timed(api, "POST", "/graphql", data={"query": "{ principles { key } }"})
    assert took < QUICK and response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "application/json" in response.text.lower()


@pytest.mark.parametrize(
    "content_type", ["text/plain; charset=json", "multipart/form-data; boundary=json", "application/jsonp", "text/json"]
)
async def test_a_mutation_sent_as_anything_but_json_does_not_run(
    api: httpx.AsyncClient, seeded: Database, content_type: str
) -> None:
    """Hostile review: any content type *containing* "json" was taken as JSON, so a page on another
    site could run a mutation with a CORS-safelisted type (no preflight)."""
    editor = await create_token(seeded, "content-type-editor", "editor")
    body = '{"query": "mutation { createTopic(input: {key: \\"csrf\\", name: {vi: \\"x\\", en: \\"x\\"}}) { key } }"}'
    response = await api.post("/graphql", content=body, headers={"content-type": content_type,
                                                                 "authorization": f"Bearer {editor}"})  # fmt: skip
    assert response.status_code == 415, response.text
    assert await seeded.read("MATCH (t:Topic {key: 'csrf'}) RETURN t.key AS key") == []
    ok = await api.post("/graphql", content=body, headers={"content-type": "application/json; charset=utf-8",
                                                           "authorization": f"Bearer {editor}"})  # fmt: skip
    assert ok.json()["data"] == {"createTopic": {"key": "csrf"}}  # the same body as JSON runs


async def test_tokens_past_the_limit(api: httpx.AsyncClient) -> None:
    query = "{ principles { " + " ".join(f"k{i}: key" for i in range(10)) + " } }" + " " + "{ }" * 1500
    response, took = await timed(api, "POST", "/graphql", json={"query": query})
    assert took < QUICK
    [error] = response.json()["errors"]
    assert "more than 2000 tokens" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" and error["extensions"]["requestId"]


async def test_syntax_errors_have_a_code_and_the_request_id(api: httpx.AsyncClient) -> None:
    response = await api.post("/graphql", json={"query": "{"}, headers={"x-request-id": "typo-1"})
    [error] = response.json()["errors"]
    assert error["message"].startswith("Syntax Error")
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED", "requestId": "typo-1"}


@pytest_asyncio.fixture
async def production(settings: Settings, seeded: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings.model_copy(update={"env": "production"}), seeded) as http:
        yield http


async def test_production_turns_introspection_off(production: httpx.AsyncClient) -> None:
    response, took = await timed(production, "POST", "/graphql", json={"query": "{ __schema { types { name } } }"})
    assert took < QUICK
    errors = response.json()["errors"]
    assert errors and all("introspection" in e["message"].lower() for e in errors)
    assert response.json().get("data") is None
    ok = await production.post("/graphql", json={"query": "{ principles { key } }"})
    assert "errors" not in ok.json()


async def test_production_turns_graphiql_off(production: httpx.AsyncClient, api: httpx.AsyncClient) -> None:
    page = await production.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert (await api.get("/graphql", headers={"accept": "text/html"})).status_code == 200


async def raw_get(app: ASGIApp, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as written: HTTP clients would remove the dot segments first."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": [],
        "server": ("deptgraph.test", 80), "client": ("127.0.0.1", 1234),
    }  # fmt: skip
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize(
    "path",
    ["/static/../../deptgraph/settings.py", "/static/..%2f..%2fdeptgraph%2fsettings.py", "/static/explorer.html",
     "/assets/react/../../package.json", "/assets/../package.json", "/assets/graphiql/../../../pyproject.toml"],
)  # fmt: skip
async def test_only_listed_files_are_served(settings: Settings, seeded: Database, path: str) -> None:
    status, body = await raw_get(create_app(settings, database=seeded), path)
    assert status == 404, (path, body[:200])
    assert b"pydantic" not in body and b"dependencies" not in body and b"<html" not in body


@pytest.mark.parametrize(
    ("method", "request_args", "status", "code", "says"),
    [("POST", {"json": [{"query": "{ principles { key } }"}] * 2}, 400, "BAD_REQUEST", "batch"),
     ("POST", {"content": b"{", "headers": {"content-type": "application/json"}}, 400, "BAD_REQUEST", "json"),
     ("POST", {"json": {"query": "query A { principles { key } }", "operationName": "Z"}}, 400, "BAD_REQUEST", "z"),
     ("POST", {"json": {"query": "{ principles { key } }", "variables": [1]}}, 400, "BAD_REQUEST", "variables"),
     ("POST", {"data": {"query": "{ principles { key } }"}}, 415, "UNSUPPORTED_MEDIA_TYPE", "application/json"),
     ("GET", {"params": {"query": "{ principles { key } }", "variables": "[[["}}, 400, "BAD_REQUEST", "variables"),
     ("GET", {"params": {"query": 'mutation { deletePrinciple(key: "x", expectedVersion: 1) { key } }'}},
      405, "METHOD_NOT_ALLOWED", "mutation"),
     ("POST", {"json": {"query": "query A { principles { key } } query B { departments { key } }"}},
      400, "BAD_REQUEST", "operationname")],
)  # fmt: skip
async def test_requests_graphql_cannot_take_are_answered_in_the_errors_format(
    api: httpx.AsyncClient, method: str, request_args: dict[str, Any], status: int, code: str, says: str
) -> None:
    """Hostile review: these were plain-text 400s without a code or request id (and a document
    with two operations and no operationName ran the first one)."""
    response = await api.request(method, "/graphql", **request_args)
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code and error["extensions"]["requestId"]
    assert says in error["message"].lower()


# --- round 3: what a hostile client found (issue 23's review, December) -------------------------


@pytest.mark.parametrize(
    "variables",
    [
        '{"t":' + '{"a":' * 254 + "1" + "}" * 254 + "}",  # JSON encoders give up at 255 levels
        '{"t":' + "[" * 300 + '"a"' + "]" * 300 + "}",
    ],
)
async def test_variables_nested_past_any_input_are_a_400_in_the_errors_format(
    api: httpx.AsyncClient, variables: str
) -> None:
    """They were a bare text/plain 500 (and a reset connection) over POST and GET."""
    body = '{"query": "query($t: JSON) { __typename }", "variables": ' + variables + "}"
    posted = await api.post("/graphql", content=body, headers={"content-type": "application/json"})
    got = await api.get("/graphql", params={"query": "query($t: JSON) { __typename }", "variables": variables})
    for response in (posted, got):
        assert response.status_code == 400, response.text[:200]
        [error] = response.json()["errors"]
        assert "nest deeper than 64 levels" in error["message"]


async def test_a_subscription_sent_over_http_is_told_to_use_the_websocket(api: httpx.AsyncClient) -> None:
    """It was an INTERNAL_SERVER_ERROR on the path `changes`, over POST and GET."""
    for response in (
        await api.post("/graphql", json={"query": "subscription { changes { id } }"}),
        await api.get("/graphql", params={"query": "subscription { changes { id } }"}),
    ):
        body = response.json()
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert "INTERNAL_SERVER_ERROR" not in codes, body
        assert any("WebSocket" in e["message"] for e in body["errors"]), body


@pytest.mark.parametrize("number", [9223372036854775808, 18446744073709551615, -9223372036854775809])
async def test_a_cursor_holding_a_number_past_64_bits_is_no_cursor(api: httpx.AsyncClient, number: int) -> None:
    """It was an INTERNAL_SERVER_ERROR on every connection (Neo4j takes 64-bit integers only)."""
    import base64

    cursor = base64.urlsafe_b64encode(f"[{number}]".encode()).decode().rstrip("=")
    for field in ("departmentsConnection", "topicsConnection"):
        response = await api.post(
            "/graphql", json={"query": f'{{ {field}(first: 2, after: "{cursor}") {{ totalCount }} }}'}
        )
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
