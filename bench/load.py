"""Load with a dying database: 50 readers on the queries/ mix and an editor writing steadily for
60 s, while the Neo4j under the app is stopped for 10 s and started again.

    python -m bench.load [--seconds 60] [--clients 50] [--outage-at 20] [--outage 10] [--no-outage] [--warm-up 10]
                         [--workers 1] [--processes 1]

With `--workers N` the app runs N uvicorn workers; with `--processes N`, N app processes side by
side on the same Neo4j, the readers spread over them and the editor writing through each in turn.

Everything runs on loopback: a Neo4j of its own ("load" instance), `deptgraph serve` (uvicorn)
in a process of its own, and the clients here. The report gives throughput, p50 / p99 and errors
by code, before, during and after the outage; how fast requests failed while Neo4j was away;
when /readyz turned 503 and back; the app's memory (RSS) after warm-up and at the end; and
whether every acknowledged write is in the graph afterwards, by the data and by the audit trail.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from api.queries import load_queries
from bench.harness import serve_app, wait_until_ready
from deptgraph.settings import settings_from_environment
from graph.connection import Neo4jTarget
from graph.database import Database
from graph.local_neo4j import LocalNeo4j, free_port
from graph.tokens import create_token
from seed.files import default_files, read_files
from seed.loader import load

PROJECT = Path(__file__).resolve().parents[1]
MEMORY_EVERY = 10.0  # seconds between samples of the app's memory


@dataclass
class Sample:
    at: float  # seconds since the start of the load
    seconds: float
    kind: str  # "read" or "write"
    code: str  # "ok", an error code, or "HTTP <status>" / "transport"
    server: float | None = None  # seconds the app says it took (Server-Timing), None if no answer


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # keys of writes answered without error
    readiness: list[tuple[float, int]] = field(default_factory=list)
    outage: tuple[float, float] | None = None  # Neo4j stopped from … to … (seconds into the run)
    memory: list[tuple[float, int]] = field(default_factory=list)  # (seconds into the run, app RSS)


def server_seconds(response: httpx.Response) -> float | None:
    timing = response.headers.get("server-timing", "")
    return float(timing.split("dur=")[1]) / 1000 if "dur=" in timing else None


def codes(response: httpx.Response) -> str:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    errors = response.json().get("errors")
    return str(errors[0].get("extensions", {}).get("code")) if errors else "ok"


async def reader(http: httpx.AsyncClient, queries: list[str], run: Run, started: float, until: float, n: int) -> None:
    i = n
    while time.monotonic() < until:
        query = queries[i % len(queries)]
        i += 1
        t = time.monotonic()
        server = None
        try:
            response = await http.post("/graphql", json={"query": query, "variables": {"lang": "EN"}})
            code, server = codes(response), server_seconds(response)
        except httpx.TransportError:
            code = "transport"
        run.samples.append(Sample(t - started, time.monotonic() - t, "read", code, server))


async def writer(https: list[httpx.AsyncClient], token: str, run: Run, started: float, until: float, tag: str) -> None:
    mutation = "mutation($input: TopicInput!) { createTopic(input: $input) { key version } }"
    n = 0
    while time.monotonic() < until:
        http = https[n % len(https)]
        key = f"load-{tag}-{n}"
        n += 1
        t = time.monotonic()
        server = None
        try:
            response = await http.post(
                "/graphql",
                json={
                    "query": mutation,
                    "variables": {"input": {"key": key, "name": {"vi": f"Chủ đề {n}", "en": f"Topic {n}"}}},
                },
                headers={"authorization": f"Bearer {token}"},
            )
            code, server = codes(response), server_seconds(response)
        except httpx.TransportError:
            code = "transport"
        run.samples.append(Sample(t - started, time.monotonic() - t, "write", code, server))
        if code == "ok":
            run.acknowledged.append(key)
        await asyncio.sleep(0.05)


async def watch_readiness(http: httpx.AsyncClient, run: Run, started: float, until: float) -> None:
    last = None
    while time.monotonic() < until:
        try:
            status = (await http.get("/readyz", timeout=5)).status_code
        except httpx.TransportError:
            status = 0
        if status != last:
            run.readiness.append((time.monotonic() - started, status))
            last = status
        await asyncio.sleep(0.25)


def rss(apps: list[psutil.Process]) -> int:
    """The memory of the app processes and their workers."""
    total = 0
    for app in apps:
        for process in [app, *app.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
    return total


async def watch_memory(apps: list[psutil.Process], run: Run, started: float, until: float) -> None:
    while time.monotonic() < until:
        run.memory.append((time.monotonic() - started, rss(apps)))
        await asyncio.sleep(MEMORY_EVERY)


async def outage(local: LocalNeo4j, port: int, run: Run, started: float, at: float, seconds: float) -> None:
    await asyncio.sleep(at)
    down = time.monotonic() - started
    await asyncio.to_thread(local.stop)
    stopped = time.monotonic() - started
    await asyncio.sleep(seconds)
    await asyncio.to_thread(local.start, port)
    run.outage = (down, time.monotonic() - started)
    print(
        f"  Neo4j: stop asked at {down:.1f}s, stopped at {stopped:.1f}s, answering again at {run.outage[1]:.1f}s",
        flush=True,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def report_phase(name: str, samples: list[Sample], seconds: float) -> None:
    if not samples:
        print(f"| {name} | 0 | | | | | |")
        return
    ok = [s for s in samples if s.code == "ok"]
    errors = Counter(s.code for s in samples if s.code != "ok")
    latencies = [s.seconds * 1000 for s in samples]
    failed = [s.seconds * 1000 for s in samples if s.code != "ok"]
    print(
        f"| {name} | {len(samples)} | {len(samples) / seconds:.0f} | {percentile(latencies, 0.5):.1f} | "
        f"{percentile(latencies, 0.99):.1f} | {len(ok)} | {dict(errors) or '·'} | "
        f"{max(failed):.0f}" if failed else
        f"| {name} | {len(samples)} | {len(samples) / seconds:.0f} | {percentile(latencies, 0.5):.1f} | "
        f"{percentile(latencies, 0.99):.1f} | {len(ok)} | · | ·"
    )  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--outage-at", type=float, default=20)
    parser.add_argument("--outage", type=float, default=10)
    parser.add_argument("--no-outage", action="store_true")
    parser.add_argument("--warm-up", type=float, default=10, help="seconds of the same load before measuring")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per app process")
    parser.add_argument("--processes", type=int, default=1, help="app processes side by side")
    args = parser.parse_args()

    settings = settings_from_environment()
    local = LocalNeo4j(
        home=settings.neo4j_home, version=settings.neo4j_version, instance="load", heap="1g", pagecache="256m"
    )
    bolt = free_port()
    print(f"Starting a Neo4j of its own ({local.instance_dir}) on {bolt}…", flush=True)
    local.stop()
    local.start(bolt)
    target = Neo4jTarget(f"bolt://127.0.0.1:{bolt}", "neo4j", local.password(), "neo4j", local)
    db = Database.connect(target)
    await db.command("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    await load(db, read_files(default_files()))
    token = await create_token(db, f"load-{os.getpid()}", "editor")

    ports = [free_port() for _ in range(args.processes)]
    servers = [serve_app(target, port, workers=args.workers, DEPTGRAPH_LOG_LEVEL="warning") for port in ports]
    apps = [psutil.Process(server.pid) for server in servers]
    run = Run()
    limits = httpx.Limits(max_connections=args.clients + 8)
    https = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits) for port in ports]
    try:
        for http in https:
            await wait_until_ready(http)
        queries = [q.text for q in load_queries(PROJECT / "queries")]
        # Warm up with the same concurrency as the load, so that caches, pools and the
        # allocator reach their working size before memory is taken as the baseline.
        print(f"Warming up for {args.warm_up:.0f}s…", flush=True)
        warm = time.monotonic()
        await asyncio.gather(
            *(reader(https[n % len(https)], queries, Run(), warm, warm + args.warm_up, n) for n in range(args.clients))
        )
        rss_start = rss(apps)
        print(f"Load: {args.clients} readers on {len(queries)} questions + 1 editor, {args.seconds:.0f}s, "
              f"{args.processes} app process(es) of {args.workers} worker(s)"
              + ("" if args.no_outage else f"; Neo4j stopped at {args.outage_at:.0f}s for {args.outage:.0f}s"), flush=True)  # fmt: skip
        started = time.monotonic()
        until = started + args.seconds
        tasks = [reader(https[n % len(https)], queries, run, started, until, n) for n in range(args.clients)]
        tasks += [
            writer(https, token, run, started, until, str(os.getpid())),
            watch_readiness(https[0], run, started, until),
            watch_memory(apps, run, started, until),
        ]
        if not args.no_outage:
            tasks.append(outage(local, bolt, run, started, args.outage_at, args.outage))
        await asyncio.gather(*tasks)
        rss_end = rss(apps)
    finally:
        for http in https:
            await http.aclose()
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    # Every acknowledged write must be there: by the data, and by the audit trail.
    found = await db.read("UNWIND $keys AS key MATCH (t:Topic {key: key}) RETURN count(t) AS n", keys=run.acknowledged)
    audited = await db.read(
        "UNWIND $keys AS key MATCH (c:Change {key: key, operation: 'createTopic'}) RETURN count(DISTINCT c.key) AS n",
        keys=run.acknowledged,
    )
    await db.close()
    local.stop()

    total = args.seconds
    print(
        f"\n## Load report ({args.clients} readers + 1 editor, {total:.0f}s, {args.processes} app process(es) of "
        f"{args.workers} worker(s))\n"
    )
    print("| phase | requests | req/s | p50 ms | p99 ms | ok | errors by code | slowest failure ms |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    if run.outage:
        down, up = run.outage
        phases = [("before outage", 0, down), ("Neo4j away", down, up), ("after outage", up, total)]
    else:
        phases = [("whole run", 0, total)]
    for name, begin, end in phases:
        for kind in ("read", "write"):
            chosen = [s for s in run.samples if s.kind == kind and begin <= s.at < end]
            report_phase(f"{name}: {kind}s", chosen, max(end - begin, 0.001))
    reads = [s for s in run.samples if s.kind == "read"]
    print(f"\nThroughput over the whole run: {len(run.samples) / total:.0f} requests/s "
          f"({len(reads) / total:.0f} reads/s); errors: {dict(Counter(s.code for s in run.samples if s.code != 'ok')) or 'none'}")  # fmt: skip
    if run.outage:
        down, up = run.outage
        during = [s for s in run.samples if down <= s.at < up and s.code != "ok"]
        slow = [s for s in during if s.seconds > 2]
        in_app = [s.server for s in during if s.server is not None]
        print(f"Failures while Neo4j was away: {len(during)}; as the client saw them: p99 "
              f"{percentile([s.seconds for s in during], 0.99):.2f}s, slowest {max((s.seconds for s in during), default=0):.2f}s, "
              f"over 2s: {len(slow)}; in the app (Server-Timing): slowest {max(in_app, default=0):.2f}s; "
              f"codes: {dict(Counter(s.code for s in during))}")  # fmt: skip
        recovered = min((s.at + s.seconds for s in run.samples if s.at >= up and s.code == "ok"), default=None)
        print(f"First success after Neo4j was back: {recovered - up:.2f}s after it answered" if recovered
              else "No success after the outage!")  # fmt: skip
    print("/readyz: " + ", ".join(f"{status} at {at:.1f}s" for at, status in run.readiness))
    slowest = sorted((s for s in run.samples if s.code != "ok"), key=lambda s: -s.seconds)[:8]
    if slowest:
        print("Slowest failures (started at, took, in the app, code): " + "; ".join(
            f"{s.at:.1f}s +{s.seconds:.2f}s ({s.server if s.server is not None else float('nan'):.2f}s) {s.code}"
            for s in slowest))  # fmt: skip
    print(f"App memory (RSS): {rss_start / 2**20:.1f} MiB after warm-up, {rss_end / 2**20:.1f} MiB at the end "
          f"({(rss_end - rss_start) / 2**20:+.1f} MiB); every {MEMORY_EVERY:.0f}s: "
          + ", ".join(f"{at:.0f}s {rss / 2**20:.1f}" for at, rss in run.memory) + " MiB")  # fmt: skip
    print(
        f"Acknowledged writes: {len(run.acknowledged)}; in the graph: {found[0]['n']}; in the audit trail: {audited[0]['n']}"
    )
    if found[0]["n"] != len(run.acknowledged) or audited[0]["n"] != len(run.acknowledged):
        print("LOST WRITES: some acknowledged writes are missing!")
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
