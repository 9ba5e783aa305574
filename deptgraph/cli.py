"""The `deptgraph` command: run the service, manage its local Neo4j, seed and export knowledge."""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from api.observability import configure_logging, log_format
from deptgraph import __version__
from deptgraph.settings import Settings, settings_from_environment
from domain.knowledge import Knowledge
from domain.references import cited_items
from graph.connection import local_neo4j, resolve_target
from graph.database import Database
from graph.failures import DatabaseUnavailable
from graph.local_neo4j import State, Status
from graph.neo4j_install import Neo4jProvisioningError
from graph.store import Plan
from seed.files import default_files, read_files
from seed.problems import SeedValidationError

T = TypeVar("T")

console = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("deptgraph")
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
    out.print(f"NEO4J_URI is set ({settings.neo4j_uri}): deptgraph uses that server and manages no local Neo4j.")
    return True


@neo4j_app.command("install")
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
        raise _fail(str(exc)) from exc
    _print_status(status, settings)


@neo4j_app.command("stop")
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


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j is running, starting or stopped, and where.

    Exit code: 0 running, 1 starting, 3 stopped (as LSB `status` does)."""
    settings = settings_from_environment()
    if _external_notice(settings):
        return
    status = local_neo4j(settings).status()
    _print_status(status, settings)
    raise typer.Exit({State.RUNNING: 0, State.STARTING: 1, State.STOPPED: 3}[status.state])


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
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
        raise _fail(str(exc)) from exc


def _read_seed_files(files: list[Path] | None, documents: Path | None = None) -> tuple[list[Path], Knowledge]:
    paths = files or default_files()
    try:
        return paths, read_files(paths, documents or settings_from_environment().documents_dir)
    except SeedValidationError as exc:
        console.print(f"[bold red]{exc.count} problem(s)[/] in the seed files:", highlight=False)
        for problem in exc.problems:
            console.print(f"  {problem}", highlight=False, markup=False)
        if exc.count > len(exc.problems):
            console.print(f"  … and {exc.count - len(exc.problems)} more (fix these first).")
        console.print("Nothing was written.")
        raise typer.Exit(1) from exc


def _plan_table(plan: Plan, prune: bool, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("label")
    for column in ("created", "updated", "unchanged", "not in files") + (("deleted",) if prune else ()):
        table.add_column(column, justify="right")
    for label, s in plan.summary.items():
        counts = [s.created, s.updated, s.unchanged, s.not_in_files] + ([s.deleted] if prune else [])
        if any(counts):
            table.add_row(label, *(str(c) if c else "·" for c in counts))
    return table


FilesArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Seed files (YAML), merged in the order given [default: seed/data/*.yaml].",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]


@app.command()
def seed(
    files: FilesArgument = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="Delete what is in the graph but no longer in the files."),
    ] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only seed a graph that holds no knowledge yet.")
    ] = False,
) -> None:
    """Load seed files into Neo4j: validated first, then applied in one transaction.

    Idempotent: nodes are matched by key, and only what changed is written. Prints, per label,
    what was created, updated, left unchanged, and what the graph holds that the files do not
    (deleted only with --prune)."""
    from seed.loader import LoadError, is_empty, load

    settings = settings_from_environment()
    paths, knowledge = _read_seed_files(files)

    async def work(db: Database) -> None:
        if if_empty and not await is_empty(db):
            out.print("The graph already holds knowledge; leaving it alone (--if-empty).")
            return
        started = time.perf_counter()
        progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        task = progress.add_task("Writing", total=None)

        def on_plan(plan: Plan) -> None:
            if not dry_run and plan.work > 5_000:
                progress.update(task, total=plan.work)
                progress.start()

        with progress:
            try:
                plan = await load(
                    db,
                    knowledge,
                    dry_run=dry_run,
                    prune=prune,
                    on_plan=on_plan,
                    on_progress=lambda n: progress.advance(task, n),
                )
            except LoadError as exc:
                raise _fail(str(exc)) from exc
        took = time.perf_counter() - started
        verb = "would change" if dry_run else "changed"
        out.print(_plan_table(plan, prune, f"Seed from {len(paths)} file(s): what {verb}"))
        if dry_run:
            out.print("Dry run: nothing was written.")
        elif not plan.changes:
            out.print(f"Nothing changed ({took:.2f}s).")
        else:
            out.print(f"Applied in one transaction in {took:.2f}s.")
        if not prune and any(s.not_in_files for s in plan.summary.values()):
            out.print("Nodes not in the files were kept; --prune deletes them.")

    _with_database(settings, work)


DocumentsOption = Annotated[
    Path | None,
    typer.Option(
        "--documents",
        help="The folder of the source documents the files cite [default: DEPTGRAPH_DOCUMENTS_DIR, the seed/ folder].",
        file_okay=False,
    ),
]


@app.command()
def validate(files: FilesArgument = None, documents: DocumentsOption = None) -> None:
    """Check seed files without touching Neo4j; exit code 1 when anything is wrong.

    Every problem is listed with its file, line and key — for a company's CI. Every citation is
    checked against its source document: the quote must stand in the file at its span, in its
    section, so a changed document names each citation it no longer matches."""
    paths, knowledge = _read_seed_files(files, documents)
    cited = sum(1 for _, item, _ in cited_items(knowledge) if item.source is not None)
    out.print(
        f"{len(paths)} seed file(s) are valid; {cited} citation(s) of {len(knowledge.sources)} source document(s) "
        "match their documents."
    )


@app.command()
def cite(
    files: FilesArgument = None,
    documents: DocumentsOption = None,
    source: Annotated[
        str | None,
        typer.Option(help="The key of the source to cite uncited items from [default: the one the files define]."),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files with the citations.")] = False,
) -> None:
    """Compute citations: each item without one is cited from its source document (the whole
    sentences its Vietnamese words stand in, in its relationship's section), and the spans of
    quotes that moved (the document changed before them) are moved. Quotes the document no longer
    holds are listed for a person to look at, never rewritten.

    Without --write, says what it would do. Exit code 1 when something needs a person."""
    from seed.citations import DocumentError
    from seed.files import cite_files

    paths = files or default_files()
    try:
        report = cite_files(paths, documents or settings_from_environment().documents_dir, source)
    except SeedValidationError as exc:
        _read_seed_files(paths, documents)  # lists the problems and exits
        raise _fail(str(exc)) from exc
    except (DocumentError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    for line in report.cited:
        out.print(f"cite: {line}", highlight=False, markup=False)
    for line in report.moved:
        out.print(f"move: {line}", highlight=False, markup=False)
    for line in report.problems:
        console.print(f"look: {line}", highlight=False, markup=False)
    if write:
        for name, text in report.texts.items():
            Path(name).write_text(text, encoding="utf-8")
    verb = "rewrote" if write else "would rewrite"
    out.print(
        f"{len(report.cited)} cited, {len(report.moved)} moved, {len(report.problems)} to look at; "
        f"{verb} {len(report.texts)} file(s)." + ("" if write or not report.texts else " Run again with --write.")
    )
    if report.problems:
        raise typer.Exit(1)


@app.command()
def export(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output.", dir_okay=False),
    ] = None,
) -> None:
    """Write the graph's knowledge as one seed file (the format `deptgraph seed` reads).

    Includes what admins changed through the API, so it can be committed back to seed/."""
    from seed.loader import ExportError
    from seed.loader import export as export_graph

    settings = settings_from_environment()
    try:
        text = _with_database(settings, export_graph)
    except ExportError as exc:
        raise _fail(str(exc)) from exc
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Exported to {output}.", highlight=False)


@app.command()
def check(
    repair: Annotated[bool, typer.Option("--fix", help="Apply the safe repairs (audited), then check again.")] = False,
) -> None:
    """Check the graph like fsck: report every broken invariant (counts and ends of relationships,
    one relationship per pair, flows between their relationship's departments, keys, citations that
    name a source document the graph holds, what export needs, the audit trail against the graph).

    Exit code: 0 clean, 1 problems found (after --fix: problems left), 2 the check could not run.
    For CI and cron."""
    from graph.check import by_invariant, fix
    from graph.check import check as check_graph

    async def work(db: Database) -> tuple[list[str], list[Any]]:
        found = await check_graph(db)
        done = await fix(db, found) if repair and found else []
        return done, (await check_graph(db) if done else found)

    try:
        done, problems = _with_database(settings_from_environment(), work)
    except typer.Exit as exc:
        raise typer.Exit(2) from exc
    for line in done:
        out.print(f"fixed: {line}", highlight=False)
    if not problems:
        out.print("The graph is consistent: no problem found.")
        return
    out.print(f"{len(problems)} problem(s):", highlight=False)
    for problem in problems:
        out.print(f"  {problem}", highlight=False, markup=False)
    out.print("By invariant: " + ", ".join(f"{name} {n}" for name, n in by_invariant(problems).items()))
    if any(p.fixable for p in problems) and not repair:
        out.print("Some can be repaired safely: deptgraph check --fix")
    raise typer.Exit(1)


@app.command()
def stale(
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=1,
            max=36_500,
            help="Due this many days after the last verification [default: DEPTGRAPH_REVIEW_INTERVAL_DAYS, 180].",
        ),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", help="Check as of this moment instead of now (ISO 8601; UTC unless it says)."),
    ] = None,
) -> None:
    """List the relationships due for review — never verified, or last verified more than the
    review interval ago — with who answers for each and when it was last verified.

    Exit code: 0 nothing is due, 1 something is (for a scheduled job that should tell someone),
    2 the graph could not be read. `verifyRelationship` (GraphQL, editors) records a verification."""
    from graph.review import overdue

    settings = settings_from_environment()
    days = older_than or settings.review_interval_days
    moment = as_of if as_of is not None else datetime.now(UTC)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        due = _with_database(settings, lambda db: overdue(db, moment, days))
    except typer.Exit as exc:
        raise typer.Exit(2) from exc
    when = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not due:
        out.print(f"Nothing is due for review as of {when} (interval: {days} days).")
        return
    table = Table(
        "relationship",
        "owner",
        "contact",
        "last verified",
        "by",
        "overdue",
        title=(f"{len(due)} relationship(s) due for review as of {when} (interval: {days} days)"),
        title_justify="left",
    )
    for item in due:
        days_late = item.days_overdue(moment)
        table.add_row(
            f"{item.title_en} ({item.key})",
            f"{item.owner_en} ({item.owner})" if item.owner else "(nobody)",
            item.contact or "·",
            item.verified_at or "never",
            item.verified_by or "·",
            "never verified" if days_late is None else f"{days_late} day(s)",
        )
    out.print(table)
    raise typer.Exit(1)


token_app = typer.Typer(
    help=(
        "API tokens for the GraphQL endpoint (`Authorization: Bearer dgt_…`). Roles: viewer (reads, "
        "when DEPTGRAPH_READS_NEED_TOKEN is on), editor (also mutations and the audit trail), admin. "
        "Only a hash of each token is stored."
    ),
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")


class TokenRole(StrEnum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses it, e.g. `hr-portal` or `an@example.com`.")],
    role: Annotated[TokenRole, typer.Option("--role", help="What it may do.")] = TokenRole.viewer,
) -> None:
    """Create a token and print it once: it cannot be shown again."""
    from graph.schema import ensure_schema
    from graph.tokens import TokenError, create_token

    async def work(db: Database) -> str:
        await ensure_schema(db)
        return await create_token(db, name, role.value)

    try:
        token = _with_database(settings_from_environment(), work)
    except TokenError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Token '{name}' ({role.value}) created. Keep it safe; it is not shown again:", highlight=False)
    out.print(token, highlight=False)


@token_app.command("list")
def token_list() -> None:
    """List tokens: name, role, created, revoked (never the tokens themselves)."""
    from graph.tokens import list_tokens

    tokens = _with_database(settings_from_environment(), list_tokens)
    table = Table("name", "role", "created", "revoked")
    for token in tokens:
        table.add_row(token.name, token.role, token.created_at, token.revoked_at or "·")
    out.print(table if tokens else "No tokens yet: `deptgraph token create --name NAME --role editor`.")


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token at once; requests that use it get UNAUTHENTICATED."""
    from graph.tokens import TokenError, revoke_token

    try:
        token = _with_database(settings_from_environment(), lambda db: revoke_token(db, name))
    except TokenError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"Token '{token.name}' is revoked (since {token.revoked_at}).")


