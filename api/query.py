"""The Query root: the questions the API answers, one field each.

Each root field declares where it starts in the graph (`graph.mapping.Root`) and is answered by
one Cypher query compiled from the selection (`graph.compiler`), so a request costs one Neo4j
round trip per root field. The other fields have resolvers of their own, here (`stale`, `changes`,
`me`, `record`, `about`) or in `api.ask` and `api.unanswered`; the small types only they answer
with (`About`, `Me`, `EditableRecord`) are here, the audit trail's `Change` in `api.changes`.
"""

from __future__ import annotations

from enum import Enum
from types import SimpleNamespace
from typing import Annotated, Any

import strawberry
from pydantic import BaseModel
from strawberry.scalars import JSON
from strawberry.types import Info

from api.answer import answer, may_read, read_keys
from api.ask import Answer, ask
from api.auth import Role
from api.changes import Change, SinceArg, TargetArg, as_change, audit_trail
from api.clock import now
from api.context import Context
from api.errors import api_error
from api.fields import GRAPH, AfterArg, FirstArg
from api.mutations import EditableKind
from api.types import (
    Connection,
    Department,
    Flow,
    Participant,
    Path,
    Principle,
    Recipient,
    Relationship,
    SearchHit,
    Section,
    Source,
    Statement,
    Topic,
)
from api.unanswered import UnansweredQuestion, unanswered_questions
from deptgraph import __version__
from graph import entities, review, vocabulary
from graph.errors import ErrorCode
from graph.mapping import EVERY, AllOf, Named, Page, Root
from graph.search import SEARCH
from graph.shape import Label

MAX_CHANGES = 1000
MAX_REVIEW_DAYS = 36_500
MAX_STALE, DEFAULT_STALE = 1000, 100

NameArg = strawberry.argument(
    description="A department: its key or any name or alias, in Vietnamese or English, with or "
    "without diacritics (e.g. `accounting`, 'Kế toán', 'ke toan', 'CSKH')."
)
TopicArg = strawberry.argument(description="A topic: its key or any name or alias, in Vietnamese or English.")


def root_field(root: Root, description: str) -> Any:
    """A Query field answered by the read compiler from `root`."""
    return strawberry.field(description=description, metadata={GRAPH: root})


