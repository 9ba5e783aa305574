"""The read API under load, beside its floor (hand-written Cypher through the driver).

    python -m bench.api [--seconds 2] [--departments 1000] [--flows 20000]

Seeds a Neo4j of its own, starts `deptgraph serve` under uvicorn, and for every operation in
queries/ measures p50 / p99 latency and throughput over HTTP with 1 and 16 concurrent clients,
beside the same answer from bench/floor.py. Then the same on a generated organisation of
1,000 departments and ~20,000 flows (the real departments kept as they are).

Targets: API p50 ≤ 2 × floor p50 for every question; p50 on the large graph ≤ 1.5 × p50 on the
seed graph. Client, server and Neo4j share this machine's cores, so throughput is a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.queries import load_queries
from bench.floor import FLOOR
from bench.harness import bench_database, serve_app, wait_until_ready
from graph.database import Database
from graph.local_neo4j import free_port
from seed.files import default_files, read_files
from seed.loader import load
from seed.synthetic import synthetic_org

PROJECT = Path(__file__).resolve().parents[1]


@dataclass
class Figures:
    p50_ms: float
    p99_ms: float
    per_second: float


async def measure(call: Callable[[], Awaitable[None]], clients: int, seconds: float) -> Figures:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Figures(statistics.median(latencies) * 1000, p99 * 1000, len(latencies) / elapsed)


WARM_UP_SECONDS = 1.0


# Questions only the generated organisation can ask: paths across it (issue 16), one that finds
# twenty routes of four hops and one where none exists within six (the search's widest sweep).
_PATH_FLOOR = """
    MATCH (a:Department {{key: '{a}'}}), (b:Department {{key: '{b}'}})
    MATCH p = SHORTEST 20 (a)((x:Department)<-[:BETWEEN]-(:Relationship)-[:BETWEEN]->(y:Department)
      WHERE EXISTS {{ (x)-[:PROVIDES]->(:Flow)-[:TO]->(y) }}){{1,6}}(b)
    WHERE NOT a IN y AND all(i IN range(1, size(y) - 1) WHERE NOT y[i] IN y[0..i])
    WITH a, x, y ORDER BY size(y), [k IN y | k.key] LIMIT 20
    RETURN size(y) AS hops, [d IN [a] + y | d {{.key, .name_en}}] AS departments, COLLECT {{
      UNWIND range(0, size(y) - 1) AS i
      WITH i, x[i] AS s, y[i] AS r
      CALL (s, r) {{ MATCH (s)-[:PROVIDES]->(f:Flow)-[:TO]->(r) RETURN f ORDER BY f.position, f.key LIMIT 1 }}
      RETURN f.text_en ORDER BY i }} AS flows"""
_PATHS = (
    'query {name}($lang: Lang) {{ paths(from: "{a}", to: "{b}", maxHops: 6, limit: 20) {{ hops '
    "departments {{ key name(lang: $lang) }} flows {{ text(lang: $lang) }} }} }}"
)


def large_only(departments: int) -> tuple[tuple[str, str, str], ...]:
    """The path questions only the generated organisation asks, between units it has (at the
    default size, unit-0000 → unit-0500 has no path within six hops)."""
    near, far = f"unit-{min(20, departments - 1):04d}", f"unit-{min(500, departments // 2):04d}"
    return tuple(
        (name, _PATHS.format(name=name, a=a, b=b), _PATH_FLOOR.format(a=a, b=b))
        for name, a, b in [("PathsAcrossTheOrganisation", "unit-0000", near),
                           ("PathsWhereThereAreNone", "unit-0000", far)]
    )  # fmt: skip


async def run_suite(
    http: httpx.AsyncClient, db: Database, seconds: float, label: str, extra: tuple[tuple[str, str, str], ...] = ()
) -> dict[str, Figures]:
    queries = [(q.name, q.text, FLOOR[q.name]) for q in load_queries(PROJECT / "queries")] + list(extra)
    print(f"\n## {label}\n")

    async def http_only() -> None:
        if (await http.get("/healthz")).status_code != 200:
            raise RuntimeError("/healthz failed")

    for _ in range(50):
        await http_only()
    alone = await measure(http_only, 1, seconds)
    print(f"HTTP round trip alone (GET /healthz, 1 client): p50 {alone.p50_ms:.2f} ms, p99 {alone.p99_ms:.2f} ms\n")
    print("| question | clients | API p50 ms | API p99 ms | API req/s | floor p50 ms | floor p99 ms "
          "| floor req/s | API ÷ floor (p50) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    results: dict[str, Figures] = {}
    # Warm up every question first (caches, query plans, both JITs), so that the first rows of
    # the table are not measured cold; then measure one question after the other.
    cases = []
    for query_name, text, floor_cypher in queries:
        payload = {"query": text, "variables": {"lang": "EN"}}

        async def api_call(payload: dict[str, object] = payload, name: str = query_name) -> None:
            response = await http.post("/graphql", json=payload)
            if response.status_code != 200 or b'"errors"' in response.content:
                raise RuntimeError(f"{name}: {response.text[:300]}")

        async def floor_call(cypher: str = floor_cypher, name: str = query_name) -> None:
            rows = await db.read(cypher)
            if not rows and name != "PathsWhereThereAreNone":
                raise RuntimeError(f"floor {name} returned nothing")

        cases.append((query_name, api_call, floor_call))
    for _, api_call, floor_call in cases:
        await measure(api_call, 16, WARM_UP_SECONDS)
        await measure(floor_call, 16, WARM_UP_SECONDS)
    for name, api_call, floor_call in cases:
        for clients in (1, 16):
            api = await measure(api_call, clients, seconds)
            floor = await measure(floor_call, clients, seconds)
            results[f"{name}@{clients}"] = api
            print(f"| {name} | {clients} | {api.p50_ms:.2f} | {api.p99_ms:.2f} | {api.per_second:.0f} "
                  f"| {floor.p50_ms:.2f} | {floor.p99_ms:.2f} | {floor.per_second:.0f} | {api.p50_ms / floor.p50_ms:.2f} |",
                  flush=True)  # fmt: skip
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per question and client count")
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--flows", type=int, default=20_000)
    args = parser.parse_args()

    async with bench_database() as (db, target):
        seed = read_files(default_files())
        await load(db, seed)
        port = free_port()
        server = serve_app(target, port, DEPTGRAPH_LOG_LEVEL="warning", DEPTGRAPH_REQUEST_TIMEOUT="30")
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=30, limits=httpx.Limits(max_connections=32)
            ) as http:
                await wait_until_ready(http)
                print(f"Neo4j {target.uri}; API on port {port} (uvicorn, 1 worker); {args.seconds:g}s per cell")
                small = await run_suite(http, db, args.seconds, "Seed graph (5 departments, 34 flows)")
                print(f"\nLoading {args.departments} departments and ~{args.flows} flows…", flush=True)
                # Into an empty graph: the first seed of a graph is written without an audit record
                # per node, which 20,000 flows in one transaction would need more memory for than
                # the local Neo4j allows one transaction.
                await db.command("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
                await load(db, synthetic_org(args.departments, args.flows, base=seed))
                large = await run_suite(
                    http,
                    db,
                    args.seconds,
                    f"Generated graph ({args.departments + 5} departments, ~{args.flows} flows)",
                    extra=large_only(args.departments),
                )
                print("\n## p50 on the large graph ÷ p50 on the seed graph (target ≤ 1.5)\n")
                print("| question | 1 client | 16 clients |")
                print("|---|---:|---:|")
                for name in dict.fromkeys(key.split("@")[0] for key in small):  # the questions both graphs ask
                    ratios = [large[f"{name}@{c}"].p50_ms / small[f"{name}@{c}"].p50_ms for c in (1, 16)]
                    print(f"| {name} | {ratios[0]:.2f} | {ratios[1]:.2f} |")
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    asyncio.run(main())
