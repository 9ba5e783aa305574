"""What the app opens once and every request uses: the database and what watches it.

`create_app` builds one `Services`; the lifespan opens the Neo4j driver into it (or a test hands
one over), and the GraphQL endpoint puts what a resolver may need into each request's typed
`Context` — no resolver reaches into the app's state.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.bookmarks import Bookmarks
from api.clock import Clock, system_clock
from api.context import Reading
from api.errors import OutageLog
from api.feed import ChangeFeed
from api.observability import Metrics
from deptgraph.settings import Settings
from graph.database import Database
from graph.keys import deployment_key
from graph.version import VersionWatch


@dataclass
class Services:
    settings: Settings
    reading: Reading
    metrics: Metrics
    outages: OutageLog
    bookmarks: Bookmarks
    clock: Clock = system_clock
    database: Database = None  # type: ignore[assignment]  # set by `open`, before any request
    versions: VersionWatch | None = None
    feed: ChangeFeed | None = None
    warming: bool = False  # the process runs its first operations (api.warmup): not ready yet

    @classmethod
    def create(cls, settings: Settings, reading: Reading, metrics: Metrics, clock: Clock = system_clock) -> Services:
        key = settings.bookmark_key.get_secret_value().encode() if settings.bookmark_key else None
        services: Services

        async def load_key() -> bytes:
            return await deployment_key(services.database, "bookmark")

        bookmarks = Bookmarks(settings.neo4j_database, load_key, key)
        services = cls(settings, reading, metrics, OutageLog(), bookmarks, clock)
        return services

    def open(self, database: Database) -> None:
        """Use `database`: watch its version, serve the change feed from it, report on it."""
        settings = self.settings
        self.database = database
        self.versions = self.reading.stats.watch = VersionWatch(database, self.metrics.version_checks.inc)
        self.feed = ChangeFeed(database, self.versions, settings.change_feed_poll, settings.max_subscriptions,
                               settings.max_subscriptions_per_token)  # fmt: skip
        self.metrics.watch(database)
