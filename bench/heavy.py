"""Cheap requests beside expensive legal ones: does a crowd of costly queries slow everyone else?

    python -m bench.heavy [--seconds 10] [--heavy 10] [--workers 1]

Starts a Neo4j of its own with the shipped seed and `deptgraph serve` on it (response cache off, so
every request reaches Neo4j). Finds the deepest nested query the cost limit still lets through
(each level one more hop `relationships { flows { provider … } }`), then runs the same cheap
reader (`needs(of:, from:)`, one client, one request after the other) twice for `--seconds`:
alone, and while `--heavy` clients send the costly query in a loop. Prints, per phase, the cheap
reader's p50 / p99 / max and requests, and what the heavy clients got (answers and error codes).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter

import httpx

from bench.harness import bench_database, serve_app, wait_until_ready
from graph.local_neo4j import free_port
from seed.files import default_files, read_files
from seed.loader import load

CHEAP = '{ needs(of: "sales", from: "accounting") { key text } }'


def nested(depth: int) -> str:
    """`departments` and `depth` hops of relationships → flows → provider, every text asked."""
    inner = "key name"
    for _ in range(depth):
        inner = f"key name relationships {{ key title flows {{ key text purpose provider {{ {inner} }} }} }}"
    return f"{{ departments {{ {inner} }} }}"


async def post(http: httpx.AsyncClient, query: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = await http.post("/graphql", json={"query": query})
    elapsed = time.perf_counter() - started
    body = response.json()
    code = body["errors"][0].get("extensions", {}).get("code", "?") if body.get("errors") else "ok"
    return elapsed, code


async def heaviest(http: httpx.AsyncClient) -> tuple[int, str]:
    legal = 0
    for depth in range(1, 8):
        _, code = await post(http, nested(depth))
        if code != "ok":
            break
        legal = depth
    if not legal:
        sys.exit("no nested query is legal under this cost limit")
    return legal, nested(legal)


async def phase(base: str, seconds: float, heavy_clients: int, heavy_query: str) -> None:
    stop = time.monotonic() + seconds
    got: Counter[str] = Counter()

    async def heavy_loop() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while time.monotonic() < stop:
                got[(await post(http, heavy_query))[1]] += 1

    loops = [asyncio.create_task(heavy_loop()) for _ in range(heavy_clients)]
    times: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        await asyncio.sleep(0.5 if heavy_clients else 0)  # the crowd is at work first
        while time.monotonic() < stop:
            elapsed, code = await post(http, CHEAP)
            assert code == "ok", code
            times.append(elapsed * 1000)
    await asyncio.gather(*loops)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    label = f"beside {heavy_clients} heavy clients" if heavy_clients else "alone"
    print(f"cheap reader {label:>24}: p50 {statistics.median(times):7.1f} ms  p99 {p99:7.1f} ms  "
          f"max {times[-1]:7.1f} ms  ({len(times)} requests)", flush=True)  # fmt: skip
    if heavy_clients:
        print(f"{'heavy clients got':>38}: {dict(got)}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase (default 10)")
    parser.add_argument("--heavy", type=int, default=10, help="clients sending the costly query (default 10)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the served app (default 1)")
    args = parser.parse_args()
    async with bench_database() as (db, target):
        await load(db, read_files(default_files()))
        port = free_port()
        process = serve_app(target, port, args.workers, DEPTGRAPH_RESPONSE_CACHE="false", DEPTGRAPH_LOG_LEVEL="warning")
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                await wait_until_ready(http)
                depth, query = await heaviest(http)
            print(f"the costly query: {depth} hops deep, {len(query)} bytes, still under the cost limit", flush=True)
            await phase(base, args.seconds, 0, query)
            await phase(base, args.seconds, args.heavy, query)
        finally:
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    asyncio.run(main())
