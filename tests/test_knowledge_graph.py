"""The seeded graph holds every statement of the source document, checked by its Vietnamese text.

The expectations are read from the document itself (tests/document.py), not copied from the seed
files, so these tests catch an item that the seed files dropped, reworded or put on the wrong
relationship or in the wrong direction.
"""

from __future__ import annotations

import pytest

from domain.names import fold
from graph.database import Database

from .document import Document, PairSection, read_document

DOCUMENT = read_document()


@pytest.fixture(scope="module")
def document() -> Document:
    return DOCUMENT


async def department_named(db: Database, name: str) -> str:
    """The key of the department a name in the document refers to (via names and aliases)."""
    rows = await db.read("MATCH (d:Department) WHERE $name IN d.lookup RETURN d.key AS key", name=fold(name))
    assert len(rows) == 1, f"no single department is called {name!r}"
    return str(rows[0]["key"])


async def relationship_for(db: Database, pair: PairSection) -> str:
    other = await department_named(db, pair.other)
    rows = await db.read(
        "MATCH (:Department {key: 'sales'})<-[:BETWEEN]-(r:Relationship)"
        "      -[:BETWEEN]->(:Department {key: $other}) "
        "RETURN r.key AS key, r.title_vi AS title",
        other=other,
    )
    assert len(rows) == 1
    assert rows[0]["title"] == pair.header
    return str(rows[0]["key"])


@pytest.mark.parametrize("pair", DOCUMENT.pairs, ids=lambda p: fold(p.other).replace(" ", "-"))
async def test_each_pair_section_is_a_relationship_with_its_goals_role_and_cooperation(
    seeded: Database, pair: PairSection
) -> None:
    rel = await relationship_for(seeded, pair)
    rows = await seeded.read(
        "MATCH (r:Relationship {key: $rel}) RETURN r.summary_vi AS summary, "
        "COLLECT { MATCH (r)-[:HAS_GOAL]->(g) RETURN g.text_vi ORDER BY g.position } AS goals, "
        "COLLECT { MATCH (r)-[:HAS_ROLE]->(role:Role)-[:OF]->(:Department {key: 'sales'}) "
        "          MATCH (role)-[:HAS_DUTY]->(d) RETURN d.text_vi ORDER BY d.position } AS duties, "
        "COLLECT { MATCH (r)-[:COOPERATES_ON]->(a) RETURN a.text_vi ORDER BY a.position } AS activities",
        rel=rel,
    )
    found = rows[0]
    assert found["goals"] == pair.goals
    assert found["duties"] == pair.duties
    assert found["summary"] == pair.cooperation_summary
    assert found["activities"] == pair.activities


@pytest.mark.parametrize("pair", DOCUMENT.pairs, ids=lambda p: fold(p.other).replace(" ", "-"))
async def test_needs_flow_from_the_other_department_into_sales(seeded: Database, pair: PairSection) -> None:
    rel = await relationship_for(seeded, pair)
    other = await department_named(seeded, pair.other)
    rows = await seeded.read(
        "MATCH (:Relationship {key: $rel})-[:INCLUDES]->(f:Flow {kind: 'NEED'}) "
        "WHERE f.statement_vi IS NULL "
        "MATCH (p:Department)-[:PROVIDES]->(f)-[:TO]->(r:Department) "
        "RETURN f.text_vi AS text, p.key AS provider, r.key AS receiver ORDER BY f.position",
        rel=rel,
    )
    assert [row["text"] for row in rows] == pair.needs
    assert {(row["provider"], row["receiver"]) for row in rows} == {(other, "sales")}


@pytest.mark.parametrize("pair", DOCUMENT.pairs, ids=lambda p: fold(p.other).replace(" ", "-"))
async def test_contributions_flow_from_sales_to_the_other_department(seeded: Database, pair: PairSection) -> None:
    rel = await relationship_for(seeded, pair)
    other = await department_named(seeded, pair.other)
    rows = await seeded.read(
        "MATCH (:Relationship {key: $rel})-[:INCLUDES]->(f:Flow {kind: 'CONTRIBUTION'}) "
        "WHERE f.statement_vi IS NULL "
        "MATCH (p:Department)-[:PROVIDES]->(f)-[:TO]->(r:Department) "
        "RETURN f.text_vi AS text, p.key AS provider, r.key AS receiver ORDER BY f.position",
        rel=rel,
    )
    assert [row["text"] for row in rows] == pair.contributions
    assert {(row["provider"], row["receiver"]) for row in rows} == {("sales", other)}


