"""Configuration, read from environment variables (and an optional `.env` file).

Every setting has a sane default, so `deptgraph serve` works with no configuration at all:
it provisions a local Neo4j under `.neo4j/` and serves on http://127.0.0.1:8000.

The Neo4j connection variables are the ones the Neo4j tools use (`NEO4J_URI`, `NEO4J_USER`,
`NEO4J_PASSWORD`, `NEO4J_DATABASE`); everything else is prefixed with `DEPTGRAPH_`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The Neo4j version deptgraph provisions locally; docker-compose.yml uses the same one.
NEO4J_VERSION = "5.26.30"


class Settings(BaseSettings):
    """All of deptgraph's settings. The README lists them with their environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="DEPTGRAPH_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- An external Neo4j (Docker, a company server, Aura). Unset: use the local one. ---
    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")
    # A CA certificate (PEM) for TLS to a Neo4j with a private CA, with a neo4j:// or bolt:// URI.
    neo4j_trusted_ca: Path | None = Field(default=None, validation_alias="NEO4J_TRUSTED_CA")

    # --- The local Neo4j that deptgraph provisions and manages. ---
    neo4j_home: Path = Path(".neo4j")
    neo4j_version: str = NEO4J_VERSION
    neo4j_instance: str = "default"
    neo4j_bolt_port: int = Field(default=7687, ge=1, le=65535)
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    neo4j_transaction_memory: str = "384m"
    neo4j_start_timeout: float = Field(default=120.0, gt=0)

    # --- The HTTP service. ---
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # One JSON object per line (for log collectors), plain text for people, or `auto`: plain at a
    # terminal, JSON otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"
    # Seconds a request may take, Neo4j transaction included.
    request_timeout: float = Field(default=10.0, gt=0)
    # Seconds to wait for a Neo4j connection before a request fails.
    connect_timeout: float = Field(default=1.5, gt=0)
    # Queries at Neo4j at once from this process; more wait their turn (a bulkhead).
    neo4j_concurrency: int = Field(default=8, ge=1, le=256)

    # --- GraphQL safety and conveniences. ---
    env: Literal["development", "production"] = "development"
    max_depth: int = Field(default=8, ge=1)
    max_aliases: int = Field(default=15, ge=0)
    max_tokens: int = Field(default=2000, ge=1)
    max_body_bytes: int = Field(default=100_000, ge=1_000)
    max_directives: int = Field(default=20, ge=0)
    max_repeated_fields: int = Field(default=20, ge=1)
    # Every query is costed before it runs (the values its answer may hold, from the graph's
    # real list sizes) and refused above this.
    max_cost: int = Field(default=50_000, ge=100)
    # Caps enforced while an answer is built: the longest list, and values in all.
    max_list_items: int = Field(default=5_000, ge=10)
    max_values: int = Field(default=200_000, ge=100)
    max_response_bytes: int = Field(default=10_000_000, ge=10_000)
    # The largest page a …Connection field gives (`first`).
    max_page_size: int = Field(default=1_000, ge=1)
    # Answers to read-only requests are kept while the graph stays the same (never served stale:
    # every request checks the graph's version); at most this many megabytes of them.
    response_cache: bool = True
    response_cache_mb: int = Field(default=64, ge=1)
    # The Cache-Control of cacheable GET answers (they carry an ETag; `no-cache` = revalidate).
    cache_control: str = Field(default="no-cache", max_length=200)
    # uvicorn worker processes of `deptgraph serve` (0: one per core).
    workers: int = Field(default=0, ge=0, le=64)
    # The change feed (subscription `changes`): how often each process looks for new changes,
    # and how many subscriptions one process and one token may hold.
    change_feed_poll: float = Field(default=0.5, gt=0, le=60)
    max_subscriptions: int = Field(default=100, ge=1)
    max_subscriptions_per_token: int = Field(default=5, ge=1)
    # Seconds a WebSocket has to send connection_init (with an editor's token) before it is closed.
    socket_init_timeout: float = Field(default=5.0, gt=0, le=60)
    # How long a request that sends a Deptgraph-Bookmark may wait for Neo4j to reach its state
    # (checked before the request runs; beyond it BOOKMARK_NOT_REACHED, 503).
    bookmark_wait: float = Field(default=2.0, gt=0, le=30)
    # The key bookmarks are signed with (at least 32 characters), the same for every process of a
    # deployment. Unset: one is drawn once and kept in Neo4j, where every process finds it.
    bookmark_key: SecretStr | None = Field(default=None, min_length=32)
    # Behind a proxy that ends TLS: take the scheme a browser used from X-Forwarded-Proto (for the
    # WebSocket's same-origin check). Only set it when that proxy sets the header.
    trust_forwarded_proto: bool = False
    # Before it lets requests in, the app runs the named queries and the explorer's own once (its
    # Cypher compiled and planned, the graph measured), for at most this many seconds.
    warm_up: bool = True
    warm_up_seconds: float = Field(default=60.0, gt=0, le=600)
    # Seconds uvicorn's supervisor waits for a worker to answer its health check before it kills it
    # (uvicorn's own default, 5, kills workers that start on a busy machine).
    worker_healthcheck_timeout: int = Field(default=60, ge=5, le=600)
    # /metrics needs `Authorization: Bearer <this>` when set; in production it is served only then.
    metrics_token: SecretStr | None = None
    # Reads are open to anyone who can reach the service unless this is set.
    reads_need_token: bool = False
    # GraphiQL and introspection: on in development; in production only when set to true.
    graphiql: bool | None = None
    introspection: bool | None = None
    # Front-end packages (GraphiQL, Cytoscape.js), installed from package-lock.json by `make`.
    assets_dir: Path = Path(__file__).resolve().parents[1] / "node_modules"
    queries_dir: Path = Path(__file__).resolve().parents[1] / "queries"
    # Where the source documents the seed files cite are (a source's `file` is relative to it).
    documents_dir: Path = Path(__file__).resolve().parents[1] / "seed"
    # Relationships are due for review (`stale`, `deptgraph stale`) this many days after their last
    # verification; one never verified is due at once.
    review_interval_days: int = Field(default=180, ge=1, le=36_500)

    @field_validator("neo4j_uri", mode="before")
    @classmethod
    def _blank_uri_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def graphiql_enabled(self) -> bool:
        return self.development if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        """GraphiQL needs introspection, so it follows GraphiQL unless set on its own."""
        return self.graphiql_enabled if self.introspection is None else self.introspection

    @property
    def uses_local_neo4j(self) -> bool:
        """True when no external server is configured and deptgraph runs its own Neo4j."""
        return self.neo4j_uri is None


@cache
def settings_from_environment() -> Settings:
    """The process's settings, read from the environment (and `.env`) once."""
    return Settings()
