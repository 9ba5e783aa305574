"""The plan of each intent `ask` answers: the query it asks, and how its answer is phrased.

A `Plan` is how one reading is asked and answered: `roots` writes the contract fields the
reading needs into the query (`api.ask_query`) — `needs(of:, from:)`, `topic(name:) {
recipients … }`, `relationship(between:, and:)`, … with the caller's selections inside —, and
`phrase` turns what came back into the answer's lists and a sentence or a few, in the document's
words. `PLANS` names the plan of every intent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.ask_query import CallerSelection, Level, Paths, get, quoted
from graph import cues
from graph.ask_index import AskIndex
from graph.questions import Reading


def _arg(lang: str) -> str:
    return f"lang: {lang.upper()}"


def _named(lang: str) -> Callable[[Level], Paths]:
    return lambda level: {"key": level.leaf("key"), "name": level.leaf("name", _arg(lang))}


def _nested(level: Level, name: str, fill: Callable[[Level], Paths], args: str = "",
            theirs: str | None = None) -> Paths:  # fmt: skip
    key, inner = level.object(name, fill, args, theirs)
    return {f"{name}.{k}": (key, *path) for k, path in inner.items()} | {name: (key,)}


def _flow(lang: str) -> Callable[[Level], Paths]:
    def fill(level: Level) -> Paths:
        paths = {"key": level.leaf("key"), "text": level.leaf("text", _arg(lang)),
                 "purpose": level.leaf("purpose", _arg(lang))}  # fmt: skip
        paths |= _nested(level, "provider", _named(lang))
        paths |= _nested(level, "receiver", _named(lang))
        return paths

    return fill


@dataclass
class Plan:
    """How one reading is asked and answered."""

    reading: Reading
    index: AskIndex
    lists: dict[str, list[Any]] = field(default_factory=dict)

    def query(self, caller: CallerSelection, lang: str) -> str:
        self.paths: dict[str, Paths] = {}
        self.caller = caller
        level = Level(caller)
        self.roots(level, caller, lang)
        for i, key in enumerate(self.reading.departments):
            if caller.wants("departments"):
                level.object(f"d{i}: department", lambda _: {}, f"key: {quoted(key)}", "departments")
        return "{ " + level.text() + " }"

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        raise NotImplementedError

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        raise NotImplementedError

    def topic_roots(self, level: Level, caller: CallerSelection, fill: Callable[[Level], Paths]) -> None:
        """One `topic(name:)` per topic, with what `fill` asks of it and the caller's topic selection."""
        for i, topic in enumerate(self.reading.topics):
            _, paths = level.object(f"t{i}: topic", fill, f"name: {quoted(topic)}", "topics")
            self.paths[f"t{i}"] = paths

    def topics(self, data: dict[str, Any]) -> list[Any]:
        return [data[f"t{i}"] for i in range(len(self.reading.topics)) if data.get(f"t{i}") is not None]

    def departments(self, data: dict[str, Any]) -> list[Any]:
        return [data[f"d{i}"] for i in range(len(self.reading.departments)) if f"d{i}" in data]


def _unique(items: list[dict[str, Any]], path: tuple[str, ...]) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(get(item, path), item)
    return list(seen.values())


def _flow_sentence(flow: dict[str, Any], p: Paths, lang: str, with_provider: bool, with_receiver: bool) -> str:
    text = str(get(flow, p["text"]))
    if with_provider:
        text += f" ({'từ' if lang == 'vi' else 'from'} {get(flow, p['provider.name'])})"
    if with_receiver:
        text += f" ({'cho' if lang == 'vi' else 'to'} {get(flow, p['receiver.name'])})"
    purpose = get(flow, p["purpose"])
    if purpose:
        text += f", {'để' if lang == 'vi' else 'so that'} {purpose}"
    return text


