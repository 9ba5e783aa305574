"""What writers, seed files and clients may not do to the graph or the service — each case one
that got through before, now refused with a clear error and nothing lost (the races themselves
are in test_races.py)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import SecretStr

from deptgraph.settings import Settings
from graph.check import check
from graph.database import Database
from graph.kinds import Change
from graph.shape import Label
from graph.tokens import create_token
from graph.writes import apply_change
from seed.files import default_files

from .conftest import app_client, graphql, run_cli
from .test_mutations import call, snapshot


@pytest.fixture
async def editor(seeded: Database) -> str:
    return await create_token(seeded, "rules-editor", "editor")


def code_of(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def test_a_party_cannot_take_a_departments_key(api: httpx.AsyncClient, seeded: Database, editor: str) -> None:
    before = await snapshot(seeded)
    body = await call(
        api, editor, 'mutation { createParty(input: {key: "sales", name: {vi: "Bán", en: "Sellers"}}) { key } }'
    )
    assert (
        code_of(body) == "CONFLICT" and "departments and parties share one set of keys" in body["errors"][0]["message"]
    )
    body = await call(
        api,
        editor,
        'mutation { createDepartment(input: {key: "customer", name: {vi: "Khách", en: "Clients"}}) { key } }',
    )
    assert code_of(body) == "CONFLICT"
    assert await snapshot(seeded) == before


def test_a_seed_file_with_only_a_party_named_like_a_department_is_refused(
    cli_env: dict[str, str], seeded: Database, tmp_path: Path
) -> None:
    path = tmp_path / "parties.yaml"
    path.write_text("parties:\n- key: sales\n  name:\n    vi: Người bán\n    en: Sellers\n", encoding="utf-8")
    result = run_cli("seed", str(path), env=cli_env)
    assert result.returncode == 1
    assert "'sales' would name both a department and a party" in result.stderr
    assert "Nothing was written" in result.stderr


async def test_a_second_relationship_for_a_pair_is_a_conflict(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    twin = {"key": "accounting-and-sales", "departments": ["accounting", "sales"],
            "title": {"vi": "Kế toán và Kinh doanh", "en": "Accounting and Sales"},
            "summary": {"vi": "Lại một lần nữa.", "en": "Once again."}}  # fmt: skip
    body = await call(
        api, editor, "mutation($i: RelationshipInput!) { createRelationship(input: $i) { key } }", {"i": twin}
    )
    assert code_of(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["existing"] == "sales-accounting"
    assert await snapshot(seeded) == before
    found = await graphql(api, '{ relationship(between: "sales", and: "accounting") { key } }')
    assert found["data"]["relationship"]["key"] == "sales-accounting"


INVISIBLE = ["\u200b", "\x00", "\ufeff", "\u202eSales", "\x1b[2J", "\u0301\u0301", "Sales\x07"]


@pytest.mark.parametrize("name", INVISIBLE, ids=["zero-width", "nul", "bom", "rtl-override", "escape", "marks", "bell"])
async def test_names_must_be_visible_plain_text(
    api: httpx.AsyncClient, seeded: Database, editor: str, name: str
) -> None:
    body = await call(
        api, editor, "mutation($i: DepartmentInput!) { createDepartment(input: $i) { key } }",
        {"i": {"key": "ghost", "name": {"vi": name, "en": "Ghost"}}},
    )  # fmt: skip
    assert code_of(body) == "BAD_USER_INPUT" and body["errors"][0]["extensions"]["field"] == "input.name.vi"
    assert (await seeded.read("MATCH (d:Department {key: 'ghost'}) RETURN count(d) AS n"))[0]["n"] == 0


def test_seed_files_with_invisible_names_are_refused_with_file_line_and_key(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "ghost.yaml"
    path.write_text(
        yaml.safe_dump({"departments": [{"key": "ghost", "name": {"vi": "\u202eGhost", "en": "Ghost"}}]},
                       allow_unicode=True),
        encoding="utf-8",
    )  # fmt: skip
    result = run_cli("validate", str(path), env=cli_env)
    assert result.returncode == 1
    assert f"{path}:" in result.stderr and "departments[0].name.vi (department 'ghost')" in result.stderr
    assert "right-to-left override (U+202E)" in result.stderr


async def test_changes_since_the_first_moment_anywhere_answers(api: httpx.AsyncClient, editor: str) -> None:
    await call(api, editor, 'mutation { updateTopic(key: "pricing", expectedVersion: 1, input: {key: "pricing", '
                            'name: {vi: "Giá", en: "Pricing"}}) { version } }')  # fmt: skip
    body = await call(api, editor, '{ changes(since: "0001-01-01T00:00:00+05:00") { key operation } }')
    assert "errors" not in body, body
    assert [c["key"] for c in body["data"]["changes"]] == ["pricing"]


async def test_export_then_seed_after_deletes_changes_nothing(
    api: httpx.AsyncClient, seeded: Database, editor: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    for mutation in (
        'mutation { deleteFlow(key: "sales-to-accounting-revenue", expectedVersion: 1) { key } }',
        'mutation { deleteTopic(key: "praise", expectedVersion: 1, cascade: true) { key } }',
        'mutation { deletePrinciple(key: "share-information", expectedVersion: 1) { key } }',
        'mutation { deleteDepartment(key: "marketing", expectedVersion: 1, cascade: true) { key } }',
    ):
        assert "errors" not in await call(api, editor, mutation), mutation
    exported = tmp_path / "exported.yaml"
    assert run_cli("export", "-o", str(exported), env=cli_env).returncode == 0
    before = await snapshot(seeded)
    versions = await seeded.read("MATCH (n) WHERE n.version IS NOT NULL RETURN n.key AS key, n.version AS v")
    graph_version = await seeded.read("MATCH (g:GraphState) RETURN g.version AS v")
    dry = run_cli("seed", str(exported), "--dry-run", env=cli_env)
    assert dry.returncode == 0, dry.stderr
    table = [line for line in dry.stdout.splitlines() if line.startswith("│")]
    assert table and all(
        line.split("│")[2].strip() == "·" and line.split("│")[3].strip() == "·" for line in table[1:]
    ), dry.stdout
    real = run_cli("seed", str(exported), env=cli_env)
    assert real.returncode == 0 and "Nothing changed" in real.stdout, real.stdout
    assert await snapshot(seeded) == before
    assert await seeded.read("MATCH (n) WHERE n.version IS NOT NULL RETURN n.key AS key, n.version AS v") == versions
    assert await seeded.read("MATCH (g:GraphState) RETURN g.version AS v") == graph_version  # nothing to invalidate


def alias_bomb(levels: int = 9) -> str:
    """A 1–2 kB seed file whose YAML aliases fan out into billions of duties."""
    lines = ["duty0: &duty0 {key: sales-duty, text: {vi: Bán hàng cho khách, en: Sell to customers}}"]
    for level in range(1, levels):
        lines.append(f"duty{level}: &duty{level} [" + ", ".join([f"*duty{level - 1}"] * 14) + "]")
    lines.append("relationships:")
    lines.append("- {key: r, departments: [sales, accounting], title: {vi: t, en: t}, summary: {vi: s, en: s},")
    lines.append(f"   roles: [{{department: sales, duties: *duty{levels - 1}}}]}}")
    return "\n".join(lines) + "\n"


def test_seed_files_that_could_hurt_the_loader_are_refused_at_once(cli_env: dict[str, str], tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert 1000 < bomb.stat().st_size < 2500
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    outside = tmp_path / "sub" / "outside.yaml"
    outside.parent.mkdir()
    outside.symlink_to(bomb)
    started = time.perf_counter()
    for path, expected in [
        (bomb, "YAML aliases (*name) are not allowed"),
        (zero, "outside its folder"),
        (fifo, "not a regular file"),
        (outside, "outside its folder"),
    ]:
        result = run_cli("validate", str(path), env=cli_env)
        assert result.returncode == 1 and expected in result.stderr, (path, result.stderr)
        assert len(result.stderr) < 2000
    assert time.perf_counter() - started < 60  # four runs of the command, none of them for long


def test_a_file_with_many_problems_lists_the_first_hundred_and_counts_the_rest(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(
        yaml.safe_dump({"topics": [{"key": f"t-{i}", "name": {"vi": f"Chủ đề {i}"}} for i in range(500)]},
                       allow_unicode=True),
        encoding="utf-8",
    )  # fmt: skip
    result = run_cli("validate", str(path), env=cli_env)
    assert result.returncode == 1
    assert "500 problem(s)" in result.stderr and "… and 400 more" in result.stderr
    assert result.stderr.count("(en) text is missing") == 100


async def test_two_authorization_headers_are_refused(api: httpx.AsyncClient, seeded: Database, editor: str) -> None:
    revoked = await create_token(seeded, "gone", "editor")
    await seeded.command("MATCH (t:ApiToken {name: 'gone'}) SET t.revoked_at = '2026-01-01T00:00:00+00:00'")
    response = await api.post(
        "/graphql",
        json={"query": 'mutation { deletePrinciple(key: "mutual-respect", expectedVersion: 1) { key } }'},
        headers=[("authorization", f"Bearer {editor}"), ("authorization", f"Bearer {revoked}")],
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert (await seeded.read("MATCH (p:Principle {key: 'mutual-respect'}) RETURN count(p) AS n"))[0]["n"] == 1


@pytest.mark.parametrize("path", ["/", "/graphql", "/static/explorer.js", "/healthz", "/metrics", "/nowhere"])
async def test_every_response_carries_the_security_headers(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path, headers={"accept": "text/html"})
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


def production(settings: Settings, **more: Any) -> Settings:
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
    return settings.model_copy(update={"env": "production", "neo4j_password": SecretStr(password), **more})


async def test_production_shows_versions_only_to_token_holders(
    settings: Settings, seeded: Database, editor: str
) -> None:
    async with app_client(production(settings), seeded) as http:
        anonymous = await graphql(http, "{ about { version neo4jVersion neo4jEdition } }")
        known = await call(http, editor, "{ about { version neo4jVersion neo4jEdition } }")
    assert code_of(anonymous) == "UNAUTHENTICATED" and anonymous["data"] is None
    assert known["data"]["about"]["neo4jEdition"] == "community"


async def test_production_metrics_need_their_token(settings: Settings, seeded: Database) -> None:
    async with app_client(production(settings), seeded) as http:
        closed = await http.get("/metrics")
    async with app_client(production(settings, metrics_token=SecretStr("scrape-me")), seeded) as http:
        wrong = await http.get("/metrics", headers={"authorization": "Bearer nope"})
        right = await http.get("/metrics", headers={"authorization": "Bearer scrape-me"})
    assert closed.status_code == 403 and "DEPTGRAPH_METRICS_TOKEN" in closed.text
    assert wrong.status_code == 401
    assert right.status_code == 200 and "deptgraph_http_requests_total" in right.text


@pytest.mark.parametrize(
    "query",
    ['{ departments { key name(lang: VIE) } }', '{ department(kee: "sales") { key } }',
     '{ statements(section: CONCLUSON) { key } }', 'query($i: TopicInput!) { topics { key } }'],
)  # fmt: skip
async def test_production_errors_give_no_suggestions(settings: Settings, seeded: Database, query: str) -> None:
    async with app_client(settings, seeded) as http:
        development = await graphql(http, query)
    async with app_client(production(settings), seeded) as http:
        body = await graphql(http, query)
    assert any("Did you mean" in e["message"] for e in development["errors"]) or query.startswith("query")
    assert not any("Did you mean" in e["message"] for e in body["errors"]), body


async def test_metric_labels_are_only_the_operations_the_app_knows(api: httpx.AsyncClient) -> None:
    for i in range(110):
        await api.post(
            "/graphql", json={"query": f"query Made{i} {{ principles {{ key }} }}", "operationName": f"Made{i}"}
        )
    named = (PROJECT_QUERIES / "10-principles-of-cooperation.graphql").read_text(encoding="utf-8")
    await api.post("/graphql", json={"query": named})
    metrics = (await api.get("/metrics")).text
    assert 'deptgraph_graphql_requests_total{operation="other"} 110.0' in metrics
    assert 'operation="Made' not in metrics
    assert 'deptgraph_graphql_requests_total{operation="PrinciplesOfCooperation"} 1.0' in metrics


PROJECT_QUERIES = Path(__file__).resolve().parents[1] / "queries"


# --- roles belong to their relationship's departments -----------------------------------------

CREATE_RELATIONSHIP = "mutation($i: RelationshipInput!) { createRelationship(input: $i) { key version } }"
UPDATE_RELATIONSHIP = (
    "mutation($k: String!, $v: Int!, $i: RelationshipInput!) { updateRelationship(key: $k, expectedVersion: $v, "
    "input: $i) { key version } }"
)
MARKETING_ACCOUNTING = {"key": "marketing-accounting", "departments": ["marketing", "accounting"],
                        "title": {"vi": "Marketing và Kế toán", "en": "Marketing and Accounting"},
                        "summary": {"vi": "Họ phối hợp.", "en": "They cooperate."}}  # fmt: skip


def role(department: str, duty: str) -> dict[str, Any]:
    return {"department": department, "duties": [{"key": duty, "text": {"vi": "d", "en": "d"}}]}


async def test_a_relationship_may_not_hold_the_role_of_a_department_outside_it(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    outsider = {**MARKETING_ACCOUNTING, "roles": [role("marketing", "m-duty"), role("engineering", "e-duty")]}
    body = await call(api, editor, CREATE_RELATIONSHIP, {"i": outsider})
    assert code_of(body) == "BAD_USER_INPUT", body
    assert body["errors"][0]["extensions"]["field"] == "input.roles[1].department"
    assert "'engineering' is not one of the two departments" in body["errors"][0]["message"]
    assert await snapshot(seeded) == before

    assert "errors" not in await call(api, editor, CREATE_RELATIONSHIP, {"i": MARKETING_ACCOUNTING})
    before = await snapshot(seeded)
    body = await call(
        api,
        editor,
        UPDATE_RELATIONSHIP,
        {"k": "marketing-accounting", "v": 1, "i": {**MARKETING_ACCOUNTING, "roles": [role("sales", "s")]}},
    )
    assert code_of(body) == "BAD_USER_INPUT" and body["errors"][0]["extensions"]["field"] == "input.roles[0].department"
    assert await snapshot(seeded) == before
    assert await check(seeded) == []


def test_a_seed_file_with_the_role_of_a_department_outside_its_relationship_is_refused(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text(yaml.safe_dump({"relationships": [{**MARKETING_ACCOUNTING, "roles": [role("sales", "s-duty")]}]},
                                   allow_unicode=True), encoding="utf-8")  # fmt: skip
    result = run_cli("validate", *map(str, default_files()), str(path), env=cli_env)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert (
        f"{path}:" in message
        and "relationships[0].roles[0].department (relationship 'marketing-accounting')" in message
    )
    assert (
        "role of 'sales' in relationship 'marketing-accounting', which is between marketing and accounting" in message
    )


async def test_a_cascading_delete_of_a_department_takes_only_the_relationships_it_is_part_of(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    # A role of marketing in sales-accounting, as a graph written before roles were checked may hold.
    await seeded.command(
        "MATCH (r:Relationship {key: 'sales-accounting'}), (m:Department {key: 'marketing'}) "
        "CREATE (r)-[:HAS_ROLE]->(role:Role {key: 'sales-accounting-marketing-role', version: 1, position: 9})"
        "-[:OF]->(m), (role)-[:HAS_DUTY]->(:Duty {key: 'planted-duty', version: 1, position: 0, text_vi: 'd', "
        "text_en: 'd'})"
    )
    flows = "MATCH (:Relationship {key: 'sales-accounting'})-[:INCLUDES]->(f) RETURN count(f) AS n"
    had = (await seeded.read(flows))[0]["n"]
    # (the mutation's own transaction, called as deleteDepartment calls it: no request timeout on a loaded machine)
    audit = await apply_change(seeded, Change("deleteDepartment", "rules-editor", Label.DEPARTMENT, "marketing",
                                              expected_version=1, cascade=True))  # fmt: skip
    removed = {f"{c.label}:{c.key}" for c in audit if c.after is None}
    assert "Relationship:sales-marketing" in removed  # marketing was part of it
    assert "Relationship:sales-accounting" not in removed
    assert {"Role:sales-accounting-marketing-role", "Duty:planted-duty"} <= removed
    assert (await seeded.read(flows))[0]["n"] == had > 0
    found = await graphql(
        api, '{ relationship(between: "sales", and: "accounting") { key roles { department { key } } } }'
    )
    assert found["data"]["relationship"]["key"] == "sales-accounting"
    assert {r["department"]["key"] for r in found["data"]["relationship"]["roles"]} == {"sales"}


# --- names, aliases and titles are one line of visible characters ---------------------------

ONE_LINE = {
    "hangul-filler": "\u3164", "braille-blank": "\u2800", "tag-characters": "abc\U000e0041\U000e0042",
    "interlinear-annotation": "a\ufff9b", "tab": "a\tb", "newline": "a\nb", "line-separator": "a\u2028b",
    "soft-hyphen": "Sa\u00adles", "filler-before-a-name": "\u3164Sales", "zero-width-joiner": "Sa\u200dles",
}  # fmt: skip


@pytest.mark.parametrize("name", ONE_LINE.values(), ids=ONE_LINE.keys())
async def test_names_aliases_and_titles_are_one_line_of_visible_characters(
    api: httpx.AsyncClient, seeded: Database, editor: str, name: str
) -> None:
    before = await snapshot(seeded)
    for mutation, value, field in [
        ("createDepartment(input: $i) { key }", {"key": "ghost", "name": {"vi": name, "en": "Ghost"}}, "input.name.vi"),
        ("createTopic(input: $i) { key }",
         {"key": "ghost", "name": {"vi": "Ma", "en": "Ghost"}, "aliases": {"en": ["Spook", name]}}, "input.aliases.en[1]"),
        ("createPrinciple(input: $i) { key }",
         {"key": "ghost", "title": {"vi": "Ma", "en": name}, "text": {"vi": "Ma", "en": "Ghost"}}, "input.title.en"),
    ]:  # fmt: skip
        kind = mutation.split("(")[0].removeprefix("create")
        body = await call(api, editor, f"mutation($i: {kind}Input!) {{ {mutation} }}", {"i": value})
        assert code_of(body) == "BAD_USER_INPUT", (mutation, body)
        assert body["errors"][0]["extensions"]["field"] == field, body
    assert await snapshot(seeded) == before


async def test_long_texts_keep_their_line_breaks_but_not_unicode_separators(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    create = "mutation($i: PrincipleInput!) { createPrinciple(input: $i) { key text(lang: EN) } }"
    principle = {"key": "two-lines", "title": {"vi": "Hai dòng", "en": "Two lines"}}
    body = await call(api, editor, create, {"i": {**principle, "text": {"vi": "một\nhai", "en": "one\ntwo"}}})
    assert body["data"]["createPrinciple"]["text"] == "one\ntwo", body
    body = await call(api, editor, create, {"i": {**principle, "key": "sep", "text": {"vi": "một", "en": "a\u2029b"}}})
    assert code_of(body) == "BAD_USER_INPUT" and body["errors"][0]["extensions"]["field"] == "input.text.en"


def test_seed_files_with_invisible_characters_in_names_are_refused_with_file_line_and_key(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "tags.yaml"
    path.write_text(
        yaml.safe_dump({"departments": [{"key": "ghost", "name": {"vi": "Ma", "en": "abc\U000e0041\U000e0042"}}]},
                       allow_unicode=True),
        encoding="utf-8",
    )  # fmt: skip
    result = run_cli("validate", str(path), env=cli_env)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"{path}:" in message and "departments[0].name.en (department 'ghost')" in message, message
    assert "tag latin capital letter a (U+E0041)" in message


# --- one department or party per name ----------------------------------------------------------


async def test_a_department_may_not_take_another_departments_name_or_alias(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    body = await call(
        api, editor, 'mutation { createDepartment(input: {key: "x-28", name: {vi: "Sales clone", en: "Sales clone"}, '
                     'aliases: {vi: ["Kinh doanh"], en: ["Sales"]}}) { key } }',
    )  # fmt: skip
    assert code_of(body) == "BAD_USER_INPUT", body
    error = body["errors"][0]
    assert error["extensions"]["field"] == "input.aliases.vi[0]" and error["extensions"]["clash"] == "Department:sales"
    assert "'Kinh doanh' is already how department 'sales' is named" in error["message"]
    for mutation, field, clash in [
        # folded: case, accents and punctuation aside
        ('createParty(input: {key: "auditors", name: {vi: "KẾ-TOÁN", en: "Auditors"}}) { key }', "input.name.vi",
         "Department:accounting"),
        ('createDepartment(input: {key: "support", name: {vi: "Hỗ trợ", en: "Support"}, aliases: {en: ["clients"]}}) '
         "{ key }", "input.aliases.en[0]", "Party:customer"),
        ('updateDepartment(key: "marketing", expectedVersion: 1, input: {key: "marketing", name: {vi: "Phòng '
         'Marketing", en: "Marketing"}, aliases: {vi: ["cskh"]}}) { key }', "input.aliases.vi[0]",
         "Department:customer-care"),
        ('createDepartment(input: {key: "x-29", name: {vi: "Bán", en: "Accounting department"}}) { key }',
         "input.name.en", "Department:accounting"),
    ]:  # fmt: skip
        body = await call(api, editor, f"mutation {{ {mutation} }}")
        assert code_of(body) == "BAD_USER_INPUT", (mutation, body)
        assert body["errors"][0]["extensions"]["field"] == field, body
        assert body["errors"][0]["extensions"]["clash"] == clash, body
    assert await snapshot(seeded) == before
    hits = await graphql(api, '{ search(text: "Sales") { key } }')
    assert hits["data"]["search"][0]["key"] == "sales"
    # Its own names stay its own: an update that keeps them is no clash.
    body = await call(api, editor, 'mutation { updateDepartment(key: "marketing", expectedVersion: 1, input: {key: '
                                   '"marketing", name: {vi: "Phòng Marketing", en: "Marketing"}, aliases: {vi: '
                                   '["Tiếp thị"]}}) { version } }')  # fmt: skip
    assert body["data"]["updateDepartment"]["version"] == 2, body


async def test_two_departments_created_at_once_with_the_same_alias_do_not_both_succeed(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    def create(key: str) -> str:
        return (f'mutation {{ createDepartment(input: {{key: "{key}", name: {{vi: "Phòng {key}", en: "{key}"}}, '
                'aliases: {vi: ["Pháp chế"], en: ["Legal"]}}) { key } }')  # fmt: skip

    answers = await asyncio.gather(*(call(api, editor, create(f"legal-{i}")) for i in range(2)))
    assert sorted("errors" in body for body in answers) == [False, True], answers
    assert code_of(next(body for body in answers if "errors" in body)) == "BAD_USER_INPUT"
    rows = await seeded.read("MATCH (d:Department) WHERE d.key STARTS WITH 'legal-' RETURN d.key AS key")
    assert len(rows) == 1
    assert await check(seeded) == []


def test_seed_files_may_not_give_two_departments_or_parties_one_name(
    cli_env: dict[str, str], tmp_path: Path, seeded: Database
) -> None:
    path = tmp_path / "clone.yaml"
    path.write_text(
        "departments:\n- key: x-28\n  name:\n    vi: Sales clone\n    en: Sales clone\n  aliases:\n    vi:\n"
        "    - Kinh doanh\n    en:\n    - Sales\n",
        encoding="utf-8",
    )
    result = run_cli("validate", *map(str, default_files()), str(path), env=cli_env)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"{path}:8: departments[0].aliases.vi[0] (department 'x-28'): 'Kinh doanh' is already how department " \
           "'sales' is named ('Kinh doanh')" in message, message  # fmt: skip
    assert f"{path}:10: departments[0].aliases.en[0] (department 'x-28'): 'Sales' is already how" in message
    # The graph keeps what the files do not name (without --prune): the files alone are not enough.
    legal, law = tmp_path / "legal.yaml", tmp_path / "law.yaml"
    legal.write_text("departments:\n- key: legal\n  name: {vi: Pháp chế, en: Legal}\n", encoding="utf-8")
    law.write_text("departments:\n- key: law\n  name: {vi: Luật, en: Law}\n  aliases: {en: [legal]}\n",
                   encoding="utf-8")  # fmt: skip
    assert run_cli("seed", str(legal), env=cli_env).returncode == 0
    result = run_cli("seed", str(law), env=cli_env)
    assert result.returncode == 1
    assert "would both answer to the name 'legal'" in result.stderr and "Nothing was written" in result.stderr
