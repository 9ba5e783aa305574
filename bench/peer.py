"""deptgraph beside @neo4j/graphql on Apollo Server, on the same Neo4j and the same data.

    python -m bench.peer [--peer ../shared/peer] [--mix-seconds 5] [--perq-seconds 2] [--smoke]

Copies the peer harness (default `../shared/peer`, which may be read-only) to a temporary folder
and installs its packages (`npm ci`), starts the project's local Neo4j and seeds it if needed,
then starts the peer and deptgraph (one process each, production settings), checks that both
answer the 11 questions of `queries/` with the same content (`verify.py`) and runs the peer's
`bench.sh` side by side: the mixed set at 1 and 16 closed-loop clients and each question at 16,
with p50 / p99. It does that twice: with deptgraph's response cache on (the default) and with
`DEPTGRAPH_RESPONSE_CACHE=false`. Prints both tables; nothing is left running.

Targets (issue #14): cache on — mixed at 16 ≥ 3× the peer and p99 inside the mix no higher than
the peer's; cache off — mixed at 16 ≥ 1.5× the peer, no question below 1.0×. Client, servers and
Neo4j share this machine's cores: compare ratios from one run, on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from graph.local_neo4j import free_port

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_PEER = PROJECT.parent / "shared" / "peer"


def _wait(url: str, body: dict[str, str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.post(url, json=body, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit(f"{url} did not answer within {seconds:.0f}s")


def _ready(url: str, seconds: float = 180) -> None:
    """Until /readyz is 200: a starting app answers while it warms up (and says so there)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    sys.exit(f"{url} did not say ready within {seconds:.0f}s")


@contextmanager
def _running(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", type=Path, default=DEFAULT_PEER, help="the peer harness (default: %(default)s)")
    parser.add_argument("--mix-seconds", type=float, default=5, help="per side and round, mixed set")
    parser.add_argument("--perq-seconds", type=float, default=2, help="per side and round, each question (0: skip)")
    parser.add_argument("--smoke", action="store_true", help="a quick run: 3 s mixed, no per-question runs")
    args = parser.parse_args()
    if not (args.peer / "neo4j-graphql" / "bench.sh").exists():
        sys.exit(f"No peer harness at {args.peer} (expected neo4j-graphql/bench.sh); pass --peer.")
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: the peer runs on Node.js 18+.")
    mix, perq = (3.0, 0.0) if args.smoke else (args.mix_seconds, args.perq_seconds)
    deptgraph = str(PROJECT / ".venv" / "bin" / "deptgraph")
    env = os.environ.copy()
    env.pop("NEO4J_URI", None)
    subprocess.run([deptgraph, "neo4j", "start"], check=True, env=env)
    subprocess.run([deptgraph, "seed"], check=True, env=env, stdout=subprocess.DEVNULL)
    from deptgraph.settings import settings_from_environment
    from graph.local_neo4j import LocalNeo4j

    settings = settings_from_environment()
    local = LocalNeo4j(home=settings.neo4j_home, version=settings.neo4j_version)
    status = local.status()
    assert status.bolt_uri, "the local Neo4j did not start"
    with tempfile.TemporaryDirectory(prefix="deptgraph-peer-") as tmp:
        peer = Path(tmp)
        shutil.copytree(args.peer, peer, dirs_exist_ok=True)
        for path in peer.rglob("*"):
            path.chmod(path.stat().st_mode | 0o200)
        harness = peer / "neo4j-graphql"
        print("Installing the peer's packages (npm ci)…", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=harness, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([sys.executable, str(harness / "build_questions.py"), "--project", str(PROJECT)], check=True)
        peer_port, app_port = free_port(), free_port()
        peer_env = env | {"NEO4J_URI": status.bolt_uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": local.password(),
                          "PORT": str(peer_port)}  # fmt: skip
        with _running(["node", "server.mjs"], harness, peer_env, peer / "peer.log"):
            _wait(f"http://127.0.0.1:{peer_port}/", {"query": "{ __typename }"})
            for cache in ("true", "false"):
                app_env = env | {"DEPTGRAPH_ENV": "production", "DEPTGRAPH_INTROSPECTION": "true",
                                 "DEPTGRAPH_LOG_LEVEL": "warning", "DEPTGRAPH_RESPONSE_CACHE": cache,
                                 "DEPTGRAPH_WORKERS": "1"}  # fmt: skip
                command = [deptgraph, "serve", "--port", str(app_port), "--no-seed"]
                with _running(command, PROJECT, app_env, peer / f"deptgraph-{cache}.log"):
                    _wait(f"http://127.0.0.1:{app_port}/graphql", {"query": "{ __typename }"})
                    _ready(f"http://127.0.0.1:{app_port}/readyz")  # warmed up: not measured while warming
                    print(f"\n# DEPTGRAPH_RESPONSE_CACHE={cache}\n", flush=True)
                    bench_env = env | {
                        "DEPTGRAPH_URL": f"http://127.0.0.1:{app_port}/graphql",
                        "PEER_URL": f"http://127.0.0.1:{peer_port}/",
                        "MIX_SECONDS": f"{mix:g}",
                        "PERQ_SECONDS": f"{perq:g}",
                        "PROJECT": str(PROJECT),
                    }
                    done = subprocess.run([str(harness / "bench.sh")], cwd=PROJECT, env=bench_env)
                    if done.returncode:
                        sys.exit(done.returncode)


if __name__ == "__main__":
    main()