class FlowsPlan(Plan):
    """NEEDS, CONTRIBUTIONS: what passes between departments (about some topics)."""

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        r = self.reading
        if r.topics:
            filters = ", ".join(f"{side}: {quoted(key)}" for side, key in (("from", r.provider), ("to", r.receiver))
                                if key)  # fmt: skip

            def fill(topic: Level) -> Paths:
                return _nested(topic, "flows", _flow(lang), filters, "flows")

            self.topic_roots(level, caller, fill)
        elif r.receiver:
            args = f"of: {quoted(r.receiver)}" + (f", from: {quoted(r.provider)}" if r.provider else "")
            self.paths["flows"] = _nested(level, "needs", _flow(lang), args, "flows")
        else:
            assert r.provider
            self.paths["flows"] = _nested(level, "contributions", _flow(lang), f"of: {quoted(r.provider)}", "flows")

    def flows(self, data: dict[str, Any]) -> tuple[list[dict[str, Any]], Paths]:
        if self.reading.topics:
            found = [f for i, t in enumerate(self.topics(data)) for f in get(t, self.paths[f"t{i}"]["flows"]) or []]
            inner = {k.removeprefix("flows."): v[1:] for k, v in self.paths["t0"].items() if k.startswith("flows.")}
        else:
            root = self.paths["flows"]
            root_key = "needs" if "needs" in root else "contributions"
            found = list(get(data, root[root_key]) or [])
            inner = {k.split(".", 1)[1]: v[1:] for k, v in root.items() if "." in k}
        return _unique(found, inner["key"]), inner

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        r = self.reading
        flows, p = self.flows(data)
        vi = lang == "vi"
        if flows:
            items = "; ".join(_flow_sentence(f, p, lang, r.provider is None, r.receiver is None) for f in flows)
            giver, getter = get(flows[0], p["provider.name"]), get(flows[0], p["receiver.name"])
            if r.receiver and r.provider:
                text = f"{getter} nhận từ {giver}: {items}." if vi else f"{getter} gets from {giver}: {items}."
            elif r.receiver:
                text = f"{getter} nhận: {items}." if vi else f"{getter} gets: {items}."
            else:
                text = f"{giver} cung cấp: {items}." if vi else f"{giver} provides: {items}."
        else:
            text = (
                "Theo tài liệu, không có gì được chuyển như vậy."
                if vi
                else "According to the document, nothing passes that way."
            )
        lists = {"flows": flows, "departments": self.departments(data), "topics": self.topics(data)}
        return lists, text, bool(flows)


class RecipientsPlan(Plan):
    """RECIPIENTS: who gets (or handles) things about some topics, from one department or any."""

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        def recipient(rec: Level) -> Paths:
            paths = {"role": rec.leaf("role"), "how": rec.leaf("how", _arg(lang))}
            paths |= _nested(rec, "department", _named(lang))
            paths |= _nested(rec, "flows", _flow(lang), theirs="flows")
            paths |= _nested(rec, "steps", lambda s: {"key": s.leaf("key")})
            return paths

        def scenario(s: Level) -> Paths:
            paths = {"key": s.leaf("key")}
            paths |= _nested(s, "steps", lambda st: {"key": st.leaf("key")}, theirs="steps")
            return paths

        def fill(topic: Level) -> Paths:
            return _nested(topic, "recipients", recipient, theirs="recipients") | _nested(
                topic, "examples", scenario, theirs="scenarios")  # fmt: skip

        self.topic_roots(level, caller, fill)

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        r = self.reading
        p = self.paths["t0"] if self.reading.topics else {}
        rp = {k.removeprefix("recipients."): v[1:] for k, v in p.items() if k.startswith("recipients.")}
        fp = {k.removeprefix("flows."): v[1:] for k, v in rp.items() if k.startswith("flows.")}
        sp = {k.removeprefix("examples."): v[1:] for k, v in p.items() if k.startswith("examples.")}
        recipients: list[dict[str, Any]] = []
        scenarios: list[dict[str, Any]] = []
        for i, topic in enumerate(self.topics(data)):
            recipients += get(topic, self.paths[f"t{i}"]["recipients"]) or []
            scenarios += get(topic, self.paths[f"t{i}"]["examples"]) or []
        if r.provider:  # "Which departments does Sales share market information with?"
            kept = []
            for rec in recipients:
                flows = [f for f in get(rec, rp["flows"]) or [] if get(f, fp["provider.key"]) == r.provider]
                if flows:
                    kept.append({**rec, rp["flows"][0]: flows})
            recipients = kept
        if not r.handling and any(get(x, rp["role"]) != "COOPERATES" for x in recipients):
            recipients = [
                x for x in recipients if get(x, rp["role"]) != "COOPERATES"
            ]  # who gets it, not who works on it
        recipients = _merge_recipients(recipients, rp)
        flows = _unique([f for rec in recipients for f in get(rec, rp["flows"]) or []], fp["key"])
        handed = {get(step, rp["steps.key"][1:]) for rec in recipients for step in get(rec, rp["steps"]) or []}
        scenarios = [s for s in _unique(scenarios, sp["key"]) if
                     any(get(step, sp["steps.key"][1:]) in handed for step in get(s, sp["steps"]) or [])]  # fmt: skip
        steps = [step for s in scenarios for step in get(s, sp["steps"]) or []]
        text = " ".join(str(get(x, rp["how"])) + ("" if str(get(x, rp["how"])).endswith(".") else ".")
                        for x in recipients)  # fmt: skip
        if not recipients:
            text = ("Theo tài liệu, không phòng ban nào nhận điều này." if lang == "vi"
                    else "According to the document, no department gets it.")  # fmt: skip
        lists = {"recipients": recipients, "flows": flows, "scenarios": scenarios, "steps": steps,
                 "departments": self.departments(data), "topics": self.topics(data)}  # fmt: skip
        return lists, text, bool(recipients)


