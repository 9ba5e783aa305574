"""Mutations: validated like the seed files, versioned, audited, all-or-nothing."""

from __future__ import annotations

import asyncio
import unicodedata
from pathlib import Path
from typing import Any

import httpx
import pytest

from deptgraph.settings import Settings
from graph.database import Database
from graph.tokens import create_token
from seed.files import read_files
from seed.loader import export, load

from .conftest import app_client

FLOW = {
    "key": "sales-to-accounting-forecast",
    "kind": "CONTRIBUTION",
    "provider": "sales",
    "receiver": "accounting",
    "text": {"vi": "dự báo doanh số", "en": "Sales forecast"},
    "purpose": {"vi": "Kế toán lập kế hoạch dòng tiền", "en": "Accounting can plan cash flow"},
    "topics": ["revenue", "cash-flow"],
}
CREATE_FLOW = """mutation($rel: String!, $input: FlowInput!) {
  createFlow(relationship: $rel, input: $input) { key version kind text(lang: EN) purpose(lang: VI)
    provider { key } receiver { key } topics { key } relationship { key } } }"""
UPDATE_FLOW = """mutation($key: String!, $v: Int!, $input: FlowInput!) {
  updateFlow(key: $key, expectedVersion: $v, input: $input) { key version text(lang: EN) topics { key } } }"""


@pytest.fixture
async def editor(seeded: Database) -> str:
    return await create_token(seeded, "admin-an", "editor")


async def call(http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def snapshot(db: Database) -> tuple[str, int]:
    """The knowledge as exported, and how many audit records exist."""
    changes = (await db.read("MATCH (c:Change) RETURN count(c) AS n"))[0]["n"]
    return await export(db), changes


async def test_create_update_delete_a_flow_answered_from_both_sides(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    created = (await call(api, editor, CREATE_FLOW, {"rel": "sales-accounting", "input": FLOW}))["data"]["createFlow"]
    assert created == {
        "key": FLOW["key"], "version": 1, "kind": "CONTRIBUTION", "text": "Sales forecast",
        "purpose": "Kế toán lập kế hoạch dòng tiền", "provider": {"key": "sales"}, "receiver": {"key": "accounting"},
        "topics": [{"key": "revenue"}, {"key": "cash-flow"}], "relationship": {"key": "sales-accounting"},
    }  # fmt: skip
    gets = (await call(api, editor, '{ needs(of: "ke toan", from: "kinh doanh") { key } }'))["data"]["needs"]
    assert gets[-1] == {"key": FLOW["key"]}

    changed = {
        **FLOW,
        "text": {"vi": "dự báo doanh số quý", "en": "Quarterly sales forecast"},
        "topics": ["revenue"],
    }
    updated = (await call(api, editor, UPDATE_FLOW, {"key": FLOW["key"], "v": 1, "input": changed}))["data"][
        "updateFlow"
    ]
    assert updated == {
        "key": FLOW["key"],
        "version": 2,
        "text": "Quarterly sales forecast",
        "topics": [{"key": "revenue"}],
    }

    deleted = await call(
        api,
        editor,
        'mutation { deleteFlow(key: "sales-to-accounting-forecast", expectedVersion: 2) { removed } }',
    )
    assert deleted["data"]["deleteFlow"]["removed"] == ["Flow:sales-to-accounting-forecast"]
    assert await seeded.read("MATCH (f:Flow {key: 'sales-to-accounting-forecast'}) RETURN f") == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"text": {"vi": "dự báo", "en": "   "}}, "input.text.en", "must not be empty"),
        ({"text": {"vi": "dự báo"}}, "input.text.en", "required field 'en'"),
        ({"key": "Sales Forecast"}, "input.key", "not a valid key"),
        ({"provider": "marketing"}, "input.provider", "not one of the two departments"),
        ({"receiver": "sales"}, "input", "provider and receiver are both 'sales'"),
        ({"topics": ["revenue", "weather"]}, "input.topics[1]", "topic 'weather'"),
        ({"topics": ["revenue", "revenue"]}, "input.topics", "listed twice"),
        ({"purpose": {"vi": "", "en": "x"}}, "input.purpose.vi", "must not be empty"),
    ],
)  # fmt: skip
async def test_invalid_input_is_bad_user_input_naming_the_field(
    api: httpx.AsyncClient, seeded: Database, editor: str, change: dict[str, Any], field: str, message: str
) -> None:
    before = await snapshot(seeded)
    body = await call(api, editor, CREATE_FLOW, {"rel": "sales-accounting", "input": {**FLOW, **change}})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field, error
    assert message in error["message"], error
    assert await snapshot(seeded) == before


