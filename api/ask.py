"""`ask(question:)`: a question in plain Vietnamese or English, answered in one request.

The question is read several ways and the readings ranked (`graph.questions`), never by a remote
model: deterministic, explainable, and answered with the document's own words or not at all. For
the best reading, `ask` writes the contract query that answers it (its intent's plan,
`api.ask_plans`), runs it through the schema with the request's own context, and phrases the
answer from what came back: the `query` an answer shows is the query that answered it. The answer
says what was understood (intent, departments, topics) and how surely (`confidence`), gives the
items it rests on — the same objects the rest of the API returns, selected as the caller likes — a
sentence or a few (`text`), and the next best readings (`alternatives`), so that a tool can ask
back rather than guess. A question declined, or answered unsurely, is counted for the editors
(`unansweredQuestions`).
"""

from __future__ import annotations

import logging
import weakref
from typing import Annotated, Any

import anyio.to_thread
import strawberry
from graphql import EnumValueNode, GraphQLError, VariableNode, parse, print_ast
from strawberry.types import Info

from api.answer import may_read
from api.ask_plan import Plan
from api.ask_plans import PLANS
from api.ask_query import CallerSelection
from api.context import WARM_UP, Context, Lang
from api.errors import api_error
from api.fields import LangArg
from api.types import (
    Activity,
    Department,
    Flow,
    Goal,
    Principle,
    Recipient,
    Role,
    Scenario,
    SearchHit,
    Step,
    Topic,
)
from graph import cues, unanswered
from graph.ask_index import AskIndex
from graph.errors import ErrorCode
from graph.failures import DatabaseUnavailable, QueryTimeout
from graph.questions import Reading, Understanding, understand

log = logging.getLogger("deptgraph.api")

MAX_QUESTION = 500
# Answered, but less surely than this: counted among the questions nobody could answer well.
UNSURE = 0.6

strawberry.enum(cues.Intent, name="Intent", description="What a question asks.")  # the one Intent
Intent = cues.Intent


def _pick(root: Any, info: Info) -> Any:
    return root[info.path.key]


def _text(root: Any, info: Info, lang: LangArg = None) -> str:
    return str(root["@text"][lang.value if lang else root["@lang"]])


@strawberry.type(description="Another way to read a question: what it would ask, of which departments.")
class AlternativeReading:
    intent: Intent = strawberry.field(description="What it would ask.")
    departments: list[str] = strawberry.field(
        description="The keys of the departments it would ask about, in the order the intent reads them "
        "(the one asked about first: the receiver of NEEDS, the provider of CONTRIBUTIONS)."
    )
    topics: list[str] = strawberry.field(description="The keys of the topics it would ask about.")
    confidence: float = strawberry.field(description="How surely the question means this, 0–1.")
    vi: strawberry.Private[str]
    en: strawberry.Private[str]
    lang: strawberry.Private[str]

    @strawberry.field(description="The question this reading answers, in plain words: to ask back with.")
    def question(self, lang: LangArg = None) -> str:
        return self.vi if (lang.value if lang else self.lang) == "vi" else self.en


