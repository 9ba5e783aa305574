"""A local Neo4j Community server that deptgraph configures, starts and stops itself.

* **install** fetches the server jars once (`graph.neo4j_install`: Java, Maven, Maven Central);
* **start** writes `<home>/<instance>/conf/neo4j.conf` (Bolt on 127.0.0.1 only, auth on with a
  generated password kept in `<home>/<instance>/password`, memory for a small machine, usage
  reporting off), launches `java -cp lib/* org.neo4j.server.CommunityEntryPoint` detached, and
  waits until Bolt answers a query;
* **status** trusts nothing it cannot check: a pid file whose process is gone, or belongs to
  another program, is "stopped";
* **stop** sends SIGTERM (Neo4j shuts down cleanly on it) and SIGKILL only after a timeout.

Several instances can share one installation (the tests run their own on a free port).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import string
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

from graph import neo4j_install
from graph.neo4j_install import Neo4jProvisioningError, find_java

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"

# The JVM options of Neo4j's own launcher that matter when starting the jars directly.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)


class State(StrEnum):
    RUNNING = "running"  # the process is alive and Bolt answers
    STARTING = "starting"  # the process is alive, Bolt does not answer (yet)
    STOPPED = "stopped"


@dataclass(frozen=True)
class Status:
    state: State
    pid: int | None = None
    port: int | None = None
    version: str | None = None
    started_at: str | None = None
    note: str | None = None  # e.g. that a stale pid file was found and removed

    @property
    def bolt_uri(self) -> str | None:
        return f"bolt://127.0.0.1:{self.port}" if self.port else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_open(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class LocalNeo4j:
    """One local Neo4j instance under `home`, using the jars of `version`."""

    home: Path
    version: str
    instance: str = "default"
    heap: str = "1g"
    pagecache: str = "512m"
    # The most memory one transaction may use (Neo4j ends it with an error beyond): one costly
    # query never takes the whole heap from everyone else.
    transaction_memory: str = "384m"
    start_timeout: float = 120.0

    # --- layout ---------------------------------------------------------------------------
    @property
    def dist_dir(self) -> Path:
        return self.home.resolve() / f"neo4j-{self.version}"

    @property
    def lib_dir(self) -> Path:
        return self.dist_dir / "lib"

    @property
    def instance_dir(self) -> Path:
        return self.home.resolve() / self.instance

    @property
    def conf_file(self) -> Path:
        return self.instance_dir / "conf" / "neo4j.conf"

    @property
    def password_file(self) -> Path:
        return self.instance_dir / "password"

    @property
    def state_file(self) -> Path:
        return self.instance_dir / "run" / "deptgraph-neo4j.json"

    @property
    def log_dir(self) -> Path:
        return self.instance_dir / "logs"

    @property
    def console_log(self) -> Path:
        return self.log_dir / "console.log"

    # --- install ---------------------------------------------------------------------------
    @property
    def installed(self) -> bool:
        return neo4j_install.installed(self.dist_dir)

    def install(self, on_progress: Callable[[str], None] | None = None) -> bool:
        """Fetch the server jars once (`graph.neo4j_install`). Returns True when it downloaded,
        False when reused."""
        return neo4j_install.install(self.dist_dir, self.version, on_progress)

    # --- status ---------------------------------------------------------------------------
    def _read_state(self) -> dict[str, object] | None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def _is_our_process(self, pid: int) -> bool:
        """Alive (not a zombie) and really this instance's Neo4j, not a recycled pid."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return False
        if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
            _reap(pid)
            return False
        return ENTRY_POINT in cmdline and f"--home-dir={self.instance_dir}\x00" in cmdline

    def status(self) -> Status:
        state = self._read_state()
        if state is None:
            return Status(State.STOPPED)
        pid, port = state.get("pid"), state.get("port")
        if not isinstance(pid, int) or not isinstance(port, int) or not self._is_our_process(pid):
            self.state_file.unlink(missing_ok=True)
            return Status(
                State.STOPPED,
                note=f"a stale pid file (pid {pid}) was found and removed: the Neo4j process is gone",
            )
        return Status(
            State.RUNNING if self._bolt_answers(port) else State.STARTING,
            pid=pid,
            port=port,
            version=str(state.get("version")),
            started_at=str(state.get("started_at")),
        )

    # --- password -------------------------------------------------------------------------
    def password(self) -> str:
        try:
            return self.password_file.read_text().strip()
        except OSError as exc:
            raise Neo4jProvisioningError(
                f"The local Neo4j has no password file at {self.password_file}; `deptgraph neo4j start` creates it."
            ) from exc

    def _ensure_password(self, java: Path) -> None:
        """Generate the password once and set it before the database first starts."""
        if not self.password_file.exists():
            # Letters and digits only: a leading "-" would read as an option to neo4j-admin.
            alphabet = string.ascii_letters + string.digits
            self.password_file.write_text("".join(secrets.choice(alphabet) for _ in range(32)) + "\n")
            self.password_file.chmod(0o600)
        if (self.instance_dir / "data" / "dbms" / "auth.ini").exists():
            return
        env = {
            **os.environ,
            "NEO4J_HOME": str(self.instance_dir),
            "NEO4J_CONF": str(self.conf_file.parent),
        }
        command = [str(java), "-cp", f"{self.lib_dir}/*", ADMIN_TOOL]
        result = subprocess.run(
            [*command, "dbms", "set-initial-password", self.password()],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise Neo4jProvisioningError(
                "Setting the initial Neo4j password failed:\n" + (result.stderr or result.stdout)[-2000:]
            )

    def _bolt_answers(self, port: int) -> bool:
        if not port_is_open(port):
            return False
        try:
            with neo4j.GraphDatabase.driver(
                f"bolt://127.0.0.1:{port}",
                auth=("neo4j", self.password()),
                connection_timeout=2,
                connection_acquisition_timeout=2,
            ) as driver:
                driver.execute_query("RETURN 1", database_="neo4j")
            return True
        except (ServiceUnavailable, AuthError, OSError, Neo4jProvisioningError):
            return False
        except neo4j.exceptions.Neo4jError:
            return False  # e.g. the default database is still starting

    # --- start / stop ---------------------------------------------------------------------
    def write_config(self, port: int) -> None:
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.instance_dir / sub).mkdir(parents=True, exist_ok=True)
        d = self.instance_dir
        self.conf_file.write_text(
            "# Written by deptgraph on every start; edits here are overwritten.\n"
            f"server.directories.data={d / 'data'}\n"
            f"server.directories.logs={d / 'logs'}\n"
            f"server.directories.run={d / 'run'}\n"
            f"server.directories.plugins={d / 'plugins'}\n"
            f"server.directories.import={d / 'import'}\n"
            "server.default_listen_address=127.0.0.1\n"
            f"server.bolt.listen_address=127.0.0.1:{port}\n"
            f"server.bolt.advertised_address=127.0.0.1:{port}\n"
            "server.http.enabled=false\n"
            "server.https.enabled=false\n"
            "dbms.security.auth_enabled=true\n"
            "dbms.usage_report.enabled=false\n"
            # Sized for a 2-core / 24 GiB machine shared with the app, tests and a browser.
            f"server.memory.heap.initial_size={self.heap}\n"
            f"server.memory.heap.max_size={self.heap}\n"
            f"server.memory.pagecache.size={self.pagecache}\n"
            "server.threads.worker_count=4\n"
            # Stopping waited 5 s for Bolt's network threads to stay idle after every connection
            # had closed (the quiet period, an internal setting of the pinned 5.26, in seconds): 1 s is plenty.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period=1\n"
            # The app bounds each transaction itself; this is the server's backstop.
            "db.transaction.timeout=60s\n"
            f"db.memory.transaction.max={self.transaction_memory}\n"
            "db.logs.query.enabled=OFF\n"
            # Small, growing transaction logs instead of 2 x 256 MiB preallocated files.
            "db.tx_log.preallocate=false\n"
            "db.tx_log.rotation.size=32M\n"
            "db.tx_log.rotation.retention_policy=2 files\n"
        )

    def start(self, port: int, on_progress: Callable[[str], None] | None = None) -> Status:
        """Start the instance on `port` (or return the running one) and wait until Bolt answers."""
        current = self.status()
        if current.state is not State.STOPPED:
            return self._wait_for_bolt(current.pid or 0, current.port or port, proc=None)
        if port_is_open(port):
            raise Neo4jProvisioningError(
                f"Port {port} on 127.0.0.1 is already in use by another program, so Neo4j "
                "cannot listen there. Stop that program or choose another port with "
                "DEPTGRAPH_NEO4J_BOLT_PORT."
            )
        java = find_java()
        self.install(on_progress)
        self.write_config(port)
        self._ensure_password(java)
        command = [
            str(java), f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_OPTIONS,
            "-cp", f"{self.lib_dir}/*", ENTRY_POINT,
            f"--home-dir={self.instance_dir}", f"--config-dir={self.conf_file.parent}",
        ]  # fmt: skip
        with self.console_log.open("w") as console:
            proc = subprocess.Popen(
                command,
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.instance_dir,
                start_new_session=True,  # outlives the CLI, ignores its Ctrl-C
            )
        self.state_file.write_text(
            json.dumps(
                {
                    "pid": proc.pid,
                    "port": port,
                    "version": self.version,
                    "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        return self._wait_for_bolt(proc.pid, port, proc=proc)

    def _wait_for_bolt(self, pid: int, port: int, proc: subprocess.Popen[bytes] | None) -> Status:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            exited = proc.poll() is not None if proc else not self._is_our_process(pid)
            if exited:
                self.state_file.unlink(missing_ok=True)
                raise Neo4jProvisioningError(
                    f"Neo4j exited while starting (pid {pid}). From its logs:\n{self.log_tail()}"
                )
            if self._bolt_answers(port):
                return self.status()
            time.sleep(0.3)
        self.stop()
        raise Neo4jProvisioningError(
            f"Neo4j did not answer on bolt://127.0.0.1:{port} within {self.start_timeout:.0f}s "
            f"(DEPTGRAPH_NEO4J_START_TIMEOUT); it was stopped. From its logs:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 60.0) -> Status:
        """Stop the instance; returns the status it had (STOPPED if nothing ran)."""
        before = self.status()
        if before.state is State.STOPPED or before.pid is None:
            return before
        _signal(before.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._is_our_process(before.pid):
            time.sleep(0.2)
        if self._is_our_process(before.pid):
            _signal(before.pid, signal.SIGKILL)
            while self._is_our_process(before.pid):
                time.sleep(0.1)
        self.state_file.unlink(missing_ok=True)
        return before

    def log_tail(self, lines: int = 25) -> str:
        """The last lines of neo4j.log and the console output, to quote in errors; the files
        are named even when Neo4j had not written to them yet."""
        parts = []
        for path in (self.log_dir / "neo4j.log", self.console_log):
            try:
                text = path.read_text(errors="replace").strip().splitlines()
            except OSError:
                text = []
            parts.append(f"--- {path} ---\n" + ("\n".join(text[-lines:]) if text else "(nothing written yet)"))
        return "\n".join(parts)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.home.resolve().rglob("*") if p.is_file())


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reap(pid: int) -> None:
    """Collect a zombie child so that its pid no longer looks alive."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
