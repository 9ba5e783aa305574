"""docker-compose.yml is valid for Docker Compose and runs the Neo4j that deptgraph provisions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from deptgraph.settings import NEO4J_VERSION

from .conftest import PROJECT


def compose() -> list[str]:
    """`docker compose`, or the copy `make test` builds when the plugin is missing."""
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0
    ):
        return ["docker", "compose"]
    built = PROJECT / ".tools" / "bin" / "docker-compose"
    if built.exists():
        return [str(built)]
    pytest.fail("docker compose is not available: run scripts/ensure-docker-compose (make test does)")


def run_compose(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*compose(), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_compose_file_passes_docker_compose_config() -> None:
    result = run_compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_runs_the_provisioned_neo4j_version_with_a_volume_and_a_healthcheck() -> None:
    result = run_compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    neo4j = config["services"]["neo4j"]
    assert neo4j["image"] == f"neo4j:{NEO4J_VERSION}-community"
    assert any(volume["target"] == "/data" for volume in neo4j["volumes"])
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    api = config["services"]["api"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"


def test_a_broken_compose_file_fails_the_same_check(tmp_path: Path) -> None:
    broken = (
        (PROJECT / "docker-compose.yml")
        .read_text()
        .replace("condition: service_healthy", "condition: when_it_feels_like_it")
    )
    (tmp_path / "docker-compose.yml").write_text(broken)
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = run_compose("config", "-q", cwd=tmp_path)
    assert result.returncode != 0


def test_the_scale_profile_runs_replicas_behind_a_reverse_proxy() -> None:
    result = run_compose("--profile", "scale", "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    replicas = config["services"]["api-replica"]
    assert replicas["deploy"]["replicas"] >= 2
    assert replicas["environment"]["NEO4J_URI"].startswith("neo4j://")  # routing: a cluster works the same
    proxy = config["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    [mount] = proxy["volumes"]
    assert Path(mount["source"]) == PROJECT / "deploy" / "nginx.conf" and mount["target"] == "/etc/nginx/nginx.conf"
    conf = (PROJECT / "deploy" / "nginx.conf").read_text()
    assert "server api-replica:8000 resolve" in conf and "Upgrade $http_upgrade" in conf
    assert "api-replica" not in json.loads(run_compose("config", "--format", "json").stdout)["services"]
