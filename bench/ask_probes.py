"""What else `python -m bench.ask` measures besides the set's answers: the questions framed by
phrases that ask nothing (`--robustness`), the time of each question asked again, a crowd asking a
served app while /healthz is timed (`--clients`), and the suggestion threshold (`--thresholds`)."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import httpx

from bench.ask import ASK, Outcome, Report, _percentile, _post, judge

# Words that frame a question without asking anything — kept apart from those graph.words knows
# (STOPWORDS, _FRAMES), so that this measures how ask copes with framing it was never told of.
FRAMINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("out of curiosity,", "sorry to bother you,", "real quick:", "i'm new here -", "hey team,"),
        ("for onboarding", "tbh", "if you know", "right now", "asap"),
    ),
    "vi": (
        ("em là nhân viên mới,", "hỏi ngu tí:", "chị ơi,", "nhờ mọi người:"),
        ("với ạ", "thế nhỉ", "bên mình", "hiện tại"),
    ),
    "vi-ascii": (
        ("em la nhan vien moi,", "hoi ngu ti:", "chi oi,", "nho moi nguoi:"),
        ("voi a", "the nhi", "ben minh", "hien tai"),
    ),
}


def framed(question: str, lang: str, turn: int) -> str:
    """The question with a framing phrase before it (even turns) or after it (odd turns)."""
    kind = "en" if lang == "en" else "vi-ascii" if question.isascii() else "vi"
    before, after = FRAMINGS[kind]
    bare = question.rstrip("?!. ")
    if turn % 2 == 0:
        return f"{before[(turn // 2) % len(before)]} {bare}?"
    return f"{bare} {after[(turn // 2) % len(after)]}?"


async def robustness(http: httpx.AsyncClient, cases: dict[str, list[dict[str, Any]]]) -> Report:
    """Every covered question, framed twice (a phrase before, one after): still answered right?"""
    outcomes: list[Outcome] = []
    for number, case in enumerate(q for q in cases.get("questions", []) if q["family"] != "NONE"):
        for turn in (2 * number, 2 * number + 1):
            asked = framed(case["question"], case["lang"], turn)
            answer = (await _post(http, ASK, {"question": asked}))["data"]["ask"]
            outcomes.append(Outcome(case["family"], asked, case["lang"], judge(case, answer),
                                    bool(answer["understood"]), float(answer["confidence"])))  # fmt: skip
    return Report(outcomes)


def robustness_summary(plain: Report, framed_: Report) -> str:
    """Of the framed variants of questions answered right unframed: kept, declined, changed."""
    right = {o.asked for o in plain.questions() if not o.wrong}
    kept = declined = changed = 0
    lines = []
    for outcome in framed_.outcomes:
        if not any(outcome.asked.startswith(q.rstrip("?!. ")) or q.rstrip("?!. ") in outcome.asked for q in right):
            continue
        if not outcome.wrong:
            kept += 1
        elif not outcome.answered:
            declined += 1
            lines.append(f"  declined: {outcome.asked!r}")
        else:
            changed += 1
            lines.append(f"  changed: {outcome.asked!r}: {'; '.join(outcome.wrong)}")
    total = kept + declined + changed
    head = (f"framed variants of questions answered right: {total}, kept {kept} "
            f"({kept / max(1, total):.1%}), declined {declined}, answered otherwise {changed}")  # fmt: skip
    return "\n".join([head, *lines])


async def timings(http: httpx.AsyncClient, questions: list[str]) -> list[float]:
    """Each question asked once more, timed (sorted): the first pass met Neo4j's plans cold."""
    found = []
    for question in questions:
        started = time.perf_counter()
        await _post(http, ASK, {"question": question})
        found.append(time.perf_counter() - started)
    return sorted(found)


PROBE = """
import sys, time, httpx
url, seconds = sys.argv[1], float(sys.argv[2])
stop = time.perf_counter() + seconds
with httpx.Client(timeout=10) as http:
    while time.perf_counter() < stop:
        started = time.perf_counter()
        assert http.get(url).status_code == 200
        print(time.perf_counter() - started, flush=True)
        time.sleep(0.05)
"""


async def crowd(target: Any, report: Report, clients: int, seconds: float) -> str:
    """`clients` asking the set's questions at once (response cache off) of `deptgraph serve`,
    while /healthz is asked every 50 ms: how long /healthz and the asks take."""
    from bench.harness import serve_app, wait_until_ready
    from graph.local_neo4j import free_port

    port = free_port()
    server = serve_app(target, port, DEPTGRAPH_RESPONSE_CACHE="false", DEPTGRAPH_LOG_LEVEL="warning")
    questions = [o.asked for o in report.questions()]
    asks: list[float] = []
    health: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await wait_until_ready(http)
            await _post(http, ASK, {"question": questions[0]})
            stop = time.perf_counter() + seconds

            async def client(n: int) -> None:
                i = n
                while time.perf_counter() < stop:
                    started = time.perf_counter()
                    await _post(http, ASK, {"question": questions[i % len(questions)]})
                    asks.append(time.perf_counter() - started)
                    i += clients

            async def probe() -> None:
                # From a process of its own: this one is busy being sixteen clients.
                prober = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", PROBE, f"http://127.0.0.1:{port}/healthz", str(seconds),
                    stdout=asyncio.subprocess.PIPE,
                )  # fmt: skip
                out, _ = await prober.communicate()
                health.extend(float(line) for line in out.decode().split())

            await asyncio.gather(probe(), *(client(n) for n in range(clients)))
    finally:
        server.terminate()
        server.wait(timeout=20)
    asks.sort()
    health.sort()
    return (f"{clients} clients asking for {seconds:.0f} s (one uvicorn worker): {len(asks)} answers, "
            f"{len(asks) / seconds:.0f}/s, ask p50 {_percentile(asks, 50) * 1000:.0f} ms p99 "
            f"{_percentile(asks, 99) * 1000:.0f} ms; /healthz ({len(health)} probes) p50 "
            f"{_percentile(health, 50) * 1000:.1f} ms, p99 {_percentile(health, 99) * 1000:.1f} ms, max "
            f"{health[-1] * 1000:.1f} ms\n")  # fmt: skip


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
    things: list[Any] = [*knowledge.departments, *knowledge.topics]
    for thing in things:
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