def _as_input(item: BaseModel) -> Any:
    """A seed model as a GraphQL input value: enums by their GraphQL names, no flows or examples
    (a relationship's input leaves them to their own mutations)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.name
        if isinstance(value, dict):  # (citations and verifications are no input: the API keeps them)
            return {k: plain(v) for k, v in value.items() if k not in ("flows", "examples", "source", "verified")}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(item.model_dump())


@strawberry.type(description="This deptgraph server and the Neo4j behind it.")
class About:
    version: str = strawberry.field(description="deptgraph's version.")
    neo4j_version: str = strawberry.field(description="The version of the Neo4j server.")
    neo4j_edition: str = strawberry.field(description="Neo4j's edition, e.g. community.")


@strawberry.type(description="Who is signed in: the name and role of the token sent.")
class Me:
    name: str = strawberry.field(description="The token's name (the actor named in the audit trail).")
    role: str = strawberry.field(description="`viewer`, `editor` or `admin`.")


@strawberry.type(description="One thing as its mutations take it: the version to send back and the current input.")
class EditableRecord:
    kind: EditableKind = strawberry.field(description="What kind of thing it is.")
    key: str = strawberry.field(description="Its key.")
    version: int = strawberry.field(description="Its version now: the `expectedVersion` of an update or delete.")
    relationship: str | None = strawberry.field(
        description="The key of the relationship a flow or an example belongs to (null for the other kinds)."
    )
    value: JSON = strawberry.field(
        description="Its current state in the shape of its input type (e.g. `FlowInput`), both languages: what an "
        "update sends back, changed."
    )


@strawberry.type(
    description="Questions about how the company's departments work together. Every text field "
    "takes `lang: VI | EN` (default: the request's Accept-Language, else Vietnamese)."
)
class Query:
    @root_field(Root(AllOf(Label.DEPARTMENT)), "All departments, in the document's order.")
    async def departments(self, info: Info[Context, None]) -> list[Department]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(AllOf(Label.DEPARTMENT), Page(EVERY)),
        "All departments, a page at a time, with the total count — for organisations too large for one answer.",
    )
    async def departments_connection(
        self, info: Info[Context, None], first: FirstArg = 100, after: AfterArg = None
    ) -> Connection[Department]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("key", Label.DEPARTMENT, optional=True)),
        "One department, by key or by any of its names; null when nothing matches.",
    )
    async def department(self, info: Info[Context, None], key: Annotated[str, NameArg]) -> Department | None:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("between", Label.DEPARTMENT), vocabulary.RELATIONSHIP_BETWEEN),
        "How two departments work together (in either order); null when they have no relationship. An "
        "unknown department is a NOT_FOUND error with suggestions.",
    )
    async def relationship(
        self,
        info: Info[Context, None],
        between: Annotated[str, NameArg],
        and_: Annotated[str, strawberry.argument(name="and", description="The other department (key or any name).")],
    ) -> Relationship | None:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("of", Label.DEPARTMENT), vocabulary.NEEDS),
        "What flows INTO a department (`of`): what it needs or gets — from one department (`from`) or "
        'from all. E.g. needs(of: "sales", from: "Kế toán").',
    )
    async def needs(
        self,
        info: Info[Context, None],
        of: Annotated[str, NameArg],
        from_: Annotated[
            str | None, strawberry.argument(name="from", description="Only from this department (key or any name).")
        ] = None,
    ) -> list[Flow]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("of", Label.DEPARTMENT), vocabulary.CONTRIBUTIONS),
        "What flows OUT of a department (`of`): what it contributes or provides — to one department (`to`) or to all.",
    )
    async def contributions(
        self,
        info: Info[Context, None],
        of: Annotated[str, NameArg],
        to: Annotated[str | None, strawberry.argument(description="Only to this department (key or any name).")] = None,
    ) -> list[Flow]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("from", Label.DEPARTMENT), vocabulary.PATHS),
        "How something gets from one department to another: the chains of flows from `from` to `to`, the shortest "
        "first (at most `maxHops` flows long, no department twice), each hop about the topic `about` when one is "
        'given. E.g. paths(from: "CSKH", to: "Kỹ thuật", about: "phản hồi"): customer feedback reaches Engineering '
        "through Sales. Empty when there is none.",
    )
    async def paths(
        self,
        info: Info[Context, None],
        from_: Annotated[
            str, strawberry.argument(name="from", description="Where it starts: a department (key or any name).")
        ],
        to: Annotated[str, strawberry.argument(description="Where it should arrive: a department (key or any name).")],
        about: Annotated[
            str | None,
            strawberry.argument(
                description="Only flows about this topic (key or any name or alias, in either language)."
            ),
        ] = None,
        max_hops: Annotated[
            int | None, strawberry.argument(description=f"At most this many flows per path (1–{vocabulary.MAX_HOPS}).")
        ] = vocabulary.DEFAULT_HOPS,
        limit: Annotated[
            int | None, strawberry.argument(description=f"At most this many paths (1–{vocabulary.MAX_PATHS}).")
        ] = vocabulary.DEFAULT_PATHS,
    ) -> list[Path]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("topic", Label.TOPIC, many=True), vocabulary.TOPIC_RECIPIENTS),
        "Who gets things about a topic (e.g. 'khiếu nại', 'complaints', 'pricing'): the department that "
        "handles it first, then those informed, then those who cooperate on it.",
    )
    async def recipients(self, info: Info[Context, None], topic: Annotated[str, TopicArg]) -> list[Recipient]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(SEARCH),
        "Full-text search over every name and text, in both languages, with or without diacritics "
        "('ke toan' finds 'Kế toán'). Best matches first.",
    )
    async def search(
        self,
        info: Info[Context, None],
        text: Annotated[str, strawberry.argument(description="Words to look for (at most 1,000 characters).")],
        limit: Annotated[int | None, strawberry.argument(description="At most this many hits (1–50).")] = 10,
    ) -> list[SearchHit]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(SEARCH, Page(EVERY)),
        "`search`, a page at a time: the best 1,000 hits at most, with their count.",
    )
    async def search_connection(
        self,
        info: Info[Context, None],
        text: Annotated[str, strawberry.argument(description="Words to look for (at most 1,000 characters).")],
        first: FirstArg = 10,
        after: AfterArg = None,
    ) -> Connection[SearchHit]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(Root(AllOf(Label.PRINCIPLE)), "The principles that make cooperation between departments work.")
    async def principles(self, info: Info[Context, None]) -> list[Principle]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(AllOf(Label.SOURCE)),
        "The source documents the knowledge comes from, in the order they were seeded. Every item taken from one "
        "cites it (`source { document section quote }`).",
    )
    async def sources(self, info: Info[Context, None]) -> list[Source]:
        return await answer(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The relationships due for review, with who answers for them (`owner`): never verified first, "
        "then those whose last verification (`verifiedAt`) is the oldest. One is due `olderThan` days after its last "
        "verification (default: DEPTGRAPH_REVIEW_INTERVAL_DAYS, 180). Empty when everything is up to date."
    )
    async def stale(
        self,
        info: Info[Context, None],
        older_than: Annotated[
            int | None,
            strawberry.argument(description=f"Due this many days after the last verification (1–{MAX_REVIEW_DAYS})."),
        ] = None,
        limit: Annotated[
            int | None, strawberry.argument(description=f"At most this many (1–{MAX_STALE}).")
        ] = DEFAULT_STALE,
    ) -> list[Relationship]:
        await may_read(info)
        days = info.context.review_interval_days if older_than is None else older_than
        if not 1 <= days <= MAX_REVIEW_DAYS:
            raise api_error(f"olderThan must be between 1 and {MAX_REVIEW_DAYS} days, not {days}.",
                            ErrorCode.BAD_USER_INPUT, argument="olderThan")  # fmt: skip
        limit = DEFAULT_STALE if limit is None else limit
        if not 1 <= limit <= MAX_STALE:
            raise api_error(f"limit must be between 1 and {MAX_STALE}, not {limit}.", ErrorCode.BAD_USER_INPUT,
                            argument="limit")  # fmt: skip
        due = await review.overdue(info.context.database, now(info), days, limit)
        return await read_keys(info, Label.RELATIONSHIP, [d.key for d in due])  # type: ignore[no-any-return]

    @root_field(Root(AllOf(Label.TOPIC)), "All topics things can be about.")
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("term", Label.TOPIC, optional=True, many=True)),
        "The topics a term means, as people write it (any case, with or without diacritics, singular or "
        "plural, in any word order, with filler words): 'thanh toán' means both payment terms and the payment "
        "process. Empty when the document does not cover it.",
    )
    async def topics_matching(
        self,
        info: Info[Context, None],
        term: Annotated[
            str, strawberry.argument(description="What to look for, e.g. 'khiếu nại khách hàng' or 'lead'.")
        ],
    ) -> list[Topic]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(Root(AllOf(Label.TOPIC), Page(EVERY)), "All topics, a page at a time, with the total count.")
    async def topics_connection(
        self, info: Info[Context, None], first: FirstArg = 100, after: AfterArg = None
    ) -> Connection[Topic]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(Root(AllOf(Label.PARTY)), "The outside parties that take part, such as customers.")
    async def parties(self, info: Info[Context, None]) -> list[Participant]:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(Named("name", Label.TOPIC, optional=True)),
        "One topic, by key or by any of its names or aliases; null when nothing matches.",
    )
    async def topic(
        self,
        info: Info[Context, None],
        name: Annotated[
            str, strawberry.argument(description="Key or any name or alias, e.g. 'chiết khấu' or 'discounts'.")
        ],
    ) -> Topic | None:
        return await answer(info)  # type: ignore[no-any-return]

    @root_field(
        Root(AllOf(Label.STATEMENT, where=(("section", "section"),))),
        "The document's introduction and conclusion, sentence by sentence.",
    )
    async def statements(
        self,
        info: Info[Context, None],
        section: Annotated[Section | None, strawberry.argument(description="Only this section.")] = None,
    ) -> list[Statement]:
        return await answer(info)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The audit trail, newest first: every change made through the API (editors and admins only)."
    )
    async def changes(
        self,
        info: Info[Context, None],
        since: SinceArg = None,
        target: TargetArg = None,
        limit: Annotated[int | None, strawberry.argument(description="At most this many (1–1000).")] = 50,
    ) -> list[Change]:
        limit = 50 if limit is None else limit
        if not 1 <= limit <= MAX_CHANGES:
            raise api_error(
                f"limit must be between 1 and {MAX_CHANGES}, not {limit}.", ErrorCode.BAD_USER_INPUT, argument="limit"
            )
        page = await audit_trail(info, since, target, limit, None, count=False)
        return [as_change(record) for record in page.records]

    @strawberry.field(
        description="The audit trail, newest first, a page at a time with the total count (editors and admins only)."
    )
    async def changes_connection(
        self,
        info: Info[Context, None],
        since: SinceArg = None,
        target: TargetArg = None,
        first: FirstArg = 100,
        after: AfterArg = None,
    ) -> Connection[Change]:
        first = 100 if first is None else first
        if not 1 <= first <= MAX_CHANGES:
            raise api_error(f"first must be between 1 and {MAX_CHANGES}, not {first}.", ErrorCode.BAD_USER_INPUT,
                            argument="first")  # fmt: skip
        page = await audit_trail(info, since, target, first, after, count=True)
        # Built here, not by the compiler: the connection's fields read these attributes.
        edges = [SimpleNamespace(cursor=c, node=as_change(r)) for c, r in zip(page.cursors, page.records, strict=True)]
        info_ = SimpleNamespace(has_next_page=page.has_next, end_cursor=page.cursors[-1] if page.cursors else None)
        return SimpleNamespace(  # type: ignore[return-value]
            total_count=page.total, page_info=info_, edges=edges, nodes=[e.node for e in edges]
        )

    ask: Answer = strawberry.field(
        resolver=ask,
        description="A question in plain Vietnamese or English (with or without diacritics) answered in one request: "
        "what was understood, the items the answer rests on, a sentence or a few, and the query that gives the same "
        "data. `understood: false` when the question is not understood or the document does not cover it.",
    )

    unanswered_questions: Connection[UnansweredQuestion] = strawberry.field(
        resolver=unanswered_questions,
        description="The questions `ask` declined or answered unsurely, the most asked first (editors and admins "
        "only): what people ask that the document — or the seed files' names and aliases — does not answer yet. "
        "Texts are normalised; no token, name or address is kept, nor who asked. At most 1,000 are kept, none "
        "last asked more than 180 days ago.",
    )

    @strawberry.field(description="Who is signed in: the name and role of the token sent (a token is needed).")
    async def me(self, info: Info[Context, None]) -> Me:
        assert info.context.auth is not None
        token = await info.context.auth.require(Role.VIEWER, "me")
        return Me(name=token.name, role=token.role)

    @strawberry.field(
        description="One thing in the shape its update mutation takes, with its version: what an edit form starts "
        "from (editors and admins only); null when nothing has that key."
    )
    async def record(
        self,
        info: Info[Context, None],
        kind: Annotated[EditableKind, strawberry.argument(description="What kind of thing.")],
        key: Annotated[str, strawberry.argument(description="Its key.")],
    ) -> EditableRecord | None:
        assert info.context.auth is not None
        await info.context.auth.require(Role.EDITOR, "Reading a record to edit")
        found = await entities.current_record(info.context.database, Label(kind.value), key)
        if found is None:
            return None
        version, relationship, item = found
        return EditableRecord(kind=kind, key=key, version=version, relationship=relationship, value=_as_input(item))

    @strawberry.field(
        description="Which deptgraph and which Neo4j answer these questions (in production: to callers with a token)."
    )
    async def about(self, info: Info[Context, None]) -> About:
        await may_read(info)
        if not info.context.development:  # versions tell an attacker what to try; a token holder may know
            assert info.context.auth is not None
            await info.context.auth.require(Role.VIEWER, "Reading the versions in production")
        server = await info.context.database.server_info()
        return About(version=__version__, neo4j_version=server["version"], neo4j_edition=server["edition"])
