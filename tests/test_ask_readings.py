"""ask reads a question several ways, says how sure it is, and is a client of its own API (issue 22).

Against the real seeded graph: the confidence and the alternatives of the contract, the query an
answer shows being the one that answered (with the caller's selection, variables and fragments
written into it), and the questions nobody could answer, counted for editors and admins.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import parse

from api.schema import build_schema
from deptgraph.settings import Settings
from graph import cues, questions, unanswered
from graph.check import check
from graph.database import Database
from graph.tokens import create_token
from seed.files import default_files, dump, read_files
from seed.loader import export

from .conftest import data_of, graphql, run_cli

ASK = """query($q: String!, $lang: Lang) { ask(question: $q, lang: $lang) {
  understood intent confidence text query
  alternatives { intent departments topics confidence question }
  flows { key provider { key } receiver { key } } } }"""


async def ask(api: httpx.AsyncClient, question: str, **variables: Any) -> dict[str, Any]:
    answer: dict[str, Any] = (await data_of(api, ASK, {"q": question, **variables}))["ask"]
    return answer


async def test_a_plain_question_is_answered_surely(api: httpx.AsyncClient) -> None:
    answer = await ask(api, "What does Sales need from Accounting?")
    assert answer["understood"] and answer["intent"] == "NEEDS"
    assert 0.8 <= answer["confidence"] <= 1.0


async def test_a_declined_question_says_how_far_it_got_and_what_the_document_covers(api: httpx.AsyncClient) -> None:
    answer = await ask(api, "How many days of annual leave do new hires get?")
    assert not answer["understood"] and answer["intent"] is None and answer["query"] == ""
    assert 0.0 <= answer["confidence"] < questions.THRESHOLD
    assert "Marketing" in answer["text"] and "Customer Care" in answer["text"]  # what it does cover


async def test_a_reading_that_the_words_do_not_settle_comes_with_alternatives(api: httpx.AsyncClient) -> None:
    answer = await ask(api, "What is Engineering supposed to hand over to the sales team?")
    assert answer["understood"] and {f["provider"]["key"] for f in answer["flows"]} == {"engineering"}
    reversed_ = [a for a in answer["alternatives"] if a["intent"] in ("NEEDS", "CONTRIBUTIONS")]
    assert reversed_, answer["alternatives"]
    assert reversed_[0]["confidence"] < answer["confidence"]
    assert set(reversed_[0]["departments"]) == {"sales", "engineering"}
    assert "?" in reversed_[0]["question"]


@pytest.mark.parametrize(
    ("question", "giver", "getter"),
    [
        ("What info is Sales expected to send over to Accounting?", "sales", "accounting"),
        ("What gets passed from Sales to the engineering team?", "sales", "engineering"),
        ("I'm new in Sales — what do I need to get from Accounting?", "accounting", "sales"),
        ("Bên Sản xuất cần phòng Kinh doanh cung cấp những gì?", "sales", "engineering"),
        ("What does Customer Care expect from Sales?", "sales", "customer-care"),
    ],
)
async def test_who_gives_and_who_gets_come_from_the_words_around_the_departments(
    api: httpx.AsyncClient, question: str, giver: str, getter: str
) -> None:
    answer = await ask(api, question)
    assert answer["understood"], answer["text"]
    assert {(f["provider"]["key"], f["receiver"]["key"]) for f in answer["flows"]} == {(giver, getter)}


async def test_a_slip_in_a_department_s_name_still_resolves(api: httpx.AsyncClient) -> None:
    data = await data_of(api, '{ ask(question: "Mục tiêu chung của Kinh doanh và Maketing là gì?") '
                              "{ understood intent departments { key } goals { key } } }")  # fmt: skip
    answer = data["ask"]
    assert answer["intent"] == "SHARED_GOALS"
    assert {d["key"] for d in answer["departments"]} == {"sales", "marketing"}
    assert {g["key"] for g in answer["goals"]} == {"grow-sales", "expand-market", "build-brand"}


async def test_departments_the_document_does_not_describe_together_are_declined(api: httpx.AsyncClient) -> None:
    answer = await ask(api, "What does Marketing need from Accounting?")
    assert not answer["understood"] and "describes nothing" in answer["text"]


async def test_the_query_shown_is_the_query_that_answered(api: httpx.AsyncClient) -> None:
    """The caller's selection, its variables and its fragments are written into the query that runs."""
    query = """query($q: String!, $l: Lang) { ask(question: $q) {
      understood query flows { ...F topics { key } } departments { key } } }
      fragment F on Flow { key text(lang: $l) }"""
    body = await graphql(api, query, {"q": "What does Sales need from Accounting?", "l": "EN"})
    answer = body["data"]["ask"]
    assert "text(lang: EN)" in answer["query"] and "topics" in answer["query"] and "$" not in answer["query"]
    assert answer["flows"][0]["text"] == "Information on pricing policy"
    assert {d["key"] for d in answer["departments"]} == {"sales", "accounting"}
    again = await data_of(api, answer["query"])  # runs as it is, and gives the very same items
    flows = [flow for value in again.values() if isinstance(value, list) for flow in value]
    assert [f["key"] for f in flows] == [f["key"] for f in answer["flows"]]
    assert [f["topics"] for f in flows] == [f["topics"] for f in answer["flows"]]


async def test_a_field_the_caller_selects_under_the_answer_s_own_name_is_kept_apart(api: httpx.AsyncClient) -> None:
    """The question is Vietnamese (the sentences need Vietnamese texts); the caller wants English ones."""
    data = await data_of(
        api,
        '{ ask(question: "Kinh doanh cần gì từ Kế toán?") { text flows { text(lang: EN) provider { name(lang: EN) } } } }',
    )
    answer = data["ask"]
    assert "điều khoản thanh toán" in answer["text"]
    assert answer["flows"][0]["text"] == "Information on pricing policy"
    assert answer["flows"][0]["provider"] == {"name": "Accounting"}


