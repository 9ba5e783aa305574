"""The Neo4j that deptgraph provisions: start, stop, status, and the errors around them.

These tests run servers of their own (not the session's test server), in scratch homes that
share the installed jars, and drive them through the real `deptgraph` command.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deptgraph.settings import NEO4J_VERSION
from graph.local_neo4j import LocalNeo4j, State, free_port
from graph.neo4j_install import Neo4jProvisioningError

from .conftest import neo4j_home

pytestmark = pytest.mark.lifecycle

DEPTGRAPH = str(Path(sys.executable).with_name("deptgraph"))


@pytest.fixture
def scratch_home(tmp_path: Path) -> Path:
    """A Neo4j home of its own whose jars are the installed ones (no download)."""
    installed = LocalNeo4j(home=neo4j_home(), version=NEO4J_VERSION)
    assert installed.installed, "the session fixture installs Neo4j first"
    home = tmp_path / "neo4j-home"
    home.mkdir()
    (home / installed.dist_dir.name).symlink_to(installed.dist_dir)
    return home


@pytest.fixture
def scratch(scratch_home: Path) -> Iterator[LocalNeo4j]:
    local = LocalNeo4j(home=scratch_home, version=NEO4J_VERSION, instance="scratch", heap="512m", pagecache="64m")
    yield local
    local.stop(timeout=20)


def cli_env(home: Path, instance: str = "scratch", port: int | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DEPTGRAPH_"))}
    env.update(DEPTGRAPH_NEO4J_HOME=str(home), DEPTGRAPH_NEO4J_INSTANCE=instance,
               DEPTGRAPH_NEO4J_HEAP="512m", DEPTGRAPH_NEO4J_PAGECACHE="64m")  # fmt: skip
    if port:
        env["DEPTGRAPH_NEO4J_BOLT_PORT"] = str(port)
    env.update(extra)
    return env


def deptgraph(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DEPTGRAPH, *args], env=env, capture_output=True, text=True, timeout=180, check=False)


def test_status_is_truthful_when_started_stopped_and_killed(scratch: LocalNeo4j, scratch_home: Path) -> None:
    port = free_port()
    env = cli_env(scratch_home, port=port)

    result = deptgraph("neo4j", "status", env=env)
    assert result.returncode == 3 and "stopped" in result.stdout

    result = deptgraph("neo4j", "start", env=env)
    assert result.returncode == 0, result.stderr
    assert "running" in result.stdout and f"bolt://127.0.0.1:{port}" in result.stdout
    running = scratch.status()
    assert running.state is State.RUNNING and running.port == port

    result = deptgraph("neo4j", "status", env=env)
    assert result.returncode == 0 and f"pid {running.pid}" in result.stdout

    result = deptgraph("neo4j", "stop", env=env)
    assert result.returncode == 0 and f"was pid {running.pid}" in result.stdout
    assert process_gone(running.pid)
    result = deptgraph("neo4j", "status", env=env)
    assert result.returncode == 3 and "stopped" in result.stdout

    # A second start needs neither Maven nor the network: hide `mvn` from PATH.
    java_only = scratch_home / "java-only-bin"
    java_only.mkdir()
    java = subprocess.run(["which", "java"], capture_output=True, text=True, check=True).stdout.strip()
    (java_only / "java").symlink_to(java)
    result = deptgraph("neo4j", "start", env={**env, "PATH": str(java_only)})
    assert result.returncode == 0, result.stderr
    pid = scratch.status().pid
    assert pid is not None

    # Killed behind its back: the pid file is stale, and status must say so.
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: process_gone(pid), 10, f"pid {pid} to die")
    result = deptgraph("neo4j", "status", env=env)
    assert result.returncode == 3
    assert "stopped" in result.stdout and "stale pid file" in result.stdout


def process_gone(pid: int) -> bool:
    """Exited: no such process, or a zombie nobody has reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] in ("Z", "X")
    except OSError:
        return True


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.25)