def _merge_recipients(recipients: list[dict[str, Any]], rp: Paths) -> list[dict[str, Any]]:
    """One recipient per department, the surest role first (several topics may name one twice)."""
    seen: dict[Any, dict[str, Any]] = {}
    for rec in recipients:
        seen.setdefault(get(rec, rp["department.key"]), rec)
    order = {"HANDLES": 0, "INFORMED": 1, "COOPERATES": 2}
    return sorted(seen.values(), key=lambda x: order.get(str(get(x, rp["role"])), 3))


class TopicFlowsPlan(Plan):
    """PROVIDERS and PURPOSE: the flows about some topics (to or from a department)."""

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        r = self.reading
        filters = ", ".join(f"{side}: {quoted(key)}" for side, key in (("from", r.provider), ("to", r.receiver)) if key)
        if r.topics:
            self.topic_roots(level, caller, lambda t: _nested(t, "flows", _flow(lang), filters, "flows"))
        elif r.receiver:
            args = f"of: {quoted(r.receiver)}" + (f", from: {quoted(r.provider)}" if r.provider else "")
            self.paths["flows"] = _nested(level, "needs", _flow(lang), args, "flows")
        else:
            assert r.provider
            self.paths["flows"] = _nested(level, "contributions", _flow(lang), f"of: {quoted(r.provider)}", "flows")

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        flows, p = FlowsPlan.flows(self, data)  # type: ignore[arg-type]
        if self.reading.only:
            flows = [f for f in flows if get(f, p["key"]) in self.reading.only]
        vi = lang == "vi"
        if self.reading.intent is cues.Intent.PURPOSE:
            flows = [f for f in flows if get(f, p["purpose"])]
            sentences = [f"{get(f, p['provider.name'])} → {get(f, p['receiver.name'])}: {get(f, p['text'])}, "
                         f"{'để' if vi else 'so that'} {get(f, p['purpose'])}." for f in flows]  # fmt: skip
            text = " ".join(sentences) or ("Tài liệu không nói vì sao." if vi else "The document does not say why.")
        else:
            givers = ", ".join(dict.fromkeys(str(get(f, p["provider.name"])) for f in flows))
            items = "; ".join(_flow_sentence(f, p, lang, True, True) for f in flows)
            text = (f"{givers} cung cấp: {items}." if vi else f"Provided by {givers}: {items}.") if flows else (
                "Theo tài liệu, không phòng ban nào cung cấp điều này." if vi
                else "According to the document, no department provides it.")  # fmt: skip
        lists = {"flows": flows, "departments": self.departments(data), "topics": self.topics(data)}
        return lists, text, bool(flows)


