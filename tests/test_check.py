"""`deptgraph check` finds every broken invariant planted straight into Neo4j (as a bug, a script
or a hand edit would), `--fix` repairs the safe ones, and export names what is wrong."""

from __future__ import annotations

import pytest

from graph.check import check
from graph.database import Database

from .conftest import run_cli

# (what is planted, the Cypher that plants it, the invariant it breaks, the key it is reported on, fixable)
PLANTED = [
    ("a relationship with one department", "MATCH (:Relationship {key: 'sales-accounting'})-[b:BETWEEN]->"
     "(:Department {key: 'accounting'}) DELETE b", "between-count", "sales-accounting", False),
    ("a relationship joining a department with itself", "MATCH (r:Relationship {key: 'sales-accounting'})-[b:BETWEEN]->"
     "(:Department {key: 'accounting'}) DELETE b WITH r MATCH (s:Department {key: 'sales'}) "
     "CREATE (r)-[:BETWEEN {position: 1}]->(s)", "relationship-pair", "sales-accounting", False),
    ("a second relationship for a pair", "MATCH (a:Department {key: 'sales'}), (b:Department {key: 'accounting'}) "
     "CREATE (r:Relationship {key: 'twin', version: 1, position: 9, title_vi: 't', title_en: 't', summary_vi: 's', "
     "summary_en: 's'}) CREATE (r)-[:BETWEEN {position: 0}]->(a), (r)-[:BETWEEN {position: 1}]->(b)",
     "relationship-pair", "twin", False),
    ("a flow without a provider", "MATCH (:Department)-[p:PROVIDES]->(:Flow {key: 'sales-to-accounting-revenue'}) "
     "DELETE p", "provides-count", "sales-to-accounting-revenue", False),
    ("a flow outside its relationship's pair", "MATCH (f:Flow {key: 'sales-to-accounting-revenue'})-[t:TO]->() "
     "DELETE t WITH f MATCH (m:Department {key: 'marketing'}) CREATE (f)-[:TO {position: 0}]->(m)",
     "flow-sides", "sales-to-accounting-revenue", False),
    ("a goal whose relationship is gone", "MATCH (:Relationship)-[h:HAS_GOAL]->(:Goal {key: 'ensure-profit'}) DELETE h",
     "has_goal-count", "ensure-profit", True),
    ("a topic link to a department", "MATCH (f:Flow {key: 'sales-to-accounting-revenue'}), (d:Department {key: 'sales'}) "
     "CREATE (f)-[:ABOUT {position: 9}]->(d)", "about-ends", "sales-to-accounting-revenue", True),
    ("a party with a department's key", "CREATE (:Party {key: 'sales', version: 1, position: 5, name_vi: 'Bán', "
     "name_en: 'Sellers', aliases_vi: [], aliases_en: [], lookup: ['sales']})", "participant-key", "sales", False),
    ("a node without a version", "MATCH (p:Principle {key: 'mutual-respect'}) REMOVE p.version", "version",
     "mutual-respect", True),
    ("a text without its English", "MATCH (t:Topic {key: 'pricing'}) REMOVE t.name_en", "exportable", "topics.", False),
    ("a role of a department outside its relationship", "MATCH (:Role {key: 'sales-accounting-sales-role'})-[o:OF]->() "
     "DELETE o WITH 1 AS x MATCH (r:Role {key: 'sales-accounting-sales-role'}), (m:Department {key: 'marketing'}) "
     "CREATE (r)-[:OF]->(m)", "role-department", "sales-accounting-sales-role", False),
    ("a citation of a source document the graph lacks", "MATCH (f:Flow {key: 'sales-to-accounting-revenue'}) "
     "SET f.source_document = 'lost-memo'", "citation-source", "sales-to-accounting-revenue", False),
    ("a relationship with two owners", "MATCH (r:Relationship {key: 'sales-accounting'}), (a:Department "
     "{key: 'accounting'}) CREATE (r)-[:OWNED_BY]->(a)", "owned_by-count", "sales-accounting", False),
    ("a department answering to another's name", "MATCH (m:Department {key: 'marketing'}) "
     "SET m.aliases_en = m.aliases_en + 'Sales', m.lookup = m.lookup + 'sales'", "participant-name", "marketing",
     False),
]  # fmt: skip


