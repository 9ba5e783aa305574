"""Forged bookmarks against a served app: do they cost anyone else anything?

    python -m bench.bookmarks [--seconds 15] [--attackers 12] [--workers 2]

Starts a Neo4j of its own and `deptgraph serve --workers 2` on it, then runs two phases of the same
length: a plain reader (no bookmark) and an editor (write, then read with the write's bookmark)
alone, and the same two while `--attackers` clients (in a process of their own) send requests with
bookmarks made from a real one — a transaction far in the future, another database's id, the
Neo4j bookmark without its signature, `abc`, a good one followed by `,abc`. Prints, per phase, the
reader's p50 / p99, the editor's rounds and p99, the longest request, what the attackers got,
breaker openings and worker restarts. Then 30 requests with a tampered database id, and the next
write's bookmark: the same length as before, and usable.

The test suite runs the same phases, shorter (tests/test_bookmarks.py).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

PROJECT = Path(__file__).resolve().parents[1]
READ = '{ needs(of: "sales", from: "accounting") { key text } }'
WRITE = "mutation($k: String!) { createTopic(input: {key: $k, name: {vi: $k, en: $k}}) { key } }"
READ_BACK = "query($k: String!) { topic(name: $k) { key } }"


def future(signed: str) -> str:
    """A signed bookmark with its transaction id raised far ahead (Neo4j 5's format: FB: and
    PackStream), the signature left as it was."""
    raw, signature = signed.rsplit(".", 1)
    data = base64.b64decode(raw[3:])
    return (
        "FB:" + base64.b64encode(data[:19] + bytes.fromhex("cb7fffffffffffffff") + data[-1:]).decode() + "." + signature
    )


def foreign(signed: str) -> str:
    """A signed bookmark with one byte of its database id changed."""
    raw, signature = signed.rsplit(".", 1)
    data = bytearray(base64.b64decode(raw[3:]))
    data[6] ^= 0x01
    return "FB:" + base64.b64encode(bytes(data)).decode() + "." + signature


def forgeries(signed: str) -> list[str]:
    return [future(signed), foreign(signed), signed.rsplit(".", 1)[0], "abc", signed + ",abc"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@dataclass
class Phase:
    reads: list[float] = field(default_factory=list)
    rounds: list[float] = field(default_factory=list)  # an editor's write-then-read, seconds
    failures: Counter[str] = field(default_factory=Counter)
    longest: float = 0.0
    attacks: Counter[str] = field(default_factory=Counter)

    def line(self, name: str) -> str:
        return (
            f"{name:<9} reader p50 {percentile(self.reads, 0.5) * 1000:7.1f} ms  p99 {percentile(self.reads, 0.99) * 1000:7.1f} ms"
            f"  ({len(self.reads)} reads) · editor {len(self.rounds)} rounds, p99 {percentile(self.rounds, 0.99) * 1000:7.1f} ms"
            f" · longest request {self.longest:.2f} s · failures {dict(self.failures) or 'none'}"
            + (f" · attackers got {dict(self.attacks)}" if self.attacks else "")
        )


def _code(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors")
    except ValueError:
        return f"HTTP {response.status_code}"
    code = errors[0].get("extensions", {}).get("code") if errors else "ok"
    return f"{response.status_code} {code}"


async def _timed(phase: Phase, sending: Awaitable[httpx.Response]) -> httpx.Response | None:
    started = time.monotonic()
    try:
        response = await sending
    except httpx.HTTPError as exc:
        phase.failures[type(exc).__name__] += 1
        return None
    finally:
        phase.longest = max(phase.longest, time.monotonic() - started)
    if response.status_code != 200 or "errors" in response.json():
        phase.failures[_code(response)] += 1
        return None
    return response


async def reader(http: httpx.AsyncClient, phase: Phase, until: float) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        if await _timed(phase, http.post("/graphql", json={"query": READ})) is not None:
            phase.reads.append(time.monotonic() - started)
        await asyncio.sleep(0.02)


async def editor(http: httpx.AsyncClient, token: str, phase: Phase, until: float, tag: str) -> None:
    n = 0
    while time.monotonic() < until:
        n += 1
        key = f"{tag}-{n}"
        started = time.monotonic()
        wrote = await _timed(phase, http.post("/graphql", json={"query": WRITE, "variables": {"k": key}},
                                              headers={"authorization": f"Bearer {token}"}))  # fmt: skip
        if wrote is None:
            continue
        bookmark = wrote.headers["deptgraph-bookmark"]
        read = await _timed(phase, http.post("/graphql", json={"query": READ_BACK, "variables": {"k": key}},
                                             headers={"deptgraph-bookmark": bookmark}))  # fmt: skip
        if read is not None and read.json()["data"]["topic"] == {"key": key}:
            phase.rounds.append(time.monotonic() - started)
        elif read is not None:
            phase.failures["read-your-writes missed"] += 1


def workers_of(server: psutil.Process) -> set[int]:
    return {child.pid for child in server.children(recursive=True)}


def breaker_openings(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("deptgraph_neo4j_breaker_openings_total"))  # fmt: skip


async def phase(base: str, token: str, seconds: float, attackers: int, signed: str, tag: str) -> Phase:
    """One phase: a reader and an editor for `seconds`, with `attackers` forging clients beside them."""
    result = Phase()
    attack: subprocess.Popen[str] | None = None
    if attackers:
        attack = subprocess.Popen(
            [sys.executable, "-m", "bench.bookmarks", "--attack", base, "--seconds", str(seconds),
             "--attackers", str(attackers), "--signed", signed],
            stdout=subprocess.PIPE, text=True, cwd=PROJECT,
        )  # fmt: skip
        await asyncio.sleep(1.0)  # the attackers' process starts and is at full speed
    until = time.monotonic() + seconds - (1.0 if attackers else 0.0)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        await asyncio.gather(reader(http, result, until), editor(http, token, result, until, tag))
    if attack is not None:
        out, _ = attack.communicate(timeout=seconds + 60)
        result.attacks.update(json.loads(out))
    return result


async def attack(base: str, seconds: float, clients: int, signed: str) -> Counter[str]:
    """`clients` closed-loop clients sending forged bookmarks for `seconds`."""
    got: Counter[str] = Counter()
    forged = forgeries(signed)
    until = time.monotonic() + seconds

    async def one(n: int) -> None:
        i = n
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while time.monotonic() < until:
                value = forged[i % len(forged)]
                i += 1
                try:
                    response = await http.post("/graphql", json={"query": READ}, headers={"deptgraph-bookmark": value})
                    got[_code(response)] += 1
                except httpx.HTTPError as exc:
                    got[type(exc).__name__] += 1

    await asyncio.gather(*(one(n) for n in range(clients)))
    return got


async def pollute(http: httpx.AsyncClient, token: str, requests: int = 30) -> tuple[int, int, int]:
    """Bookmarks with a tampered database id, then a write: (its bookmark's length before, after,
    and the status of a read that sends the new one)."""
    auth = {"authorization": f"Bearer {token}"}
    before = await http.post("/graphql", json={"query": WRITE, "variables": {"k": "pollute-0"}}, headers=auth)
    signed = before.headers["deptgraph-bookmark"]
    for _ in range(requests):
        await http.post("/graphql", json={"query": READ}, headers={"deptgraph-bookmark": foreign(signed)})
    after = await http.post("/graphql", json={"query": WRITE, "variables": {"k": "pollute-1"}}, headers=auth)
    fresh = after.headers["deptgraph-bookmark"]
    read = await http.post("/graphql", json={"query": READ_BACK, "variables": {"k": "pollute-1"}},
                           headers={"deptgraph-bookmark": fresh})  # fmt: skip
    return len(signed), len(fresh), read.status_code


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase (default 15)")
    parser.add_argument("--attackers", type=int, default=12, help="forging clients (default 12)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of the app (default 2)")
    parser.add_argument("--attack", help=argparse.SUPPRESS)  # the attackers' own process: a base URL
    parser.add_argument("--signed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attack:
        print(json.dumps(await attack(args.attack, args.seconds, args.attackers, args.signed)))
        return

    from bench.harness import bench_database, serve_app, wait_until_ready
    from graph.local_neo4j import free_port
    from graph.tokens import create_token
    from seed.files import default_files, read_files
    from seed.loader import load

    async with bench_database() as (db, target):
        await load(db, read_files(default_files()))
        token = await create_token(db, "bench-editor", "editor")
        port = free_port()
        server = serve_app(target, port, workers=args.workers, DEPTGRAPH_LOG_LEVEL="warning")
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                await wait_until_ready(http)
            process = psutil.Process(server.pid)
            workers = workers_of(process)
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                wrote = await http.post("/graphql", json={"query": WRITE, "variables": {"k": "seed-bookmark"}},
                                        headers={"authorization": f"Bearer {token}"})  # fmt: skip
            signed = wrote.headers["deptgraph-bookmark"]
            quiet = await phase(base, token, args.seconds, 0, signed, "quiet")
            attacked = await phase(base, token, args.seconds, args.attackers, signed, "attacked")
            print(f"deptgraph serve --workers {args.workers}; phases of {args.seconds:g} s; "
                  f"{args.attackers} forging clients in the second")  # fmt: skip
            print(quiet.line("quiet"))
            print(attacked.line("attacked"))
            ratio_reads = percentile(attacked.reads, 0.99) / percentile(quiet.reads, 0.99)
            ratio_rounds = percentile(attacked.rounds, 0.99) / percentile(quiet.rounds, 0.99)
            print(f"attacked ÷ quiet: reader p99 {ratio_reads:.2f}×, editor round p99 {ratio_rounds:.2f}×")
            print(f"breaker openings: {breaker_openings(base):g}; workers restarted: "
                  f"{'no' if workers_of(process) == workers else 'YES'}")  # fmt: skip
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                before, after, status = await pollute(http, token)
            print(f"30 tampered bookmarks: the next write's bookmark {before} → {after} characters; "
                  f"a read sending it: HTTP {status}")  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