def test_readyz_follows_neo4j_down_and_up_with_the_app_process_untouched(
    scratch: LocalNeo4j, scratch_home: Path
) -> None:
    bolt_port, http_port = free_port(), free_port()
    scratch.start(bolt_port)
    app = subprocess.Popen(
        [DEPTGRAPH, "serve", "--no-start-neo4j", "--port", str(http_port)],
        env=cli_env(scratch_home, port=bolt_port, DEPTGRAPH_WARM_UP="false"),  # warm-up: tests/test_warmup.py
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http_port}"

    def ready_code() -> int:
        try:
            return httpx.get(f"{base}/readyz", timeout=5).status_code
        except httpx.TransportError:
            return 0

    def ask() -> tuple[int, str]:
        response = httpx.post(f"{base}/graphql", json={"query": "{ departments { key } }"}, timeout=15)
        errors = response.json().get("errors")
        return response.status_code, errors[0]["extensions"]["code"] if errors else "ok"

    try:
        wait_for(lambda: ready_code() == 200, 180, "/readyz 200 with Neo4j up")

        assert ask() == (200, "ok")

        scratch.stop()
        wait_for(lambda: ready_code() == 503, 60, "/readyz 503 with Neo4j stopped")
        body = httpx.get(f"{base}/readyz", timeout=5).json()
        assert body["status"] == "unavailable" and body["reason"]
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        for _ in range(5):  # while Neo4j is away, requests fail fast and say why
            started = time.monotonic()
            assert ask() == (200, "SERVICE_UNAVAILABLE")
            assert time.monotonic() - started < 10  # not the 15 s the client would wait
            time.sleep(0.3)

        scratch.start(bolt_port)
        wait_for(lambda: ready_code() == 200, 120, "/readyz 200 after Neo4j came back")
        assert ask() == (200, "ok"), "the app answers again without a restart"
        assert app.poll() is None, "the app process must have kept running throughout"
    finally:
        app.terminate()
        app.wait(timeout=20)


def test_start_timeout_stops_neo4j_and_quotes_its_log(scratch_home: Path) -> None:
    local = LocalNeo4j(
        home=scratch_home,
        version=NEO4J_VERSION,
        instance="slow",
        heap="512m",
        pagecache="64m",
        start_timeout=0.5,
    )
    with pytest.raises(Neo4jProvisioningError) as error:
        local.start(free_port())
    message = str(error.value)
    assert "did not answer" in message and "DEPTGRAPH_NEO4J_START_TIMEOUT" in message
    # However far Neo4j got in half a second (on a busy machine: not far), the message names
    # both logs and quotes the last line of whichever it had written to.
    for log in (local.log_dir / "neo4j.log", local.console_log):
        assert str(log) in message
        written = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
        if written:
            assert written[-1] in message
    assert local.status().state is State.STOPPED


def test_start_refuses_a_port_another_program_listens_on(scratch: LocalNeo4j) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(
            Neo4jProvisioningError,
            match=f"Port {port} .* already in use.*DEPTGRAPH_NEO4J_BOLT_PORT",
        ):
            scratch.start(port)
    assert scratch.status().state is State.STOPPED


def test_missing_java_is_named_with_how_to_get_it(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "fresh-home", port=free_port(), PATH=str(tmp_path / "empty-bin"))
    env.pop("JAVA_HOME", None)
    result = deptgraph("neo4j", "start", env=env)
    assert result.returncode == 1
    assert "Java was not found" in result.stderr
    assert "openjdk-17" in result.stderr and "NEO4J_URI" in result.stderr


def test_missing_maven_is_named_with_how_to_get_it(tmp_path: Path) -> None:
    java_only = tmp_path / "java-only-bin"
    java_only.mkdir()
    java = subprocess.run(["which", "java"], capture_output=True, text=True, check=True).stdout.strip()
    (java_only / "java").symlink_to(java)
    env = cli_env(tmp_path / "fresh-home", port=free_port(), PATH=str(java_only))
    env.pop("JAVA_HOME", None)
    result = deptgraph("neo4j", "start", env=env)
    assert result.returncode == 1
    assert "Maven (`mvn`) was not found" in " ".join(result.stderr.split())
    assert "docker compose" in result.stderr
