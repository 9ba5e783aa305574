"""docker-compose.yml is valid for Docker Compose and runs the Neo4j that deptgraph provisions.

The file is read as Compose reads it — variables interpolated, profiles selected — and validated
against the Compose specification's JSON Schema, kept in tests/compose/ (see its README for where
it came from). No Docker, Go or network needed. Where `docker compose` is installed, each check
also asks it (`docker compose config`) and expects the same verdict and the same values.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from deptgraph.settings import NEO4J_VERSION

from .conftest import PROJECT

SCHEMA = PROJECT / "tests" / "compose" / "compose-spec.json"
SCHEMA_SHA256 = "89f4bdc4ba651ff024118917a7cdb67d9d78c1af4bab9b12ec2fc85f5b7d90d3"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, ${NAME+alt},
# $NAME, and $$ for a literal dollar (Compose's interpolation, compose-spec "Interpolation").
VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


class ComposeError(ValueError):
    """The file is not one Compose accepts; the message says where."""


def interpolate(value: Any, env: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("named")
        op, arg = match.group("op"), match.group("arg") or ""
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if op in (":-", "-"):
            return env[name] if present else arg
        if op in (":?", "?"):
            if not present:
                raise ComposeError(f"required variable {name} is missing a value: {arg}")
            return env[name]
        if op in (":+", "+"):
            return arg if present else ""
        return env.get(name, "")

    return VARIABLE.sub(substitute, value)


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text())
    return loaded


def read_compose(path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The file interpolated and validated against the Compose specification's schema."""
    raw = yaml.safe_load(path.read_text())
    document = interpolate(raw, env or {})
    validator = jsonschema.Draft7Validator(schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise ComposeError("; ".join(f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors))
    return document


def active_services(document: dict[str, Any], profiles: tuple[str, ...] = ()) -> dict[str, Any]:
    """The services Compose runs: those without profiles, and those of a selected profile."""
    return {
        name: service
        for name, service in document["services"].items()
        if not service.get("profiles") or set(service["profiles"]) & set(profiles)
    }


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


def volume_targets(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of each mount, in short syntax `source:target[:mode]` or long syntax."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append((volume.get("source", ""), volume["target"]))
        else:
            source, target, *_ = volume.split(":")
            mounts.append((source, target))
    return mounts


def docker_compose() -> list[str] | None:
    """`docker compose` (or the standalone `docker-compose`) when installed; None otherwise."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def compose_config(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str] | None:
    command = docker_compose()
    if command is None:
        return None
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(cwd)}
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False, env=env)


def test_the_schema_is_the_one_the_readme_names() -> None:
    import hashlib

    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert SCHEMA_SHA256 in (SCHEMA.parent / "README.md").read_text()
    assert schema()["title"] == "Compose Specification"


def test_compose_file_is_valid_for_the_compose_specification() -> None:
    read_compose(PROJECT / "docker-compose.yml")
    read_compose(PROJECT / "docker-compose.yml", {"NEO4J_PASSWORD": "x", "DEPTGRAPH_REPLICAS": "5"})
    checked = compose_config("config", "-q")
    if checked is not None:  # Docker Compose installed: it agrees
        assert checked.returncode == 0, checked.stderr


def test_compose_runs_the_provisioned_neo4j_version_with_a_volume_and_a_healthcheck() -> None:
    services = active_services(read_compose(PROJECT / "docker-compose.yml"))
    assert set(services) == {"neo4j", "api"}
    neo4j = services["neo4j"]
    assert neo4j["image"] == f"neo4j:{NEO4J_VERSION}-community"
    assert any(target == "/data" for _, target in volume_targets(neo4j))
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    # $$ reaches the container's shell as one $: the password comes from NEO4J_AUTH at run time
    assert '"${NEO4J_AUTH#neo4j/}"' in " ".join(neo4j["healthcheck"]["test"])
    assert environment(neo4j)["NEO4J_AUTH"] == "neo4j/deptgraph-local-only"
    api = services["api"]
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert environment(api)["NEO4J_URI"] == "bolt://neo4j:7687"
    assert all(port.startswith("127.0.0.1:") for service in services.values() for port in service["ports"])

    shown = compose_config("config", "--format", "json")
    if shown is not None:  # Docker Compose installed: it reads the same values
        assert shown.returncode == 0, shown.stderr
        config = json.loads(shown.stdout)
        assert config["services"]["neo4j"]["image"] == neo4j["image"]
        assert config["services"]["api"]["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
        assert config["services"]["api"]["depends_on"]["neo4j"]["condition"] == "service_healthy"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (("condition: service_healthy", "condition: when_it_feels_like_it"), "when_it_feels_like_it"),
        (
            ('    healthcheck:\n      test: ["CMD", "python"', '    healthchek:\n      test: ["CMD", "python"'),
            "healthchek",
        ),
        (("    restart: unless-stopped\n\n  api:", "    restart: [unless-stopped]\n\n  api:"), "not of type"),
    ],
    ids=["unknown-condition", "misspelt-key", "wrong-type"],
)
def test_a_broken_compose_file_fails_the_same_check(tmp_path: Path, change: tuple[str, str], complaint: str) -> None:
    original = (PROJECT / "docker-compose.yml").read_text()
    assert change[0] in original
    (tmp_path / "docker-compose.yml").write_text(original.replace(change[0], change[1], 1))
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(ComposeError, match=complaint):
        read_compose(tmp_path / "docker-compose.yml")
    checked = compose_config("config", "-q", cwd=tmp_path)
    if checked is not None:  # Docker Compose installed: it refuses it too
        assert checked.returncode != 0


def test_a_required_variable_without_a_value_is_an_error() -> None:
    assert interpolate("${A:?set A}", {"A": "1"}) == "1"
    with pytest.raises(ComposeError, match="set A"):
        interpolate("${A:?set A}", {"A": ""})
    assert interpolate("$$A ${B-x} ${B:-y} ${C:+z}", {"B": "", "C": "1"}) == "$A  y z"


def test_the_scale_profile_runs_replicas_behind_a_reverse_proxy() -> None:
    document = read_compose(PROJECT / "docker-compose.yml")
    services = active_services(document, ("scale",))
    replicas = services["api-replica"]
    assert int(replicas["deploy"]["replicas"]) >= 2
    assert environment(replicas)["NEO4J_URI"].startswith("neo4j://")  # routing: a cluster works the same
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    [(source, target)] = volume_targets(proxy)
    assert (PROJECT / source).resolve() == PROJECT / "deploy" / "nginx.conf" and target == "/etc/nginx/nginx.conf"
    conf = (PROJECT / "deploy" / "nginx.conf").read_text()
    assert "server api-replica:8000 resolve" in conf and "Upgrade $http_upgrade" in conf
    assert "api-replica" not in active_services(document)
    assert int(read_compose(PROJECT / "docker-compose.yml", {"DEPTGRAPH_REPLICAS": "5"})["services"]["api-replica"]
               ["deploy"]["replicas"]) == 5  # fmt: skip

    shown = compose_config("--profile", "scale", "config", "--format", "json")
    if shown is not None:  # Docker Compose installed: it reads the same values
        assert shown.returncode == 0, shown.stderr
        config = json.loads(shown.stdout)
        assert config["services"]["api-replica"]["deploy"]["replicas"] == int(replicas["deploy"]["replicas"])
        [mount] = config["services"]["proxy"]["volumes"]
        assert Path(mount["source"]) == PROJECT / "deploy" / "nginx.conf"
