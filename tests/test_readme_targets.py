"""Every `make` target the README names is run by the suite, briefly (issue 21): a target that
rots fails here, not on the next person who types it. (`make bench-peer` broke unnoticed when
queries/ gained an operation.)

What the suite runs of each: the command lines make would run (`make -n`, with the Makefile's
knobs for a short run: `BENCH_SIZE_ARGS`, `BENCH_API_ARGS`, `LOAD_ARGS`, `FUZZ_EXAMPLES`,
`RACE_SECONDS`); every benchmark module they start answers `--help` with the options it is given;
the tests `make fuzz` and `make races` name are collected with their options; `make bench-peer`
without the peer harness (it lives outside this repository) says where it looked. Running them
for real, briefly, took 3½ minutes here (the benchmarks start servers and warm every question
up): that stays with the targets themselves.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from graph.connection import Neo4jTarget

from .conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")
NAMED = sorted(set(re.findall(r"^make ([a-z][a-z-]*)", README, flags=re.M)) | {"run", "test"})


def make(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=PROJECT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def env(neo4j_target: Neo4jTarget) -> dict[str, str]:
    """The environment a person would have, pointed at the session's Neo4j."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DEPTGRAPH_", "PYTEST_"))}
    return base | {
        "NEO4J_URI": neo4j_target.uri,
        "NEO4J_USER": neo4j_target.user,
        "NEO4J_PASSWORD": neo4j_target.password,
        "NEO4J_DATABASE": neo4j_target.database,
        "DEPTGRAPH_BENCH_WIPE": "yes",
        "COLUMNS": "200",
    }


def test_every_target_the_readme_names_is_one_make_help_lists(env: dict[str, str]) -> None:
    listed = set(re.findall(r"^\s+make (\S+)", make("help", env=env).stdout, flags=re.M))
    assert {"run", "test", "lint", "bench", "bench-peer", "load", "fuzz", "races", "schema"} <= set(NAMED)
    assert set(NAMED) <= listed, set(NAMED) - listed


def planned(target: str, env: dict[str, str], *knobs: str) -> list[list[str]]:
    """The command lines `make <target>` runs (make -n), split as the shell would."""
    done = make("-n", target, *knobs, env=env)
    assert done.returncode == 0, done.stderr
    return [shlex.split(line) for line in done.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("target", ["bench", "bench-peer", "load"])
def test_each_benchmark_a_target_runs_answers_help_with_the_options_the_makefile_passes(
    target: str, env: dict[str, str]
) -> None:
    """Every `python -m bench.…` a target runs imports and takes the options it is given."""
    knobs = {"BENCH_SIZE_ARGS": "--departments 12 --flows 40", "BENCH_API_ARGS": "--seconds 0.5",
             "LOAD_ARGS": "--seconds 5"}  # fmt: skip
    lines = planned(target, env, *(f"{name}={value}" for name, value in knobs.items()))
    modules = [line for line in lines if len(line) >= 3 and line[1] == "-m" and line[2].startswith("bench.")]
    passed = " ".join(" ".join(line) for line in modules)
    for name in {"bench": ["BENCH_SIZE_ARGS", "BENCH_API_ARGS"], "load": ["LOAD_ARGS"]}.get(target, []):
        assert knobs[name] in passed, f"make {target} does not pass {name} on"  # the Makefile still uses it
    assert modules, f"make {target} runs no benchmark"
    for line in modules:
        helped = subprocess.run([*line[:3], "--help"], cwd=PROJECT, env=env, capture_output=True, text=True,
                                timeout=120, check=False)  # fmt: skip
        assert helped.returncode == 0, helped.stderr[-2000:]
        for option in (word.split("=")[0] for word in line[3:] if word.startswith("--")):
            offered = re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", helped.stdout)
            assert offered, f"{' '.join(line)}: {option} is not an option of {line[2]}"


@pytest.mark.parametrize("target", ["fuzz", "races"])
def test_the_tests_a_target_runs_are_collected_with_its_options(target: str, env: dict[str, str]) -> None:
    """`make fuzz` and `make races` are pytest with options of this suite: they must still exist,
    and so must the tests they name. (Their knobs are the shell's: FUZZ_EXAMPLES, RACE_SECONDS.)"""
    short = env | {"FUZZ_EXAMPLES": "7", "RACE_SECONDS": "2"}
    done = make("-n", target, env=short)
    assert done.returncode == 0, done.stderr
    pytest_lines = [
        line for line in done.stdout.splitlines() if line.strip() and shlex.split(line)[0].endswith("pytest")
    ]
    assert len(pytest_lines) == 1, done.stdout
    [line] = pytest_lines
    collected = subprocess.run(["bash", "-c", f"{line} --collect-only -q"], cwd=PROJECT, env=short,
                               capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    assert re.search(r"^\d+ tests? collected", collected.stdout, flags=re.M), collected.stdout[-1000:]


def test_make_bench_peer_says_where_it_looked_for_the_peer(env: dict[str, str], tmp_path: Path) -> None:
    """What `make bench-peer PEER=…` runs, without its set-up steps (which may install or download)."""
    [line] = [line for line in planned("bench-peer", env, f"PEER={tmp_path}") if "bench.peer" in line]
    done = subprocess.run(line, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert f"No peer harness at {tmp_path}" in done.stderr and "pass --peer" in done.stderr, done.stderr[-2000:]
