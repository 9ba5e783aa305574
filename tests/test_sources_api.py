"""Where things come from, where people read them: every cited type answers `source { document
section quote }` from the real graph, `ask` carries the quotes of the items it used, what the API
adds says who added it, and an edit never loses an item's citation."""

from __future__ import annotations

import unicodedata
from typing import Any

import httpx
from graphql import parse

from api.context import Context, Lang, Reading
from api.schema import build_schema, measured_relations
from api.selection import root_selections
from deptgraph.settings import Settings
from graph import vocabulary
from graph.compiled import Limits
from graph.cost import GraphStats, estimate
from graph.database import Database
from graph.tokens import create_token

from .conftest import app_client, data_of
from .document import SOURCE
from .test_mutations import call
from .test_response_cache import cache_counts

TEXT = unicodedata.normalize("NFC", SOURCE.read_bytes().decode("utf-8"))
CITATION = "source { document { key title(lang: EN) language version date file } section quote start end addedBy }"


def assert_quotes_the_document(citation: dict[str, Any]) -> None:
    assert citation["document"]["key"] == "sales-and-other-departments"
    assert TEXT[citation["start"] : citation["end"]] == citation["quote"]
    assert citation["addedBy"] is None  # the first seed is the baseline


async def test_a_flow_says_which_sentence_of_which_document_it_rests_on(api: httpx.AsyncClient) -> None:
    data = await data_of(api, f'{{ needs(of: "accounting", from: "sales") {{ key statement(lang: VI) {CITATION} }} }}')
    revenue = next(f for f in data["needs"] if f["key"] == "sales-to-accounting-revenue")
    citation = revenue["source"]
    assert citation == {
        "document": {"key": "sales-and-other-departments",
                     "title": "The relationship between Sales and the other departments", "language": "vi",
                     "version": "1", "date": "2026-11-26", "file": "source-document.vi.txt"},
        "section": "3. Phòng Kinh doanh và Phòng Kế toán",
        "quote": "Kế toán cung cấp thông tin về tình hình tài chính để Kinh doanh đưa ra quyết định bán hàng, Kinh "
        "doanh cung cấp thông tin về doanh thu để Kế toán lập báo cáo tài chính.",
        "start": citation["start"], "end": citation["end"], "addedBy": None,
    }  # fmt: skip
    assert revenue["statement"] in citation["quote"]
    for flow in data["needs"]:
        assert_quotes_the_document(flow["source"])


async def test_every_cited_type_answers_source(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        f"""{{ relationship(between: "sales", and: "customer care") {{ {CITATION}
              sharedGoals {{ {CITATION} }} activities {{ {CITATION} }} roles {{ items {{ {CITATION} }} }}
              flows {{ {CITATION} }} examples {{ {CITATION} steps {{ {CITATION} }} }} }}
           principles {{ {CITATION} }} statements {{ {CITATION} }}
           search(text: "khiếu nại") {{ kind {CITATION} }}
           sources {{ key title(lang: VI) file }} }}""",
    )
    rel = data["relationship"]
    cited = [rel, *rel["sharedGoals"], *rel["activities"], *rel["roles"][0]["items"], *rel["flows"],
             *rel["examples"], *rel["examples"][0]["steps"], *data["principles"], *data["statements"]]  # fmt: skip
    assert len(cited) == 1 + 2 + 3 + 2 + 7 + 1 + 2 + 4 + 8
    for item in cited:
        assert_quotes_the_document(item["source"])
    assert rel["source"]["quote"].startswith("Phối hợp trong việc giải quyết khiếu nại")
    hits = data["search"]
    assert any(h["kind"] == "Flow" and h["source"]["quote"] for h in hits)
    for hit in hits:  # a department or a topic comes from no sentence
        assert (hit["source"]["quote"] is None) == (hit["kind"] in ("Department", "Topic", "Party"))
    assert data["sources"] == [
        {"key": "sales-and-other-departments", "title": "Mối quan hệ giữa phòng Kinh doanh và các phòng ban khác",
         "file": "source-document.vi.txt"}
    ]  # fmt: skip


