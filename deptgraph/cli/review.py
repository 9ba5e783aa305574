"""What waits for a person: `stale` lists the relationships due for review, `questions` what
people asked that `ask` could not answer (well)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from deptgraph.cli.local_neo4j import with_database
from deptgraph.cli.terminal import out
from deptgraph.settings import settings_from_environment
from graph.database import Database


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
        due = with_database(settings, lambda db: overdue(db, moment, days))
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

    found, total, forgotten = with_database(settings_from_environment(), work)
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
