"""The plans of `ask` about a relationship and the document as a whole: a pair's goals, roles and
cooperation (`PairPlan`), examples, the principles, and a search of the texts."""

from __future__ import annotations

from typing import Any

from api.ask_plan import Plan, flow_fields, lang_arg, named, nested, scenario_fields, unique
from api.ask_query import CallerSelection, Level, Paths, get, quoted
from graph import cues


class PairPlan(Plan):
    """SHARED_GOALS, ROLE, COOPERATION: what a relationship says — or what several say, of one
    department and the others, when the question's words pick some of their items (`only`)."""

    def pairs(self) -> list[tuple[str, str]]:
        return self.reading.pairs or [(self.reading.departments[0], self.reading.departments[1])]

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        intent = self.reading.intent
        Q = cues.Intent

        def fill(rel: Level) -> Paths:
            paths = {"title": rel.leaf("title", lang_arg(lang)), "summary": rel.leaf("summary", lang_arg(lang))}

            def text(x: Level) -> Paths:
                return {"key": x.leaf("key"), "text": x.leaf("text", lang_arg(lang))}

            if intent is Q.SHARED_GOALS:
                paths |= nested(rel, "sharedGoals", text, theirs="goals")
            elif intent is Q.ROLE:

                def role(x: Level) -> Paths:
                    return ({"key": x.leaf("key")} | nested(x, "department", named(lang))
                            | nested(x, "items", text))  # fmt: skip

                paths |= nested(rel, "roles", role, theirs="roles")
            else:
                paths |= nested(rel, "activities", text, theirs="activities")
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


class ExamplePlan(Plan):
    """EXAMPLE: a relationship's example, or the examples about some topics."""

    def roots(self, level: Level, caller: CallerSelection, lang: str) -> None:
        deps = self.reading.departments
        if len(deps) >= 2:
            key, paths = level.object(
                "relationship", lambda rel: nested(rel, "examples", scenario_fields(lang), theirs="scenarios"),
                f"between: {quoted(deps[0])}, and: {quoted(deps[1])}",
            )  # fmt: skip
            self.paths["examples"] = {k: (key, *v) for k, v in paths.items()}
            self.topic_roots(level, caller, lambda t: {})  # the topics it names, for the answer's topics
        else:
            self.topic_roots(level, caller, lambda t: nested(t, "examples", scenario_fields(lang), theirs="scenarios"))

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
            scenarios = unique(scenarios, sp["key"])
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
        self.paths["principles"] = nested(
            level, "principles", lambda x: {"key": x.leaf("key"), "title": x.leaf("title", lang_arg(lang)),
                                            "text": x.leaf("text", lang_arg(lang))}, theirs="principles")  # fmt: skip

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
            return {"key": h.leaf("key"), "kind": h.leaf("kind"), "text": h.leaf("text", lang_arg(lang))}

        self.paths["hits"] = nested(level, "search", hit, f"text: {quoted(self.words())}", "hits")
        if self.reading.topics:

            def fill(t: Level) -> Paths:
                return nested(t, "flows", flow_fields(lang), theirs="flows") | nested(
                    t, "examples", scenario_fields(lang), theirs="scenarios")  # fmt: skip

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
            flows = unique(flows, tp["flows.key"][1:])
            scenarios = unique(scenarios, tp["examples.key"][1:])
        words = self.words()
        vi = lang == "vi"
        text = (f"Tài liệu nói về “{words}” ở: " if vi else f"The document mentions “{words}” in: ") + "; ".join(
            str(get(h, p["search.text"][1:])) for h in hits[:5]) + "."  # fmt: skip
        lists = {"hits": hits, "flows": flows, "scenarios": scenarios, "topics": self.topics(data)}
        return lists, text, bool(hits)
