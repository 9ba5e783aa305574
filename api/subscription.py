"""The Subscription root: what an editor or admin can follow live, over a WebSocket."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.changes import Change, TargetArg, as_change
from api.context import Context


@strawberry.type(description="What an editor or admin can follow live (GraphQL over WebSocket, graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="Every committed change, in commit order, the same records as the audit trail: from the change "
        "after `after` (a `Change.id`; reconnect with the last one you got to miss nothing and get nothing twice), "
        'or from now. Editors and admins: send `{"authorization": "Bearer dgt_…"}` as the connection\'s init '
        "payload."
    )
    async def changes(
        self,
        info: Info[Context, None],
        after: Annotated[str | None, strawberry.argument(description="The id of the last change you got.")] = None,
        target: TargetArg = None,
    ) -> AsyncGenerator[Change, None]:
        feed = info.context.feed
        async for record in feed.follow(info.context.connection_params, after, target):
            yield as_change(record)
