"""`deptgraph neo4j …`: the local Neo4j server deptgraph provisions for itself, and the Neo4j the
other commands use (`with_database`: the configured one, the local one started first if need be)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from deptgraph.cli.terminal import console, fail, out
from deptgraph.settings import Settings, settings_from_environment
from graph.connection import local_neo4j, resolve_target
from graph.database import Database
from graph.failures import DatabaseUnavailable
from graph.local_neo4j import State, Status
from graph.neo4j_install import Neo4jProvisioningError

T = TypeVar("T")

app = typer.Typer(
    help=(
        "Manage the local Neo4j server deptgraph provisions for itself (Neo4j Community, "
        "from Maven Central into DEPTGRAPH_NEO4J_HOME, default `.neo4j/`). Bolt listens on "
        "127.0.0.1 only; the generated password is in `.neo4j/<instance>/password`. "
        "Not used when NEO4J_URI is set."
    ),
    no_args_is_help=True,
)


def _print_status(status: Status, settings: Settings) -> None:
    local = local_neo4j(settings)
    if status.state is State.STOPPED:
        out.print(f"Neo4j ({local.instance}): [bold]stopped[/]")
    else:
        out.print(
            f"Neo4j ({local.instance}): [bold]{status.state.value}[/] — pid {status.pid}, "
            f"{status.bolt_uri}, version {status.version}, started {status.started_at}"
        )
    if status.note:
        out.print(f"  note: {status.note}")
    out.print(f"  home: {local.instance_dir}", highlight=False)


def _external_notice(settings: Settings) -> bool:
    if settings.uses_local_neo4j:
        return False
    out.print(f"NEO4J_URI is set ({settings.neo4j_uri}): deptgraph uses that server and manages no local Neo4j.")
    return True


@app.command("install")
def neo4j_install() -> None:
    """Download the Neo4j server jars from Maven Central (once; later runs reuse them)."""
    settings = settings_from_environment()
    if _external_notice(settings):
        return
    local = local_neo4j(settings)
    try:
        with console.status(f"Fetching Neo4j {local.version} from Maven Central…") as spinner:
            downloaded = local.install(lambda artifact: spinner.update(f"Fetching {artifact}"))
    except Neo4jProvisioningError as exc:
        raise fail(str(exc)) from exc
    verb = "installed" if downloaded else "already installed"
    out.print(f"Neo4j {local.version} {verb} in {local.dist_dir}", highlight=False)


@app.command("start")
def neo4j_start(
    port: Annotated[
        int | None,
        typer.Option(help="Bolt port on 127.0.0.1 [default: DEPTGRAPH_NEO4J_BOLT_PORT or 7687]."),
    ] = None,
) -> None:
    """Install Neo4j if needed (first time: downloads ~125 MB with Maven), start it and wait until
    Bolt answers. Does nothing if it is already running."""
    settings = settings_from_environment()
    if _external_notice(settings):
        return
    local = local_neo4j(settings)
    try:
        with console.status("Starting Neo4j…") as spinner:
            if not local.installed:
                console.print(
                    f"Installing Neo4j {local.version} from Maven Central into {local.dist_dir} (first run only)…"
                )
            status = local.start(
                port or settings.neo4j_bolt_port,
                on_progress=lambda artifact: spinner.update(f"Fetching {artifact}"),
            )
    except Neo4jProvisioningError as exc:
        raise fail(str(exc)) from exc
    _print_status(status, settings)


@app.command("stop")
def neo4j_stop(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a clean shutdown before killing it.")] = 60.0,
) -> None:
    """Stop the local Neo4j cleanly (SIGTERM; SIGKILL after --timeout)."""
    settings = settings_from_environment()
    if _external_notice(settings):
        return
    local = local_neo4j(settings)
    with console.status("Stopping Neo4j…"):
        before = local.stop(timeout=timeout)
    if before.state is State.STOPPED:
        out.print("Neo4j was not running.")
        if before.note:
            out.print(f"  note: {before.note}")
    else:
        out.print(f"Neo4j stopped (was pid {before.pid}).")


@app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j is running, starting or stopped, and where.

    Exit code: 0 running, 1 starting, 3 stopped (as LSB `status` does)."""
    settings = settings_from_environment()
    if _external_notice(settings):
        return
    status = local_neo4j(settings).status()
    _print_status(status, settings)
    raise typer.Exit({State.RUNNING: 0, State.STARTING: 1, State.STOPPED: 3}[status.state])


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` against the configured Neo4j, starting the local one if it is stopped."""
    if settings.uses_local_neo4j and local_neo4j(settings).status().state is State.STOPPED:
        console.print("The local Neo4j is not running; starting it…")
        neo4j_start(port=None)

    async def run() -> T:
        db = Database.connect(resolve_target(settings), connect_timeout=settings.connect_timeout)
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except (DatabaseUnavailable, Neo4jProvisioningError) as exc:
        raise fail(str(exc)) from exc
