"""Writers racing each other through the real app (uvicorn, HTTP) on the real Neo4j: each pair of
mutations that used to leave the graph broken runs for many rounds, both at once. Every answer is
data or CONFLICT / NOT_FOUND / BAD_USER_INPUT — never a 500 — and afterwards `deptgraph check`
finds nothing, export → validate passes, and every acknowledged write is in the audit trail.

`pytest tests/test_races.py --race-seconds=300 -s` (`make races`) runs each pair for that long
and prints a report.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.check import check
from graph.database import Database
from graph.tokens import create_token
from seed.files import read_files
from seed.loader import export

EXPECTED = {"CONFLICT", "NOT_FOUND", "BAD_USER_INPUT"}
_counter = itertools.count()


class Race:
    """One client session: posts mutations, keeps what was acknowledged and every code seen."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"authorization": f"Bearer {token}"}
        self.codes: Counter[str] = Counter()
        self.acknowledged: list[tuple[str, str]] = []  # (operation, key)

    async def send(self, operation: str, key: str, query: str, variables: dict[str, Any] | None = None) -> bool:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                                        headers=self.headers)  # fmt: skip
        assert response.status_code == 200, response.text
        body = response.json()
        if "errors" in body:
            codes = {e["extensions"]["code"] for e in body["errors"]}
            assert codes <= EXPECTED, body["errors"]
            self.codes.update(codes)
            return False
        self.codes["ok"] += 1
        self.acknowledged.append((operation, key))
        return True


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def department(key: str) -> str:
    return (
        f'mutation {{ createDepartment(input: {{key: "{key}", name: {{vi: "Phòng {key}", en: "{key}"}}}}) {{ key }} }}'
    )


async def relationship_vs_cascading_delete(race: Race) -> None:
    other = unique("race-dept")
    assert await race.send("createDepartment", other, department(other))
    rel = unique("race-rel")
    create = (
        "mutation($i: RelationshipInput!) { createRelationship(input: $i) { key departments { key } } }",
        {"i": {"key": rel, "departments": ["sales", other], "title": {"vi": "t", "en": "t"},
               "summary": {"vi": "s", "en": "s"}, "goals": [{"key": f"{rel}-goal", "text": {"vi": "g", "en": "g"}}]}},
    )  # fmt: skip
    delete = f'mutation {{ deleteDepartment(key: "{other}", expectedVersion: 1, cascade: true) {{ removed }} }}'
    await asyncio.gather(race.send("createRelationship", rel, *create), race.send("deleteDepartment", other, delete))


async def link_vs_delete_topic(race: Race) -> None:
    topic = unique("race-topic")
    assert await race.send(
        "createTopic",
        topic,
        f'mutation {{ createTopic(input: {{key: "{topic}", name: {{vi: "{topic}", en: "{topic}"}}}}) {{ key }} }}',
    )
    link = f'mutation {{ linkTopic(topic: "{topic}", kind: FLOW, key: "sales-to-accounting-revenue") {{ key }} }}'
    delete = f'mutation {{ deleteTopic(key: "{topic}", expectedVersion: 1, cascade: true) {{ removed unlinked }} }}'
    await asyncio.gather(race.send("linkTopic", topic, link), race.send("deleteTopic", topic, delete))


async def flow_vs_deleting_its_relationship(race: Race) -> None:
    other = unique("race-dept")
    rel = unique("race-rel")
    assert await race.send("createDepartment", other, department(other))
    assert await race.send(
        "createRelationship", rel,
        "mutation($i: RelationshipInput!) { createRelationship(input: $i) { key } }",
        {"i": {"key": rel, "departments": ["marketing", other], "title": {"vi": "t", "en": "t"},
               "summary": {"vi": "s", "en": "s"}}},
    )  # fmt: skip
    flow = unique("race-flow")
    create = (
        "mutation($r: String!, $i: FlowInput!) { createFlow(relationship: $r, input: $i) { key } }",
        {"r": rel, "i": {"key": flow, "kind": "CONTRIBUTION", "provider": "marketing", "receiver": other,
                         "text": {"vi": "tin", "en": "news"}, "topics": ["market"]}},
    )  # fmt: skip
    delete = f'mutation {{ deleteRelationship(key: "{rel}", expectedVersion: 1, cascade: true) {{ removed }} }}'
    await asyncio.gather(race.send("createFlow", flow, *create), race.send("deleteRelationship", rel, delete))


