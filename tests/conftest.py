"""Fixtures: a real Neo4j for the whole session, a clean database for each test.

Unless NEO4J_URI is set, the session starts its own instance ("test") of the Neo4j that
deptgraph provisions, on a free port, and stops it at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest
import pytest_asyncio
from pydantic import SecretStr

from api.app import create_app
from deptgraph.settings import Settings
from domain.knowledge import Knowledge
from graph.connection import Neo4jTarget, resolve_target
from graph.database import Database
from graph.local_neo4j import LocalNeo4j, State, free_port
from graph.model import LABELS
from seed.files import default_files, read_files
from seed.loader import load

PROJECT = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("deptgraph")
    group.addoption(
        "--fuzz-examples", type=int, default=400, help="Examples per fuzz test (default 400; make fuzz runs 5,000)."
    )
    group.addoption("--fuzz-random", action="store_true", help="Fuzz with a random seed instead of the fixed one.")
    group.addoption(
        "--race-seconds", type=float, default=0, help="Run the race tests this long (default: a dozen rounds)."
    )
    group.addoption(
        "--update-snapshots",
        action="store_true",
        help="Rewrite tests/snapshots/ with the Cypher the compiler makes now.",
    )
    group.addoption(
        "--fixture-durations",
        type=int,
        default=0,
        metavar="N",
        help="After the run, list the N fixtures whose set-up took longest in all (0: none).",
    )


class FixtureClock:
    """Times every fixture's set-up, for --fixture-durations: where a suite's minutes go."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Any:
        started = time.perf_counter()
        try:
            return (yield)
        finally:
            name = f"{fixturedef.argname} ({fixturedef.scope})"
            self.seconds.setdefault(name, []).append(time.perf_counter() - started)

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        count = config.getoption("--fixture-durations")
        terminalreporter.write_sep("=", f"slowest {count} fixture set-ups, in all (each without the fixtures it uses)")
        ranked = sorted(self.seconds.items(), key=lambda item: -sum(item[1]))
        for name, seconds in ranked[:count]:
            total = sum(seconds)
            terminalreporter.write_line(f"{total:8.2f}s  {len(seconds):4d}×  mean {total / len(seconds):6.3f}s  {name}")


def pytest_configure(config: pytest.Config) -> None:
    workers = getattr(config.option, "numprocesses", None)  # pytest-xdist's -n
    if workers not in (None, 0, 1) and not hasattr(config, "workerinput") and Settings().neo4j_uri:
        raise pytest.UsageError(
            "NEO4J_URI points every test worker at one server, and tests that write would see each other's "
            "writes: run the suite in one process (make test TEST_WORKERS=1, or pytest without -n)."
        )
    if config.getoption("--fixture-durations"):  # a plugin of its own: conftest hooks see only this folder's fixtures
        config.pluginmanager.register(FixtureClock(), "deptgraph-fixture-clock")


DEPTGRAPH = str(Path(sys.executable).with_name("deptgraph"))


def neo4j_home() -> Path:
    return Path(os.environ.get("DEPTGRAPH_NEO4J_HOME", PROJECT / ".neo4j")).resolve()


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[Neo4jTarget]:
    settings = Settings()
    if settings.neo4j_uri:
        yield resolve_target(settings)
        return
    # Under pytest-xdist each worker has a Neo4j of its own ("test-gw0", "test-gw1"): Neo4j
    # Community holds one database, and tests that write must not see each other's writes.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    instance = f"test-{worker}" if worker else "test"
    local = LocalNeo4j(home=neo4j_home(), version=settings.neo4j_version, instance=instance, pagecache="256m")
    already_running = local.status().state is not State.STOPPED
    status = local.start(free_port())
    assert status.bolt_uri is not None
    try:
        yield Neo4jTarget(status.bolt_uri, "neo4j", local.password(), "neo4j", local)
    finally:
        if not already_running:  # another session on this checkout may still be using it
            local.stop()


@pytest.fixture(scope="session")
def settings(neo4j_target: Neo4jTarget) -> Settings:
    """Settings that point the app at the test server."""
    return Settings(
        neo4j_uri=neo4j_target.uri,
        neo4j_user=neo4j_target.user,
        neo4j_password=SecretStr(neo4j_target.password),
        neo4j_database=neo4j_target.database,
    )


@pytest_asyncio.fixture(scope="session")
async def database(neo4j_target: Neo4jTarget) -> AsyncIterator[Database]:
    db = Database.connect(neo4j_target)
    yield db
    await db.close()


# What a wipe between tests leaves: the deployment's keys, which the processes started for earlier
# tests have read and keep (a real deployment never wipes them under running servers).
WIPE = "MATCH (n) WHERE NOT n:DeploymentKey CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


@pytest_asyncio.fixture
async def db(database: Database) -> Database:
    """The test database, emptied before the test."""
    await database.command(WIPE)
    return database


@pytest.fixture(scope="session")
def seed_knowledge() -> Knowledge:
    """The knowledge of the shipped seed files."""
    return read_files(default_files())