class PairPlan(Plan):
    """SHARED_GOALS, ROLE, COOPERATION: what a relationship says — or what several say, of one
    department and the others, when the question's words pick some of their items (`only`)."""

    def pairs(self) -> list[tuple[str, str]]:
        return self.reading.pairs or [(self.reading.departments[0], self.reading.departments[1])]

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        intent = self.reading.intent
        Q = cues.Intent

        def fill(rel: Level) -> Paths:
            paths = {"title": rel.leaf("title", _arg(lang)), "summary": rel.leaf("summary", _arg(lang))}

            def text(x: Level) -> Paths:
                return {"key": x.leaf("key"), "text": x.leaf("text", _arg(lang))}

            if intent is Q.SHARED_GOALS:
                paths |= _nested(rel, "sharedGoals", text, theirs="goals")
            elif intent is Q.ROLE:

                def role(x: Level) -> Paths:
                    return ({"key": x.leaf("key")} | _nested(x, "department", _named(lang))
                            | _nested(x, "items", text))  # fmt: skip

                paths |= _nested(rel, "roles", role, theirs="roles")
            else:
                paths |= _nested(rel, "activities", text, theirs="activities")
            return paths

        self.paths["relationships"] = {}
        for i, (first, second) in enumerate(self.pairs()):
            name = "relationship" if i == 0 else f"r{i}: relationship"
            key, paths = level.object(name, fill, f"between: {quoted(first)}, and: {quoted(second)}")
            key = key.split(":")[0]  # "r1: relationship" answers as "r1"
            self.paths[f"r{i}"] = {k: (key, *v) for k, v in paths.items()}

    def _role_with(self, role: dict[str, Any], ours: str, kept: list[int]) -> dict[str, Any]:
        """A copy of a role with only the duties at `kept`, in our list and in the caller's own
        selections of the role's `items` (the same field: the same duties, in the same order)."""
        theirs = self.caller.names_at(self.caller.under("roles"))
        copy = dict(role)
        for key in [ours, *(k for k, (name, _, _) in theirs.items() if name == "items")]:
            if isinstance(role.get(key), list):
                copy[key] = [role[key][j] for j in kept]
        return copy

    def _wanted(self, items: list[Any], key: tuple[str, ...]) -> list[Any]:
        only = self.reading.only
        return [item for item in items if not only or get(item, key) in only]

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        vi = lang == "vi"
        intent = self.reading.intent
        lists: dict[str, list[Any]] = {"departments": self.departments(data)}
        found: list[Any] = []
        sentences: list[str] = []
        for i in range(len(self.pairs())):
            p = self.paths[f"r{i}"]
            rel = get(data, p["title"][:1])
            if rel is None:
                continue

            def sub(name: str, p: Paths = p) -> Paths:
                return {k.removeprefix(name + "."): v[2:] for k, v in p.items() if k.startswith(name + ".")}

            title = get(rel, p["title"][1:])
            if intent is cues.Intent.SHARED_GOALS:
                gp = sub("sharedGoals")
                goals = self._wanted(get(rel, p["sharedGoals"][1:]) or [], gp["key"])
                found += goals
                if goals:
                    sentences.append(f"{title}: " + ("mục tiêu chung là " if vi else "shared goals: ")
                                     + "; ".join(str(get(g, gp["text"])) for g in goals) + ".")  # fmt: skip
            elif intent is cues.Intent.ROLE:
                rp = sub("roles")
                holder = self.reading.departments[0] if self.reading.departments else None
                for role in get(rel, p["roles"][1:]) or []:
                    if holder is not None and get(role, rp["department.key"]) != holder:
                        continue
                    every = get(role, rp["items"]) or []
                    duties = self._wanted(every, rp["items.key"][1:])
                    if not duties:
                        continue
                    if len(duties) < len(every):  # the duties the question's words pick, in the role's place
                        role = self._role_with(role, rp["items"][0], [every.index(d) for d in duties])
                    found.append(role)
                    sentences.append(f"{get(role, rp['department.name'])} " + ("— vai trò: " if vi else "— its role: ")
                                     + "; ".join(str(get(d, rp["items.text"][1:])) for d in duties) + ".")  # fmt: skip
            else:
                ap = sub("activities")
                activities = self._wanted(get(rel, p["activities"][1:]) or [], ap["key"])
                found += activities
                if activities:
                    sentences.append(f"{get(rel, p['summary'][1:])} " + ("Phối hợp trong: " if vi else
                                     "They work together on: ") + "; ".join(str(get(a, ap["text"])) for a in
                                     activities) + ".")  # fmt: skip
        lists[{cues.Intent.SHARED_GOALS: "goals", cues.Intent.ROLE: "roles"}.get(intent, "activities")] = found
        return lists, " ".join(sentences), bool(found)


def _scenario(lang: str) -> Callable[[Level], Paths]:
    def fill(s: Level) -> Paths:
        paths = {"key": s.leaf("key"), "title": s.leaf("title", _arg(lang))}
        return paths | _nested(s, "steps", lambda st: {"key": st.leaf("key"), "text": st.leaf("text", _arg(lang))},
                               theirs="steps")  # fmt: skip

    return fill


