"""Questions and terms as people write them (issue 13), against the real seeded graph.

The public test set is tests/ask_cases.yaml; `bench.ask` judges the answers and prints the share
right per family (`python -m bench.ask`). Here every one of them must be right.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from bench.ask import Report, evaluate, load_cases
from bench.ask_probes import robustness, robustness_summary
from graph.database import Database
from graph.tokens import create_token

from .conftest import data_of, graphql

CASES = load_cases()
# The public questions asked once of the seeded graph, for the tests that judge those answers: asking
# all of them again for a second test cost the suite ~20 s under coverage and gave the same report.
_ASKED: dict[str, Report] = {}


async def plain_report(api: httpx.AsyncClient) -> Report:
    """Every public question, asked as written of the graph the shipped seed files make."""
    if "questions" not in _ASKED:
        _ASKED["questions"] = await evaluate(api, {"questions": CASES["questions"]})
    return _ASKED["questions"]


def test_the_test_set_is_what_the_issue_asks_for() -> None:
    terms, questions = CASES["terms"], CASES["questions"]
    phrasings = [*terms, *questions]
    assert len(phrasings) >= 80
    languages = Counter(case["lang"] for case in phrasings)
    assert min(languages.values()) >= 0.4 * len(phrasings), languages
    vietnamese = [case.get("term") or case["question"] for case in phrasings if case["lang"] == "vi"]
    assert any(text.isascii() for text in vietnamese) and any(not text.isascii() for text in vietnamese)
    uncovered = [case for case in terms if not case["topics"]] + [q for q in questions if q["family"] == "NONE"]
    assert len(uncovered) >= 10
    families = {case["family"] for case in questions}
    assert families >= {"NEEDS", "CONTRIBUTIONS", "RECIPIENTS", "PROVIDERS", "PURPOSE", "SHARED_GOALS", "ROLE",
                        "COOPERATION", "EXAMPLE", "PRINCIPLES", "SEARCH", "NONE"}  # fmt: skip


async def test_every_term_resolves_to_the_topics_it_means(api: httpx.AsyncClient) -> None:
    report = await evaluate(api, {"terms": CASES["terms"]})
    assert not report.wrong(), "\n".join(f"{o.asked!r}: {o.wrong}" for o in report.wrong())


async def test_every_question_is_answered_from_the_document_or_declined(api: httpx.AsyncClient) -> None:
    report = await plain_report(api)
    print("\n" + report.table())
    assert not report.wrong(), "\n".join(f"[{o.family}] {o.asked!r}: {o.wrong}" for o in report.wrong())


async def test_a_question_framed_by_words_that_ask_nothing_is_mostly_answered_the_same(api: httpx.AsyncClient) -> None:
    """Every covered question of the public set with a framing phrase before or after it (phrases
    graph.words does not list): 346/362 kept when written, 314/362 before the framing was read apart."""
    plain = await plain_report(api)
    varied = await robustness(api, {"questions": CASES["questions"]})
    summary = robustness_summary(plain, varied)
    kept = sum(not o.wrong for o in varied.outcomes)
    otherwise = [o for o in varied.outcomes if o.answered and o.wrong]
    assert kept >= 0.93 * len(varied.outcomes), summary
    assert len(otherwise) <= 5, summary


@pytest.mark.parametrize(
    ("question", "intent", "departments"),
    [
        ("out of curiosity, what does Sales need from the R&D team?", "NEEDS", {"sales", "engineering"}),
        ("What does Sales need from the R&D team for onboarding?", "NEEDS", {"sales", "engineering"}),
        ("sorry to bother you, what does Sales send over to finance?", "NEEDS", {"accounting", "sales"}),
        ("What do sales people rely on Marketing for tbh?", "NEEDS", {"sales", "marketing"}),
    ],
)
async def test_framing_at_either_end_names_no_department(
    api: httpx.AsyncClient, question: str, intent: str, departments: set[str]
) -> None:
    """Regressions: "of curiosity", "for onboarding", "to bother" were read as a department's place."""
    query = "query($q: String!) { ask(question: $q) { understood intent departments { key } } }"
    answer = (await data_of(api, query, {"q": question}))["ask"]
    assert answer["understood"] and answer["intent"] == intent, answer
    assert {d["key"] for d in answer["departments"]} == departments


@pytest.mark.parametrize(
    "question",
    [
        "What does Sales need from Legal?",
        "What does Sales need from Engineering and Legal?",
        "What does Sales need from Accounting about inventory?",
        "Quy trình xin nghỉ phép như thế nào?",
        "Legal, what does Sales send them?",
        "What does Sales need from IT?",  # IT in capitals is no pronoun (a hostile review: answered at 0.9)
        "How do sales and IT cooperate?",
    ],
)
async def test_words_the_document_never_uses_that_ask_something_are_not_taken_for_framing(
    api: httpx.AsyncClient, question: str
) -> None:
    answer = await data_of(api, "query($q: String!) { ask(question: $q) { understood } }", {"q": question})
    assert not answer["ask"]["understood"], question


