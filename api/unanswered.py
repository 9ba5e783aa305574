"""`unansweredQuestions`: the questions `ask` declined or answered unsurely, for editors and admins.

Each is counted once per normalised text (no token, address or number of anyone's is kept, nor
who asked), with how often, when first and last, its language, and the best reading `ask` had
for it. The most asked come first: what people ask that the seed files do not answer yet.
"""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

import strawberry
from strawberry.types import Info

from api.auth import Role
from api.context import Context
from api.errors import api_error
from api.fields import AfterArg, FirstArg
from graph import unanswered
from graph.cues import Intent
from graph.errors import ErrorCode

MAX_FIRST = 500


@strawberry.type(
    description="A question `ask` declined or answered unsurely, counted: its text normalised (no token, name or "
    "address), how often and when it was asked, in which language, and the best reading there was."
)
class UnansweredQuestion:
    key: str = strawberry.field(description="Identifier of this question (a digest of its normalised text).")
    text: str = strawberry.field(description="The question as asked, normalised: one line, lower case, scrubbed.")
    lang: str = strawberry.field(description="`vi` or `en`.")
    count: int = strawberry.field(description="How many times it was asked.")
    first_asked: str = strawberry.field(description="When it was first asked (UTC, ISO 8601).")
    last_asked: str = strawberry.field(description="When it was last asked (UTC, ISO 8601).")
    intent: Intent | None = strawberry.field(description="The best reading's intent, when there was a reading.")
    confidence: float = strawberry.field(description="The best reading's confidence, 0–1, when last asked.")
    answered: bool = strawberry.field(description="True when it was answered, but unsurely; false when declined.")


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"unanswered:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "unanswered" and number.isdigit():
            return int(number) + 1
    except (ValueError, UnicodeDecodeError):
        pass
    raise api_error("after: not a cursor of unansweredQuestions.", ErrorCode.BAD_USER_INPUT, argument="after")


def _question(q: unanswered.Unanswered) -> UnansweredQuestion:
    return UnansweredQuestion(
        key=q.key, text=q.text, lang=q.lang, count=q.count, first_asked=q.first_asked, last_asked=q.last_asked,
        intent=Intent[q.intent] if q.intent in Intent.__members__ else None,  # type: ignore[misc]
        confidence=q.confidence, answered=q.answered,
    )  # fmt: skip


async def unanswered_questions(
    info: Info[Context, None],
    first: FirstArg = 50,
    after: AfterArg = None,
) -> Any:
    assert info.context.auth is not None
    await info.context.auth.require(Role.EDITOR, "Reading the unanswered questions")
    first = 50 if first is None else first
    if not 1 <= first <= MAX_FIRST:
        raise api_error(
            f"first must be between 1 and {MAX_FIRST}, not {first}.", ErrorCode.BAD_USER_INPUT, argument="first"
        )
    offset = _offset(after)
    found, total = await unanswered.page(info.context.database, first, offset)
    nodes = [_question(q) for q in found]
    edges = [SimpleNamespace(cursor=_cursor(offset + n), node=node) for n, node in enumerate(nodes)]
    page_info = SimpleNamespace(has_next_page=offset + len(nodes) < total,
                                end_cursor=edges[-1].cursor if edges else None)  # fmt: skip
    return SimpleNamespace(total_count=total, page_info=page_info, edges=edges, nodes=nodes)
