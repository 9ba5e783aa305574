"""The GraphQL schema: root types assembled from the modules that define them."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.context import Context
from deptgraph import __version__


@strawberry.type(description="This deptgraph server and the Neo4j behind it.")
class About:
    version: str = strawberry.field(description="deptgraph's version.")
    neo4j_version: str = strawberry.field(description="The version of the Neo4j server.")
    neo4j_edition: str = strawberry.field(description="Neo4j's edition, e.g. community.")


@strawberry.type(description="Questions about how the company's departments work together.")
class Query:
    @strawberry.field(description="Which deptgraph and which Neo4j answer these questions.")
    async def about(self, info: Info[Context, None]) -> About:
        server = await info.context.database.server_info()
        return About(
            version=__version__,
            neo4j_version=server["version"],
            neo4j_edition=server["edition"],
        )


schema = strawberry.Schema(query=Query)
