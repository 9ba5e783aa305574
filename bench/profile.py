"""Where a request's time goes: deptgraph under load, sampled with py-spy, by part of the stack.

    python -m bench.profile [--seconds 20] [--clients 16] [--cache] [--raw OUT.txt]

Starts the project's local Neo4j (seeding it if empty) and `deptgraph serve` with production
settings (response cache off unless --cache), drives the named operations of `queries/` at it
from `--clients` closed-loop clients, and samples the server with py-spy meanwhile (py-spy must
be able to attach: root, or ptrace allowed). Each sample is put in the part of the stack it was
in (the innermost frame that belongs to one), and the table gives each part's share of the
server's busy time. The findings are written up in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from api.queries import load_queries
from graph.local_neo4j import free_port

PROJECT = Path(__file__).resolve().parents[1]

# Parts of the stack, innermost first wins: a frame's file tells where the time is spent.
PARTS: list[tuple[str, Callable[[str], bool]]] = [
    ("Neo4j driver: Bolt I/O, packstream, sessions", lambda f: "neo4j/" in f),
    ("JSON encoding", lambda f: "encode_json" in f or "orjson" in f),
    ("logging", lambda f: "logging/" in f or "pythonjsonlogger" in f),
    ("metrics (prometheus_client)", lambda f: "prometheus_client" in f),
    ("cost estimate", lambda f: "graph/cost.py" in f),
    (
        "compiler: Cypher, parameters, finishing the answer",
        lambda f: any(
            m in f for m in ("graph/compiler.py", "graph/compiled.py", "graph/finishing.py", "graph/cursors.py")
        ),
    ),
    ("reading the selection (api/selection.py)", lambda f: "api/selection.py" in f),
    ("parsing and validation", lambda f: "graphql/language" in f or "graphql/validation" in f),
    ("graphql-core executor, field by field", lambda f: "graphql/execution" in f),
    ("Strawberry: view, context, extensions", lambda f: "strawberry/" in f),
    ("deptgraph: endpoint, short path, middleware", lambda f: "/api/" in f or "/graph/" in f),
    ("Starlette routing and middleware", lambda f: "starlette/" in f),
    ("uvicorn: HTTP parsing and writing", lambda f: "uvicorn/" in f and "main.py" not in f and "server.py" not in f),
]


def shares(raw: Path) -> list[tuple[str, float]]:
    counted: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        for frame in reversed(stack.split(";")):
            part = next((name for name, test in PARTS if test(frame)), None)
            if part:
                counted[part] += int(count)
                break
        else:
            counted["event loop and the rest"] += int(count)
    total = sum(counted.values()) or 1
    return [(name, n / total) for name, n in counted.most_common()]


async def drive(url: str, clients: int, seconds: float) -> int:
    queries = [{"query": q.text, "variables": {"lang": "EN"}} for q in load_queries(PROJECT / "queries")]
    stop = time.monotonic() + seconds
    done = 0

    async def client(offset: int) -> None:
        nonlocal done
        async with httpx.AsyncClient(timeout=10) as http:
            i = offset
            while time.monotonic() < stop:
                await http.post(url, json=queries[i % len(queries)])
                i += 1
                done += 1

    await asyncio.gather(*(client(i) for i in range(clients)))
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--cache", action="store_true", help="with the response cache on")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw samples here")
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        sys.exit("py-spy is missing: pip install py-spy (it is in the dev extras).")
    deptgraph = str(PROJECT / ".venv" / "bin" / "deptgraph")
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    subprocess.run([deptgraph, "neo4j", "start"], check=True, env=env)
    port = free_port()
    server_env = env | {"DEPTGRAPH_ENV": "production", "DEPTGRAPH_LOG_LEVEL": "warning", "DEPTGRAPH_WORKERS": "1",
                        "DEPTGRAPH_RESPONSE_CACHE": "true" if args.cache else "false"}  # fmt: skip
    server = subprocess.Popen([deptgraph, "serve", "--port", str(port)], env=server_env)
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        asyncio.run(drive(url, args.clients, 3))  # warm up: plans, caches
        with tempfile.TemporaryDirectory() as tmp:
            raw = args.raw or Path(tmp) / "samples.txt"
            sampler = subprocess.Popen([spy, "record", "-p", str(server.pid), "-d", f"{args.seconds:g}", "-r", "200",
                                        "-f", "raw", "-o", str(raw)], stdout=subprocess.DEVNULL)  # fmt: skip
            done = asyncio.run(drive(url, args.clients, args.seconds))
            sampler.wait(timeout=args.seconds + 30)
            print(f"{done / args.seconds:,.0f} requests/s from {args.clients} clients (the client shares the cores); "
                  f"response cache {'on' if args.cache else 'off'}\n")  # fmt: skip
            print("| part of the stack | share of the server's busy time |\n|---|---:|")
            for name, share in shares(raw):
                print(f"| {name} | {share:.0%} |")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
