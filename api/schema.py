"""The GraphQL schema: the Query root, and the rules every request runs under.

Each root field is answered by one Cypher query (graph.reads) shaped by the selection, so a
request costs one Neo4j round trip per root field. The contract internal tools rely on is
exported to `api/schema.graphql` (`deptgraph schema`), and a test keeps the two in step.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from api.auth import Role
from api.context import Context
from api.errors import KNOWN_CODES, api_error, not_found
from api.limits import max_directives, max_repeats
from api.mutations import Mutation
from api.selection import wanted_by
from api.types import (
    Department,
    Flow,
    Participant,
    Principle,
    Recipient,
    Relationship,
    SearchHit,
    Section,
    Statement,
    Topic,
)
from deptgraph import __version__
from deptgraph.settings import Settings
from graph import reads, writes
from graph.database import CommitOutcomeUnknown, DatabaseUnavailable, QueryTimeout

log = logging.getLogger("deptgraph.api")

MAX_SEARCH_RESULTS = 50
MAX_CHANGES = 1000

NameArg = strawberry.argument(
    description="A department: its key or any name or alias, in Vietnamese or English, with or "
    "without diacritics (e.g. `accounting`, 'Kế toán', 'ke toan', 'CSKH')."
)


async def _answer(info: Info[Context, None], field: str, args: dict[str, Any], missing_is_null: bool = False) -> Any:
    """Run the root field's one query; turn names that matched nothing into NOT_FOUND."""
    await _may_read(info)
    db = info.context.database
    result = await reads.read_root(db, field, args, wanted_by(info))
    if result.missing:
        if missing_is_null and all(use.path.startswith(f"{field}(") for use in result.missing):
            return None  # e.g. department(key:) naming no department; nested names still fail
        use = next(use for use in result.missing if not use.path.startswith(f"{field}(") or not missing_is_null)
        raise not_found(use.label, use.path, use.value, await reads.closest_names(db, use.label, use.value))
    return result.value


async def _may_read(info: Info[Context, None]) -> None:
    if info.context.auth is not None:
        await info.context.auth.may_read()


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


@strawberry.type(description="This deptgraph server and the Neo4j behind it.")
class About:
    version: str = strawberry.field(description="deptgraph's version.")
    neo4j_version: str = strawberry.field(description="The version of the Neo4j server.")
    neo4j_edition: str = strawberry.field(description="Neo4j's edition, e.g. community.")


