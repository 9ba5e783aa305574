"""Owners and verification: who answers for each relationship, `verifyRelationship`, `stale` and
`deptgraph stale` — against the real Neo4j, with the app's clock moved instead of waiting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from api.app import create_app
from api.feed import ChangeFeed
from deptgraph.settings import Settings
from graph.database import Database
from graph.tokens import create_token
from graph.version import VersionWatch
from seed.files import read_files
from seed.loader import export, load
from seed.problems import SeedValidationError

from .conftest import WIPE, app_client, data_of, run_cli
from .test_mutations import call
from .test_response_cache import cache_counts

START = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
PAIRS = ["sales-marketing", "sales-engineering", "sales-accounting", "sales-customer-care"]
STALE = (
    "query($days: Int) { stale(olderThan: $days) { key owner { department { key } contact } verifiedAt verifiedBy } }"
)
VERIFY = """mutation($key: String!, $v: Int!) { verifyRelationship(key: $key, expectedVersion: $v) {
  key version verifiedAt verifiedBy owner { department { key name(lang: EN) } } } }"""


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest_asyncio.fixture
async def app(settings: Settings, seeded: Database, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, database=seeded, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://deptgraph.test") as http:
        yield http


@pytest_asyncio.fixture
async def editor(seeded: Database) -> str:
    return await create_token(seeded, "lan@example.com", "editor")


async def stale_keys(http: httpx.AsyncClient, days: int | None = None) -> list[str]:
    return [r["key"] for r in (await data_of(http, STALE, {"days": days}))["stale"]]


async def test_never_verified_relationships_are_due_with_their_owners(app: httpx.AsyncClient) -> None:
    due = (await data_of(app, STALE))["stale"]
    assert [r["key"] for r in due] == PAIRS
    assert all(r["owner"] == {"department": {"key": "sales"}, "contact": None} for r in due)
    assert all(r["verifiedAt"] is None and r["verifiedBy"] is None for r in due)


async def test_a_verification_is_recorded_audited_and_goes_stale_when_the_clock_moves_past_the_interval(
    app: httpx.AsyncClient, seeded: Database, editor: str, clock: Clock
) -> None:
    verified = (await call(app, editor, VERIFY, {"key": "sales-accounting", "v": 1}))["data"]["verifyRelationship"]
    assert verified == {
        "key": "sales-accounting", "version": 2, "verifiedAt": "2027-03-01T09:30:00Z", "verifiedBy": "lan@example.com",
        "owner": {"department": {"key": "sales", "name": "Sales"}},
    }  # fmt: skip
    audit = await seeded.read(
        "MATCH (c:Change {key: 'sales-accounting'}) RETURN c.operation AS op, c.actor AS actor, c.after AS after"
    )
    assert [(a["op"], a["actor"]) for a in audit] == [("verifyRelationship", "lan@example.com")]
    assert '"verified_at":"2027-03-01T09:30:00Z"' in audit[0]["after"]
    assert await stale_keys(app) == ["sales-marketing", "sales-engineering", "sales-customer-care"]

    clock.now = START + timedelta(days=180)  # due again after exactly the interval: not yet overdue
    assert "sales-accounting" not in await stale_keys(app)
    clock.now = START + timedelta(days=180, seconds=1)
    due = (await data_of(app, STALE))["stale"]
    assert [r["key"] for r in due] == [*PAIRS[:2], PAIRS[3], "sales-accounting"]  # never verified first
    assert due[-1]["verifiedAt"] == "2027-03-01T09:30:00Z" and due[-1]["verifiedBy"] == "lan@example.com"
    assert "sales-accounting" not in await stale_keys(app, 365)  # olderThan overrides the interval
    assert await stale_keys(app, 1) == [*PAIRS[:2], PAIRS[3], "sales-accounting"]


async def test_the_review_interval_is_a_setting(settings: Settings, seeded: Database, editor: str) -> None:
    clock = Clock(START)
    monthly = settings.model_copy(update={"review_interval_days": 30})
    transport = httpx.ASGITransport(app=create_app(monthly, database=seeded, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://deptgraph.test") as http:
        await call(http, editor, VERIFY, {"key": "sales-marketing", "v": 1})
        clock.now = START + timedelta(days=29)
        assert "sales-marketing" not in await stale_keys(http)
        clock.now = START + timedelta(days=31)
        assert "sales-marketing" in await stale_keys(http)


async def test_a_verification_of_a_version_someone_changed_since_is_a_conflict_and_records_nothing(
    app: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    await call(app, editor, VERIFY, {"key": "sales-marketing", "v": 1})
    before = await export(seeded)
    again = await call(app, editor, VERIFY, {"key": "sales-marketing", "v": 1})
    assert again["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "at version 2, not 1" in again["errors"][0]["message"]
    missing = await call(app, editor, VERIFY, {"key": "sales-legal", "v": 1})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    viewer = await create_token(seeded, "reader", "viewer")
    refused = await call(app, viewer, VERIFY, {"key": "sales-marketing", "v": 2})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = (
        await app.post("/graphql", json={"query": VERIFY, "variables": {"key": "sales-marketing", "v": 2}})
    ).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await export(seeded) == before
    assert (await seeded.read("MATCH (c:Change) RETURN count(c) AS n"))[0]["n"] == 1


async def test_bad_arguments_of_stale_are_named(app: httpx.AsyncClient) -> None:
    for days, limit, argument in ((0, None, "olderThan"), (40_000, None, "olderThan"), (None, 0, "limit")):
        body = (await app.post("/graphql", json={"query": "query($d: Int, $l: Int) { stale(olderThan: $d, limit: $l) "
                                                 "{ key } }", "variables": {"d": days, "l": limit}})).json()  # fmt: skip
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argument"] == argument
    assert await stale_keys(app) == PAIRS  # limit: at most this many, in order
    body = await data_of(app, "{ stale(limit: 2) { key } }")
    assert [r["key"] for r in body["stale"]] == PAIRS[:2]


# --- the change feed, the cache ------------------------------------------------------------------


async def test_the_change_feed_sends_a_verification(seeded: Database, app: httpx.AsyncClient, editor: str) -> None:
    feed = ChangeFeed(seeded, VersionWatch(seeded), poll=0.05, most=5, most_per_token=5)
    changes = feed.follow({"authorization": f"Bearer {editor}"}, None, "sales-customer-care")
    first = asyncio.ensure_future(anext(changes))
    for _ in range(200):  # until the subscription has taken its place (after reading where the trail is)
        if feed.active:
            break
        await asyncio.sleep(0.05)
    assert feed.active == 1
    await call(app, editor, VERIFY, {"key": "sales-customer-care", "v": 1})
    change = await asyncio.wait_for(first, 30)
    assert (change.operation, change.actor, change.key) == (
        "verifyRelationship",
        "lan@example.com",
        "sales-customer-care",
    )
    assert change.after is not None and change.after["properties"]["verified_by"] == "lan@example.com"
    await changes.aclose()


async def test_a_cached_relationship_is_read_again_once_verified_and_stale_is_never_cached(
    settings: Settings, seeded: Database, editor: str, clock: Clock
) -> None:
    query = '{ relationship(between: "sales", and: "engineering") { key verifiedAt verifiedBy } }'
    transport = httpx.ASGITransport(app=create_app(settings, database=seeded, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://reader.test") as reader, \
            app_client(settings, seeded) as writer:  # fmt: skip
        first = await data_of(reader, query)
        assert await data_of(reader, query) == first
        hits = (await cache_counts(reader))["hit"]
        assert hits >= 1
        await call(writer, editor, VERIFY, {"key": "sales-engineering", "v": 1})  # through another app
        after = (await data_of(reader, query))["relationship"]
        assert after["verifiedBy"] == "lan@example.com" and after["verifiedAt"] is not None

        # `stale` depends on the time as well as the graph: the same request, the graph unchanged,
        # answers anew when the clock moves.
        clock.now = datetime.fromisoformat(after["verifiedAt"].replace("Z", "+00:00")) + timedelta(days=1)
        assert "sales-engineering" not in await stale_keys(reader)
        counted = await cache_counts(reader)
        clock.now += timedelta(days=200)
        assert "sales-engineering" in await stale_keys(reader)
        assert (await cache_counts(reader))["hit"] == counted["hit"]


# --- seed files, export -------------------------------------------------------------------------


async def test_owners_and_verifications_survive_export_and_seed(
    app: httpx.AsyncClient, seeded: Database, editor: str, tmp_path: Path
) -> None:
    record = await call(app, editor, '{ record(kind: RELATIONSHIP, key: "sales-accounting") { value } }')
    value = record["data"]["record"]["value"]
    value["owner"] = {"department": "accounting", "contact": "Chị Lan, kế toán trưởng"}
    moved = await call(app, editor, """mutation($input: RelationshipInput!) {
        updateRelationship(key: "sales-accounting", expectedVersion: 1, input: $input) {
          version owner { department { key } contact } } }""", {"input": value})  # fmt: skip
    assert moved["data"]["updateRelationship"] == {
        "version": 2, "owner": {"department": {"key": "accounting"}, "contact": "Chị Lan, kế toán trưởng"}
    }  # fmt: skip
    await call(app, editor, VERIFY, {"key": "sales-accounting", "v": 2})
    exported = await export(seeded)
    assert (
        "  owner:\n    department: accounting\n    contact: Chị Lan, kế toán trưởng\n"
        "  verified:\n    at: '2027-03-01T09:30:00Z'\n    by: lan@example.com\n"
    ) in exported

    await seeded.command(WIPE)
    path = tmp_path / "export.yaml"
    path.write_text(exported, encoding="utf-8")
    await load(seeded, read_files([path]))
    assert await export(seeded) == exported


async def test_an_owner_that_is_no_department_is_refused(app: httpx.AsyncClient, editor: str) -> None:
    record = await call(app, editor, '{ record(kind: RELATIONSHIP, key: "sales-marketing") { value } }')
    value = record["data"]["record"]["value"]
    value["owner"] = {"department": "legal"}
    refused = await call(
        app,
        editor,
        """mutation($input: RelationshipInput!) {
        updateRelationship(key: "sales-marketing", expectedVersion: 1, input: $input) { key } }""",
        {"input": value},
    )
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "department 'legal' (input.owner.department)" in error["message"]


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("  owner: {department: legal}\n", "relationship 'x' refers to unknown department 'legal'"),
        ("  verified: {at: '2027-03-01 09:30', by: an}\n",
         "verified.at (relationship 'x'): '2027-03-01 09:30' is not a moment as deptgraph writes them: UTC to the "
         "second, e.g. 2026-12-01T09:30:00Z"),
        ("  verified: {at: '2027-03-01T09:30:00Z'}\n", "verified.by (relationship 'x'): is missing"),
        ("  owner: {department: sales, contact: \"An\\nB\"}\n", "owner.contact (relationship 'x'): contains a line break"),
    ],
)  # fmt: skip
def test_owners_and_verifications_in_seed_files_are_checked(tmp_path: Path, yaml: str, message: str) -> None:
    path = tmp_path / "review.yaml"
    path.write_text(
        "departments:\n- {key: sales, name: {vi: Kinh doanh, en: Sales}}\n- {key: it, name: {vi: CNTT, en: IT}}\n"
        "relationships:\n- key: x\n  departments: [sales, it]\n  title: {vi: KD và CNTT, en: Sales and IT}\n"
        "  summary: {vi: Phối hợp., en: Together.}\n" + yaml,
        encoding="utf-8",
    )
    with pytest.raises(SeedValidationError) as error:
        read_files([path])
    assert message in str(error.value)


# --- deptgraph stale ----------------------------------------------------------------------------


def test_deptgraph_stale_lists_what_is_due_with_owners_and_exits_1(cli_env: dict[str, str], seeded: Database) -> None:
    result = run_cli("stale", env=cli_env)
    assert result.returncode == 1, result.stderr
    out = " ".join(result.stdout.split())
    assert "4 relationship(s) due for review" in out and "(interval: 180 days)" in out
    for key in PAIRS:
        assert key in out
    assert out.count("Sales (sales)") == 4 and out.count("never verified") == 4


async def test_deptgraph_stale_exits_0_once_all_are_verified_and_1_again_as_of_later(
    cli_env: dict[str, str], seeded: Database, settings: Settings, editor: str
) -> None:
    now = datetime.now(UTC)
    async with app_client(settings, seeded) as http:
        for key in PAIRS:
            await call(http, editor, VERIFY, {"key": key, "v": 1})
    fresh = run_cli("stale", env=cli_env)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "Nothing is due for review" in fresh.stdout
    later = (now + timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S")
    due = run_cli("stale", "--as-of", later, env=cli_env)
    assert due.returncode == 1
    out = " ".join(due.stdout.split())
    assert "4 relationship(s) due for review" in out and "lan@example.com" in out
    rows = await seeded.read("MATCH (r:Relationship) RETURN r.verified_at AS at ORDER BY at")
    for row in rows:
        verified = datetime.fromisoformat(row["at"].replace("Z", "+00:00"))
        late = datetime.fromisoformat(later).replace(tzinfo=UTC) - (verified + timedelta(days=180))
        assert f"{late.days} day(s)" in out and row["at"] in out
    shorter = run_cli("stale", "--older-than", "365", "--as-of", later, env=cli_env)
    assert shorter.returncode == 0 and "interval: 365 days" in " ".join(shorter.stdout.split())


def test_deptgraph_stale_exits_2_when_the_graph_cannot_be_read(cli_env: dict[str, str]) -> None:
    result = run_cli("stale", env=cli_env | {"NEO4J_URI": "bolt://127.0.0.1:1", "DEPTGRAPH_CONNECT_TIMEOUT": "0.5"})
    assert result.returncode == 2, result.stdout + result.stderr


async def test_an_owner_that_goes_leaves_its_relationships_without_an_owner(
    app: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    created = await call(app, editor, """mutation($input: RelationshipInput!) { createRelationship(input: $input) {
        key owner { department { key } contact } } }""", {"input": {
        "key": "marketing-accounting", "departments": ["marketing", "accounting"],
        "title": {"vi": "Marketing và Kế toán", "en": "Marketing and Accounting"},
        "summary": {"vi": "Phối hợp về ngân sách.", "en": "They agree on budgets."},
        "owner": {"department": "customer-care", "contact": "Anh Minh"}}})  # fmt: skip
    assert created["data"]["createRelationship"]["owner"] == {
        "department": {"key": "customer-care"},
        "contact": "Anh Minh",
    }
    version = (await seeded.read("MATCH (d:Department {key: 'customer-care'}) RETURN d.version AS v"))[0]["v"]
    refused = await call(app, editor, """mutation($v: Int!) { deleteDepartment(key: "customer-care", expectedVersion: $v)
        { removed } }""", {"v": version})  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "relationship 'marketing-accounting'" in refused["errors"][0]["message"]
    deleted = await call(app, editor, """mutation($v: Int!) { deleteDepartment(key: "customer-care", expectedVersion: $v,
        cascade: true) { removed unlinked } }""", {"v": version})  # fmt: skip
    assert "Relationship:marketing-accounting" in deleted["data"]["deleteDepartment"]["unlinked"]
    left = await data_of(app, '{ relationship(between: "marketing", and: "accounting") { owner { contact } } }')
    assert left["relationship"] == {"owner": None}
    props = (await seeded.read("MATCH (r:Relationship {key: 'marketing-accounting'}) RETURN properties(r) AS p"))[0][
        "p"
    ]
    assert "owner_contact" not in props
    exported = await export(seeded)  # nothing the seed format cannot say
    assert "key: marketing-accounting" in exported