@pytest.mark.parametrize("pair", DOCUMENT.pairs, ids=lambda p: fold(p.other).replace(" ", "-"))
async def test_cooperation_clauses_are_flows_with_their_purpose_and_direction(
    seeded: Database, pair: PairSection
) -> None:
    rel = await relationship_for(seeded, pair)
    for clause in pair.clauses:
        rows = await seeded.read(
            "MATCH (:Relationship {key: $rel})-[:INCLUDES]->(f:Flow {statement_vi: $clause}) "
            "MATCH (p:Department)-[:PROVIDES]->(f)-[:TO]->(r:Department) "
            "RETURN f.text_vi AS text, f.purpose_vi AS purpose, f.kind AS kind, "
            "p.lookup AS provider_names, r.key AS receiver, r.lookup AS receiver_names",
            rel=rel,
            clause=clause,
        )
        assert len(rows) == 1, f"no flow for the clause {clause!r}"
        flow = rows[0]
        # The clause names its provider first: "Kế toán cung cấp …".
        assert any(fold(clause).startswith(name + " ") for name in flow["provider_names"])
        assert flow["text"] in clause
        if " để " in clause:
            assert flow["purpose"] == clause.split(" để ", 1)[1]
        else:
            assert flow["purpose"] is None
        assert flow["kind"] == ("NEED" if flow["receiver"] == "sales" else "CONTRIBUTION")
        # The receiver is named in the clause too (after "để", "cho" or as the object).
        assert any(f" {name}" in fold(clause) for name in flow["receiver_names"])


@pytest.mark.parametrize("pair", DOCUMENT.pairs, ids=lambda p: fold(p.other).replace(" ", "-"))
async def test_each_example_is_a_scenario_told_in_ordered_steps(seeded: Database, pair: PairSection) -> None:
    rel = await relationship_for(seeded, pair)
    rows = await seeded.read(
        "MATCH (:Relationship {key: $rel})-[:HAS_EXAMPLE]->(s:Scenario) "
        "RETURN s.text_vi AS text, s.title_en AS title_en, "
        "COLLECT { MATCH (s)-[:HAS_STEP]->(step)-[:ACTOR]->(a) "
        "          RETURN {position: step.position, action: step.action_vi, purpose: step.purpose_vi, "
        "                  actor: a.lookup, "
        "                  recipient: COLLECT { MATCH (step)-[:RECIPIENT]->(x) RETURN x.key }} "
        "          ORDER BY step.position } AS steps",
        rel=rel,
    )
    assert len(rows) == 1
    scenario = rows[0]
    assert scenario["text"] == pair.example
    steps = scenario["steps"]
    assert [step["position"] for step in steps] == list(range(len(steps)))
    assert len(steps) == len([s for s in pair.example.split(". ") if s]), "one step per sentence"
    # Each step's action is the document's own words, in the order the document tells them,
    # and each sentence starts with the step's actor.
    cursor = 0
    for step, sentence in zip(steps, pair.example.split(". "), strict=True):
        assert step["action"] in sentence
        position = pair.example.index(step["action"], cursor)
        assert position >= cursor
        cursor = position
        assert any(fold(sentence).startswith(name + " ") for name in step["actor"])
        if step["purpose"]:
            assert f"để {step['purpose']}" in sentence


async def test_the_introduction_and_conclusion_are_statements(seeded: Database, document: Document) -> None:
    rows = await seeded.read("MATCH (s:Statement) RETURN s.section AS section, s.text_vi AS text ORDER BY s.position")
    assert [r["text"] for r in rows if r["section"] == "introduction"] == document.introduction
    assert [r["text"] for r in rows if r["section"] == "conclusion"] == document.conclusion + document.closing


async def test_the_four_principles_are_there_with_title_and_text(seeded: Database, document: Document) -> None:
    rows = await seeded.read("MATCH (p:Principle) RETURN p.title_vi AS title, p.text_vi AS text ORDER BY p.position")
    assert [(r["title"], r["text"]) for r in rows] == document.principles


async def test_customers_are_an_outside_party_that_takes_part(seeded: Database) -> None:
    rows = await seeded.read(
        "MATCH (c:Party {key: 'customer'}) RETURN c.name_vi AS name, "
        "COUNT { (c)<-[:ACTOR]-(:Step) } AS acts, COUNT { (c)<-[:CONCERNS]-() } AS concerned"
    )
    assert rows == [{"name": "Khách hàng", "acts": 1, "concerned": rows[0]["concerned"]}]
    assert rows[0]["concerned"] >= 5


async def test_every_node_has_english_beside_its_vietnamese(seeded: Database) -> None:
    rows = await seeded.read(
        "MATCH (n) WHERE n.key IS NOT NULL RETURN labels(n)[0] AS label, n.key AS key, properties(n) AS props"
    )
    assert len(rows) > 100
    texts = 0
    for row in rows:
        props = row["props"]
        for name, value in props.items():
            if name.endswith("_vi") and isinstance(value, str):
                english = props.get(name.removesuffix("_vi") + "_en")
                assert isinstance(english, str) and english.strip(), f"{row['label']} {row['key']}: no {name[:-3]}_en"
                texts += 1
        if row["label"] != "Role":
            assert any(k.endswith("_vi") for k in props), f"{row['label']} {row['key']} has no text"
    assert texts >= len([r for r in rows if r["label"] != "Role"])


async def test_topics_make_who_gets_complaints_a_traversal(seeded: Database) -> None:
    rows = await seeded.read(
        "MATCH (t:Topic) WHERE $q IN t.lookup "
        "MATCH (t)<-[:ABOUT]-(step:Step)-[:RECIPIENT]->(d:Department) "
        "RETURN t.key AS topic, d.key AS department, step.purpose_vi AS purpose",
        q=fold("phàn nàn"),
    )
    assert rows == [{"topic": "complaints", "department": "customer-care", "purpose": "giải quyết"}]
