"""The service: `serve` runs the GraphQL API with uvicorn (the local Neo4j started and the graph
seeded first, when need be); `schema` prints its contract, the SDL."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from deptgraph import __version__
from deptgraph.cli.knowledge import seed
from deptgraph.cli.local_neo4j import neo4j_start
from deptgraph.cli.terminal import console, log
from deptgraph.settings import settings_from_environment


def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (e.g. api/schema.graphql) instead of standard output."),
    ] = None,
) -> None:
    """Print the GraphQL schema (SDL): the contract internal tools rely on.

    `deptgraph schema -o api/schema.graphql` refreshes the checked-in copy; a test fails when
    the code and that file disagree."""
    from api.schema import sdl

    text = sdl()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote the schema to {output}.", highlight=False)


@contextmanager
def _console_as_log(enabled: bool) -> Iterator[None]:
    """With JSON logs, what the command would print for people becomes log lines, so that
    stderr stays one JSON object per line for log collectors."""
    if not enabled:
        yield
        return
    failed = True
    capture = console.capture()
    try:
        with capture:
            yield
        failed = False
    finally:
        for line in capture.get().splitlines():
            if line.strip():
                log.log(logging.ERROR if failed else logging.INFO, line.strip())


def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Interface to listen on [default: DEPTGRAPH_HOST or 127.0.0.1]."),
    ] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port [default: DEPTGRAPH_PORT or 8000].")] = None,
    start_neo4j: Annotated[
        bool,
        typer.Option(help="Start the local Neo4j first if it is not running (ignored with NEO4J_URI)."),
    ] = True,
    seed_if_empty: Annotated[
        bool,
        typer.Option("--seed/--no-seed", help="Seed the built-in knowledge into an empty graph first."),
    ] = True,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes [default: DEPTGRAPH_WORKERS, or one per core]. They share nothing but Neo4j; "
            "/metrics reports them all.",
            min=1,
            max=64,
        ),
    ] = None,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql, probes at /healthz and /readyz) with uvicorn."""
    import uvicorn

    settings = settings_from_environment()
    workers = workers or settings.workers or os.cpu_count() or 1
    if reload:
        workers = 1  # uvicorn reloads one process
    if workers > 1:
        # Metrics live in files the workers share, so that any worker's /metrics reports all.
        metrics_dir = tempfile.mkdtemp(prefix="deptgraph-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        atexit.register(shutil.rmtree, metrics_dir, ignore_errors=True)
    from api.observability import configure_logging, log_format  # the service's modules: not for other commands

    configure_logging(settings.log_level, settings.log_format)
    with _console_as_log(log_format(settings.log_format) == "json"):
        if settings.uses_local_neo4j and start_neo4j:
            neo4j_start(port=None)
        if seed_if_empty:
            seed(files=None, dry_run=False, prune=False, if_empty=True)
        host = host or settings.host
        port = settings.port if port is None else port
        console.print(
            f"deptgraph {__version__}: explorer at http://{host}:{port}/ · GraphiQL at http://{host}:{port}/graphql"
            f" · {workers} worker{'s' if workers > 1 else ''}",
            highlight=False,
        )
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level=settings.log_level,
        log_config=None,  # keep the logging configured above (JSON by default)
        access_log=False,  # the app logs each request itself, with its request id
        workers=workers,
        timeout_worker_healthcheck=settings.worker_healthcheck_timeout,
    )
