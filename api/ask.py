"""`ask(question:)`: a question in plain Vietnamese or English, answered in one request.

The question is understood by rules (`graph.questions`), never by a remote model: deterministic,
explainable, and answered with the document's own words or not at all. The answer says what was
understood (intent, departments, topics), gives the items it rests on — the same objects the
rest of the API returns, selected as the caller likes — a sentence or a few (`text`), and the
contract `query` that gives the same data in GraphiQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any

import strawberry
from graphql import parse, print_ast
from strawberry.types import Info

from api.answer import may_read
from api.context import Context, Lang
from api.errors import api_error
from api.fields import LangArg
from api.selection import subselections
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
from graph import reads
from graph.compiler import Keys, Select
from graph.database import request_deadline
from graph.errors import ErrorCode
from graph.mapping import AllOf, ByKeys, Mapping, Named, Prop, Root, Text
from graph.questions import Intent as Understood
from graph.questions import Understanding, understand
from graph.shape import Label

MAX_QUESTION = 500


@strawberry.enum(description="What a question asks.")
class Intent(Enum):
    NEEDS = "NEEDS"
    CONTRIBUTIONS = "CONTRIBUTIONS"
    RECIPIENTS = "RECIPIENTS"
    PROVIDERS = "PROVIDERS"
    PURPOSE = "PURPOSE"
    SHARED_GOALS = "SHARED_GOALS"
    ROLE = "ROLE"
    COOPERATION = "COOPERATION"
    EXAMPLE = "EXAMPLE"
    PRINCIPLES = "PRINCIPLES"
    SEARCH = "SEARCH"


def _pick(root: Any, info: Info) -> Any:
    return root[info.path.key]


def _text(root: Any, info: Info, lang: LangArg = None) -> str:
    return str(root["@text"][lang.value if lang else root["@lang"]])


@strawberry.type(description="The answer to a question asked in plain words.")
class Answer:
    understood: bool = strawberry.field(
        resolver=_pick,
        description="False when the question is not understood, or the document does not cover it.",
    )
    intent: Intent | None = strawberry.field(resolver=_pick, description="What was asked; null when not understood.")
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
    query: str = strawberry.field(
        resolver=_pick,
        description="The query (contract fields, values inlined) that gives the same data — runnable in GraphiQL.",
    )


LISTS = (
    "departments",
    "topics",
    "flows",
    "recipients",
    "goals",
    "roles",
    "activities",
    "scenarios",
    "steps",
    "principles",
    "hits",
)


# --- fetching, with what the caller selected and what the answer's sentences need ---------------


def _select(key: str, mapping: Mapping, lang: str = "", children: Iterable[Select] = ()) -> Select:
    return Select(key, mapping, lang, frozenset(), tuple(children), True, f"ask.{key}")


def _texts(name: str) -> list[Select]:
    return [_select(f"@{name}_{lang}", Text(name), lang) for lang in ("vi", "en")]


def _named() -> list[Select]:
    return [_select("@key", Prop("key")), *_texts("name")]


def _flow_fields() -> list[Select]:
    return [
        _select("@key", Prop("key")),
        *_texts("text"),
        *_texts("purpose"),
        _select("@provider", reads.PROVIDER, children=_named()),
        _select("@receiver", reads.RECEIVER, children=_named()),
        _select("@topics", reads.TOPICS, children=[_select("@key", Prop("key"))]),
    ]


@dataclass
class Asking:
    """One ask: what the caller selected under each field of the answer, and how to fetch."""

    info: Info[Context, None]
    wanted: dict[str, tuple[str, tuple[Select, ...]]]
    answer: dict[str, Any] = field(default_factory=dict)

    def children(self, name: str, own: Iterable[Select] = ()) -> tuple[Select, ...]:
        """What the caller selected under every field `name` of the answer, with `own` beside."""
        merged: dict[str, Select] = {select.key: select for select in own}
        for field_name, children in self.wanted.values():
            if field_name == name:
                for child in children:
                    merged.setdefault(child.key, child)
        return tuple(merged.values())

    async def fetch(self, root: Root, args: dict[str, Any], children: tuple[Select, ...]) -> Any:
        context = self.info.context
        reading = context.reading
        select = Select(
            "ask", root, "", frozenset(k for k, v in args.items() if v is not None), children, True, "ask", args
        )
        await reading.stats.fresh(context.database, reading.stats_max_age)
        return await reads.read(
            context.database,
            root,
            select,
            limits=reading.limits,
            stats=reading.stats,
            max_cost=reading.max_cost,
            deadline=request_deadline(),
        )

    def put(self, name: str, items: list[Any]) -> None:
        for key, (field_name, _) in self.wanted.items():
            if field_name == name:
                self.answer[key] = items


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
    context = info.context
    stamp = await context.versions.fresh()
    vocabulary = await context.reading.vocabulary.get(context.database, stamp)
    understood = understand(question, vocabulary)
    asking = Asking(info, subselections(info))
    answer_lang = lang.value if lang else _language(question)
    text, query, ok = await _answer(asking, understood, question)
    query = print_ast(parse(query)) if query else ""  # as GraphiQL shows it, one field a line
    departments = await _by_keys(asking, Label.DEPARTMENT, understood.departments, "departments")
    topics = await _by_keys(asking, Label.TOPIC, understood.topics, "topics")
    asking.put("departments", departments)
    asking.put("topics", topics)
    for name in LISTS[2:]:
        asking.put(name, asking.answer.get(f"@{name}", []))
    for key, (name, _) in asking.wanted.items():
        if name not in LISTS:
            asking.answer.setdefault(key, None)
    intent = Intent[understood.intent.name] if ok and understood.intent else None
    asking.answer |= {"@text": text, "@lang": answer_lang}
    for key, (name, _) in asking.wanted.items():
        value = {"understood": ok, "intent": intent if ok else None, "query": query}.get(name)
        if name in ("understood", "intent", "query"):
            asking.answer[key] = value
    return asking.answer  # type: ignore[return-value]


def _language(question: str) -> str:
    if re.search(r"[^\x00-\x7f]", question):
        return "vi"
    words = set(re.findall(r"[a-z]+", question.lower()))
    vietnamese = {"gi", "ai", "nao", "cua", "va", "phong", "khong", "cho", "tu", "ve", "can", "nhu", "dau", "la"}
    return "vi" if len(words & vietnamese) >= 2 else "en"


async def _by_keys(asking: Asking, label: Label, keys: list[str], name: str) -> list[Any]:
    children = asking.children(name)
    if not keys or not children:
        return [{} for _ in keys] if keys and not children else []
    found = await asking.fetch(Root(ByKeys(label)), {"keys": keys}, children)
    return list(found)


# --- per intent ---------------------------------------------------------------------------------

Texts = dict[str, str]


def _say(vi: str, en: str) -> Texts:
    return {"vi": vi, "en": en}


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


FLOW_QUERY = "{ key kind text(lang: L) purpose(lang: L) provider { key name(lang: L) } receiver { key name(lang: L) } }"


async def _answer(asking: Asking, understood: Understanding, question: str) -> tuple[Texts, str, bool]:
    intent = understood.intent
    if intent is None or understood.missing:
        return _not_understood(understood, question), "", False
    handler = {
        Understood.NEEDS: _flows_between,
        Understood.CONTRIBUTIONS: _flows_between,
        Understood.RECIPIENTS: _recipients,
        Understood.PROVIDERS: _providers,
        Understood.PURPOSE: _purpose,
        Understood.SHARED_GOALS: _pair,
        Understood.ROLE: _pair,
        Understood.COOPERATION: _pair,
        Understood.EXAMPLE: _example,
        Understood.PRINCIPLES: _principles,
        Understood.SEARCH: _search,
    }[intent]
    return await handler(asking, understood, question)


def _not_understood(understood: Understanding, question: str) -> Texts:
    missing = understood.missing
    if missing == "topic":
        return _say(
            "Tài liệu không nói về điều này: không chủ đề nào, không luồng, bước, nhiệm vụ, hoạt động hay mục tiêu nào "
            "khớp. Hãy hỏi về một chủ đề có trong tài liệu, ví dụ “khiếu nại”, “chính sách giá”, “doanh thu”.",
            "The document does not cover this: no topic, flow, step, duty, activity or goal matches. Ask about a topic "
            "it covers, e.g. “complaints”, “pricing”, “revenue”.",
        )
    if missing == "known department":
        return _say(
            f"Tài liệu không nói về “{understood.words}”: tài liệu chỉ nói về cách Phòng Kinh doanh phối hợp với "
            "Marketing, Kỹ thuật (Sản xuất), Kế toán và Chăm sóc khách hàng.",
            f"The document does not cover “{understood.words}”: it is about how Sales works with Marketing, "
            "Engineering/Production, Accounting and Customer Care.",
        )
    if missing in ("department", "two departments", "two departments or a topic"):
        return _say(
            "Câu hỏi cần nêu rõ phòng ban (ví dụ “Kinh doanh cần gì từ Kế toán?”, “Kinh doanh và Kỹ thuật có chung mục "
            "tiêu gì?”).",
            "The question needs to name the departments (e.g. “What does Sales need from Accounting?”, “Which goals do "
            "Sales and Engineering share?”).",
        )
    return _say(
        "Không hiểu câu hỏi, hoặc tài liệu không nói về điều này. Thử hỏi: ai nhận khiếu nại, Kinh doanh cần gì từ Kế "
        "toán, vai trò của Kinh doanh với Marketing, các nguyên tắc phối hợp.",
        "Not understood, or the document does not cover it. Try: who gets complaints, what Sales needs from "
        "Accounting, Sales's role with Marketing, the principles of cooperation.",
    )


def _names(items: list[dict[str, Any]], field_name: str, lang: str) -> str:
    return "; ".join(str(item[f"@{field_name}_{lang}"]) for item in items)


async def _flows_between(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    provider, receiver = u.provider, u.receiver
    children = asking.children("flows", _flow_fields())
    if receiver is not None:
        root, args = Root(Named("of", Label.DEPARTMENT), reads.NEEDS), {"of": Keys((receiver,)), "from": provider}
        query = f"needs(of: {_q(receiver)}{f', from: {_q(provider)}' if provider else ''})"
    else:
        assert provider is not None
        root, args = Root(Named("of", Label.DEPARTMENT), reads.CONTRIBUTIONS), {"of": Keys((provider,)), "to": None}
        query = f"contributions(of: {_q(provider)})"
    if args.get("from"):
        args["from"] = Keys((str(provider),))
    flows = list(await asking.fetch(root, args, children))
    if u.topics:
        flows = [f for f in flows if any(t["@key"] in u.topics for t in f["@topics"])]
        query = " ".join(
            f"t{i}: topic(name: {_q(topic)}) {{ flows({_flow_filter(provider, receiver)}) {FLOW_QUERY} }}"
            for i, topic in enumerate(u.topics)
        )
    else:
        query = f"{query} {FLOW_QUERY}"
    asking.answer["@flows"] = flows
    sides = {"vi": "", "en": ""}
    for lang in ("vi", "en"):
        if flows:
            items = "; ".join(_flow_sentence(f, lang, provider is None, receiver is None) for f in flows)
            giver, getter = (flows[0]["@provider"][f"@name_{lang}"], flows[0]["@receiver"][f"@name_{lang}"])
            if receiver and provider:
                sides[lang] = (
                    f"{getter} nhận từ {giver}: {items}." if lang == "vi" else f"{getter} gets from {giver}: {items}."
                )
            elif receiver:
                sides[lang] = f"{getter} nhận: {items}." if lang == "vi" else f"{getter} gets: {items}."
            else:
                sides[lang] = f"{giver} cung cấp: {items}." if lang == "vi" else f"{giver} provides: {items}."
        else:
            sides[lang] = (
                "Theo tài liệu, không có gì được chuyển như vậy."
                if lang == "vi"
                else "According to the document, nothing passes that way."
            )
    return sides, "{ " + query.replace("L)", f"{_lang_of(asking)})") + " }", True


def _flow_filter(provider: str | None, receiver: str | None) -> str:
    parts = [f"from: {_q(provider)}" if provider else "", f"to: {_q(receiver)}" if receiver else ""]
    return ", ".join(p for p in parts if p)


def _lang_of(asking: Asking) -> str:
    return "VI" if asking.info.context.lang.value == "vi" else "EN"


def _flow_sentence(flow: dict[str, Any], lang: str, with_provider: bool, with_receiver: bool) -> str:
    text = str(flow[f"@text_{lang}"])
    if with_provider:
        text += f" ({'từ' if lang == 'vi' else 'from'} {flow['@provider'][f'@name_{lang}']})"
    if with_receiver:
        text += f" ({'cho' if lang == 'vi' else 'to'} {flow['@receiver'][f'@name_{lang}']})"
    purpose = flow.get(f"@purpose_{lang}")
    if purpose:
        text += f", {'để' if lang == 'vi' else 'so that'} {purpose}"
    return text


async def _recipients(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    own = [
        _select("@rank", reads.RECIPIENT_ROLE),
        _select("@department", reads.RECIPIENT_DEPARTMENT, children=_named()),
        *[_select(f"@how_{lang}", reads.RECIPIENT_HOW, lang) for lang in ("vi", "en")],
    ]
    root = Root(Named("topic", Label.TOPIC, many=True), reads.TOPIC_RECIPIENTS)
    found = list(await asking.fetch(root, {"topic": Keys(tuple(u.topics))}, asking.children("recipients", own)))
    asking.answer["@recipients"] = found
    term = u.term or u.topics[0]
    query = f"{{ recipients(topic: {_q(term)}) {{ role how(lang: L) department {{ key name(lang: L) }} }} }}"
    texts = {
        lang: " ".join(str(r[f"@how_{lang}"]) + ("" if str(r[f"@how_{lang}"]).endswith(".") else ".") for r in found)
        for lang in ("vi", "en")
    }
    if not found:
        texts = _say(
            "Theo tài liệu, không phòng ban nào nhận điều này.", "According to the document, no department gets it."
        )
    return texts, query.replace("L)", f"{_lang_of(asking)})"), True


async def _topic_flows(asking: Asking, u: Understanding) -> list[dict[str, Any]]:
    root = Root(Named("topic", Label.TOPIC, many=True), reads.TOPICS_FLOWS)
    return list(await asking.fetch(root, {"topic": Keys(tuple(u.topics))}, asking.children("flows", _flow_fields())))


def _topics_query(u: Understanding, filters: str, asking: Asking) -> str:
    inner = f"flows({filters}) {FLOW_QUERY}" if filters else f"flows {FLOW_QUERY}"
    blocks = " ".join(
        f"t{i}: topic(name: {_q(topic)}) {{ key name(lang: L) {inner} }}" for i, topic in enumerate(u.topics)
    )
    return ("{ " + blocks + " }").replace("L)", f"{_lang_of(asking)})")


async def _providers(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    flows = await _topic_flows(asking, u)
    if u.receiver:
        flows = [f for f in flows if f["@receiver"]["@key"] == u.receiver]
    asking.answer["@flows"] = flows
    texts = {}
    for lang in ("vi", "en"):
        givers = list(dict.fromkeys(str(f["@provider"][f"@name_{lang}"]) for f in flows))
        items = "; ".join(_flow_sentence(f, lang, True, True) for f in flows)
        texts[lang] = (
            (
                f"{', '.join(givers)} cung cấp: {items}."
                if lang == "vi"
                else f"Provided by {', '.join(givers)}: {items}."
            )
            if flows
            else (
                "Theo tài liệu, không phòng ban nào cung cấp điều này."
                if lang == "vi"
                else "According to the document, no department provides it."
            )
        )
    return texts, _topics_query(u, _flow_filter(None, u.receiver), asking), True


async def _purpose(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    flows = await _topic_flows(asking, u)
    flows = [
        f
        for f in flows
        if (not u.receiver or f["@receiver"]["@key"] == u.receiver)
        and (not u.provider or f["@provider"]["@key"] == u.provider)
        and f.get("@purpose_vi")
    ]
    asking.answer["@flows"] = flows
    texts = {}
    for lang in ("vi", "en"):
        sentences = [
            f"{f['@provider'][f'@name_{lang}']} → {f['@receiver'][f'@name_{lang}']}: {f[f'@text_{lang}']}, "
            f"{'để' if lang == 'vi' else 'so that'} {f[f'@purpose_{lang}']}."
            for f in flows
        ]
        texts[lang] = (
            " ".join(sentences)
            if sentences
            else ("Tài liệu không nói vì sao." if lang == "vi" else "The document does not say why.")
        )
    return texts, _topics_query(u, _flow_filter(u.provider, u.receiver), asking), True


async def _pair(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    first, second = u.departments[0], u.departments[1]
    intent = u.intent
    children: list[Select] = [_select("@key", Prop("key")), *_texts("summary"), *_texts("title")]
    if intent is Understood.SHARED_GOALS:
        children.append(_select("@goals", reads.GOALS, children=asking.children("goals", [*_texts("text")])))
    elif intent is Understood.ROLE:
        duty_texts = [
            _select("@department", reads.ROLE_DEPARTMENT, children=_named()),
            _select("@items", reads.DUTIES, children=[*_texts("text")]),
        ]
        children.append(_select("@roles", reads.ROLES, children=asking.children("roles", duty_texts)))
    else:
        children.append(
            _select("@activities", reads.ACTIVITIES, children=asking.children("activities", _texts("text")))
        )
    root = Root(Named("between", Label.DEPARTMENT), reads.RELATIONSHIP_BETWEEN)
    relationship = await asking.fetch(root, {"between": Keys((first,)), "and": Keys((second,))}, tuple(children))
    lang_arg = _lang_of(asking)
    base = f"relationship(between: {_q(first)}, and: {_q(second)})"
    if relationship is None:
        return (
            _say(
                "Theo tài liệu, hai phòng ban này không có mối quan hệ nào.",
                "According to the document, these two departments have no relationship.",
            ),
            "",
            False,
        )
    if intent is Understood.SHARED_GOALS:
        goals = relationship["@goals"]
        asking.answer["@goals"] = goals
        query = f"{{ {base} {{ title(lang: {lang_arg}) sharedGoals {{ key text(lang: {lang_arg}) }} }} }}"
        texts = {
            lang: (
                f"{relationship[f'@title_{lang}']}: "
                + ("mục tiêu chung là " if lang == "vi" else "shared goals: ")
                + _names(goals, "text", lang)
                + "."
            )
            for lang in ("vi", "en")
        }
        return texts, query, True
    if intent is Understood.ROLE:
        roles = [r for r in relationship["@roles"] if r["@department"]["@key"] == first]
        asking.answer["@roles"] = roles
        query = (
            f"{{ {base} {{ title(lang: {lang_arg}) "
            f"roles {{ key department {{ key name(lang: {lang_arg}) }} duties(lang: {lang_arg}) }} }} }}"
        )
        if not roles:
            return (
                _say(
                    "Tài liệu không nêu vai trò của phòng ban này trong mối quan hệ đó.",
                    "The document gives no role for this department in that relationship.",
                ),
                query,
                True,
            )
        texts = {
            lang: (
                f"{roles[0]['@department'][f'@name_{lang}']} "
                + ("— vai trò: " if lang == "vi" else "— its role: ")
                + _names(roles[0]["@items"], "text", lang)
                + "."
            )
            for lang in ("vi", "en")
        }
        return texts, query, True
    activities = relationship["@activities"]
    asking.answer["@activities"] = activities
    query = (
        f"{{ {base} {{ title(lang: {lang_arg}) summary(lang: {lang_arg}) "
        f"activities {{ key text(lang: {lang_arg}) }} }} }}"
    )
    texts = {
        lang: f"{relationship[f'@summary_{lang}']} "
        + ("Phối hợp trong: " if lang == "vi" else "They work together on: ")
        + _names(activities, "text", lang)
        + "."
        for lang in ("vi", "en")
    }
    return texts, query, True


async def _example(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    step_fields = asking.children(
        "steps",
        [_select("@key", Prop("key")), *[_select(f"@text_{lang}", reads.STEP_SENTENCE, lang) for lang in ("vi", "en")]],
    )
    scenario_fields = asking.children(
        "scenarios",
        [_select("@key", Prop("key")), *_texts("title"), _select("@steps", reads.STEPS, children=step_fields)],
    )
    lang_arg = _lang_of(asking)
    inner = f"examples {{ key title(lang: {lang_arg}) steps {{ key position text(lang: {lang_arg}) }} }}"
    if len(u.departments) >= 2:
        root = Root(Named("between", Label.DEPARTMENT), reads.RELATIONSHIP_BETWEEN)
        found = await asking.fetch(
            root,
            {"between": Keys((u.departments[0],)), "and": Keys((u.departments[1],))},
            (_select("@examples", reads.EXAMPLES, children=scenario_fields),),
        )
        scenarios = found["@examples"] if found else []
        query = f"{{ relationship(between: {_q(u.departments[0])}, and: {_q(u.departments[1])}) {{ {inner} }} }}"
    else:
        root = Root(Named("topic", Label.TOPIC, many=True), reads.TOPICS_EXAMPLES)
        scenarios = list(await asking.fetch(root, {"topic": Keys(tuple(u.topics))}, scenario_fields))
        query = "{ " + " ".join(f"t{i}: topic(name: {_q(t)}) {{ {inner} }}" for i, t in enumerate(u.topics)) + " }"
    asking.answer["@scenarios"] = scenarios
    asking.answer["@steps"] = [step for scenario in scenarios for step in scenario["@steps"]]
    texts = {
        lang: " ".join(
            f"{s[f'@title_{lang}']}: " + " ".join(str(st[f"@text_{lang}"]) for st in s["@steps"]) for s in scenarios
        )
        or ("Tài liệu không có ví dụ này." if lang == "vi" else "The document has no such example.")
        for lang in ("vi", "en")
    }
    return texts, query, bool(scenarios)


async def _principles(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    own = [_select("@key", Prop("key")), *_texts("title"), *_texts("text")]
    found = list(await asking.fetch(Root(AllOf(Label.PRINCIPLE)), {}, asking.children("principles", own)))
    asking.answer["@principles"] = found
    lang_arg = _lang_of(asking)
    texts = {lang: " ".join(f"{p[f'@title_{lang}']}: {p[f'@text_{lang}']}" for p in found) for lang in ("vi", "en")}
    return texts, f"{{ principles {{ key title(lang: {lang_arg}) text(lang: {lang_arg}) }} }}", True


SEARCH_STOP = re.compile(r"[?!.,;:]")


async def _search(asking: Asking, u: Understanding, question: str) -> tuple[Texts, str, bool]:
    words = " ".join(w for w in (u.term, u.words) if w).strip() or SEARCH_STOP.sub(" ", question)
    own = [_select("@key", Prop("key")), *[_select(f"@text_{lang}", reads.HIT_TEXT, lang) for lang in ("vi", "en")]]
    hits = list(
        await asking.fetch(Root(reads.STRICT_SEARCH), {"text": words, "limit": 10}, asking.children("hits", own))
    )
    asking.answer["@hits"] = hits
    query = f"{{ search(text: {_q(words)}) {{ kind key text(lang: {_lang_of(asking)}) score }} }}"
    if not hits:
        return _not_understood(Understanding(None, [], [], missing="question"), question), query, False
    texts = {
        lang: (f"Tài liệu nói về “{words}” ở: " if lang == "vi" else f"The document mentions “{words}” in: ")
        + "; ".join(str(h[f"@text_{lang}"]) for h in hits[:5])
        + "."
        for lang in ("vi", "en")
    }
    return texts, query, True