@strawberry.type(
    description="Questions about how the company's departments work together. Every text field "
    "takes `lang: VI | EN` (default: the request's Accept-Language, else Vietnamese)."
)
class Query:
    @strawberry.field(description="All departments, in the document's order.")
    async def departments(self, info: Info[Context, None]) -> list[Department]:
        return [Department(data=d) for d in await _answer(info, "departments", {})]

    @strawberry.field(description="One department, by key or by any of its names; null when nothing matches.")
    async def department(self, info: Info[Context, None], key: Annotated[str, NameArg]) -> Department | None:
        found = await _answer(info, "department", {"key": key}, missing_is_null=True)
        return None if found is None else Department(data=found)

    @strawberry.field(
        description="How two departments work together (in either order); null when they have no "
        "relationship. An unknown department is a NOT_FOUND error with suggestions."
    )
    async def relationship(
        self,
        info: Info[Context, None],
        between: Annotated[str, NameArg],
        and_: Annotated[str, strawberry.argument(name="and", description="The other department (key or any name).")],
    ) -> Relationship | None:
        found = await _answer(info, "relationship", {"between": between, "and": and_})
        return None if found is None else Relationship(data=found)

    @strawberry.field(
        description="What flows INTO a department (`of`): what it needs or gets — from one "
        'department (`from`) or from all. E.g. needs(of: "sales", from: "Kế toán").'
    )
    async def needs(
        self,
        info: Info[Context, None],
        of: Annotated[str, NameArg],
        from_: Annotated[
            str | None,
            strawberry.argument(name="from", description="Only from this department (key or any name)."),
        ] = None,
    ) -> list[Flow]:
        return [Flow(data=d) for d in await _answer(info, "needs", {"of": of, "from": from_})]

    @strawberry.field(
        description="What flows OUT of a department (`of`): what it contributes or provides — to "
        "one department (`to`) or to all."
    )
    async def contributions(
        self,
        info: Info[Context, None],
        of: Annotated[str, NameArg],
        to: Annotated[str | None, strawberry.argument(description="Only to this department (key or any name).")] = None,
    ) -> list[Flow]:
        return [Flow(data=d) for d in await _answer(info, "contributions", {"of": of, "to": to})]

    @strawberry.field(
        description="Who gets things about a topic (e.g. 'khiếu nại', 'complaints', 'pricing'): "
        "the department that handles it first, then those informed, then those who cooperate on it."
    )
    async def recipients(
        self,
        info: Info[Context, None],
        topic: Annotated[
            str,
            strawberry.argument(description="A topic: its key or any name or alias, in Vietnamese or English."),
        ],
    ) -> list[Recipient]:
        return [Recipient(data=d) for d in await _answer(info, "recipients", {"topic": topic})]

    @strawberry.field(
        description="Full-text search over every name and text, in both languages, with or "
        "without diacritics ('ke toan' finds 'Kế toán'). Best matches first."
    )
    async def search(
        self,
        info: Info[Context, None],
        text: Annotated[str, strawberry.argument(description="Words to look for; any text is accepted.")],
        limit: Annotated[int | None, strawberry.argument(description="At most this many hits (1–50).")] = 10,
    ) -> list[SearchHit]:
        await _may_read(info)
        limit = 10 if limit is None else limit
        if not 1 <= limit <= MAX_SEARCH_RESULTS:
            raise api_error(
                f"limit must be between 1 and {MAX_SEARCH_RESULTS}, not {limit}.", "BAD_USER_INPUT",
                argument="limit",
            )  # fmt: skip
        return [SearchHit(data=d) for d in await reads.search(info.context.database, text, limit)]

    @strawberry.field(description="The principles that make cooperation between departments work.")
    async def principles(self, info: Info[Context, None]) -> list[Principle]:
        return [Principle(data=d) for d in await _answer(info, "principles", {})]

    @strawberry.field(description="All topics things can be about.")
    async def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic(data=d) for d in await _answer(info, "topics", {})]

    @strawberry.field(description="The outside parties that take part, such as customers.")
    async def parties(self, info: Info[Context, None]) -> list[Participant]:
        return [Participant(data=d) for d in await _answer(info, "parties", {})]

    @strawberry.field(description="One topic, by key or by any of its names or aliases; null when nothing matches.")
    async def topic(
        self,
        info: Info[Context, None],
        name: Annotated[
            str,
            strawberry.argument(description="Key or any name or alias, e.g. 'chiết khấu' or 'discounts'."),
        ],
    ) -> Topic | None:
        found = await _answer(info, "topic", {"name": name}, missing_is_null=True)
        return None if found is None else Topic(data=found)

    @strawberry.field(description="The document's introduction and conclusion, sentence by sentence.")
    async def statements(
        self,
        info: Info[Context, None],
        section: Annotated[Section | None, strawberry.argument(description="Only this section.")] = None,
    ) -> list[Statement]:
        args = {"section": section.value if section else None}
        return [Statement(data=d) for d in await _answer(info, "statements", args)]

    @strawberry.field(
        description="The audit trail, newest first: every change made through the API (editors and admins only)."
    )
    async def changes(
        self,
        info: Info[Context, None],
        since: Annotated[
            datetime | None, strawberry.argument(description="Only changes at or after this time.")
        ] = None,
        target: Annotated[
            str | None, strawberry.argument(description="Only changes to the node with this key.")
        ] = None,
        limit: Annotated[int | None, strawberry.argument(description="At most this many (1–1000).")] = 50,
    ) -> list[Change]:
        assert info.context.auth is not None
        await info.context.auth.require(Role.EDITOR, "Reading the audit trail")
        limit = 50 if limit is None else limit
        if not 1 <= limit <= MAX_CHANGES:
            raise api_error(
                f"limit must be between 1 and {MAX_CHANGES}, not {limit}.", "BAD_USER_INPUT", argument="limit"
            )
        after = None
        if since is not None:
            moment = since if since.tzinfo else since.replace(tzinfo=UTC)
            after = moment.astimezone(UTC).isoformat(timespec="microseconds")
        found = await writes.changes(info.context.database, after, target, limit)
        return [
            Change(
                id=c.id,
                at=c.at,
                actor=c.actor,
                operation=c.operation,
                label=c.label,
                key=c.key,
                before=c.before,  # type: ignore[arg-type]  # any JSON value
                after=c.after,  # type: ignore[arg-type]
            )
            for c in found
        ]

    @strawberry.field(description="Which deptgraph and which Neo4j answer these questions.")
    async def about(self, info: Info[Context, None]) -> About:
        await _may_read(info)
        server = await info.context.database.server_info()
        return About(version=__version__, neo4j_version=server["version"], neo4j_edition=server["edition"])