async def test_text_is_stored_in_nfc(api: httpx.AsyncClient, seeded: Database, editor: str) -> None:
    decomposed = unicodedata.normalize("NFD", "dự báo doanh số")
    assert decomposed != "dự báo doanh số"
    await call(
        api,
        editor,
        CREATE_FLOW,
        {"rel": "sales-accounting", "input": {**FLOW, "text": {"vi": decomposed, "en": "x"}}},
    )
    rows = await seeded.read("MATCH (f:Flow {key: $key}) RETURN f.text_vi AS t", key=FLOW["key"])
    assert rows == [{"t": "dự báo doanh số"}]


async def test_a_version_conflict_changes_nothing(api: httpx.AsyncClient, seeded: Database, editor: str) -> None:
    await call(api, editor, CREATE_FLOW, {"rel": "sales-accounting", "input": FLOW})
    await call(api, editor, UPDATE_FLOW, {"key": FLOW["key"], "v": 1, "input": {**FLOW, "topics": []}})
    before = await snapshot(seeded)
    stale = await call(
        api,
        editor,
        UPDATE_FLOW,
        {"key": FLOW["key"], "v": 1, "input": {**FLOW, "text": {"vi": "x", "en": "y"}}},
    )
    [error] = stale["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["currentVersion"] == 2
    gone = await call(
        api,
        editor,
        'mutation { deleteFlow(key: "sales-to-accounting-forecast", expectedVersion: 1) { key } }',
    )
    assert gone["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert await snapshot(seeded) == before


async def test_fifty_concurrent_creates_of_one_key_make_one_node(
    settings: Settings, seeded: Database, editor: str
) -> None:
    department = {"key": "legal", "name": {"vi": "Phòng Pháp chế", "en": "Legal"}}
    query = "mutation($input: DepartmentInput!) { createDepartment(input: $input) { key version } }"
    async with app_client(settings, seeded) as http:
        answers = await asyncio.gather(*(call(http, editor, query, {"input": department}) for _ in range(50)))
    won = [a for a in answers if "errors" not in a]
    lost = [a for a in answers if "errors" in a]
    assert len(won) == 1 and won[0]["data"]["createDepartment"] == {"key": "legal", "version": 1}
    assert len(lost) == 49
    assert all([e["extensions"]["code"] for e in a["errors"]] == ["CONFLICT"] for a in lost)
    assert all("already exists" in a["errors"][0]["message"] for a in lost)
    assert (await seeded.read("MATCH (d:Department {key: 'legal'}) RETURN count(d) AS n"))[0]["n"] == 1
    assert (await seeded.read("MATCH (c:Change {key: 'legal'}) RETURN count(c) AS n"))[0]["n"] == 1


async def test_concurrent_updates_with_one_version_let_exactly_one_through(
    settings: Settings, seeded: Database, editor: str
) -> None:
    principle = 'mutation($t: String!) { updatePrinciple(key: "share-information", expectedVersion: 1, input: {key: "share-information", title: {vi: $t, en: $t}, text: {vi: "x", en: "y"}}) { version } }'
    async with app_client(settings, seeded) as http:
        answers = await asyncio.gather(*(call(http, editor, principle, {"t": f"title {i}"}) for i in range(10)))
    assert sum("errors" not in a for a in answers) == 1
    assert {a["errors"][0]["extensions"]["code"] for a in answers if "errors" in a} == {"CONFLICT"}
    assert (await seeded.read("MATCH (p:Principle {key: 'share-information'}) RETURN p.version AS v"))[0]["v"] == 2


async def test_deleting_what_others_refer_to_is_refused_with_the_list(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    body = await call(api, editor, 'mutation { deleteDepartment(key: "accounting", expectedVersion: 1) { key } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    references = set(error["extensions"]["references"])
    assert "Relationship:sales-accounting" in references
    assert "Flow:accounting-to-sales-pricing-policy" in references
    assert "Step:maximum-discount-step-2" in references
    body = await call(
        api, editor, 'mutation { deleteRelationship(key: "sales-marketing", expectedVersion: 1) { key } }'
    )
    assert "Flow:marketing-to-sales-market-information" in body["errors"][0]["extensions"]["references"]
    assert await snapshot(seeded) == before


async def test_a_cascade_delete_removes_everything_and_audits_each_node(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    counts = (await seeded.read(
        "MATCH (r:Relationship {key: 'sales-accounting'}) RETURN "
        "COUNT { (r)-[:INCLUDES]->() } AS flows, COUNT { (r)-[:HAS_GOAL|HAS_ROLE|COOPERATES_ON|HAS_EXAMPLE]->() } AS parts, "
        "COUNT { (r)-[:HAS_ROLE]->()-[:HAS_DUTY]->() } AS duties, COUNT { (r)-[:HAS_EXAMPLE]->()-[:HAS_STEP]->() } AS steps"
    ))[0]  # fmt: skip
    body = await call(
        api,
        editor,
        'mutation { deleteDepartment(key: "accounting", expectedVersion: 1, cascade: true) { removed unlinked } }',
    )
    result = body["data"]["deleteDepartment"]
    removed = set(result["removed"])
    assert {"Department:accounting", "Relationship:sales-accounting", "Flow:sales-to-accounting-revenue",
            "Scenario:maximum-discount", "Step:maximum-discount-step-1", "Goal:ensure-profit"} <= removed  # fmt: skip
    assert len(removed) == 2 + counts["flows"] + counts["parts"] + counts["duties"] + counts["steps"]
    assert result["unlinked"] == []
    left = await seeded.read(
        "MATCH (n) WHERE n.key IN $keys AND NOT n:Change RETURN n.key AS key",
        keys=[r.split(":")[1] for r in removed],
    )
    assert left == []
    audit = await seeded.read(
        "MATCH (c:Change {operation: 'deleteDepartment'}) RETURN c.label + ':' + c.key AS node, c.after AS after"
    )
    assert {row["node"] for row in audit} == removed
    assert all(row["after"] is None for row in audit)
    # The rest of the graph is still whole: Sales still works with the other three.
    answer = await call(api, editor, '{ department(key: "sales") { relationships { key } } }')
    assert len(answer["data"]["department"]["relationships"]) == 3


async def test_a_failure_in_the_middle_of_a_cascade_leaves_the_graph_as_it_was(
    settings: Settings, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    locked = asyncio.Event()
    release = asyncio.Event()

    async def hold_a_lock() -> None:
        # Another writer (outside deptgraph) holds a flow the cascade must delete; the cascade gets
        # as far as that flow — its reads, checks and the deletes before it — then waits, and runs
        # out of time.
        async with seeded.driver.session() as session:
            tx = await session.begin_transaction()
            await tx.run("MATCH (f:Flow {key: 'sales-to-accounting-selling-costs'}) SET f.version = f.version")
            locked.set()
            await release.wait()
            await tx.commit()

    holder = asyncio.create_task(hold_a_lock())
    await locked.wait()
    try:
        impatient = settings.model_copy(update={"request_timeout": 3.0})
        async with app_client(impatient, seeded) as http:
            response = await http.post(
                "/graphql",
                json={
                    "query": 'mutation { deleteDepartment(key: "accounting", expectedVersion: 1, cascade: true) { removed } }'
                },
                headers={"authorization": f"Bearer {editor}"},
            )
        body = response.json()
        assert body.get("data") is None
        assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    finally:
        release.set()
        await holder
    await asyncio.sleep(1)  # had the cascade survived, it would commit now that the lock is free
    assert await snapshot(seeded) == before


async def test_every_change_is_in_the_audit_trail_with_before_and_after(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    await call(api, editor, CREATE_FLOW, {"rel": "sales-accounting", "input": FLOW})
    await call(
        api,
        editor,
        UPDATE_FLOW,
        {
            "key": FLOW["key"],
            "v": 1,
            "input": {**FLOW, "text": {"vi": "dự báo quý", "en": "Quarterly forecast"}},
        },
    )
    await call(
        api,
        editor,
        'mutation { linkTopic(topic: "costs", kind: FLOW, key: "sales-to-accounting-forecast") { key } }',
    )
    await call(
        api,
        editor,
        'mutation { deleteFlow(key: "sales-to-accounting-forecast", expectedVersion: 3) { key } }',
    )
    trail = (
        await call(
            api,
            editor,
            '{ changes(target: "sales-to-accounting-forecast") { actor operation label key before after } }',
        )
    )["data"]["changes"]
    assert [c["operation"] for c in trail] == ["deleteFlow", "linkTopic", "updateFlow", "createFlow"]
    assert all(c["actor"] == "admin-an" and c["label"] == "Flow" for c in trail)
    deleted, linked, updated, created = trail
    assert created["before"] is None and created["after"]["properties"]["text_en"] == "Sales forecast"
    assert updated["before"]["properties"]["text_en"] == "Sales forecast"
    assert updated["after"]["properties"]["text_en"] == "Quarterly forecast"
    assert [link["key"] for link in linked["after"]["links"] if link["type"] == "ABOUT"] == [
        "revenue",
        "cash-flow",
        "costs",
    ]
    assert deleted["after"] is None and deleted["before"]["version"] == 3
    newest = (await call(api, editor, "{ changes(limit: 1) { operation } }"))["data"]["changes"]
    assert newest == [{"operation": "deleteFlow"}]
    since = (await call(api, editor, '{ changes(since: "2999-01-01T00:00:00Z") { key } }'))["data"]["changes"]
    assert since == []


async def test_an_audit_record_that_cannot_be_read_does_not_break_the_listing(
    api: httpx.AsyncClient, seeded: Database, editor: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A (:Change) written by hand, restored from elsewhere or damaged shows as far as it can be
    read; the trail around it still lists (a hostile review saw one such record fail every page)."""
    await call(api, editor, CREATE_FLOW, {"rel": "sales-accounting", "input": FLOW})
    await seeded.command(
        "CREATE (:Change {id: '999999999998-0000-byhand', at: '2999-01-01T00:00:00+00:00', operation: 'updateFlow', "
        "label: 'Flow', key: 'x', before: '{not json', after: 42})"
    )
    await seeded.command("CREATE (:Change {id: '999999999999-0000-bare', at: '2999-01-02T00:00:00+00:00'})")
    answer = await call(api, editor, "{ changes(limit: 3) { id actor operation key before after } }")
    assert "errors" not in answer, answer
    bare, by_hand, created = answer["data"]["changes"]
    assert bare == {"id": "999999999999-0000-bare", "actor": "(unreadable)", "operation": "(unreadable)",
                    "key": "(unreadable)", "before": None, "after": None}  # fmt: skip
    assert by_hand["before"] == {"unreadable": True, "stored": "{not json"}
    assert by_hand["after"] == {"unreadable": True, "stored": "42"}
    assert created["operation"] == "createFlow" and created["key"] == FLOW["key"]
    assert "audit record 999999999998-0000-byhand cannot be read in full (actor, before, after)" in caplog.text


async def test_a_change_that_changes_nothing_leaves_no_trace(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    same = await call(api, editor, 'mutation { updatePrinciple(key: "share-information", expectedVersion: 1, input: {key: "share-information", '
                      'title: {vi: "Chia sẻ thông tin", en: "Share information"}, text: {vi: "Các phòng ban cần chia sẻ thông tin một cách cởi mở và kịp thời.", '
                      'en: "Departments need to share information openly and in good time."}}) { version } }')  # fmt: skip
    assert same["data"]["updatePrinciple"]["version"] == 1
    assert await snapshot(seeded) == before


async def test_relationships_and_scenarios_change_with_their_parts(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    relationship = {
        "key": "marketing-engineering", "departments": ["marketing", "engineering"],
        "title": {"vi": "Phòng Marketing và Phòng Kỹ thuật", "en": "Marketing and Engineering"},
        "summary": {"vi": "Phối hợp khi ra mắt sản phẩm.", "en": "They coordinate on launches."},
        "goals": [{"key": "successful-launches", "text": {"vi": "Ra mắt thành công", "en": "Successful launches"}, "topics": ["new-products"]}],
        "roles": [{"department": "marketing", "duties": [{"key": "marketing-engineering-announce", "text": {"vi": "công bố", "en": "Announce"}}]}],
    }  # fmt: skip
    query = "mutation($input: RelationshipInput!) { createRelationship(input: $input) { key version sharedGoals { key } roles { department { key } duties(lang: EN) } } }"
    created = (await call(api, editor, query, {"input": relationship}))["data"]["createRelationship"]
    assert created == {"key": "marketing-engineering", "version": 1, "sharedGoals": [{"key": "successful-launches"}],
                       "roles": [{"department": {"key": "marketing"}, "duties": ["Announce"]}]}  # fmt: skip
    scenario = {
        "key": "launch-day", "title": {"vi": "Ngày ra mắt", "en": "Launch day"},
        "text": {"vi": "Kỹ thuật báo ngày ra mắt cho Marketing.", "en": "Engineering tells Marketing the launch date."},
        "steps": [{"actor": "engineering", "action": {"vi": "báo ngày ra mắt", "en": "gives the launch date"}, "recipient": "marketing"}],
    }  # fmt: skip
    made = await call(
        api,
        editor,
        'mutation($input: ScenarioInput!) { createScenario(relationship: "marketing-engineering", input: $input) { key steps { position actor { key } recipient { key } } } }',
        {"input": scenario},
    )
    assert made["data"]["createScenario"] == {
        "key": "launch-day",
        "steps": [{"position": 1, "actor": {"key": "engineering"}, "recipient": {"key": "marketing"}}],
    }
    fewer = {**relationship, "goals": [], "summary": {"vi": "Phối hợp.", "en": "They coordinate."}}
    update = 'mutation($input: RelationshipInput!) { updateRelationship(key: "marketing-engineering", expectedVersion: 1, input: $input) { version summary(lang: EN) sharedGoals { key } examples { key } } }'
    updated = (await call(api, editor, update, {"input": fewer}))["data"]["updateRelationship"]
    assert updated == {
        "version": 2,
        "summary": "They coordinate.",
        "sharedGoals": [],
        "examples": [{"key": "launch-day"}],
    }
    assert await seeded.read("MATCH (g:Goal {key: 'successful-launches'}) RETURN g") == []
    moved = await call(
        api,
        editor,
        update.replace("expectedVersion: 1", "expectedVersion: 2"),
        {"input": {**fewer, "departments": ["marketing", "sales"]}},
    )
    assert moved["errors"][0]["extensions"]["field"] == "input.departments"


async def test_export_after_mutations_seeds_an_empty_graph_identically(
    api: httpx.AsyncClient, seeded: Database, editor: str, tmp_path: Path
) -> None:
    await call(api, editor, CREATE_FLOW, {"rel": "sales-accounting", "input": FLOW})
    await call(
        api,
        editor,
        'mutation { createTopic(input: {key: "forecasts", name: {vi: "Dự báo", en: "Forecasts"}, aliases: {en: ["Forecast"]}}) { key } }',
    )
    await call(
        api,
        editor,
        'mutation { linkTopic(topic: "forecasts", kind: FLOW, key: "sales-to-accounting-forecast") { key } }',
    )
    await call(api, editor, 'mutation { deletePrinciple(key: "mutual-respect", expectedVersion: 1) { key } }')
    await call(api, editor, 'mutation { updateDepartment(key: "customer-care", expectedVersion: 1, input: {key: "customer-care", '
               'name: {vi: "Phòng Chăm sóc khách hàng", en: "Customer Care"}, aliases: {vi: ["CSKH"], en: ["Customer Success"]}}) { version } }')  # fmt: skip
    exported = await export(seeded)
    assert (
        "sales-to-accounting-forecast" in exported
        and "mutual-respect" not in exported
        and "Customer Success" in exported
    )

    await seeded.command("MATCH (n) DETACH DELETE n")
    path = tmp_path / "graph.yaml"
    path.write_text(exported, encoding="utf-8")
    await load(seeded, read_files([path]))
    assert await export(seeded) == exported
