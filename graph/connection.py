"""Which Neo4j to talk to: an external server named by NEO4J_URI, or the local one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deptgraph.settings import Settings
from graph.local_neo4j import LocalNeo4j, State


@dataclass(frozen=True)
class Neo4jTarget:
    uri: str
    user: str
    password: str
    database: str
    local: LocalNeo4j | None  # set when deptgraph manages this server
    trusted_ca: Path | None = None  # a CA certificate file for TLS to a server with a private CA

    def describe(self) -> str:
        where = f"local instance '{self.local.instance}'" if self.local else "external server"
        return f"{self.uri} (database '{self.database}', {where})"


def local_neo4j(settings: Settings) -> LocalNeo4j:
    return LocalNeo4j(
        home=settings.neo4j_home,
        version=settings.neo4j_version,
        instance=settings.neo4j_instance,
        heap=settings.neo4j_heap,
        pagecache=settings.neo4j_pagecache,
        transaction_memory=settings.neo4j_transaction_memory,
        start_timeout=settings.neo4j_start_timeout,
    )


def resolve_target(settings: Settings) -> Neo4jTarget:
    """The server named by NEO4J_URI if set; otherwise the local instance (running or not)."""
    if settings.neo4j_uri:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
        return Neo4jTarget(
            settings.neo4j_uri, settings.neo4j_user, password, settings.neo4j_database, None, settings.neo4j_trusted_ca
        )
    local = local_neo4j(settings)
    status = local.status()
    port = status.port if status.state is not State.STOPPED and status.port else settings.neo4j_bolt_port
    return Neo4jTarget(f"bolt://127.0.0.1:{port}", "neo4j", local.password(), settings.neo4j_database, local)