async def test_ask_answers_carry_the_quotes_of_the_items_they_used(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        """{ ask(question: "Vì sao Phòng Kế toán cần thông tin về doanh thu?") { understood intent
             flows { key source { quote section } } } }""",
    )
    answer = data["ask"]
    assert answer["understood"] and answer["flows"]
    for flow in answer["flows"]:
        assert flow["source"]["quote"] in TEXT and flow["source"]["section"]
    asked = await data_of(
        api,
        """{ ask(question: "Các nguyên tắc phối hợp là gì?") { principles { key source { quote } } }
            roles: ask(question: "Vai trò của Kinh doanh với Kế toán?") { roles { items { source { quote } } } }
            steps: ask(question: "Ví dụ về Kinh doanh và Chăm sóc khách hàng") { steps { source { quote } } } }""",
    )
    assert [p["source"]["quote"] in TEXT for p in asked["ask"]["principles"]] == [True] * 4
    duties = asked["roles"]["roles"][0]["items"]
    assert duties and {d["source"]["quote"] for d in duties} == {"Tạo doanh thu, quản lý công nợ, thu hồi công nợ."}
    assert [s["source"]["quote"] for s in asked["steps"]["steps"]] == [
        "Khách hàng phàn nàn về chất lượng sản phẩm.",
        "Kinh doanh chuyển thông tin này cho Chăm sóc khách hàng để giải quyết.",
    ]


# --- what the API adds, and what an edit keeps ------------------------------------------------

NEW_FLOW = {
    "key": "sales-to-accounting-forecast", "kind": "CONTRIBUTION", "provider": "sales", "receiver": "accounting",
    "text": {"vi": "dự báo doanh số", "en": "Sales forecast"}, "topics": ["revenue"],
}  # fmt: skip


async def test_what_the_api_adds_cites_no_document_but_says_who_added_it(
    api: httpx.AsyncClient, seeded: Database
) -> None:
    editor = await create_token(seeded, "an@example.com", "editor")
    created = await call(api, editor, f"""mutation($input: FlowInput!) {{
        createFlow(relationship: "sales-accounting", input: $input) {{ key {CITATION} source {{ addedAt }} }} }}""",
                         {"input": NEW_FLOW})  # fmt: skip
    source = created["data"]["createFlow"]["source"]
    assert source["document"] is None and source["quote"] is None and source["section"] is None
    assert source["addedBy"] == "an@example.com" and source["addedAt"].startswith("20")
    # The audit trail is where that comes from.
    audit = await seeded.read("MATCH (c:Change {key: $key}) RETURN c.actor AS actor, c.at AS at", key=NEW_FLOW["key"])
    assert audit == [{"actor": "an@example.com", "at": source["addedAt"]}]
    # Read back through the query side, as any reader sees it.
    read = await data_of(api, '{ needs(of: "accounting", from: "sales") { key source { quote addedBy } } }')
    assert read["needs"][-1] == {"key": NEW_FLOW["key"], "source": {"quote": None, "addedBy": "an@example.com"}}


