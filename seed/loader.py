"""Loading seed files into Neo4j, and exporting the graph back to the same format.

    plan = await load(db, read_files(paths), dry_run=True)   # what would change
    await load(db, knowledge)                                # apply it, in one transaction
    text = await export(db)                                  # the canonical YAML of the graph

Loading is idempotent (nodes are MERGEd by key and only changed ones are written), reports
per label what was created, updated, unchanged or is in the graph but not in the files, and
deletes the latter only when asked to prune.
"""

from __future__ import annotations

from collections.abc import Callable

from graph.database import Database
from graph.schema import ensure_schema
from graph.store import BATCH_SIZE, Plan, apply_plan, count_by_label, plan_changes, read_records
from seed.files import dump
from seed.knowledge import Knowledge
from seed.records import from_records, to_records


async def load(
    db: Database,
    knowledge: Knowledge,
    *,
    dry_run: bool = False,
    prune: bool = False,
    on_plan: Callable[[Plan], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Plan:
    """Make the graph hold `knowledge`; returns the plan (applied unless `dry_run`)."""
    if not dry_run:
        await ensure_schema(db)
    plan = plan_changes(await read_records(db), to_records(knowledge), prune=prune)
    if on_plan:
        on_plan(plan)
    if not dry_run and plan.changes:
        await apply_plan(db, plan, on_progress, batch_size)
    return plan


async def export(db: Database) -> str:
    """The graph's knowledge as a seed document, in the canonical format."""
    stored = await read_records(db)
    return dump(from_records(node.record for node in stored.values()))


async def is_empty(db: Database) -> bool:
    """True when the graph holds no knowledge at all (tokens and audit records aside)."""
    return not any((await count_by_label(db)).values())