@strawberry.type(description="The answer to a question asked in plain words.")
class Answer:
    understood: bool = strawberry.field(
        resolver=_pick,
        description="False when the question is not understood, or the document does not cover it.",
    )
    intent: Intent | None = strawberry.field(resolver=_pick, description="What was asked; null when not understood.")
    confidence: float = strawberry.field(
        resolver=_pick,
        description="How surely the question was understood, 0–1: the best reading's score (a declined question's "
        "best reading scored below the answering threshold). Calibrated on questions written by people who never "
        "saw the rules (`python -m bench.ask`).",
    )
    text: str = strawberry.field(
        resolver=_text,
        description="The answer in one or a few sentences, in the document's words — or why there is none and "
        "what to try.",
    )
    departments: list[Department] = strawberry.field(
        resolver=_pick, description="The departments the question named, as understood (the one asked about first)."
    )
    topics: list[Topic] = strawberry.field(resolver=_pick, description="The topics the question named, as understood.")
    flows: list[Flow] = strawberry.field(resolver=_pick, description="The flows the answer rests on.")
    recipients: list[Recipient] = strawberry.field(resolver=_pick, description="Who gets things about the topics.")
    goals: list[Goal] = strawberry.field(resolver=_pick, description="The shared goals asked for.")
    roles: list[Role] = strawberry.field(resolver=_pick, description="The role asked for, with its duties.")
    activities: list[Activity] = strawberry.field(resolver=_pick, description="What the two departments do together.")
    scenarios: list[Scenario] = strawberry.field(resolver=_pick, description="The examples asked for.")
    steps: list[Step] = strawberry.field(resolver=_pick, description="The steps of those examples.")
    principles: list[Principle] = strawberry.field(resolver=_pick, description="The principles of cooperation.")
    hits: list[SearchHit] = strawberry.field(resolver=_pick, description="What search found, when the question is one.")
    alternatives: list[AlternativeReading] = strawberry.field(
        resolver=_pick,
        description="The next best readings of the question, best first, each with its intent, departments and "
        "confidence: to ask back (“Did you mean …?”) rather than guess. For a declined question, the readings that "
        "scored too low.",
    )
    query: str = strawberry.field(
        resolver=_pick,
        description="The query that answered (contract fields, values inlined, with the caller's selections) — "
        "runnable as it is in GraphiQL; empty when the question is declined.",
    )


LISTS = ("departments", "topics", "flows", "recipients", "goals", "roles", "activities", "scenarios", "steps",
         "principles", "hits")  # fmt: skip
Texts = dict[str, str]


def _say(vi: str, en: str) -> Texts:
    return {"vi": vi, "en": en}


# --- the resolver -------------------------------------------------------------------------------


async def ask(
    info: Info[Context, None],
    question: Annotated[
        str,
        strawberry.argument(
            description="A question, in Vietnamese or English, with or without "
            "diacritics, e.g. 'Ai nhận khiếu nại của khách hàng?'."
        ),
    ],
    lang: Annotated[
        Lang | None, strawberry.argument(description="The language of the answer's text (default: the question's).")
    ] = None,
) -> Answer:
    await may_read(info)
    if len(question) > MAX_QUESTION:
        raise api_error(
            f"ask(question:): a question is at most {MAX_QUESTION} characters; this one has {len(question)}.",
            ErrorCode.BAD_USER_INPUT,
            argument="question",
        )
    async with info.context.reading.asks:
        return await _ask(info, question, lang)


async def _ask(info: Info[Context, None], question: str, lang: Lang | None) -> Answer:
    context = info.context
    stamp = await context.versions.fresh()
    index = await context.reading.vocabulary.get(context.database, stamp)
    understood = await anyio.to_thread.run_sync(understand, question, index)  # CPU work, off the event loop
    caller = CallerSelection(info)
    answer_lang = lang.value if lang else understood.lang
    langs = list(dict.fromkeys([answer_lang, *_text_langs(caller, answer_lang)]))
    lists: dict[str, list[Any]] = {}
    text: Texts = {}
    query = ""
    best = understood.best
    if best is not None:
        plan = PLANS[best.intent](best, index)
        query, data = await _run(info, plan, caller, langs[0])
        lists, text[langs[0]], ok = plan.phrase(data, langs[0], lists_wanted=True)
        for other in langs[1:]:  # another language for `text`: the same query in that language
            _, more = await _run(info, plan, caller, other)
            text[other] = plan.phrase(more, other, lists_wanted=False)[1]
        if not ok:
            best, lists = None, {}
    if best is None:
        text = _declined(understood, index)
        query = ""
    if best is None or understood.confidence < UNSURE:
        await _count(info, question, understood, answered=best is not None)
        context.cacheable = False  # asked again, it is counted again
    answer: dict[str, Any] = {"@text": {**_declined(understood, index), **text}, "@lang": answer_lang}
    for key, name in caller.keys.items():
        if name in LISTS:
            answer[key] = lists.get(name, [])
        elif name == "understood":
            answer[key] = best is not None
        elif name == "intent":
            answer[key] = best.intent if best else None
        elif name == "confidence":
            answer[key] = understood.confidence
        elif name == "query":
            answer[key] = print_ast(parse(query)) if query else ""
        elif name == "alternatives":
            answer[key] = [_alternative(r, index, answer_lang) for r in understood.alternatives]
        else:
            answer.setdefault(key, None)
    return answer  # type: ignore[return-value]


