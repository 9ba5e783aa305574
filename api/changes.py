"""A change to the knowledge as GraphQL shows it: the records of the audit trail, which the
`changes` query fields read a page at a time (editors and admins), and the change feed streams.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.auth import Role
from api.context import Context
from graph import audit


@strawberry.type(
    description="One change to the knowledge: who changed which node when, and its state before and after."
)
class Change:
    id: str = strawberry.field(description="Identifier of this record.")
    at: str = strawberry.field(description="When (UTC, ISO 8601).")
    actor: str = strawberry.field(description="The name of the token that made the change.")
    operation: str = strawberry.field(description="The mutation, e.g. `updateFlow`.")
    label: str = strawberry.field(description="What kind of node changed, e.g. Flow.")
    key: str = strawberry.field(description="The key of the node that changed.")
    before: JSON | None = strawberry.field(description="Its state before (null when it was created).")
    after: JSON | None = strawberry.field(description="Its state after (null when it was deleted).")


SinceArg = Annotated[datetime | None, strawberry.argument(description="Only changes at or after this time.")]
TargetArg = Annotated[str | None, strawberry.argument(description="Only changes to the node with this key.")]


async def audit_trail(
    info: Info[Context, None], since: datetime | None, target: str | None, first: int, after: str | None, count: bool
) -> audit.ChangePage:
    assert info.context.auth is not None
    await info.context.auth.require(Role.EDITOR, "Reading the audit trail")
    return await audit.changes(
        info.context.database, since=audit.since_text(since), target=target, first=first, after=after, count=count
    )


def as_change(c: audit.ChangeRecord) -> Change:
    return Change(
        id=c.id, at=c.at, actor=c.actor, operation=c.operation, label=c.label, key=c.key,
        before=c.before,  # type: ignore[arg-type]  # any JSON value
        after=c.after,  # type: ignore[arg-type]
    )  # fmt: skip
