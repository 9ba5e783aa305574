"""Does a worker's memory plateau under distinct, large queries? (issue 23)

    python -m bench.memory [--queries 2000] [--batch 200] [--size 94000] [--workers 2]

Starts a Neo4j of its own and `deptgraph serve --workers 2` on the seeded graph, then sends
`--queries` distinct queries of about `--size` bytes each (a search whose text differs every time,
within the token limit), from 8 clients, and prints every worker's resident memory (RSS, MB) after
each batch. A hostile review saw 1,600 such queries grow a worker from 115 to 276 MB, and 334 MB
after 400 more: what the service keeps per document must be bounded in bytes, so the curve should
flatten. The README states the bound this prints.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx
import psutil

from bench.harness import bench_database, serve_app, wait_until_ready


def rss(server: psutil.Process) -> list[int]:
    """Each worker's RSS in MB (the server itself when it has no workers)."""
    children = server.children(recursive=True) or [server]
    return sorted(child.memory_info().rss // 2**20 for child in children)


async def send(base: str, start: int, count: int, size: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    queue = list(range(start, start + count))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while queue:
                n = queue.pop()
                text = f"{n} " + "y" * size
                response = await http.post("/graphql", json={"query": f'{{ search(text: "{text}") {{ key }} }}'})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    await asyncio.gather(*(client() for _ in range(8)))
    return statuses


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--size", type=int, default=94_000, help="bytes of each query (default 94,000)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from graph.local_neo4j import free_port
    from seed.files import default_files, read_files
    from seed.loader import load

    async with bench_database() as (db, target):
        await load(db, read_files(default_files()))
        port = free_port()
        server = serve_app(target, port, workers=args.workers, DEPTGRAPH_LOG_LEVEL="warning",
                           DEPTGRAPH_MAX_BODY_BYTES=str(args.size + 10_000))  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                await wait_until_ready(http)
            process = psutil.Process(server.pid)
            print(f"{args.queries} distinct queries of {args.size:,} bytes, {args.workers} workers")
            print(f"{'sent':>6}  {'RSS per worker, MB':<24} statuses")
            print(f"{0:>6}  {rss(process)!s:<24}")
            started = time.monotonic()
            for sent in range(0, args.queries, args.batch):
                statuses = await send(base, sent, min(args.batch, args.queries - sent), args.size)
                print(f"{sent + args.batch:>6}  {rss(process)!s:<24} {statuses}", flush=True)
            print(f"{time.monotonic() - started:.0f} s")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
