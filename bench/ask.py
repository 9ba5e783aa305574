"""How well `ask` and topic terms are understood: the public test set, scored per question family.

    python -m bench.ask [--cases tests/ask_cases.yaml] [--show-wrong] [--thresholds]

Seeds a Neo4j of its own with the shipped seed files, then asks every question of the test set
through the real app (in-process, over ASGI) and resolves every term through
`topicsMatching(term:)`. Prints, per family, how many were answered right — for the families
the document covers, the answer's items must be exactly the expected ones; for questions the
document does not cover, `understood` must be false — and the wrong ones when asked.

`--thresholds` measures, without Neo4j, how alike a name must be to be suggested in a NOT_FOUND
(graph.reads.SUGGESTION_THRESHOLD): for each threshold, the share of slips (every department and
topic name and alias with one letter dropped, or two swapped) whose best suggestion is the thing
meant, and the share of the test set's uncovered terms that get no suggestion at all.

The test suite (tests/test_ask.py) asks the same questions through `evaluate` and requires every
one of them to be right; this script prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

CASES = Path(__file__).resolve().parents[1] / "tests" / "ask_cases.yaml"

ASK = """
query Ask($question: String!) {
  ask(question: $question) {
    understood intent text query
    departments { key } topics { key }
    flows { key provider { key } receiver { key } }
    recipients { role department { key } }
    goals { key } roles { key items { key } } activities { key }
    scenarios { key } steps { key } principles { key } hits { key }
  }
}
"""
TERM = "query Term($term: String!) { topicsMatching(term: $term) { key } }"
SAME_INTENT = {"NEEDS": {"NEEDS", "CONTRIBUTIONS"}, "CONTRIBUTIONS": {"NEEDS", "CONTRIBUTIONS"}}


@dataclass
class Outcome:
    family: str
    asked: str
    lang: str
    wrong: list[str] = field(default_factory=list)


@dataclass
class Report:
    outcomes: list[Outcome]

    def table(self) -> str:
        right, total = Counter[str](), Counter[str]()
        for outcome in self.outcomes:
            total[outcome.family] += 1
            right[outcome.family] += not outcome.wrong
        lines = [f"{'family':<16} {'right':>7} {'share':>7}"]
        for family in total:
            lines.append(f"{family:<16} {right[family]:>3}/{total[family]:<3} {right[family] / total[family]:>7.0%}")
        all_right, all_total = sum(right.values()), sum(total.values())
        lines.append(f"{'all':<16} {all_right:>3}/{all_total:<3} {all_right / all_total:>7.0%}")
        return "\n".join(lines)

    def wrong(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.wrong]


def load_cases(path: Path = CASES) -> dict[str, list[dict[str, Any]]]:
    cases: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return cases


async def _post(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise AssertionError(f"{variables}: HTTP {response.status_code}: {body.get('errors')}")
    return body


def _keys(items: Iterable[dict[str, Any]]) -> set[str]:
    return {item["key"] for item in items}


def _all_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["key"]} if isinstance(value.get("key"), str) else set()
        return found.union(*(_all_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_all_keys(v) for v in value))
    return set()


def _differs(what: str, got: Iterable[str], expected: Iterable[str]) -> list[str]:
    got_set, expected_set = set(got), set(expected)
    if got_set == expected_set:
        return []
    return [f"{what}: missing {sorted(expected_set - got_set)}, unexpected {sorted(got_set - expected_set)}"]


def judge(case: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    """What is wrong with `answer` to the question `case` (nothing when it is right)."""
    family = case["family"]
    if family == "NONE":
        return [] if not answer["understood"] else [f"answered as {answer['intent']}: {answer['text'][:120]}"]
    if not answer["understood"]:
        return [f"not understood: {answer['text'][:160]}"]
    if answer["intent"] not in SAME_INTENT.get(family, {family}):
        return [f"intent {answer['intent']}, expected {family}"]
    wrong = _differs("departments", _keys(answer["departments"]), case.get("departments") or [])
    if "topics" in case:  # a held-out set written from the document alone need not name topic keys
        wrong += _differs("topics", _keys(answer["topics"]), case["topics"] or [])
    expect = case.get("expect") or {}
    for name in ("flows", "goals", "roles", "activities", "scenarios", "steps", "principles"):
        if name in expect:
            wrong += _differs(name, _keys(answer[name]), expect[name])
    if "duties" in expect:
        wrong += _differs(
            "duties", {duty["key"] for role in answer["roles"] for duty in role["items"]}, expect["duties"]
        )
    if "providers" in expect:
        wrong += _differs("providers", {flow["provider"]["key"] for flow in answer["flows"]}, expect["providers"])
    if "recipients" in expect:
        got = [recipient["department"]["key"] for recipient in answer["recipients"]]
        wrong += _differs("recipients", got, expect["recipients"])
        if "first_recipient" in expect and (not got or got[0] != expect["first_recipient"]):
            wrong.append(f"first recipient {got[:1]}, expected {expect['first_recipient']}")
    if "hits" in expect:
        missing = set(expect["hits"]) - _keys(answer["hits"])
        wrong += [f"hits: missing {sorted(missing)}"] if missing else []
    return wrong


async def _same_data(http: httpx.AsyncClient, answer: dict[str, Any]) -> list[str]:
    """The answer's `query` runs, and gives the items the answer rests on."""
    if not answer["query"]:
        return ["no query"]
    body = await _post(http, answer["query"], {})
    given = _all_keys(body["data"])
    items = [*answer["flows"], *answer["goals"], *answer["roles"], *answer["activities"], *answer["scenarios"],
             *answer["steps"], *answer["principles"], *answer["hits"]]  # fmt: skip
    items += [recipient["department"] for recipient in answer["recipients"]]
    missing = _keys(items) - given
    return [f"its query does not give {sorted(missing)}"] if missing else []


