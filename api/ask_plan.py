"""What every plan of `ask` shares: `Plan` (a reading, the query it asks, the answer's lists) and
the pieces of query its plans write (a name, a flow, a scenario, a nested object)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.ask_query import CallerSelection, Level, Paths, get, quoted
from graph.ask_index import AskIndex
from graph.questions import Reading


def lang_arg(lang: str) -> str:
    return f"lang: {lang.upper()}"


def named(lang: str) -> Callable[[Level], Paths]:
    return lambda level: {"key": level.leaf("key"), "name": level.leaf("name", lang_arg(lang))}


def nested(level: Level, name: str, fill: Callable[[Level], Paths], args: str = "",
            theirs: str | None = None) -> Paths:  # fmt: skip
    key, inner = level.object(name, fill, args, theirs)
    return {f"{name}.{k}": (key, *path) for k, path in inner.items()} | {name: (key,)}


def flow_fields(lang: str) -> Callable[[Level], Paths]:
    def fill(level: Level) -> Paths:
        paths = {"key": level.leaf("key"), "text": level.leaf("text", lang_arg(lang)),
                 "purpose": level.leaf("purpose", lang_arg(lang))}  # fmt: skip
        paths |= nested(level, "provider", named(lang))
        paths |= nested(level, "receiver", named(lang))
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


def unique(items: list[dict[str, Any]], path: tuple[str, ...]) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(get(item, path), item)
    return list(seen.values())


def scenario_fields(lang: str) -> Callable[[Level], Paths]:
    def fill(s: Level) -> Paths:
        paths = {"key": s.leaf("key"), "title": s.leaf("title", lang_arg(lang))}
        return paths | nested(s, "steps", lambda st: {"key": st.leaf("key"), "text": st.leaf("text", lang_arg(lang))},
                               theirs="steps")  # fmt: skip

    return fill
