"""A Neo4j for benchmarks: its own local instance ("bench", on a free port), wiped freely.

With NEO4J_URI set, that server is used instead, and the benchmark wipes its database, so it
asks for DEPTGRAPH_BENCH_WIPE=yes first.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import httpx

from deptgraph.settings import settings_from_environment
from graph.connection import Neo4jTarget, resolve_target
from graph.database import Database
from graph.local_neo4j import LocalNeo4j, free_port


@asynccontextmanager
async def bench_database() -> AsyncIterator[tuple[Database, Neo4jTarget]]:
    settings = settings_from_environment()
    local: LocalNeo4j | None = None
    if settings.neo4j_uri:
        if os.environ.get("DEPTGRAPH_BENCH_WIPE") != "yes":
            sys.exit(f"This benchmark wipes {settings.neo4j_uri}; set DEPTGRAPH_BENCH_WIPE=yes to go on.")
        target = resolve_target(settings)
    else:
        local = LocalNeo4j(
            home=settings.neo4j_home,
            version=settings.neo4j_version,
            instance="bench",
            heap=settings.neo4j_heap,
            pagecache=settings.neo4j_pagecache,
        )
        print(f"Starting a Neo4j of its own for the benchmark ({local.instance_dir})…", flush=True)
        status = local.start(free_port())
        assert status.bolt_uri
        target = Neo4jTarget(status.bolt_uri, "neo4j", local.password(), "neo4j", local)
    db = Database.connect(target)
    try:
        await db.command("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        yield db, target
    finally:
        await db.close()
        if local is not None:
            local.stop()


def serve_app(
    target: Neo4jTarget, port: int, workers: int = 1, stderr: IO[bytes] | None = None, **env: str
) -> subprocess.Popen[bytes]:
    """`deptgraph serve` (uvicorn, one worker unless told) in a process of its own, on `target`;
    the environment's other NEO4J_* / DEPTGRAPH_* settings are left out, `env` added; its log
    goes to `stderr` when given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DEPTGRAPH_"))}
    clean |= {"NEO4J_URI": target.uri, "NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password,
              "DEPTGRAPH_WORKERS": str(workers)} | env  # fmt: skip
    command = [str(Path(sys.executable).with_name("deptgraph")), "serve", "--no-start-neo4j", "--no-seed"]
    return subprocess.Popen([*command, "--port", str(port)], env=clean, stderr=stderr)


async def wait_until_ready(http: httpx.AsyncClient, seconds: float = 180) -> None:
    """Until the app's /readyz answers 200."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    sys.exit(f"the app on {http.base_url} did not become ready within {seconds:.0f}s")
