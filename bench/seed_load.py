"""How long seeding takes: the shipped seed files, and a generated file of 20,000 flows.

    python -m bench.seed_load [--departments 1000] [--flows 20000]

Each load is timed from reading the YAML to the committed transaction, into an empty database
whose constraints and search index already exist; then the same load again (nothing to change).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.harness import bench_database
from graph.schema import ensure_schema
from graph.store import count_by_label
from seed.files import default_files, dump, read_files
from seed.loader import load
from seed.synthetic import synthetic_org


async def timed_load(db, paths: list[Path]) -> tuple[float, float, float, int]:  # type: ignore[no-untyped-def]
    await db.command("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    started = time.perf_counter()
    knowledge = read_files(paths)
    parsed = time.perf_counter()
    await load(db, knowledge)
    loaded = time.perf_counter()
    await load(db, knowledge)
    again = time.perf_counter()
    flows = (await count_by_label(db))["Flow"]
    return parsed - started, loaded - parsed, again - loaded, flows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--flows", type=int, default=20_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        generated = Path(tmp) / "generated.yaml"
        generated.write_text(dump(synthetic_org(args.departments, args.flows)), encoding="utf-8")
        size = generated.stat().st_size / 1e6
        async with bench_database() as (db, target):
            await ensure_schema(db)
            print(f"Neo4j: {target.describe()}")
            print(f"{'input':<44} {'flows':>7} {'parse+validate':>15} {'load':>8} {'reload':>8}")
            for name, paths in [
                (f"seed/data ({len(default_files())} files)", default_files()),
                (f"generated ({args.departments} departments, {size:.1f} MB)", [generated]),
            ]:
                parse, first, second, flows = await timed_load(db, paths)
                print(f"{name:<44} {flows:>7} {parse:>14.2f}s {first:>7.2f}s {second:>7.2f}s")


if __name__ == "__main__":
    asyncio.run(main())