def _text_langs(caller: CallerSelection, default: str) -> list[str]:
    """The languages the caller wants the answer's text in (`text`, `text(lang: EN)`, `text(lang: $l)`)."""
    found = []
    for node in caller.fields.get("text", []):
        value = next((a.value for a in node.arguments or () if a.name.value == "lang"), None)
        if isinstance(value, EnumValueNode):
            found.append(value.value.lower())
        elif isinstance(value, VariableNode):
            given = caller.variables.get(value.name.value)
            found.append(given.value if isinstance(given, Lang) else default)
        else:  # none, or null
            found.append(default)
    return found


async def _run(info: Info[Context, None], plan: Plan, caller: CallerSelection, lang: str) -> tuple[str, dict[str, Any]]:
    """The plan's query, written for `lang` and the caller's selection, run through the schema."""
    query = plan.query(caller, lang)
    record = getattr(info.context, "record", None)
    operation = getattr(record, "operation", None)
    result = await info.schema.execute(query, context_value=info.context)
    if record is not None:
        record.operation = operation  # the caller's operation, not ours, in the access log
    if result.errors:
        error = result.errors[0]
        raise error.original_error if isinstance(error.original_error, GraphQLError) else error
    return query, result.data or {}


async def _count(info: Info[Context, None], question: str, understood: Understanding, answered: bool) -> None:
    """Count a question declined or answered unsurely; never fail the answer for it. The warm-up's
    own asking (the explorer's operations, run with a department's key for the question) is no one's."""
    if info.context.request_id == WARM_UP:
        return
    reading = understood.best or (understood.alternatives[0] if understood.alternatives else None)
    try:
        await unanswered.record(
            info.context.database, question, understood.lang, reading.intent.name if reading else None,
            understood.confidence, answered,
        )  # fmt: skip
    except (DatabaseUnavailable, QueryTimeout) as exc:
        log.warning("could not count an unanswered question: %s", exc)


def _alternative(reading: Reading, index: AskIndex, lang: str) -> AlternativeReading:
    return AlternativeReading(
        intent=reading.intent,
        departments=list(reading.departments),
        topics=list(reading.topics),
        confidence=round(reading.score, 3),
        vi=rephrase(reading, index, "vi"),
        en=rephrase(reading, index, "en"),
        lang=lang,
    )


def rephrase(reading: Reading, index: AskIndex, lang: str) -> str:
    """A reading as a plain question, to ask back with."""

    def dept(key: str | None) -> str:
        return index.name("Department", key, lang) if key else ""

    topics = ", ".join(index.name("Topic", t, lang) for t in reading.topics)
    vi = lang == "vi"
    intent, deps = reading.intent, reading.departments
    Q = cues.Intent
    if intent in (Q.NEEDS, Q.CONTRIBUTIONS):
        giver, getter = dept(reading.provider), dept(reading.receiver)
        about = (f" về {topics}" if vi else f" about {topics}") if topics else ""
        if getter and giver:
            return f"{getter} nhận gì{about} từ {giver}?" if vi else f"What does {getter} get{about} from {giver}?"
        if getter:
            return f"{getter} nhận được gì{about}?" if vi else f"What does {getter} get{about}?"
        return f"{giver} cung cấp gì{about}?" if vi else f"What does {giver} provide{about}?"
    if intent is Q.RECIPIENTS:
        return f"Ai nhận {topics}?" if vi else f"Who gets {topics}?"
    if intent is Q.PROVIDERS:
        return f"Ai cung cấp {topics}?" if vi else f"Who provides {topics}?"
    if intent is Q.PURPOSE:
        return f"Vì sao cần {topics}?" if vi else f"Why is {topics} needed?"
    pair = " và ".join(dept(k) for k in deps) if vi else " and ".join(dept(k) for k in deps)
    if intent is Q.SHARED_GOALS:
        return f"{pair} có chung mục tiêu gì?" if vi else f"Which goals do {pair} share?"
    if intent is Q.ROLE and len(deps) == 2:
        return (f"Vai trò của {dept(deps[0])} với {dept(deps[1])} là gì?" if vi
                else f"What is {dept(deps[0])}'s role with {dept(deps[1])}?")  # fmt: skip
    if intent is Q.COOPERATION:
        return f"{pair} phối hợp thế nào?" if vi else f"How do {pair} cooperate?"
    if intent is Q.EXAMPLE:
        return f"Cho ví dụ về {pair or topics}." if vi else f"Give an example about {pair or topics}."
    if intent is Q.PRINCIPLES:
        return "Những nguyên tắc phối hợp là gì?" if vi else "What are the principles of cooperation?"
    return (
        f"Tài liệu nói gì về “{reading.words or topics}”?"
        if vi
        else f"What does the document say about “{reading.words or topics}”?"
    )