def test_there_is_one_intent() -> None:
    schema = build_schema(Settings())
    intent = schema._schema.type_map["Intent"]
    assert set(intent.values) == {i.name for i in cues.Intent}  # type: ignore[attr-defined]
    parse(schema.as_str())


UNANSWERED = "{ unansweredQuestions(first: 50) { totalCount nodes { key text lang count answered intent } } }"


async def editor_data(api: httpx.AsyncClient, token: str, query: str) -> Any:
    response = await api.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"})
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


async def test_declined_questions_are_counted_for_editors_without_anyone_s_token_or_address(
    api: httpx.AsyncClient, seeded: Database, settings: Settings
) -> None:
    await unanswered.forget(seeded)
    question = "Who approves travel expenses? mail me at an.nguyen@example.com or call 0912 345 678, token dgt_abc123"
    for _ in range(3):
        assert not (await ask(api, question))["understood"]
    assert (await ask(api, "What does Sales need from Accounting?"))["understood"]  # answered surely: not counted
    token = await create_token(seeded, "unanswered-editor", "editor")
    found = (await editor_data(api, token, UNANSWERED))["unansweredQuestions"]
    assert found["totalCount"] == 1
    [kept] = found["nodes"]
    assert kept["count"] == 3 and kept["lang"] == "en" and kept["answered"] is False
    assert kept["text"].startswith("who approves travel expenses")
    for secret in ("example.com", "0912", "dgt_abc123", "an.nguyen"):
        assert secret not in kept["text"]
    viewer = await create_token(seeded, "unanswered-viewer", "viewer")
    response = await api.post("/graphql", json={"query": UNANSWERED}, headers={"authorization": f"Bearer {viewer}"})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_unanswered_questions_stay_out_of_the_knowledge(seeded: Database, api: httpx.AsyncClient) -> None:
    await ask(api, "What's the office wifi password?")
    assert (await seeded.read("MATCH (q:UnansweredQuestion) RETURN count(q) AS n"))[0]["n"] >= 1
    assert await export(seeded) == dump(read_files(default_files()))
    assert not await check(seeded)


async def test_the_store_is_bounded_in_number(seeded: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await unanswered.forget(seeded)
    monkeypatch.setattr(unanswered, "MAX_KEPT", 3)
    for n in range(5):
        await unanswered.record(seeded, f"question number {'i' * (n + 1)}", "en", None, 0.1, False)
    found, total = await unanswered.page(seeded, 10, 0)
    assert total == 3
    assert {q.text for q in found} == {f"question number {'i' * n}" for n in (3, 4, 5)}  # the latest kept
    await unanswered.forget(seeded)


async def test_the_command_line_lists_them(seeded: Database, cli_env: dict[str, str]) -> None:
    await unanswered.forget(seeded)
    await unanswered.record(seeded, "Ai duyệt chi phí công tác?", "vi", "SEARCH", 0.12, False)
    result = run_cli("questions", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "ai duyệt chi phí công tác" in result.stdout and "SEARCH 0.12" in result.stdout
    result = run_cli("questions", "--forget", env=cli_env)
    assert "Forgot 1." in result.stdout
    assert (await unanswered.page(seeded, 10, 0))[1] == 0


async def test_the_text_s_language_may_be_null_a_variable_or_both(api: httpx.AsyncClient) -> None:
    """Found by the fuzz test: `text(lang: null)` broke ask."""
    query = (
        'query($l: Lang) { ask(question: "Kinh doanh cần gì từ Kế toán?") { a: text(lang: null) b: text(lang: $l) } }'
    )
    data = await data_of(api, query, {"l": "EN"})
    assert "điều khoản thanh toán" in data["ask"]["a"] and "Payment terms" in data["ask"]["b"]


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("zq5 token is sk-live-abcdef123", "zq5 <token>"),  # the secret was kept, "is" scrubbed
        ("zq1 dgt_abcDEF_123", "zq1 <token>"),  # was "<<token>"
        ("mật khẩu là abc123 nhé", "<token> nhé"),
        ("who handles tokens?", "who handles tokens"),
    ],
)
def test_a_secret_in_a_question_is_scrubbed_before_it_is_kept(question: str, kept: str) -> None:
    """A hostile review: 'token is <secret>' kept the secret; a dgt_ token became '<<token>'."""
    from graph.unanswered import normalise

    assert normalise(question) == kept


async def test_a_declined_question_is_read_sentence_by_sentence_only_when_the_rest_names_nothing(
    api: httpx.AsyncClient,
) -> None:
    """Issue 22: a preamble that names nothing does not decline the question after it; one that
    names a department is not dropped to answer the rest as if it had not been said; and a
    question of more sentences than MAX_SENTENCES is not read one by one."""
    answer = await ask(api, "trying to figure out who does what here... what does marketing bring to the sales team?")
    assert answer["understood"] and answer["intent"] == "NEEDS"
    assert {f["provider"]["key"] for f in answer["flows"]} == {"marketing"}
    kept = await ask(
        api, "I work in customer care. On the sales side, what are they responsible for in our partnership?"
    )
    assert not kept["understood"] or "customer-care" in kept["query"], kept["query"]  # not Sales' duties with all
    many = "hmm? " * (questions.MAX_SENTENCES + 1) + "what does marketing bring to the sales team?"
    whole = await ask(api, many.replace("? ", " "))
    assert whole["understood"]  # the same words in one sentence are understood …
    assert not (
        await ask(api, "trying to figure out who does what here. " * 7 + "what does marketing bring to sales?")
    )["understood"]  # … and past MAX_SENTENCES sentences, none is read alone
