"""Who may do what: every mutation refuses anything short of an editor token, and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deptgraph.settings import Settings
from graph.database import Database
from graph.tokens import create_token, list_tokens, revoke_token, token_hash

from .conftest import app_client, graphql, run_cli

INTROSPECT_MUTATIONS = """
{ __schema {
    mutationType { fields { name args { name defaultValue type { ...T } } } }
    types { name kind enumValues { name } inputFields { name defaultValue type { ...T } } }
} }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
"""


def literal(type_ref: dict[str, Any], types: dict[str, Any]) -> str:
    """A value of the type that passes GraphQL validation (only required fields filled)."""
    kind, name = type_ref["kind"], type_ref["name"]
    if kind == "NON_NULL":
        return literal(type_ref["ofType"], types)
    if kind == "LIST":
        return "[]"
    if kind == "SCALAR":
        return {"String": '"x"', "Int": "1", "Boolean": "false", "Float": "1.0"}[name]
    if kind == "ENUM":
        return str(types[name]["enumValues"][0]["name"])
    fields = [
        f"{f['name']}: {literal(f['type'], types)}"
        for f in types[name]["inputFields"]
        if f["type"]["kind"] == "NON_NULL" and f["defaultValue"] is None
    ]
    return "{" + ", ".join(fields) + "}"


async def every_mutation(http: httpx.AsyncClient) -> list[tuple[str, str]]:
    """(name, a syntactically valid call) for every mutation field, found by introspection."""
    schema = (await graphql(http, INTROSPECT_MUTATIONS))["data"]["__schema"]
    types = {t["name"]: t for t in schema["types"]}
    calls = []
    for field in schema["mutationType"]["fields"]:
        args = [
            f"{a['name']}: {literal(a['type'], types)}"
            for a in field["args"]
            if a["type"]["kind"] == "NON_NULL" and a["defaultValue"] is None
        ]
        calls.append((field["name"], f"mutation {{ {field['name']}({', '.join(args)}) {{ __typename }} }}"))
    return calls


async def counts(db: Database) -> tuple[int, int]:
    rows = await db.read("RETURN COUNT { MATCH (n) } AS nodes, COUNT { MATCH ()-[r]->() } AS rels")
    return rows[0]["nodes"], rows[0]["rels"]


async def test_every_mutation_refuses_missing_bad_revoked_and_viewer_tokens(
    api: httpx.AsyncClient, seeded: Database
) -> None:
    viewer = await create_token(seeded, "onboarding-viewer", "viewer")
    revoked = await create_token(seeded, "old-tool", "editor")
    await revoke_token(seeded, "old-tool")
    unknown = "dgt_" + "A" * 43
    before = await counts(seeded)
    mutations = await every_mutation(api)
    assert len(mutations) >= 25
    attempts = {
        "no token": ({}, "UNAUTHENTICATED"),
        "malformed": ({"authorization": "Bearer not-a-deptgraph-token"}, "UNAUTHENTICATED"),
        "wrong scheme": ({"authorization": f"Basic {viewer}"}, "UNAUTHENTICATED"),
        "unknown": ({"authorization": f"Bearer {unknown}"}, "UNAUTHENTICATED"),
        "revoked": ({"authorization": f"Bearer {revoked}"}, "UNAUTHENTICATED"),
        "viewer": ({"authorization": f"Bearer {viewer}"}, "FORBIDDEN"),
    }
    for name, call in mutations:
        for attempt, (headers, code) in attempts.items():
            response = await api.post("/graphql", json={"query": call}, headers=headers)
            body = response.json()
            assert body.get("data") is None, (name, attempt, body)
            assert [e["extensions"]["code"] for e in body["errors"]] == [code], (name, attempt, body)
    assert await counts(seeded) == before


async def test_an_editor_token_gets_past_the_check(api: httpx.AsyncClient, seeded: Database) -> None:
    editor = await create_token(seeded, "hr-portal", "editor")
    body = await graphql_with(api, editor, 'mutation { deleteFlow(key: "no-such-flow", expectedVersion: 1) { key } }')
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def graphql_with(http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {token}"},
    )
    return response.json()


async def test_reads_are_open_but_a_presented_token_must_be_good(api: httpx.AsyncClient, seeded: Database) -> None:
    assert "errors" not in await graphql(api, "{ principles { key } }")
    response = await api.post(
        "/graphql", json={"query": "{ principles { key } }"}, headers={"authorization": "Bearer nope"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_reads_can_be_made_to_need_a_viewer_token(settings: Settings, seeded: Database) -> None:
    viewer = await create_token(seeded, "reader", "viewer")
    guarded = settings.model_copy(update={"reads_need_token": True})
    async with app_client(guarded, seeded) as http:
        anonymous = await graphql(http, '{ needs(of: "sales") { key } search(text: "ke toan") { key } }')
        assert {e["extensions"]["code"] for e in anonymous["errors"]} == {"UNAUTHENTICATED"}
        assert anonymous["data"] is None
        allowed = await graphql_with(http, viewer, '{ needs(of: "sales") { key } }')
        assert "errors" not in allowed and allowed["data"]["needs"]


async def test_the_audit_trail_needs_an_editor(api: httpx.AsyncClient, seeded: Database) -> None:
    viewer = await create_token(seeded, "reader", "viewer")
    assert (await graphql(api, "{ changes { key } }"))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await graphql_with(api, viewer, "{ changes { key } }")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_mutations_only_come_as_json_posts(api: httpx.AsyncClient, seeded: Database) -> None:
    editor = await create_token(seeded, "tool", "editor")
    headers = {"authorization": f"Bearer {editor}"}
    mutation = 'mutation { deletePrinciple(key: "mutual-respect", expectedVersion: 1) { key } }'
    get = await api.get("/graphql", params={"query": mutation}, headers=headers)
    assert get.status_code in (400, 405)
    form = await api.post("/graphql", data={"query": mutation}, headers=headers)
    assert form.status_code in (400, 415)
    multipart = await api.post("/graphql", files={"operations": (None, f'{{"query": "{mutation}"}}')}, headers=headers)
    assert multipart.status_code in (400, 415)
    text = await api.post(
        "/graphql", content=f'{{"query": "{mutation}"}}', headers={**headers, "content-type": "text/plain"}
    )
    assert text.status_code in (400, 415)
    rows = await seeded.read("MATCH (p:Principle {key: 'mutual-respect'}) RETURN p.version AS v")
    assert rows == [{"v": 1}]


def test_tokens_are_created_listed_and_revoked_from_the_command_line(cli_env: dict[str, str], db: Database) -> None:
    created = run_cli("token", "create", "--name", "hr-portal", "--role", "editor", env=cli_env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("dgt_") and len(token) == 47
    listed = run_cli("token", "list", env=cli_env)
    assert "hr-portal" in listed.stdout and "editor" in listed.stdout
    assert token not in listed.stdout and token_hash(token) not in listed.stdout
    again = run_cli("token", "create", "--name", "hr-portal", "--role", "viewer", env=cli_env)
    assert again.returncode == 1 and "exists already" in again.stderr
    bad_role = run_cli("token", "create", "--name", "x", "--role", "root", env=cli_env)
    assert bad_role.returncode == 2 and "root" in bad_role.stderr
    revoked = run_cli("token", "revoke", "hr-portal", env=cli_env)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    missing = run_cli("token", "revoke", "nobody", env=cli_env)
    assert missing.returncode == 1 and "No token is named 'nobody'" in missing.stderr


async def test_only_the_hash_of_a_token_is_stored(db: Database) -> None:
    token = await create_token(db, "someone", "viewer")
    stored = await db.read("MATCH (t:ApiToken) RETURN properties(t) AS p")
    assert token not in str(stored)
    assert stored[0]["p"]["hash"] == token_hash(token)
    assert [t.name for t in await list_tokens(db)] == ["someone"]


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "bearer dgt_short", "Token dgt_" + "A" * 43, "Bearer dgt_" + "A" * 44]
)
async def test_malformed_headers_are_unauthenticated(api: httpx.AsyncClient, header: str) -> None:
    response = await api.post("/graphql", json={"query": "{ principles { key } }"}, headers={"authorization": header})
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
