"""The plan of each intent `ask` answers: the query it asks, and how its answer is phrased.

A `Plan` is how one reading is asked and answered: `roots` writes the contract fields the
reading needs into the query (`api.ask_query`) — `needs(of:, from:)`, `topic(name:) {
recipients … }`, `relationship(between:, and:)`, … with the caller's selections inside —, and
`phrase` turns what came back into the answer's lists and a sentence or a few, in the document's
words. `PLANS` names the plan of every intent. The plans of what passes between departments
(NEEDS, CONTRIBUTIONS, RECIPIENTS, PROVIDERS, PURPOSE) are here; those of a relationship and of
the document as a whole are `api.ask_pair_plans`'s; what they share is `api.ask_plan`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.ask_pair_plans import ExamplePlan, PairPlan, PrinciplesPlan, SearchPlan
from api.ask_plan import Plan, flow_fields, lang_arg, named, nested, unique
from api.ask_query import CallerSelection, Level, Paths, get, quoted
from graph import cues
from graph.ask_index import AskIndex
from graph.questions import Reading


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
                return nested(topic, "flows", flow_fields(lang), filters, "flows")

            self.topic_roots(level, caller, fill)
        elif r.receiver:
            args = f"of: {quoted(r.receiver)}" + (f", from: {quoted(r.provider)}" if r.provider else "")
            self.paths["flows"] = nested(level, "needs", flow_fields(lang), args, "flows")
        else:
            assert r.provider
            self.paths["flows"] = nested(
                level, "contributions", flow_fields(lang), f"of: {quoted(r.provider)}", "flows"
            )

    def flows(self, data: dict[str, Any]) -> tuple[list[dict[str, Any]], Paths]:
        if self.reading.topics:
            found = [f for i, t in enumerate(self.topics(data)) for f in get(t, self.paths[f"t{i}"]["flows"]) or []]
            inner = {k.removeprefix("flows."): v[1:] for k, v in self.paths["t0"].items() if k.startswith("flows.")}
        else:
            root = self.paths["flows"]
            root_key = "needs" if "needs" in root else "contributions"
            found = list(get(data, root[root_key]) or [])
            inner = {k.split(".", 1)[1]: v[1:] for k, v in root.items() if "." in k}
        return unique(found, inner["key"]), inner

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
            paths = {"role": rec.leaf("role"), "how": rec.leaf("how", lang_arg(lang))}
            paths |= nested(rec, "department", named(lang))
            paths |= nested(rec, "flows", flow_fields(lang), theirs="flows")
            paths |= nested(rec, "steps", lambda s: {"key": s.leaf("key")})
            return paths

        def scenario(s: Level) -> Paths:
            paths = {"key": s.leaf("key")}
            paths |= nested(s, "steps", lambda st: {"key": st.leaf("key")}, theirs="steps")
            return paths

        def fill(topic: Level) -> Paths:
            return nested(topic, "recipients", recipient, theirs="recipients") | nested(
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
                if get(rec, rp["department.key"]) == r.provider:
                    continue  # "who do I pass that to?" (the asker's side): not the asker's own
                given = get(rec, rp["flows"]) or []
                flows = [f for f in given if get(f, fp["provider.key"]) == r.provider]
                if flows:
                    kept.append({**rec, rp["flows"][0]: flows})
                elif not given and get(rec, rp["steps"]):
                    kept.append(rec)  # handed it in an example's steps, not by a flow
            recipients = kept
        if not r.handling and any(get(x, rp["role"]) != "COOPERATES" for x in recipients):
            recipients = [
                x for x in recipients if get(x, rp["role"]) != "COOPERATES"
            ]  # who gets it, not who works on it
        recipients = _merge_recipients(recipients, rp)
        flows = unique([f for rec in recipients for f in get(rec, rp["flows"]) or []], fp["key"])
        handed = {get(step, rp["steps.key"][1:]) for rec in recipients for step in get(rec, rp["steps"]) or []}
        scenarios = [s for s in unique(scenarios, sp["key"]) if
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
            self.topic_roots(level, caller, lambda t: nested(t, "flows", flow_fields(lang), filters, "flows"))
        elif r.receiver:
            args = f"of: {quoted(r.receiver)}" + (f", from: {quoted(r.provider)}" if r.provider else "")
            self.paths["flows"] = nested(level, "needs", flow_fields(lang), args, "flows")
        else:
            assert r.provider
            self.paths["flows"] = nested(
                level, "contributions", flow_fields(lang), f"of: {quoted(r.provider)}", "flows"
            )

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


Q = cues.Intent
PLANS: dict[cues.Intent, Callable[[Reading, AskIndex], Plan]] = {
    Q.NEEDS: FlowsPlan, Q.CONTRIBUTIONS: FlowsPlan, Q.RECIPIENTS: RecipientsPlan, Q.PROVIDERS: TopicFlowsPlan,
    Q.PURPOSE: TopicFlowsPlan, Q.SHARED_GOALS: PairPlan, Q.ROLE: PairPlan, Q.COOPERATION: PairPlan,
    Q.EXAMPLE: ExamplePlan, Q.PRINCIPLES: PrinciplesPlan, Q.SEARCH: SearchPlan,
}  # fmt: skip
