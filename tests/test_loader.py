"""Loading is idempotent, transactional and exact; export writes what seeding reads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from neo4j.exceptions import ClientError

from domain.knowledge import Knowledge
from graph.database import Database
from graph.store import count_by_label, count_by_type
from seed.files import default_files, dump, read_files
from seed.loader import export, load
from seed.synthetic import synthetic_org

from .conftest import run_cli


async def test_seeding_twice_changes_nothing_the_second_time(db: Database, seed_knowledge: Knowledge) -> None:
    first = await load(db, seed_knowledge)
    assert first.summary["Flow"].created == 34
    assert first.summary["Department"].created == 5
    second = await load(db, seed_knowledge)
    assert not second.changes
    assert all(s.created == s.updated == s.deleted == 0 for s in second.summary.values())
    assert second.summary["Flow"].unchanged == 34


async def test_export_is_the_seed_files_and_survives_a_round_trip(
    db: Database, seed_knowledge: Knowledge, tmp_path: Path
) -> None:
    await load(db, seed_knowledge)
    exported = await export(db)
    assert exported == dump(read_files(default_files()))

    await db.command("MATCH (n) DETACH DELETE n")
    path = tmp_path / "export.yaml"
    path.write_text(exported, encoding="utf-8")
    await load(db, read_files([path]))
    assert await export(db) == exported


def test_the_seed_files_are_in_canonical_form() -> None:
    for path in default_files():
        text = path.read_text(encoding="utf-8")
        assert dump(Knowledge.model_validate(yaml.safe_load(text))) == text, f"{path} is not canonical"


async def test_dry_run_reports_the_change_and_writes_nothing(seeded: Database, seed_knowledge: Knowledge) -> None:
    before = await export(seeded)
    respect = seed_knowledge.principles[3]
    reworded = respect.model_copy(update={"title": respect.title.model_copy(update={"en": "Respect one another"})})
    changed = seed_knowledge.model_copy(update={"principles": [*seed_knowledge.principles[:3], reworded]})
    plan = await load(seeded, changed, dry_run=True)
    assert plan.summary["Principle"].updated == 1
    assert plan.summary["Principle"].unchanged == 3
    assert await export(seeded) == before

    applied = await load(seeded, changed)
    assert applied.summary["Principle"].updated == 1
    rows = await seeded.read("MATCH (p:Principle {key: 'mutual-respect'}) RETURN p.title_en AS t, p.version AS v")
    assert rows == [{"t": "Respect one another", "v": 2}]


async def test_without_prune_what_left_the_files_is_reported_and_kept(
    seeded: Database, seed_knowledge: Knowledge
) -> None:
    fewer = _without_flow(seed_knowledge, "sales-to-accounting-revenue")
    plan = await load(seeded, fewer)
    assert plan.summary["Flow"].not_in_files == 1
    assert plan.summary["Flow"].deleted == 0
    assert (await count_by_label(seeded))["Flow"] == 34


async def test_prune_removes_exactly_what_left_the_files(seeded: Database, seed_knowledge: Knowledge) -> None:
    labels_before, types_before = await count_by_label(seeded), await count_by_type(seeded)
    [flow] = [f for r in seed_knowledge.relationships for f in r.flows if f.key == "sales-to-accounting-revenue"]
    fewer = _without_flow(seed_knowledge, "sales-to-accounting-revenue")
    plan = await load(seeded, fewer, prune=True)
    assert plan.summary["Flow"].deleted == 1
    assert sum(s.deleted for s in plan.summary.values()) == 1
    assert await count_by_label(seeded) == {**labels_before, "Flow": labels_before["Flow"] - 1}
    # The flow took its own relationships with it: INCLUDES, PROVIDES, TO and its ABOUTs.
    assert await count_by_type(seeded) == {
        **types_before,
        "INCLUDES": types_before["INCLUDES"] - 1,
        "PROVIDES": types_before["PROVIDES"] - 1,
        "TO": types_before["TO"] - 1,
        "ABOUT": types_before["ABOUT"] - len(flow.topics),
    }
    assert await seeded.read("MATCH (f:Flow {key: 'sales-to-accounting-revenue'}) RETURN f") == []
    assert await export(seeded) == dump(fewer)


def _without_flow(knowledge: Knowledge, key: str) -> Knowledge:
    relationships = [
        r.model_copy(update={"flows": [f for f in r.flows if f.key != key]}) for r in knowledge.relationships
    ]
    return knowledge.model_copy(update={"relationships": relationships})


async def test_a_failure_in_the_middle_of_a_load_writes_nothing(db: Database, seed_knowledge: Knowledge) -> None:
    # A constraint the data breaks at the second flow: departments, topics, relationships and
    # the first flow are written before the failure, inside the transaction, and must be
    # rolled back with everything else.
    await db.command("CREATE CONSTRAINT flow_text_unique IF NOT EXISTS FOR (f:Flow) REQUIRE f.kind IS UNIQUE")
    try:
        with pytest.raises(ClientError):
            await load(db, seed_knowledge)
        assert await count_by_label(db) == dict.fromkeys(await count_by_label(db), 0)
    finally:
        await db.command("DROP CONSTRAINT flow_text_unique IF EXISTS")


async def test_a_large_generated_file_loads_in_batches_with_progress(db: Database) -> None:
    org = synthetic_org(120, 3_000)
    progress: list[int] = []
    plan = await load(db, org, on_progress=progress.append, batch_size=1_000)
    assert plan.summary["Flow"].created == 3_000
    assert (await count_by_label(db))["Flow"] == 3_000
    assert sum(progress) == plan.work
    assert max(progress) == 1_000 and len(progress) > 20  # 3,000 flows: 3 batches each
    again = await load(db, org)
    assert not again.changes


def test_seed_if_empty_seeds_an_empty_graph_and_leaves_a_full_one_alone(cli_env: dict[str, str], db: Database) -> None:
    first = run_cli("seed", "--if-empty", env=cli_env)
    assert first.returncode == 0, first.stderr
    assert "Applied in one transaction" in first.stdout
    second = run_cli("seed", "--if-empty", env=cli_env)
    assert second.returncode == 0
    assert "already holds knowledge; leaving it alone" in second.stdout


def test_export_command_writes_the_format_seed_reads(cli_env: dict[str, str], seeded: Database, tmp_path: Path) -> None:
    target = tmp_path / "graph.yaml"
    result = run_cli("export", "--output", str(target), env=cli_env)
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == dump(read_files(default_files()))
    dry = run_cli("seed", "--dry-run", str(target), env=cli_env)
    assert dry.returncode == 0
    assert "Dry run: nothing was written." in dry.stdout


def test_a_generated_organisation_beside_the_seed_validates_with_its_citations(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "generated.yaml"
    made = run_cli("generate", "--departments", "20", "--flows", "100", "--output", str(target), env=cli_env)
    assert made.returncode == 0, made.stderr
    checked = run_cli("validate", str(target), env=cli_env)  # the seed's items cite its source: it comes along
    assert checked.returncode == 0, checked.stderr
    assert "95 citation(s) of 1 source document(s)" in checked.stdout
