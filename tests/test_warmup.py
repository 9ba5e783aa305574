"""Warming up before the app lets requests in (issue 23): the named queries and the explorer's own
operations run once, in both languages, through the app's own executor; nothing is written."""

from __future__ import annotations

import json
import subprocess

import httpx

from api.warmup import explorer_operations
from graph.database import Database

from .conftest import PROJECT, start_app
from .test_queries import QUERIES


def test_the_explorers_operations_are_read_from_its_scripts_with_their_parts_filled_in() -> None:
    operations = explorer_operations(PROJECT / "api" / "static")
    names = {operation.split("(")[0].split("{")[0].split()[1] for operation in operations}
    assert {"ExplorerGraph", "ExplorerFocus", "ExplorerDepartment", "ExplorerPaths", "ExplorerAsk"} <= names
    assert all("${" not in operation for operation in operations)


async def test_the_app_is_ready_once_warm_and_the_warm_up_writes_nothing(
    cli_env: dict[str, str], seeded: Database
) -> None:
    count = "MATCH (n) WHERE NOT n:DeploymentKey RETURN count(n) AS n"  # the app reads (or draws) its key
    before = (await seeded.read(count))[0]["n"]
    process, base = start_app(cli_env | {"DEPTGRAPH_WARM_UP": "true", "DEPTGRAPH_LOG_FORMAT": "json"},
                              stderr=subprocess.PIPE)  # fmt: skip
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            assert (await http.get(f"{base}/readyz")).status_code == 200
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    [warmed] = [line["message"] for line in lines if line["message"].startswith("warmed up:")]
    ran = int(warmed.split()[2])
    assert ran == 2 * (len(QUERIES) + len(explorer_operations(PROJECT / "api" / "static")))
    readiness = [line for line in lines if line.get("path") == "/readyz"]
    assert readiness[-1]["status"] == 200  # ready once warm (start_app waited for it)
    warmed_at = lines.index(next(line for line in lines if line["message"].startswith("warmed up:")))
    assert all(lines.index(line) < warmed_at for line in readiness if line["status"] == 503)
    assert (await seeded.read(count))[0]["n"] == before  # nothing written: no question counted