async def update_vs_delete(race: Race) -> None:
    key = unique("race-principle")
    principle = '{key: "%s", title: {vi: "%s", en: "%s"}, text: {vi: "Một.", en: "One."}}'
    assert await race.send("createPrinciple", key,
                           f"mutation {{ createPrinciple(input: {principle % (key, 'A', 'A')}) {{ key }} }}")  # fmt: skip
    update = f'mutation {{ updatePrinciple(key: "{key}", expectedVersion: 1, input: {principle % (key, "B", "B")}) {{ version }} }}'
    delete = f'mutation {{ deletePrinciple(key: "{key}", expectedVersion: 1) {{ key }} }}'
    await asyncio.gather(race.send("updatePrinciple", key, update), race.send("deletePrinciple", key, delete))


async def party_vs_department_of_one_key(race: Race) -> None:
    key = unique("race-who")
    party = f'mutation {{ createParty(input: {{key: "{key}", name: {{vi: "Đối tác", en: "Partner"}}}}) {{ key }} }}'
    results = await asyncio.gather(race.send("createDepartment", key, department(key)),
                                   race.send("createParty", key, party))  # fmt: skip
    assert sum(results) == 1, results


async def two_relationships_for_one_pair(race: Race) -> None:
    other = unique("race-dept")
    assert await race.send("createDepartment", other, department(other))
    bodies = []
    for _ in range(2):
        rel = unique("race-rel")
        bodies.append(race.send(
            "createRelationship", rel, "mutation($i: RelationshipInput!) { createRelationship(input: $i) { key } }",
            {"i": {"key": rel, "departments": ["engineering", other], "title": {"vi": "t", "en": "t"},
                   "summary": {"vi": "s", "en": "s"}}},
        ))  # fmt: skip
    assert sum(await asyncio.gather(*bodies)) == 1


PAIRS: list[tuple[str, Callable[[Race], Awaitable[None]]]] = [
    ("createRelationship × deleteDepartment(cascade)", relationship_vs_cascading_delete),
    ("linkTopic × deleteTopic(cascade)", link_vs_delete_topic),
    ("createFlow × deleteRelationship(cascade)", flow_vs_deleting_its_relationship),
    ("updatePrinciple × deletePrinciple", update_vs_delete),
    ("createDepartment × createParty, one key", party_vs_department_of_one_key),
    ("createRelationship × createRelationship, one pair", two_relationships_for_one_pair),
]


@pytest.fixture
def race_seconds(request: pytest.FixtureRequest) -> float:
    return float(request.config.getoption("--race-seconds") or 0)


async def test_racing_writers_leave_a_consistent_graph(
    live_server: str, seeded: Database, race_seconds: float, tmp_path: Path
) -> None:
    token = await create_token(seeded, "racer", "editor")
    report = []
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        races = []
        for name, pair in PAIRS:
            race = Race(http, token)
            rounds, deadline = 0, time.monotonic() + race_seconds / len(PAIRS)
            # Two clients at a time run the pair over and over; in CI a dozen rounds each.
            while rounds < 12 or time.monotonic() < deadline:
                await asyncio.gather(pair(race), pair(race))
                rounds += 2
            races.append(race)
            report.append(f"{name}: {rounds} rounds, answers {dict(race.codes)}")
    problems = await check(seeded)
    report.append(f"deptgraph check: {len(problems)} problem(s)" + "".join(f"\n  {p}" for p in problems[:20]))
    print("\n" + "\n".join(report))
    assert problems == []
    exported = tmp_path / "after-races.yaml"
    exported.write_text(await export(seeded), encoding="utf-8")
    read_files([exported])  # validates, or raises with every problem
    audited = {
        (row["operation"], row["key"])
        for row in await seeded.read("MATCH (c:Change) RETURN c.operation AS operation, c.key AS key")
    }
    for race in races:
        for operation, key in race.acknowledged:
            if operation == "linkTopic":  # audited on the flow's relationship, which it changed
                assert any(op == "linkTopic" for op, _ in audited)
                continue
            assert (operation, key) in audited, (operation, key)
    links = await seeded.read(
        "MATCH (c:Change {operation: 'linkTopic'}) WITH c.after AS after, c.key AS flow, c.version AS v "
        "RETURN flow, after, v"
    )
    assert all(row["after"] is not None for row in links)  # a link is audited only where it was made
