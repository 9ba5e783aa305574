"""The suite's own `seeded` fixture: it reloads the seed only when a test changed the graph.

Reloading before every test that reads the seed cost the suite minutes (half a second each, some
three hundred times); reloading too seldom would let one test's writes leak into the next."""

from __future__ import annotations

import os
import subprocess
import sys

from domain.knowledge import Knowledge
from graph.database import Database

from .conftest import PROJECT, reseed

STAMP = "MATCH (g:GraphState) RETURN g.epoch AS epoch, g.version AS version"


async def test_a_graph_nothing_changed_is_not_loaded_again(database: Database, seed_knowledge: Knowledge) -> None:
    await reseed(database, seed_knowledge)
    before = await database.read(STAMP)
    assert await reseed(database, seed_knowledge) is False
    assert await database.read(STAMP) == before  # not wiped: a wipe draws a new epoch


async def test_a_node_written_since_is_loaded_again_even_with_the_same_content(
    database: Database, seed_knowledge: Knowledge
) -> None:
    await reseed(database, seed_knowledge)
    await database.command("MATCH (d:Department) WITH d ORDER BY d.key LIMIT 1 SET d.version = 3")
    assert await reseed(database, seed_knowledge) is True
    await database.command("MATCH (p:Principle) WITH p ORDER BY p.key LIMIT 1 REMOVE p.version")
    assert await reseed(database, seed_knowledge) is True
    changed = "MATCH (n) WHERE (n:Department OR n:Principle) AND coalesce(n.version, 0) <> 1 RETURN n.key AS key"
    assert await database.read(changed) == []


async def test_a_relationship_the_model_does_not_know_is_loaded_again(
    database: Database, seed_knowledge: Knowledge
) -> None:
    await reseed(database, seed_knowledge)
    await database.command("MATCH (a:Department), (b:Department) WHERE a.key < b.key WITH a, b LIMIT 1 "
                           "CREATE (a)-[:PLANTED_BY_A_TEST]->(b)")  # fmt: skip
    assert await reseed(database, seed_knowledge) is True
    assert await database.read("MATCH ()-[r:PLANTED_BY_A_TEST]->() RETURN count(r) AS n") == [{"n": 0}]


async def test_what_a_read_leaves_beside_the_knowledge_is_no_reason_to_load_again(
    database: Database, seed_knowledge: Knowledge
) -> None:
    await reseed(database, seed_knowledge)
    before = await database.read(STAMP)
    await database.command("CREATE (:UnansweredQuestion {key: 'left-by-a-test'})")  # what ask keeps
    assert await reseed(database, seed_knowledge) is False
    assert await database.read(STAMP) == before
    await database.command("MATCH (u:UnansweredQuestion {key: 'left-by-a-test'}) DELETE u")


async def test_an_audit_record_or_a_changed_text_is_loaded_again(database: Database, seed_knowledge: Knowledge) -> None:
    await reseed(database, seed_knowledge)
    await database.command("CREATE (:Change {id: 'left-by-a-test'})")
    assert await reseed(database, seed_knowledge) is True
    assert await database.read("MATCH (c:Change) RETURN c.id AS id") == []
    await database.command("MATCH (d:Department) WITH d ORDER BY d.key LIMIT 1 SET d.name_en = 'Renamed by a test'")
    assert await reseed(database, seed_knowledge) is True
    assert await database.read("MATCH (d:Department {name_en: 'Renamed by a test'}) RETURN d.key AS key") == []


def test_workers_are_refused_one_shared_server() -> None:
    """With NEO4J_URI every pytest-xdist worker would wipe and write the same database: refused
    before any test runs, saying how to run the suite instead."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", "tests/test_suite_fixtures.py"],
        cwd=PROJECT, env=env | {"NEO4J_URI": "bolt://127.0.0.1:1"}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 4, done.stdout + done.stderr
    assert "run the suite in one process" in done.stderr