async def evaluate(http: httpx.AsyncClient, cases: dict[str, list[dict[str, Any]]] | None = None) -> Report:
    """Every term and question of the test set, asked of the app behind `http`, judged."""
    cases = cases or load_cases()
    outcomes: list[Outcome] = []
    for case in cases.get("terms", []):
        body = await _post(http, TERM, {"term": case["term"]})
        got = _keys(body["data"]["topicsMatching"])
        family = "TERM (none)" if not case["topics"] else "TERM"
        outcomes.append(Outcome(family, case["term"], case["lang"], _differs("topics", got, case["topics"])))
    for case in cases.get("questions", []):
        body = await _post(http, ASK, {"question": case["question"]})
        answer = body["data"]["ask"]
        wrong = judge(case, answer)
        if not wrong and answer["understood"]:
            wrong = await _same_data(http, answer)
        outcomes.append(Outcome(case["family"], case["question"], case["lang"], wrong))
    return Report(outcomes)


def slips(name: str) -> list[str]:
    """Slips of the keyboard on a name (folded): a letter dropped, two neighbours swapped."""
    middle = len(name) // 2
    found = {
        name[:middle] + name[middle + 1 :],
        name[: middle - 1] + name[middle] + name[middle - 1] + name[middle + 1 :],
    }
    return sorted(slip for slip in found - {name} if len(slip) >= 4)


def thresholds(cases: dict[str, list[dict[str, Any]]]) -> str:
    from rapidfuzz import fuzz

    from domain.names import fold
    from seed.files import default_files, read_files

    knowledge = read_files(default_files())
    names: list[tuple[str, str]] = []  # (folded name, key)
    for thing in [*knowledge.departments, *knowledge.topics]:
        for text in {thing.key.replace("-", " "), thing.name.vi, thing.name.en, *thing.aliases.vi, *thing.aliases.en}:
            if fold(text):
                names.append((fold(text), thing.key))
    typed = [(slip, key) for name, key in names for slip in slips(name) if slip not in {n for n, _ in names}]
    uncovered = [fold(case["term"]) for case in cases.get("terms", []) if not case["topics"]]
    uncovered += [fold(case["question"]) for case in cases.get("questions", []) if case["family"] == "NONE"]
    lines = [f"{len(typed)} slips, {len(uncovered)} uncovered terms and questions",
             f"{'threshold':>9} {'slips: right first':>18} {'uncovered: none':>16}"]  # fmt: skip
    for threshold in range(60, 100, 5):
        right = 0
        for slip, key in typed:
            scored = [(fuzz.ratio(slip, name), k) for name, k in names]
            best = max(scored)
            right += best[0] >= threshold and best[1] == key
        silent = sum(all(fuzz.ratio(term, name) < threshold for name, _ in names) for term in uncovered)
        lines.append(f"{threshold:>9} {right / len(typed):>18.0%} {silent / len(uncovered):>16.0%}")
    return "\n".join(lines)


async def main() -> None:
    from api.app import create_app
    from bench.harness import bench_database
    from deptgraph.settings import settings_from_environment
    from graph.schema import ensure_schema
    from seed.files import default_files, read_files
    from seed.loader import load

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=CASES, help="the test set (default: %(default)s)")
    parser.add_argument("--show-wrong", action="store_true", help="list every wrong answer and why")
    parser.add_argument("--thresholds", action="store_true", help="measure the suggestion threshold (no Neo4j)")
    args = parser.parse_args()
    if args.thresholds:
        print(thresholds(load_cases(args.cases)))
        return
    async with bench_database() as (db, _):
        await ensure_schema(db)
        await load(db, read_files(default_files()))
        app = create_app(settings_from_environment(), database=db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            report = await evaluate(http, load_cases(args.cases))
    print(report.table())
    if args.show_wrong:
        for outcome in report.wrong():
            print(f"- [{outcome.family}] {outcome.asked!r}: {'; '.join(outcome.wrong)}")


if __name__ == "__main__":
    asyncio.run(main())