async def test_an_edit_keeps_the_citations_of_what_it_changes(api: httpx.AsyncClient, seeded: Database) -> None:
    editor = await create_token(seeded, "an@example.com", "editor")
    before = (await seeded.read("MATCH (f:Flow {key: 'accounting-to-sales-discounts'}) RETURN properties(f) AS p"))[0][
        "p"
    ]
    record = await call(api, editor, '{ record(kind: FLOW, key: "accounting-to-sales-discounts") { version value } }')
    value = record["data"]["record"]["value"]
    assert "source" not in value  # the edit form's value is the input: a citation is no input
    value["text"]["en"] = "Discount rules"
    updated = await call(api, editor, f"""mutation($input: FlowInput!) {{
        updateFlow(key: "accounting-to-sales-discounts", expectedVersion: 1, input: $input) {{
          version text(lang: EN) {CITATION} }} }}""", {"input": value})  # fmt: skip
    flow = updated["data"]["updateFlow"]
    assert flow["version"] == 2 and flow["text"] == "Discount rules"
    assert_quotes_the_document(flow["source"])
    assert flow["source"]["quote"] == before["source_quote"] and flow["source"]["start"] == before["source_start"]

    # A relationship's goals, edited with it: the kept ones keep their citations, a new one has none.
    record = await call(api, editor, '{ record(kind: RELATIONSHIP, key: "sales-accounting") { version value } }')
    value = record["data"]["record"]["value"]
    assert "source" not in value and all("source" not in goal for goal in value["goals"])
    value["goals"].append({"key": "forecast-cash", "text": {"vi": "dự báo dòng tiền", "en": "Forecast cash"}})
    updated = await call(api, editor, """mutation($input: RelationshipInput!) {
        updateRelationship(key: "sales-accounting", expectedVersion: 1, input: $input) {
          source { quote } owner { department { key } } sharedGoals { key source { quote addedBy } } } }""",
                         {"input": value})  # fmt: skip
    rel = updated["data"]["updateRelationship"]
    assert rel["source"]["quote"].startswith("Phối hợp trong việc quản lý dòng tiền")
    assert rel["owner"] == {"department": {"key": "sales"}}  # left out of the input: kept
    goals = {g["key"]: g["source"] for g in rel["sharedGoals"]}
    assert goals["manage-finances"]["quote"] == "Quản lý tài chính hiệu quả, đảm bảo lợi nhuận cho công ty."
    assert goals["forecast-cash"] == {"quote": None, "addedBy": "an@example.com"}


# --- the cost model counts the new fields --------------------------------------------------------


async def test_the_cost_estimate_counts_citations_like_every_other_field(settings: Settings, seeded: Database) -> None:
    schema = build_schema(settings)._schema
    stats = GraphStats(measured_relations())
    await stats.measure(seeded)

    def cost(query: str) -> int:
        [(_, root, select)] = root_selections(schema, parse(query), {}, "vi")
        assert root is not None and select is not None
        return estimate(root, select, stats)

    plain = cost('{ needs(of: "sales") { key } }')
    cited = cost('{ needs(of: "sales") { key source { quote section document { key title } } } }')
    flows = stats.fanout(vocabulary.NEEDS)
    assert flows > 1
    # One citation object and its three values per flow, and the document with its two values.
    assert cited - plain == flows * (1 + 2 + 1 + 2)


async def test_a_query_of_citations_past_the_cost_limit_is_refused_before_it_runs(
    settings: Settings, seeded: Database
) -> None:
    schema = build_schema(settings)
    stats = GraphStats()
    await stats.measure(seeded)
    context = Context(request=None, response=None, database=seeded, request_id="cost",  # type: ignore[arg-type]
                      reading=Reading(Limits(), stats, max_cost=200), lang=Lang.VI)  # fmt: skip
    cheap = await schema.execute('{ needs(of: "sales") { key } }', context_value=context)
    assert not cheap.errors
    costly = await schema.execute(
        '{ needs(of: "sales") { key source { quote section start end addedBy addedAt document { key title file } } } }',
        context_value=context,
    )
    assert costly.errors and costly.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"  # type: ignore[index]


async def test_cached_citations_are_served_until_a_write_adds_one(settings: Settings, seeded: Database) -> None:
    editor = await create_token(seeded, "an@example.com", "editor")
    query = '{ needs(of: "accounting", from: "sales") { key source { quote addedBy } } }'
    async with app_client(settings, seeded) as reader, app_client(settings, seeded) as writer:
        first = await data_of(reader, query)
        counts = await cache_counts(reader)
        assert await data_of(reader, query) == first
        assert (await cache_counts(reader))["hit"] == counts["hit"] + 1
        await call(
            writer,
            editor,
            """mutation($input: FlowInput!) {
            createFlow(relationship: "sales-accounting", input: $input) { key } }""",
            {"input": NEW_FLOW},
        )
        after = await data_of(reader, query)  # another app's write: this one's cache must not answer
        assert after["needs"][:-1] == first["needs"]
        assert after["needs"][-1] == {"key": NEW_FLOW["key"], "source": {"quote": None, "addedBy": "an@example.com"}}