COVERED_PAIRS = 6  # the pairs of departments a decline names, at most
_COVERS: weakref.WeakKeyDictionary[AskIndex, Texts] = weakref.WeakKeyDictionary()


def _covers(index: AskIndex) -> Texts:
    """What the documents cover, from the graph itself: the pairs of departments they describe
    (once per state of the graph)."""
    found = _COVERS.get(index)
    if found is None:
        found = _COVERS[index] = _covered(index)
    return found


def _covered(index: AskIndex) -> Texts:
    pairs = sorted(tuple(sorted(pair)) for pair in index.relationships if len(pair) == 2)
    more = len(pairs) - COVERED_PAIRS
    texts: Texts = {}
    for lang in ("vi", "en"):
        named = [f"{index.name('Department', a, lang)} – {index.name('Department', b, lang)}"
                 for a, b in pairs[:COVERED_PAIRS]]  # fmt: skip
        if more > 0:
            named.append(f"và {more} cặp khác" if lang == "vi" else f"and {more} more pairs")
        texts[lang] = (
            f"Tài liệu nói về cách các phòng ban phối hợp ({'; '.join(named)}): ai cần gì từ ai, ai nhận hay xử lý "
            "việc gì (ví dụ khiếu nại), mục tiêu chung, vai trò, cách phối hợp, ví dụ và các nguyên tắc phối hợp."
            if lang == "vi"
            else f"The documents cover how departments work together ({'; '.join(named)}): who needs what from "
            "whom, who gets or handles what (e.g. complaints), shared goals, roles, how they cooperate, examples and "
            "the principles of cooperation."
        )
    return texts


def _declined(understood: Understanding, index: AskIndex) -> Texts:
    """Why a question is declined, and what the document does cover."""
    missing = understood.missing
    if missing == "known department":
        why = _say(f"Tài liệu không nói về “{understood.words}”.", f"The document does not cover “{understood.words}”.")
    elif missing == "relationship":
        why = _say(
            "Tài liệu không mô tả điều gì như vậy giữa các phòng ban này.",
            "The document describes nothing like that between these departments.",
        )
    elif missing == "topic":
        why = _say(
            "Tài liệu không nói về điều này: không chủ đề, luồng, bước, nhiệm vụ, hoạt động hay mục tiêu nào khớp (thử "
            "“khiếu nại”, “chính sách giá”, “doanh thu”).",
            "The document does not cover this: no topic, flow, step, duty, activity or goal matches (try “complaints”, "
            "“pricing”, “revenue”).",
        )
    elif missing in ("department", "two departments", "two departments or a topic") and understood.confidence > 0.2:
        why = _say(
            "Câu hỏi cần nêu rõ phòng ban (ví dụ “Kinh doanh cần gì từ Kế toán?”, “Kinh doanh và Kỹ thuật có chung "
            "mục tiêu gì?”).",
            "The question needs to name the departments (e.g. “What does Sales need from Accounting?”, “Which goals "
            "do Sales and Engineering share?”).",
        )
    else:
        why = _say("Không hiểu câu hỏi, hoặc tài liệu không nói về điều này.",
                   "Not understood, or the document does not cover it.")  # fmt: skip
    covers = _covers(index)
    return {lang: f"{why[lang]} {covers[lang]}" for lang in ("vi", "en")}