# The issue's own list: each was NOT_FOUND before.
@pytest.mark.parametrize(
    ("term", "handler"),
    [
        ("lead", "customer-care"), ("campaign", "marketing"), ("price", "sales"),
        ("receivable", "accounting"), ("customer complaint", "customer-care"), ("payment term", "sales"),
        ("khiếu nại khách hàng", "customer-care"), ("phản hồi khách hàng", "marketing"), ("bảng giá", "sales"),
        ("thu hồi công nợ", "accounting"), ("lịch sử mua hàng", "sales"), ("câu hỏi kỹ thuật", "sales"),
        ("nghiên cứu thị trường", "sales"),
    ],
)  # fmt: skip
async def test_recipients_of_terms_as_people_write_them(api: httpx.AsyncClient, term: str, handler: str) -> None:
    data = await data_of(api, "query($t: String!) { recipients(topic: $t) { department { key } } }", {"t": term})
    assert handler in [recipient["department"]["key"] for recipient in data["recipients"]]


async def test_a_term_meaning_several_topics_answers_for_all_of_them(api: httpx.AsyncClient) -> None:
    data = await data_of(api, '{ topicsMatching(term: "thanh toán") { key } }')
    assert {topic["key"] for topic in data["topicsMatching"]} == {"payment-terms", "payment-process"}
    data = await data_of(api, '{ recipients(topic: "tài chính") { flows { key } } }')
    flows = {flow["key"] for recipient in data["recipients"] for flow in recipient["flows"]}
    assert "accounting-to-sales-financial-situation" in flows


@pytest.mark.parametrize("term", ["tồn kho", "hợp đồng", "lịch giao hàng", "inventory"])
async def test_what_the_document_does_not_cover_is_said_so_without_suggestions(
    api: httpx.AsyncClient, term: str
) -> None:
    body = await graphql(api, "query($t: String!) { recipients(topic: $t) { role } }", {"t": term})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "does not cover" in error["message"]
    assert not error["extensions"].get("suggestions")


ASK = "query($q: String!, $lang: Lang) { ask(question: $q, lang: $lang) { understood intent text query } }"


async def test_the_answer_speaks_the_question_s_language_unless_asked_otherwise(api: httpx.AsyncClient) -> None:
    vietnamese = (await data_of(api, ASK, {"q": "Kinh doanh cần gì từ Kế toán?"}))["ask"]
    assert vietnamese["understood"] and "điều khoản thanh toán" in vietnamese["text"]
    english = (await data_of(api, ASK, {"q": "Kinh doanh cần gì từ Kế toán?", "lang": "EN"}))["ask"]
    assert "Payment terms" in english["text"]
    both = await data_of(
        api, '{ ask(question: "What does Sales need from Accounting?") { en: text vi: text(lang: VI) } }'
    )
    assert "Payment terms" in both["ask"]["en"] and "điều khoản thanh toán" in both["ask"]["vi"]


async def test_not_understood_says_why_and_what_to_try(api: httpx.AsyncClient) -> None:
    answer = (await data_of(api, ASK, {"q": "Who manages the inventory?"}))["ask"]
    assert answer == {"understood": False, "intent": None, "text": answer["text"], "query": ""}
    assert "does not cover" in answer["text"] and "e.g." in answer["text"]
    answer = (await data_of(api, ASK, {"q": "What does it need?"}))["ask"]
    assert not answer["understood"]


async def test_aliases_of_the_caller_never_meet_the_answer_s_own_fields(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        '{ ask(question: "What does Sales need from Accounting?") { _text: understood '
        "flows { _key: text(lang: EN) key _provider: kind provider { _name_en: key } } } }",
    )
    assert data["ask"]["_text"] is True
    first = data["ask"]["flows"][0]
    assert first["_key"] == "Information on pricing policy" and first["key"] == "accounting-to-sales-pricing-policy"
    assert first["_provider"] == "NEED"
    assert first["provider"] == {"_name_en": "accounting"}


async def test_a_question_over_the_limit_is_refused(api: httpx.AsyncClient) -> None:
    body = await graphql(api, ASK, {"q": "Who gets complaints? " * 40})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "at most 500" in error["message"]


async def test_a_name_added_through_the_api_is_understood_at_once(api: httpx.AsyncClient, seeded: Database) -> None:
    question = {"q": "Who gets the grumbles?"}
    assert not (await data_of(api, ASK, question))["ask"]["understood"]
    token = await create_token(seeded, "ask-test", "editor")
    body = await graphql_with(
        api, token,
        'mutation { updateTopic(key: "complaints", expectedVersion: 1, input: {key: "complaints", '
        'name: {vi: "Khiếu nại", en: "Complaints"}, aliases: {vi: ["Phàn nàn"], en: ["Complaint", "Grumbles"]}}) '
        "{ key } }",
    )  # fmt: skip
    assert "errors" not in body, body
    answer = (await data_of(api, "query($q: String!) { ask(question: $q) { understood recipients { role "
                                 "department { key } } } }", question))["ask"]  # fmt: skip
    assert answer["understood"]
    assert answer["recipients"][0] == {"role": "HANDLES", "department": {"key": "customer-care"}}


async def graphql_with(http: httpx.AsyncClient, token: str, query: str) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {token}"})
    body: dict[str, Any] = response.json()
    return body