@app.command()
def questions(
    first: Annotated[int, typer.Option(help="How many to list, the most asked first.")] = 50,
    forget: Annotated[bool, typer.Option("--forget", help="Forget them all (after listing).")] = False,
) -> None:
    """The questions `ask` declined or answered unsurely: how often, when last, the best reading.

    What people ask that the seed files do not answer yet: add the names and aliases they use to
    seed/data, or the missing phrasings to tests/ask_cases.yaml."""
    from graph import unanswered

    async def work(db: Database) -> tuple[list[unanswered.Unanswered], int, int]:
        found, total = await unanswered.page(db, max(1, first), 0)
        return found, total, await unanswered.forget(db) if forget else 0

    found, total, forgotten = _with_database(settings_from_environment(), work)
    table = Table("asked", "last asked", "lang", "best reading", "answered", "question")
    for q in found:
        reading = f"{q.intent} {q.confidence:.2f}" if q.intent else "·"
        when = q.last_asked.replace("T", " ")[:16]
        table.add_row(str(q.count), when, q.lang, reading, "unsurely" if q.answered else "no", q.text)
    out.print(table if found else "No unanswered questions.")
    if total > len(found):
        out.print(f"{len(found)} of {total} shown (--first {total} for all).")
    if forget:
        out.print(f"Forgot {forgotten}.")


@app.command()
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


@app.command()
def generate(
    departments: Annotated[int, typer.Option(min=2, help="How many synthetic departments.")] = 1000,
    flows: Annotated[int, typer.Option(min=0, help="About how many flows between them.")] = 20_000,
    with_seed: Annotated[
        bool,
        typer.Option("--with-seed/--without-seed", help="Keep the shipped knowledge beside it."),
    ] = True,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here instead of standard output.", dir_okay=False),
    ] = None,
) -> None:
    """Write a synthetic organisation as a seed file, for load tests and benchmarks.

    The synthetic departments work only with each other, so with --with-seed the answers
    about the real departments stay as they are while the graph grows."""
    from seed.files import dump
    from seed.synthetic import synthetic_org

    base = read_files(default_files()) if with_seed else None
    text = dump(synthetic_org(departments, flows, base=base))
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {departments} synthetic departments and ~{flows} flows to {output}.")


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


@app.command()
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


if __name__ == "__main__":
    app()
