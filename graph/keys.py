"""The deployment's secret keys, kept in Neo4j beside the API tokens.

Every process of a deployment reads the same Neo4j, so a key stored there is shared by all of
them without configuration: the first process that needs it draws 256 random bits, the others
read what it wrote (behind the graph's write lock, so two processes starting together cannot
each draw their own). A key set in the environment takes precedence (`DEPTGRAPH_BOOKMARK_KEY`).
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from neo4j import AsyncManagedTransaction

from graph.database import Database, GraphLock

LABEL = "DeploymentKey"


async def deployment_key(db: Database, name: str) -> bytes:
    """The key called `name`, created (256 random bits) the first time it is asked for."""
    rows = await db.read("MATCH (k:DeploymentKey {name: $name}) RETURN k.value AS value", name=name)
    if rows:
        return base64.b64decode(rows[0]["value"])

    async def take(tx: AsyncManagedTransaction, lock: GraphLock) -> str:
        result = await tx.run(
            "MERGE (k:DeploymentKey {name: $name}) "
            "ON CREATE SET k.value = $value, k.created_at = $at RETURN k.value AS value",
            name=name,
            value=base64.b64encode(secrets.token_bytes(32)).decode(),
            at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        row = await result.single(strict=True)
        return str(row["value"])

    take.__name__ = "deployment_key"
    return base64.b64decode(await db.write(take))