class _OutageLog:
    """While Neo4j is away every request fails alike: log the first, then one summary line per
    interval rather than hundreds of identical lines a second."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self.last = 0.0
        self.suppressed = 0

    def note(self, request_id: str | None, error: Exception) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            more = f" ({self.suppressed} more since the last report)" if self.suppressed else ""
            log.warning("request %s: Neo4j unavailable: %s%s", request_id, error, more)
            self.last, self.suppressed = now, 0
        else:
            self.suppressed += 1


_outages = _OutageLog()


class ErrorPolicy(SchemaExtension):
    """Every error leaves with a code and the request id; unexpected ones are masked and logged."""

    def on_operation(self) -> Iterator[None]:
        yield
        request = getattr(self.execution_context.context, "request", None)
        if request is not None:
            request.state.operation = self.execution_context.operation_name
        result = self.execution_context.result
        if result is None or not getattr(result, "errors", None):
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        result.errors = [self._policy(error, request_id) for error in result.errors or []]
        request = getattr(context, "request", None)
        if request is not None:  # for the access log and the metrics
            request.state.error_codes = [str((e.extensions or {}).get("code")) for e in result.errors]

    def _policy(self, error: GraphQLError, request_id: str | None) -> GraphQLError:
        original = error.original_error
        extensions = dict(error.extensions or {})
        if isinstance(original, CommitOutcomeUnknown):
            log.warning("request %s: %s", request_id, original)
            message, extensions = (
                "Neo4j went away while committing this change: it may or may not have been saved. "
                "Check `changes` (or the data) before you try again.",
                {"code": "SERVICE_UNAVAILABLE", "outcome": "UNKNOWN"},
            )
        elif isinstance(original, DatabaseUnavailable):
            _outages.note(request_id, original)
            message, extensions = (
                "Neo4j is unavailable right now; try again shortly.",
                {"code": "SERVICE_UNAVAILABLE"},
            )
        elif isinstance(original, QueryTimeout):
            message, extensions = "The request took too long and was stopped.", {"code": "TIMEOUT"}
        elif extensions.get("code") in KNOWN_CODES:
            message = error.message  # one of ours
        elif error.path is None and (isinstance(original, GraphQLError) or "invalid value" in error.message):
            # Variables that do not fit their types: the client's input is at fault.
            message, extensions = error.message, {"code": "BAD_USER_INPUT", **_input_field(error.message)}
        elif original is None or extensions.get("code") in KNOWN_CODES:
            message = error.message  # a validation error, or one of ours
            extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT")
        else:
            log.error("request %s: unexpected error in %s", request_id, error.path, exc_info=original)
            message, extensions = "Internal server error.", {"code": "INTERNAL_SERVER_ERROR"}
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**extensions, "requestId": request_id},
        )


def _input_field(message: str) -> dict[str, str]:
    """The input field a variable-coercion message points at, e.g. `input.text.en`."""
    variable = re.search(r"Variable '\$(\w+)'", message)
    if variable is None:
        return {}
    at = re.search(r"invalid value at ([^\s:]+)", message)
    missing = re.search(r"required field '(\w+)'", message)
    where = variable.group(1) + (at.group(1) if at else "") + (f".{missing.group(1)}" if missing else "")
    return {"field": where}


class DeptgraphSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """ErrorPolicy has logged what deserves it; don't log every client mistake again."""


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the request limits of `settings`."""
    # The limiters' validation rules are built once, so that validation results can be cached
    # per query text (the cache key includes the rules).
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        max_directives(settings.max_directives),
        max_repeats(settings.max_repeated_fields),
    ]
    extensions: list[Any] = [
        ErrorPolicy,
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    return DeptgraphSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not settings.development),
    )


def sdl(settings: Settings | None = None) -> str:
    """The schema in SDL, as checked in at api/schema.graphql."""
    return build_schema(settings or Settings()).as_str() + "\n"
