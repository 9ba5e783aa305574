"""The knowledge, in files and in the graph: `seed` loads the seed files, `validate` and `cite`
check and cite them against their documents, `export` writes the graph back as one, `check`
checks the graph's own invariants, `generate` writes a synthetic organisation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from deptgraph.cli.local_neo4j import with_database
from deptgraph.cli.terminal import console, fail, out
from deptgraph.settings import settings_from_environment
from domain.knowledge import Knowledge
from domain.references import cited_items
from graph.database import Database
from graph.store import Plan
from seed.files import default_files, read_files
from seed.problems import SeedValidationError


def read_seed_files(files: list[Path] | None, documents: Path | None = None) -> tuple[list[Path], Knowledge]:
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
    paths, knowledge = read_seed_files(files)

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
                raise fail(str(exc)) from exc
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

    with_database(settings, work)


DocumentsOption = Annotated[
    Path | None,
    typer.Option(
        "--documents",
        help="The folder of the source documents the files cite [default: DEPTGRAPH_DOCUMENTS_DIR, the seed/ folder].",
        file_okay=False,
    ),
]


def validate(files: FilesArgument = None, documents: DocumentsOption = None) -> None:
    """Check seed files without touching Neo4j; exit code 1 when anything is wrong.

    Every problem is listed with its file, line and key — for a company's CI. Every citation is
    checked against its source document: the quote must stand in the file at its span, in its
    section, so a changed document names each citation it no longer matches."""
    paths, knowledge = read_seed_files(files, documents)
    cited = sum(1 for _, item, _ in cited_items(knowledge) if item.source is not None)
    out.print(
        f"{len(paths)} seed file(s) are valid; {cited} citation(s) of {len(knowledge.sources)} source document(s) "
        "match their documents."
    )


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
        read_seed_files(paths, documents)  # lists the problems and exits
        raise fail(str(exc)) from exc
    except (DocumentError, ValueError) as exc:
        raise fail(str(exc)) from exc
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
        text = with_database(settings, export_graph)
    except ExportError as exc:
        raise fail(str(exc)) from exc
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Exported to {output}.", highlight=False)


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
        done, problems = with_database(settings_from_environment(), work)
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
