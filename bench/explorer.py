"""The explorer's first screen at the size of a real company, timed from the app's own access log.

    python -m bench.explorer [--departments 1000] [--flows 20000] [--rounds 3]

Seeds a Neo4j of its own with the document and a generated organisation, starts `deptgraph
serve` (a fresh process: cold caches), opens the explorer in headless Chromium on a few first
screens a new user may land on — the start page, a deep link to a department, a path view — and
for each prints the GraphQL requests the page made until it was drawn and the API time they
took in total, summed from the `duration_ms` of the app's `deptgraph.access` log lines. The first
round runs on a just-started app; later rounds show the same with warm caches.

Target (issue 16): at 1,000 departments / 20,000 flows, at most 1 s of API time in total.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

from bench.harness import bench_database, serve_app, wait_until_ready
from graph.local_neo4j import free_port
from seed.files import default_files, read_files
from seed.loader import load
from seed.synthetic import synthetic_org

CHROMIUM = os.environ.get("DEPTGRAPH_CHROMIUM", "/usr/bin/chromium")
SCREENS = [
    ("start page", "/"),
    ("deep link to a department", "/#/department/unit-0500"),
    ("path view", "/#/paths/unit-0000/unit-0020"),
    ("path view about a topic (seed)", "/#/paths/customer-care/engineering/customer%20feedback"),
]


def graphql_lines(log: Path, start: int) -> tuple[list[dict[str, object]], int]:
    """The access-log lines of /graphql requests written after byte `start`, and where the log ends."""
    data = log.read_bytes()
    lines = []
    for raw in data[start:].splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("logger") == "deptgraph.access" and line.get("path") == "/graphql":
            lines.append(line)
    return lines, len(data)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--flows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    async with bench_database() as (db, target):
        print(f"Loading the document and {args.departments} departments / ~{args.flows} flows…", flush=True)
        await load(db, synthetic_org(args.departments, args.flows, base=read_files(default_files())))
        port = free_port()
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "access.log"
            with log.open("wb") as sink:
                server = serve_app(target, port, stderr=sink, DEPTGRAPH_LOG_LEVEL="info", DEPTGRAPH_LOG_FORMAT="json")
                try:
                    base = f"http://127.0.0.1:{port}"
                    async with httpx.AsyncClient(base_url=base) as http:
                        await wait_until_ready(http)
                    await measure(base, log, args.rounds)
                finally:
                    server.terminate()
                    server.wait(timeout=20)


async def measure(base: str, log: Path, rounds: int) -> None:
    print("\n| round | first screen | GraphQL requests | API time (ms, access log) | slowest (ms) | nodes drawn |")
    print("|---:|---|---:|---:|---:|---:|")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for round_ in range(1, rounds + 1):
            for name, path in SCREENS:
                context = await browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 820})
                page = await context.new_page()
                _, start = graphql_lines(log, 0)
                await page.goto(base + path)
                await page.wait_for_selector("body[data-ready='true']", state="attached", timeout=60_000)
                nodes = await page.evaluate("window.deptgraph.state.cy.nodes().length")
                await page.wait_for_timeout(300)  # the last access line is written after the response
                lines, _ = graphql_lines(log, start)
                durations = [float(str(line["duration_ms"])) for line in lines]
                print(f"| {round_} | {name} | {len(lines)} | {sum(durations):.0f} | {max(durations, default=0):.0f} "
                      f"| {nodes} |", flush=True)  # fmt: skip
                await context.close()
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