class ExamplePlan(Plan):
    """EXAMPLE: a relationship's example, or the examples about some topics."""

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        deps = self.reading.departments
        if len(deps) >= 2:
            key, paths = level.object(
                "relationship", lambda rel: _nested(rel, "examples", _scenario(lang), theirs="scenarios"),
                f"between: {quoted(deps[0])}, and: {quoted(deps[1])}",
            )  # fmt: skip
            self.paths["examples"] = {k: (key, *v) for k, v in paths.items()}
            self.topic_roots(level, caller, lambda t: {})  # the topics it names, for the answer's topics
        else:
            self.topic_roots(level, caller, lambda t: _nested(t, "examples", _scenario(lang), theirs="scenarios"))

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        if "examples" in self.paths:
            p = self.paths["examples"]
            scenarios = get(data, p["examples"]) or []
            sp = {k.removeprefix("examples."): v[2:] for k, v in p.items() if k.startswith("examples.")}
        else:
            scenarios = [
                s for i, t in enumerate(self.topics(data)) for s in get(t, self.paths[f"t{i}"]["examples"]) or []
            ]
            sp = {k.removeprefix("examples."): v[1:] for k, v in self.paths["t0"].items() if k.startswith("examples.")}
            scenarios = _unique(scenarios, sp["key"])
        if self.reading.only:
            scenarios = [s for s in scenarios if get(s, sp["key"]) in self.reading.only]
        steps = [step for s in scenarios for step in get(s, sp["steps"]) or []]
        text = " ".join(
            f"{get(s, sp['title'])}: "
            + " ".join(str(get(st, sp["steps.text"][1:])) for st in get(s, sp["steps"]) or [])
            for s in scenarios
        )
        lists = {"scenarios": scenarios, "steps": steps, "departments": self.departments(data),
                 "topics": self.topics(data)}  # fmt: skip
        return lists, text, bool(scenarios)


class PrinciplesPlan(Plan):
    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        self.paths["principles"] = _nested(
            level, "principles", lambda x: {"key": x.leaf("key"), "title": x.leaf("title", _arg(lang)),
                                            "text": x.leaf("text", _arg(lang))}, theirs="principles")  # fmt: skip

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        p = self.paths["principles"]
        found = [x for x in get(data, p["principles"]) or []
                 if not self.reading.only or get(x, p["principles.key"][1:]) in self.reading.only]  # fmt: skip
        text = " ".join(f"{get(x, p['principles.title'][1:])}: {get(x, p['principles.text'][1:])}" for x in found)
        return {"principles": found}, text, bool(found)


class SearchPlan(Plan):
    """SEARCH: what the document says of the words; a topic named alone, what is said of it."""

    def words(self) -> str:
        r = self.reading
        return " ".join(w for w in (r.term, r.words) if w).strip() or " ".join(r.topics)

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:

        def hit(h: Level) -> Paths:
            return {"key": h.leaf("key"), "kind": h.leaf("kind"), "text": h.leaf("text", _arg(lang))}

        self.paths["hits"] = _nested(level, "search", hit, f"text: {quoted(self.words())}", "hits")
        if self.reading.topics:

            def fill(t: Level) -> Paths:
                return _nested(t, "flows", _flow(lang), theirs="flows") | _nested(
                    t, "examples", _scenario(lang), theirs="scenarios")  # fmt: skip

            self.topic_roots(level, caller, fill)

    def phrase(self, data: dict[str, Any], lang: str, lists_wanted: bool) -> tuple[dict[str, list[Any]], str, bool]:
        p = self.paths["hits"]
        hits = get(data, p["search"]) or []
        keys = {get(h, p["search.key"][1:]) for h in hits}
        flows: list[Any] = []
        scenarios: list[Any] = []
        for i, topic in enumerate(self.topics(data)):
            tp = self.paths[f"t{i}"]
            flows += [
                f
                for f in get(topic, tp["flows"]) or []
                if not self.reading.words or get(f, tp["flows.key"][1:]) in keys
            ]
            scenarios += [s for s in get(topic, tp["examples"]) or []
                          if not self.reading.words or get(s, tp["examples.key"][1:]) in keys]  # fmt: skip
        if self.reading.topics:
            tp = self.paths["t0"]
            flows = _unique(flows, tp["flows.key"][1:])
            scenarios = _unique(scenarios, tp["examples.key"][1:])
        words = self.words()
        vi = lang == "vi"
        text = (f"Tài liệu nói về “{words}” ở: " if vi else f"The document mentions “{words}” in: ") + "; ".join(
            str(get(h, p["search.text"][1:])) for h in hits[:5]) + "."  # fmt: skip
        lists = {"hits": hits, "flows": flows, "scenarios": scenarios, "topics": self.topics(data)}
        return lists, text, bool(hits)


Q = cues.Intent
PLANS: dict[cues.Intent, Callable[[Reading, AskIndex], Plan]] = {
    Q.NEEDS: FlowsPlan, Q.CONTRIBUTIONS: FlowsPlan, Q.RECIPIENTS: RecipientsPlan, Q.PROVIDERS: TopicFlowsPlan,
    Q.PURPOSE: TopicFlowsPlan, Q.SHARED_GOALS: PairPlan, Q.ROLE: PairPlan, Q.COOPERATION: PairPlan,
    Q.EXAMPLE: ExamplePlan, Q.PRINCIPLES: PrinciplesPlan, Q.SEARCH: SearchPlan,
}  # fmt: skip
