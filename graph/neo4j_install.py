"""Installing the Neo4j server: a Java 17+ to run it, Maven to fetch it, its jars once per version.

No Docker engine and no package manager ships Neo4j here, but Neo4j publishes its server as jars
on Maven Central. So `install` runs Maven on `graph/neo4j/pom.xml` to copy the server jars into
`<home>/neo4j-<version>/lib` (once; later starts reuse them and need no network). Whatever is
missing is said with how to get it, or how to do without (a Neo4j run elsewhere).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

POM = Path(__file__).with_name("neo4j") / "pom.xml"
MIN_JAVA = 17

HOW_TO_GET_JAVA = (
    "Install a Java 17+ runtime (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`, "
    "macOS: `brew install openjdk@17`) or set JAVA_HOME"
)
HOW_TO_GET_MAVEN = "Install Apache Maven (Debian/Ubuntu: `apt-get install maven`, macOS: `brew install maven`)"
OR_EXTERNAL = (
    "or run Neo4j elsewhere: `docker compose up` (see docker-compose.yml), or point "
    "NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD at an existing server"
)


class Neo4jProvisioningError(RuntimeError):
    """The local Neo4j could not be installed, started or stopped. The message says why."""


def find_java() -> Path:
    """The `java` to run Neo4j with, checked to be Java 17 or newer."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    java = str(candidate) if candidate and candidate.exists() else shutil.which("java")
    if not java:
        raise Neo4jProvisioningError(f"Java was not found. {HOW_TO_GET_JAVA}, {OR_EXTERNAL}.")
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Neo4jProvisioningError(f"Could not run `{java} -version`: {exc}") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise Neo4jProvisioningError(
            f"Neo4j {MIN_JAVA}+ needs Java {MIN_JAVA} or newer, but {java} is Java "
            f"{major or 'of an unknown version'}. {HOW_TO_GET_JAVA}, {OR_EXTERNAL}."
        )
    return Path(java)


def find_maven() -> Path:
    """The `mvn` used to fetch Neo4j from Maven Central."""
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jProvisioningError(
            f"Maven (`mvn`) was not found; it fetches Neo4j from Maven Central. {HOW_TO_GET_MAVEN}, {OR_EXTERNAL}."
        )
    return Path(mvn)


def installed(dist_dir: Path) -> bool:
    """Whether the jars of `dist_dir` were all fetched (a download cut short leaves none there)."""
    return (dist_dir / ".complete").exists()


def install(dist_dir: Path, version: str, on_progress: Callable[[str], None] | None = None) -> bool:
    """Fetch the server jars of `version` into `dist_dir` once. Returns True when it downloaded,
    False when reused."""
    if installed(dist_dir):
        return False
    find_java()
    mvn = find_maven()
    staging = dist_dir.with_name(dist_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    command = [
        str(mvn), "-B", "--no-transfer-progress", "-f", str(POM),
        f"-Dneo4j.version={version}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging / 'lib'}",
        "-DincludeScope=runtime",
    ]  # fmt: skip
    tail: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail = [*tail[-39:], line.rstrip()]
            if on_progress and ("Copying" in line or "Downloaded" in line):
                on_progress(line.strip().rsplit("/", 1)[-1].rsplit(" ", 1)[-1])
    jars = list((staging / "lib").glob("*.jar"))
    if proc.returncode != 0 or not jars:
        shutil.rmtree(staging, ignore_errors=True)
        raise Neo4jProvisioningError(
            f"Maven could not fetch Neo4j {version} from Maven Central "
            f"(exit code {proc.returncode}). Its last lines:\n" + "\n".join(tail[-15:])
        )
    (staging / ".complete").write_text(f"{version}\n{len(jars)} jars\n")
    shutil.rmtree(dist_dir, ignore_errors=True)
    staging.rename(dist_dir)
    return True
