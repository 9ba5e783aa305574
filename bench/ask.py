"""How well `ask` and topic terms are understood: the public test set, scored per question family.

    python -m bench.ask [--cases tests/ask_cases.yaml] [--show-wrong] [--thresholds] [--calibrate] [--robustness]

Seeds a Neo4j of its own with the shipped seed files, then asks every question of the test set
through the real app (in-process, over ASGI) and resolves every term through
`topicsMatching(term:)`. Prints, per family, how many were answered right — for the families
the document covers, the answer's items must be exactly the expected ones; for questions the
document does not cover, `understood` must be false — and the wrong ones when asked.

`--thresholds` measures, without Neo4j, how alike a name must be to be suggested in a NOT_FOUND
(graph.names.SUGGESTION_THRESHOLD): for each threshold, the share of slips (every department and
topic name and alias with one letter dropped, or two swapped) whose best suggestion is the thing
meant, and the share of the test set's uncovered terms that get no suggestion at all.

The test suite (tests/test_ask.py) asks the same questions through `evaluate` and requires every
one of them to be right; this script prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import time
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
    understood intent confidence text query
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
    answered: bool = False  # understood: true (a question; a term is "answered" when it resolved)
    confidence: float = 0.0
    seconds: float = 0.0


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

    def questions(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.family.startswith("TERM")]

    def by_language(self) -> str:
        """Questions right per intent and language (vi without diacritics apart), and the totals."""
        kinds = ("en", "vi", "vi-ascii")
        right: Counter[tuple[str, str]] = Counter()
        total: Counter[tuple[str, str]] = Counter()
        for o in self.questions():
            kind = "en" if o.lang == "en" else "vi-ascii" if o.asked.isascii() else "vi"
            for family in (o.family, "all"):
                total[(family, kind)] += 1
                right[(family, kind)] += not o.wrong
        families = list(dict.fromkeys([o.family for o in self.questions()] + ["all"]))
        lines = [f"{'intent':<14}" + "".join(f"{k:>12}" for k in kinds)]
        for family in families:
            cells = [f"{right[(family, k)]}/{total[(family, k)]}" if total[(family, k)] else "-" for k in kinds]
            lines.append(f"{family:<14}" + "".join(f"{c:>12}" for c in cells))
        return "\n".join(lines)

    def summary(self) -> str:
        asked = self.questions()
        uncovered = [o for o in asked if o.family == "NONE"]
        covered = [o for o in asked if o.family != "NONE"]
        declined = [o for o in covered if not o.answered]
        confident_wrong = self.confident_wrong()
        times = sorted(o.seconds for o in asked)
        lines = [
            f"questions: {len(asked)}, right {sum(not o.wrong for o in asked)} "
            f"({sum(not o.wrong for o in asked) / max(1, len(asked)):.1%})",
            f"covered by the document: {len(covered)}, right {sum(not o.wrong for o in covered)}, "
            f"declined {len(declined)}, answered wrong {len(confident_wrong)} (confident wrong)",
            f"not covered: {len(uncovered)}, declined {sum(not o.answered for o in uncovered)}",
        ]
        if times:
            lines.append(f"time per question (uncached, first asking): p50 {_percentile(times, 50) * 1000:.1f} ms, "
                         f"p99 {_percentile(times, 99) * 1000:.1f} ms")  # fmt: skip
            slowest = sorted(asked, key=lambda o: -o.seconds)[:3]
            lines.append("slowest: " + "; ".join(f"{o.asked!r} {o.seconds * 1000:.0f} ms" for o in slowest))
        return "\n".join(lines)

    def confident_wrong(self) -> list[Outcome]:
        """Answered (understood: true) and wrong: the wrong departments, direction, items or intent."""
        return [o for o in self.questions() if o.answered and o.wrong]

    def calibration(self) -> str:
        """How often an answer of each confidence is right, and what other thresholds would do: the
        uncovered questions they would answer, the right answers they would decline."""
        asked = self.questions()
        answered = [o for o in asked if o.answered]
        lines = [f"{'confidence':>11} {'answers':>8} {'right':>6}"]
        for low, high in ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
            inside = [o for o in answered if low <= o.confidence < high]
            if inside:
                right = sum(not o.wrong for o in inside)
                lines.append(f"{low:>5.1f}–{min(high, 1.0):<5.1f} {len(inside):>8} {right / len(inside):>6.0%}")
        uncovered = sorted((o.confidence for o in asked if o.family == "NONE"), reverse=True)
        lines.append(f"best readings of uncovered questions, highest: {', '.join(f'{c:.2f}' for c in uncovered[:5])}")
        lines.append(f"{'threshold':>10} {'uncovered answered':>19} {'right answers declined':>23}")
        for threshold in (0.3, 0.35, 0.4, 0.42, 0.45, 0.5, 0.55, 0.6, 0.7):
            leaked = sum(c >= threshold for c in uncovered)
            lost = sum(o.confidence < threshold for o in answered if not o.wrong and o.family != "NONE")
            lines.append(f"{threshold:>10.2f} {leaked:>19} {lost:>23}")
        return "\n".join(lines)

    def wrong(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.wrong]


def _percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


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
    if cases.get("questions"):  # what ask knows of the graph is read once per state of the graph, not per question
        await _post(http, ASK, {"question": "Phòng Kinh doanh cần gì từ Phòng Kế toán?"})
    for case in cases.get("questions", []):
        started = time.perf_counter()
        body = await _post(http, ASK, {"question": case["question"]})
        seconds = time.perf_counter() - started
        answer = body["data"]["ask"]
        wrong = judge(case, answer)
        if not wrong and answer["understood"]:
            wrong = await _same_data(http, answer)
        outcomes.append(Outcome(case["family"], case["question"], case["lang"], wrong, bool(answer["understood"]),
                                float(answer["confidence"]), seconds))  # fmt: skip
    return Report(outcomes)


async def main() -> None:
    from api.app import create_app
    from bench.ask_probes import crowd, robustness, robustness_summary, thresholds, timings
    from bench.harness import bench_database
    from deptgraph.settings import settings_from_environment
    from graph.schema import ensure_schema
    from seed.files import default_files, read_files
    from seed.loader import load

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=CASES, help="the test set (default: %(default)s)")
    parser.add_argument("--show-wrong", action="store_true", help="list every wrong answer and why")
    parser.add_argument("--thresholds", action="store_true", help="measure the suggestion threshold (no Neo4j)")
    parser.add_argument("--calibrate", action="store_true", help="how often each confidence is right, per threshold")
    parser.add_argument(
        "--robustness",
        action="store_true",
        help="also ask every covered question framed (a phrase before or after it); print kept/declined/changed",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=0,
        help="also: this many clients asking at once of a real server (uvicorn), /healthz timed",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the clients ask (default: %(default)s)")
    args = parser.parse_args()
    if args.thresholds:
        print(thresholds(load_cases(args.cases)))
        return
    async with bench_database() as (db, target):
        await ensure_schema(db)
        await load(db, read_files(default_files()))
        # Uncached: every question is answered, none served from the response cache.
        app = create_app(settings_from_environment().model_copy(update={"response_cache": False}), database=db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            report = await evaluate(http, load_cases(args.cases))
            again = await timings(http, [o.asked for o in report.questions()])
            varied = await robustness(http, load_cases(args.cases)) if args.robustness else None
        if args.clients:
            print(await crowd(target, report, args.clients, args.seconds))
    print(report.table())
    print()
    print(report.by_language())
    print()
    print(report.summary())
    if again:
        print(f"time per question, asked again (uncached; Neo4j's query plans warm): p50 "
              f"{_percentile(again, 50) * 1000:.1f} ms, p99 {_percentile(again, 99) * 1000:.1f} ms")  # fmt: skip
    for outcome in report.confident_wrong():
        print(f"  confident wrong: [{outcome.family}] {outcome.asked!r} ({outcome.confidence:.2f}): "
              f"{'; '.join(outcome.wrong)}")  # fmt: skip
    if args.calibrate:
        print()
        print(report.calibration())
    if varied is not None:
        print()
        print(robustness_summary(report, varied))
    if args.show_wrong:
        print()
        for outcome in report.wrong():
            print(f"- [{outcome.family}] {outcome.asked!r}: {'; '.join(outcome.wrong)}")


if __name__ == "__main__":
    asyncio.run(main())
