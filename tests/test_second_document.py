"""A second source document, seeded beside the first: its items are answered and cited by the API
and `ask`, each item citing its own document; seeded alone it adds to the graph; a document that
describes a pair the graph already holds is refused."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest_asyncio

from deptgraph.settings import Settings
from domain.knowledge import Knowledge, Relationship
from graph.database import Database
from seed.files import default_files, dump, read_files
from seed.loader import export, load

from .conftest import PROJECT, WIPE, app_client, data_of, run_cli

EXAMPLE = PROJECT / "seed" / "examples" / "hr-it.yaml"
TEXTS = {
    "sales-and-other-departments": PROJECT / "seed" / "source-document.vi.txt",
    "hr-and-it": PROJECT / "seed" / "examples" / "hr-it.vi.txt",
}
TEXT = {key: unicodedata.normalize("NFC", path.read_bytes().decode("utf-8")) for key, path in TEXTS.items()}


@pytest_asyncio.fixture
async def both(database: Database) -> Database:
    """The shipped seed and the example document, seeded together."""
    await database.command(WIPE)
    await load(database, read_files([*default_files(), EXAMPLE]))
    return database


async def test_each_item_cites_its_own_document(both: Database) -> None:
    rows = await both.read(
        "MATCH (n) WHERE n.source_document IS NOT NULL "
        "RETURN n.source_document AS document, n.source_quote AS quote, n.source_start AS start, n.source_end AS end"
    )
    assert sorted({row["document"] for row in rows}) == sorted(TEXTS)
    assert sum(row["document"] == "sales-and-other-departments" for row in rows) == 95
    assert sum(row["document"] == "hr-and-it" for row in rows) == 23
    for row in rows:
        assert TEXT[row["document"]][row["start"] : row["end"]] == row["quote"]


async def test_the_second_documents_items_are_answered_cited(settings: Settings, both: Database) -> None:
    async with app_client(settings, both) as api:
        data = await data_of(
            api,
            """{ sources { key file }
                 needs(of: "Nhân sự", from: "CNTT") { key text(lang: EN) source { document { key } section quote } }
                 relationship(between: "Phòng Nhân sự", and: "Công nghệ thông tin") { key
                   owner { department { key } contact } source { quote }
                   examples { steps { text(lang: VI) source { quote } } } }
                 accounting: needs(of: "sales", from: "accounting") { source { document { key } } } }""",
        )
    assert data["sources"] == [
        {"key": "sales-and-other-departments", "file": "source-document.vi.txt"},
        {"key": "hr-and-it", "file": "examples/hr-it.vi.txt"},
    ]
    needs = data["needs"]
    assert [f["key"] for f in needs] == ["it-to-hr-accounts-and-equipment", "it-to-hr-software-support",
                                         "it-to-hr-revoke-access", "it-to-hr-access-reports"]  # fmt: skip
    for flow in needs:
        assert flow["source"]["document"] == {"key": "hr-and-it"}
        assert flow["source"]["section"] == "1. Phòng Nhân sự và Phòng Công nghệ thông tin"
        assert flow["source"]["quote"] in TEXT["hr-and-it"]
    rel = data["relationship"]
    assert rel["owner"] == {"department": {"key": "human-resources"}, "contact": "Trưởng phòng Nhân sự"}
    assert (
        rel["source"]["quote"]
        == "Phối hợp trong việc tiếp nhận nhân viên mới, bảo mật thông tin nhân sự, đào tạo kỹ năng số."
    )
    steps = rel["examples"][0]["steps"]
    assert [s["source"]["quote"] for s in steps] == [
        "Nhân sự báo cho Công nghệ thông tin rằng một nhân viên mới bắt đầu làm việc vào thứ Hai.",
        "Công nghệ thông tin chuẩn bị máy tính và tài khoản trước ngày đó.",
    ]
    assert {f["source"]["document"]["key"] for f in data["accounting"]} == {"sales-and-other-departments"}


async def test_ask_answers_about_the_second_document_with_its_quotes(settings: Settings, both: Database) -> None:
    query = """query($q: String!) { ask(question: $q) { understood intent text
        flows { key source { document { key } quote } } steps { key source { quote } } } }"""
    async with app_client(settings, both) as api:
        needs = (await data_of(api, query, {"q": "Phòng Nhân sự cần gì từ Phòng Công nghệ thông tin?"}))["ask"]
        english = await data_of(api, query, {"q": "What does Human Resources need from Information Technology?"})
        why = (await data_of(api, query, {"q": "Vì sao Nhân sự cần báo cáo truy cập?"}))["ask"]
        example = (await data_of(api, query, {"q": "Ví dụ về Nhân sự và Công nghệ thông tin"}))["ask"]
    assert needs["understood"] and needs["intent"] == "NEEDS"
    assert [f["key"] for f in needs["flows"]] == [f["key"] for f in english["ask"]["flows"]]
    assert "Tài khoản và thiết bị cho nhân viên mới" in needs["text"]
    for flow in needs["flows"] + why["flows"]:
        assert flow["source"]["document"] == {"key": "hr-and-it"} and flow["source"]["quote"] in TEXT["hr-and-it"]
    assert why["intent"] == "PURPOSE" and [f["key"] for f in why["flows"]] == ["it-to-hr-access-reports"]
    assert "để Nhân sự kiểm soát quyền của nhân viên" in why["flows"][0]["source"]["quote"]
    assert example["intent"] == "EXAMPLE"
    assert [s["source"]["quote"] for s in example["steps"]] == [
        "Nhân sự báo cho Công nghệ thông tin rằng một nhân viên mới bắt đầu làm việc vào thứ Hai.",
        "Công nghệ thông tin chuẩn bị máy tính và tài khoản trước ngày đó.",
    ]


async def test_a_declined_question_says_what_both_documents_cover(settings: Settings, both: Database) -> None:
    """What the document covers was written out for the first document only: with a second one
    seeded, a declined question left its departments out."""
    async with app_client(settings, both) as api:
        vi = (await data_of(api, '{ ask(question: "Lương thưởng của nhân viên kho là bao nhiêu?") { understood text } }',
                            lang="vi"))["ask"]  # fmt: skip
        en = (await data_of(api, '{ ask(question: "What is the salary of a warehouse clerk?") { understood text } }',
                            lang="en"))["ask"]  # fmt: skip
    assert not vi["understood"] and not en["understood"]
    assert (
        "Phòng Nhân sự – Phòng Công nghệ thông tin" in vi["text"]
        or "Phòng Công nghệ thông tin – Phòng Nhân sự" in vi["text"]
    )
    assert "Phòng Kinh doanh" in vi["text"] and "Human Resources" in en["text"] and "Sales" in en["text"]


async def test_seeded_alone_the_second_document_adds_to_the_graph(
    seeded: Database, cli_env: dict[str, str], tmp_path: Path
) -> None:
    before = await seeded.read("MATCH (n) WHERE n.source_document IS NOT NULL RETURN n.key AS key, properties(n) AS p")
    result = run_cli("seed", str(EXAMPLE), env=cli_env)
    assert result.returncode == 0, result.stderr
    counts = await seeded.read(
        "MATCH (f:Flow) WITH count(f) AS flows MATCH (s:Source) RETURN flows, count(s) AS sources"
    )
    assert counts == [{"flows": 34 + 8, "sources": 2}]
    after = {row["key"]: row["p"] for row in await seeded.read(
        "MATCH (n) WHERE n.source_document = 'sales-and-other-departments' RETURN n.key AS key, properties(n) AS p")}  # fmt: skip
    assert after == {row["key"]: row["p"] for row in before}  # the first document's items, untouched
    assert run_cli("check", env=cli_env).returncode == 0

    exported = await export(seeded)
    assert "file: examples/hr-it.vi.txt" in exported and "document: hr-and-it" in exported
    path = tmp_path / "both.yaml"
    path.write_text(exported, encoding="utf-8")
    assert run_cli("validate", str(path), env=cli_env).returncode == 0
    await seeded.command(WIPE)
    assert run_cli("seed", str(path), env=cli_env).returncode == 0
    assert await export(seeded) == exported


async def test_a_document_that_describes_a_pair_the_graph_holds_is_refused(
    seeded: Database, seed_knowledge: Knowledge, cli_env: dict[str, str], tmp_path: Path
) -> None:
    sales, accounting = (next(d for d in seed_knowledge.departments if d.key == key) for key in ("sales", "accounting"))
    again = Relationship.model_validate({
        "key": "accounting-and-sales", "departments": ["accounting", "sales"],
        "title": {"vi": "Kế toán và Kinh doanh", "en": "Accounting and Sales"},
        "summary": {"vi": "Phối hợp hằng tháng.", "en": "They meet monthly."},
    })  # fmt: skip
    path = tmp_path / "memo.yaml"
    path.write_text(dump(Knowledge(departments=[sales, accounting], relationships=[again])),
                    encoding="utf-8")  # fmt: skip
    assert run_cli("validate", str(path), env=cli_env).returncode == 0  # on its own, the file is fine
    before = await export(seeded)
    result = run_cli("seed", str(path), env=cli_env)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert "Relationships 'accounting-and-sales' and 'sales-accounting' would both join accounting and sales" in message
    assert "Nothing was written." in message
    assert await export(seeded) == before


async def test_the_explorer_data_of_both_documents_is_one_organisation(settings: Settings, both: Database) -> None:
    async with app_client(settings, both) as api:
        data = await data_of(api, "{ departments { key } stale { key owner { department { key } } } }")
    assert [d["key"] for d in data["departments"]][-2:] == ["human-resources", "information-technology"]
    assert {r["key"]: r["owner"]["department"]["key"] for r in data["stale"]}["hr-it"] == "human-resources"