@pytest.mark.parametrize(("what", "cypher", "invariant", "key", "fixable"), PLANTED, ids=[p[0] for p in PLANTED])
async def test_check_finds_each_planted_violation(
    seeded: Database, what: str, cypher: str, invariant: str, key: str, fixable: bool
) -> None:
    assert await check(seeded) == []
    await seeded.command(cypher)  # type: ignore[arg-type]
    found = await check(seeded)
    matching = [p for p in found if p.invariant == invariant and p.key.startswith(key)]
    assert matching, (what, [str(p) for p in found])
    assert all(p.fixable == fixable for p in matching), [str(p) for p in matching]


async def test_the_audit_trail_is_checked_against_the_graph(seeded: Database) -> None:
    # The last audit record of a topic says it was at version 7 with other names: the graph was
    # changed outside deptgraph since.
    await seeded.command(
        "CREATE (:Change {id: '000000000099-0000-x', version: 99, seq: 0, label: 'Topic', key: 'pricing', "
        "at: '2026-01-01T00:00:00+00:00', actor: 'x', operation: 'updateTopic', before: null, "
        'after: \'{"key": "pricing", "label": "Topic", "links": [], "properties": {"aliases_en": [], '
        '"aliases_vi": [], "lookup": [], "name_en": "Old", "name_vi": "Cũ", "position": 0}, "version": 7}\'})'
    )
    found = [p for p in await check(seeded) if p.invariant == "audit"]
    assert [p.key for p in found] == ["pricing"] and "changed outside deptgraph" in found[0].message


async def test_the_command_exits_1_with_the_list_and_fix_repairs_what_is_safe(
    seeded: Database, cli_env: dict[str, str]
) -> None:
    clean = run_cli("check", env=cli_env)
    assert clean.returncode == 0 and "consistent" in clean.stdout
    for _, cypher, *_ in (PLANTED[5], PLANTED[6], PLANTED[8]):  # an orphaned goal, a bad link, a missing version
        await seeded.command(cypher)  # type: ignore[arg-type]
    broken = run_cli("check", env=cli_env)
    assert broken.returncode == 1
    assert "has_goal-count" in broken.stdout and "about-ends" in broken.stdout and "[version]" in broken.stdout
    assert "deptgraph check --fix" in broken.stdout
    fixed = run_cli("check", "--fix", env=cli_env)
    assert fixed.returncode == 0, fixed.stdout
    assert "fixed: deleted Goal 'ensure-profit'" in fixed.stdout and "consistent" in fixed.stdout
    assert run_cli("check", env=cli_env).returncode == 0
    audit = await seeded.read("MATCH (c:Change {operation: 'check --fix'}) RETURN c.key AS key")
    assert [row["key"] for row in audit] == ["ensure-profit"]


async def test_export_names_what_is_wrong_instead_of_crashing(seeded: Database, cli_env: dict[str, str]) -> None:
    await seeded.command(PLANTED[0][1])  # type: ignore[arg-type]
    result = run_cli("export", env=cli_env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "pydantic" not in result.stderr
    assert "cannot be exported" in result.stderr and "sales-accounting" in result.stderr
    assert "deptgraph check" in result.stderr


async def test_a_citation_of_a_missing_source_is_named_with_the_source(seeded: Database) -> None:
    await seeded.command("MATCH (s:Source) DETACH DELETE s")
    found = [p for p in await check(seeded) if p.invariant == "citation-source"]
    assert len(found) == 95  # every citation of the shipped seed names the document just removed
    revenue = next(p for p in found if p.key == "sales-to-accounting-revenue")
    assert str(revenue) == (
        "Flow 'sales-to-accounting-revenue': cites the source document 'sales-and-other-departments', which the graph "
        "does not hold: seed the files that define it (or the item's own files again) [citation-source]"
    )
