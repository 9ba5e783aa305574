"""The `deptgraph` command: run the service, manage its local Neo4j, seed and export knowledge."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console

from deptgraph import __version__
from deptgraph.settings import Settings
from graph.connection import local_neo4j
from graph.local_neo4j import Neo4jProvisioningError, State, Status

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

app = typer.Typer(
    name="deptgraph",
    help=(
        "deptgraph: a GraphQL knowledge graph of how a company's departments work together.\n\n"
        "Quick start: `deptgraph serve` provisions a local Neo4j (first time only: Java 17+ "
        "and Maven fetch it from Maven Central), seeds it and serves GraphiQL at "
        "http://127.0.0.1:8000/graphql.\n\n"
        "Configuration is by environment variables (see README): set NEO4J_URI, NEO4J_USER "
        "and NEO4J_PASSWORD to use an existing Neo4j instead of the local one."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(
    help=(
        "Manage the local Neo4j server deptgraph provisions for itself (Neo4j Community, "
        "from Maven Central into DEPTGRAPH_NEO4J_HOME, default `.neo4j/`). Bolt listens on "
        "127.0.0.1 only; the generated password is in `.neo4j/<instance>/password`. "
        "Not used when NEO4J_URI is set."
    ),
    no_args_is_help=True,
)
app.add_typer(neo4j_app, name="neo4j")


def _version(value: bool) -> None:
    if value:
        out.print(f"deptgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    pass


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


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
    out.print(
        f"NEO4J_URI is set ({settings.neo4j_uri}): deptgraph uses that server and manages "
        "no local Neo4j."
    )
    return True


@neo4j_app.command("install")
def neo4j_install() -> None:
    """Download the Neo4j server jars from Maven Central (once; later runs reuse them)."""
    settings = Settings()
    if _external_notice(settings):
        return
    local = local_neo4j(settings)
    try:
        with console.status(f"Fetching Neo4j {local.version} from Maven Central…") as spinner:
            downloaded = local.install(lambda artifact: spinner.update(f"Fetching {artifact}"))
    except Neo4jProvisioningError as exc:
        raise _fail(str(exc)) from exc
    verb = "installed" if downloaded else "already installed"
    out.print(f"Neo4j {local.version} {verb} in {local.dist_dir}", highlight=False)


@neo4j_app.command("start")
def neo4j_start(
    port: Annotated[
        int | None,
        typer.Option(help="Bolt port on 127.0.0.1 [default: DEPTGRAPH_NEO4J_BOLT_PORT or 7687]."),
    ] = None,
) -> None:
    """Install Neo4j if needed (first time: downloads ~125 MB with Maven), start it and wait until
    Bolt answers. Does nothing if it is already running."""
    settings = Settings()
    if _external_notice(settings):
        return
    local = local_neo4j(settings)
    try:
        with console.status("Starting Neo4j…") as spinner:
            if not local.installed:
                console.print(
                    f"Installing Neo4j {local.version} from Maven Central into {local.dist_dir} "
                    "(first run only)…"
                )
            status = local.start(
                port or settings.neo4j_bolt_port,
                on_progress=lambda artifact: spinner.update(f"Fetching {artifact}"),
            )
    except Neo4jProvisioningError as exc:
        raise _fail(str(exc)) from exc
    _print_status(status, settings)


@neo4j_app.command("stop")
def neo4j_stop(
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a clean shutdown before killing it.")
    ] = 60.0,
) -> None:
    """Stop the local Neo4j cleanly (SIGTERM; SIGKILL after --timeout)."""
    settings = Settings()
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


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j is running, starting or stopped, and where.

    Exit code: 0 running, 1 starting, 3 stopped (as LSB `status` does)."""
    settings = Settings()
    if _external_notice(settings):
        return
    status = local_neo4j(settings).status()
    _print_status(status, settings)
    raise typer.Exit({State.RUNNING: 0, State.STARTING: 1, State.STOPPED: 3}[status.state])


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Interface to listen on [default: DEPTGRAPH_HOST or 127.0.0.1]."),
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="HTTP port [default: DEPTGRAPH_PORT or 8000].")
    ] = None,
    start_neo4j: Annotated[
        bool,
        typer.Option(
            help="Start the local Neo4j first if it is not running (ignored with NEO4J_URI)."
        ),
    ] = True,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql, probes at /healthz and /readyz) with uvicorn."""
    import uvicorn

    settings = Settings()
    if settings.uses_local_neo4j and start_neo4j:
        neo4j_start(port=None)
    host = host or settings.host
    port = settings.port if port is None else port
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    console.print(f"deptgraph {__version__}: GraphiQL at http://{host}:{port}/graphql")
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    app()
