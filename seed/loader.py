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
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic import ValidationError

from domain.knowledge import Knowledge
from graph.audit import Audit, write_audit
from graph.database import Database, GraphLock
from graph.records import to_records
from graph.records_back import from_records
from graph.schema import ensure_schema
from graph.shape import BETWEEN
from graph.store import BATCH_SIZE, Plan, StoredNode, count_by_label, plan_changes, read_records, write_plan
from seed.files import dump


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
    """Make the graph hold `knowledge`; returns the plan (applied unless `dry_run`).

    The plan is made inside the write transaction, behind the graph's write lock, so a mutation
    running at the same time is either seen or waits: nothing written meanwhile is overwritten
    unseen. Every node a seed changes gets its audit record — except in an empty graph, whose
    first seed is the baseline."""
    wanted = to_records(knowledge)
    if dry_run:
        stored = await read_records(db)
        plan = plan_changes(stored, wanted, prune=prune)
        _one_key_per_participant(stored, plan, wanted)
        _one_participant_per_name(stored, plan, wanted)
        _one_relationship_per_pair(stored, plan, wanted)
        if on_plan:
            on_plan(plan)
        return plan
    await ensure_schema(db)

    async def work(tx: AsyncManagedTransaction, lock: GraphLock) -> Plan:
        stored = await read_records(tx)
        plan = plan_changes(stored, wanted, prune=prune)
        _one_key_per_participant(stored, plan, wanted)
        _one_participant_per_name(stored, plan, wanted)
        _one_relationship_per_pair(stored, plan, wanted)
        if on_plan:
            on_plan(plan)
        if plan.changes:
            await lock.version()
            await write_plan(tx, plan, on_progress, batch_size)
            if stored:
                await write_audit(tx, SEED_ACTOR, "seed", _audit_of(plan, stored), await lock.version(), keep=False)
        return plan

    return await db.write(work)


SEED_ACTOR = "deptgraph seed"


class LoadError(ValueError):
    """The files are valid on their own but cannot join the graph as it is."""


def _one_key_per_participant(stored: dict[tuple[str, str], StoredNode], plan: Plan, wanted: list[Any]) -> None:
    """Departments and parties share one set of keys (steps name their actor by key alone), in
    the graph as it will be, not only in the files."""
    keep = set(stored) - set(plan.deletions)
    held: dict[str, set[str]] = {}
    for label, key in [*keep, *((r.label, r.key) for r in wanted)]:
        if label in ("Department", "Party"):
            held.setdefault(key, set()).add(label)
    clash = sorted(key for key, labels in held.items() if len(labels) > 1)
    if clash:
        raise LoadError(
            f"The key '{clash[0]}' would name both a department and a party"
            + (f" (and {len(clash) - 1} more)" if len(clash) > 1 else "")
            + ": departments and parties share one set of keys. Nothing was written."
        )


def _final(stored: dict[tuple[str, str], StoredNode], plan: Plan, wanted: list[Any]) -> dict[tuple[str, str], Any]:
    """The graph's records as they will be once the plan is written (the deletions' set made once:
    rebuilt for every node, it made this quadratic — minutes for a large organisation)."""
    deleted = set(plan.deletions)
    final = {ident: node.record for ident, node in stored.items() if ident not in deleted}
    final |= {(r.label, r.key): r for r in wanted}
    return final


def _one_participant_per_name(stored: dict[tuple[str, str], StoredNode], plan: Plan, wanted: list[Any]) -> None:
    """No two departments or parties answer to the same name (folded), in the graph as it will be:
    the files are checked on their own (`seed.files`), this adds what the graph keeps beside them."""
    final = _final(stored, plan, wanted)
    owners: dict[str, tuple[str, str]] = {}
    for (label, key), record in sorted(final.items()):
        if label not in ("Department", "Party"):
            continue
        for form in record.props.get("lookup") or []:
            other = owners.setdefault(form, (label, key))
            if other != (label, key):
                raise LoadError(
                    f"{other[0]} '{other[1]}' and {label.lower()} '{key}' would both answer to the name '{form}': "
                    "a department or party may not take another's name or alias. Nothing was written."
                )


def _one_relationship_per_pair(stored: dict[tuple[str, str], StoredNode], plan: Plan, wanted: list[Any]) -> None:
    """One relationship per pair of departments, in the graph as it will be: a second document may
    add to the graph, not describe a pair it already holds under another key (the files are checked
    on their own by `seed.files`; this adds what the graph keeps beside them)."""
    final = _final(stored, plan, wanted)
    pairs: dict[tuple[str, ...], str] = {}
    for (label, key), record in sorted(final.items()):
        if label != "Relationship":
            continue
        pair = tuple(sorted(link.target_key for link in record.links if link.type == BETWEEN.type))
        other = pairs.setdefault(pair, key)
        if other != key:
            raise LoadError(
                f"Relationships '{other}' and '{key}' would both join {' and '.join(pair)}: one relationship per pair "
                "(describe the pair in one of them). Nothing was written."
            )


def _audit_of(plan: Plan, stored: dict[tuple[str, str], StoredNode]) -> Audit:
    audit: Audit = [(None, None, record, 1) for record in plan.created]
    for record, version in plan.updated:
        old = stored[(record.label, record.key)]
        audit.append((old.record, old.version, record, version))
    for ident in plan.deletions:
        old = stored[ident]
        audit.append((old.record, old.version, None, None))
    return audit


class ExportError(RuntimeError):
    """The graph holds something the seed format cannot say; the message lists what."""


async def export(db: Database) -> str:
    """The graph's knowledge as a seed document, in the canonical format."""
    stored = await read_records(db)
    try:
        return dump(from_records(node.record for node in stored.values()))
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        from graph.check import check  # what is wrong, in the check's words

        problems = await check(db)
        listed = "\n".join(f"  {p}" for p in problems[:50]) or f"  {exc}"
        raise ExportError(
            f"The graph cannot be exported as seed files: it holds what they cannot say.\n{listed}\n"
            "Run `deptgraph check` (and `deptgraph check --fix` for the safe repairs)."
        ) from exc


async def is_empty(db: Database) -> bool:
    """True when the graph holds no knowledge at all (tokens and audit records aside)."""
    return not any((await count_by_label(db)).values())