class _Loaded:
    """What the graph looked like when `reseed` last left it: Neo4j's bookmark then (a read
    returns the last committed transaction's: unchanged, nothing was written since) and its
    count of relationships (a relationship the model does not know is not in a seed plan)."""

    bookmark: frozenset[str] | None = None
    relationships = -1


async def _bookmark(database: Database) -> frozenset[str]:
    async with database.driver.session(database=database.database, default_access_mode=neo4j.READ_ACCESS) as session:
        await (await session.run("RETURN 1")).consume()
        return frozenset((await session.last_bookmarks()).raw_values)


async def reseed(database: Database, knowledge: Knowledge) -> bool:
    """Make the graph hold exactly `knowledge`, every node at version 1, no tokens and no audit
    trail; returns whether it had to load it again (only when something changed it)."""
    if _Loaded.bookmark is not None and await _bookmark(database) == _Loaded.bookmark:
        return False  # no transaction committed since
    # Something was written (maybe only what a read leaves: a question ask could not answer, a
    # feed's lease). Anything beside the knowledge (tokens, audit records), a node written since it
    # was loaded (changed and changed back: same content, later version; or no version at all), a
    # relationship more or less, or a plan with changes means a reload. The graph's stamp
    # (GraphState) is not knowledge: reloading because of it alone cost every test that reads the
    # seed half a second.
    state = await database.read(
        "RETURN COUNT { MATCH (n) WHERE NOT any(label IN labels(n) WHERE label IN $others) } AS others, "
        "COUNT { MATCH (n) WHERE any(label IN labels(n) WHERE label IN $knowledge) AND coalesce(n.version, 0) <> 1 }"
        " AS moved, COUNT { ()-[r]->() } AS relationships",
        others=[*LABELS, "DeploymentKey", "UnansweredQuestion", "FeedLease", "GraphState"],
        knowledge=list(LABELS),
    )
    plan = await load(database, knowledge, dry_run=True, prune=True)
    fresh = not any(s.unchanged == 0 and s.created for s in plan.summary.values())
    same = state[0]["relationships"] == _Loaded.relationships
    reloaded = bool(state[0]["others"] or state[0]["moved"] or not same or plan.changes or not fresh)
    if reloaded:
        await database.command(WIPE)
        await load(database, knowledge)
        _Loaded.relationships = (await database.read("RETURN COUNT { ()-[r]->() } AS n"))[0]["n"]
    _Loaded.bookmark = await _bookmark(database)
    return reloaded


@pytest_asyncio.fixture
async def seeded(database: Database, seed_knowledge: Knowledge) -> Database:
    """The test database holding exactly the shipped seed knowledge (every node at version 1),
    no tokens and no audit trail. Reloads only when an earlier test changed something."""
    await reseed(database, seed_knowledge)
    return database


@pytest.fixture(scope="session")
def cli_env(neo4j_target: Neo4jTarget) -> dict[str, str]:
    """Environment for running the `deptgraph` command against the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DEPTGRAPH_"))}
    return env | {
        "NEO4J_URI": neo4j_target.uri,
        "NEO4J_USER": neo4j_target.user,
        "NEO4J_PASSWORD": neo4j_target.password,
        "NEO4J_DATABASE": neo4j_target.database,
        "COLUMNS": "200",
        "DEPTGRAPH_WORKERS": "1",  # one process per app unless a test asks for more
        "DEPTGRAPH_WARM_UP": "false",  # tests start many apps; tests/test_warmup.py starts one warmed up
    }


def start_app(env: dict[str, str], **popen: Any) -> tuple[subprocess.Popen[bytes], str]:
    """`deptgraph serve` (uvicorn) on a free port, on the test database; returns when /readyz is 200."""
    port = free_port()
    process = subprocess.Popen(
        [DEPTGRAPH, "serve", "--no-start-neo4j", "--no-seed", "--port", str(port)], env=env, **popen
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # generous: a busy machine starts slowly
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the app did not become ready")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def live_server(cli_env: dict[str, str]) -> Iterator[str]:
    """`deptgraph serve` (uvicorn) on a free port, on the test database."""
    process, base = start_app(cli_env | {"DEPTGRAPH_LOG_LEVEL": "warning"})
    yield base
    process.terminate()
    process.wait(timeout=20)


def run_cli(*args: str, env: dict[str, str], cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    """Run the real `deptgraph` command."""
    return subprocess.run(
        [DEPTGRAPH, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@asynccontextmanager
async def app_client(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to a real app (in-process, over ASGI) on `database`."""
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://deptgraph.test") as http:
        yield http


@pytest_asyncio.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the real app, on the clean test database."""
    async with app_client(settings, db) as http:
        yield http


@pytest_asyncio.fixture
async def api(settings: Settings, seeded: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the real app, on the graph seeded from the shipped files."""
    async with app_client(settings, seeded) as http:
        yield http


async def graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    lang: str | None = None,
) -> dict[str, Any]:
    """POST a GraphQL request; return the whole response body (data and errors)."""
    headers = {"accept-language": lang} if lang else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def data_of(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, *, lang: str | None = None
) -> Any:
    """The data of a request that must succeed without errors."""
    body = await graphql(http, query, variables, lang=lang)
    assert "errors" not in body, body["errors"]
    return body["data"]
