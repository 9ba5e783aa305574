"""The GraphQL schema: the roots (`api.query`, `api.mutations`, `api.subscription`) and the rules
every request runs under.

`build_schema` adds the request limits (depth, aliases, directives, repeated fields, tokens), the
error policy, the document cache and the executor that reads declared root fields ahead
(`api.execution`), and refuses a field that does not declare what it reads. The contract internal
tools rely on is exported to `api/schema.graphql` (`deptgraph schema`), and a test keeps the two
in step.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, is_object_type
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.config import StrawberryConfig

from api.documents import Documents
from api.errors import ErrorPolicy
from api.execution import CompiledExecution
from api.fields import mapping_of, pick_directly
from api.limits import max_directives, max_repeats
from api.mutations import Mutation
from api.query import Query
from api.selection import UnmappedField, unmapped_fields, unread_arguments
from api.subscription import Subscription
from deptgraph.settings import Settings, settings_from_environment
from graph.mapping import Derived, Page, Related, Root


class DeptgraphSchema(strawberry.Schema):
    max_tokens: int = 0
    documents: Documents
    declared_roots: frozenset[str] = frozenset()

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """ErrorPolicy has logged what deserves it; don't log every client mistake again."""


def build_schema(settings: Settings, *, read_ahead: bool = True) -> DeptgraphSchema:
    """The schema with the request limits of `settings`. Its executor reads a query's declared
    root fields ahead in one round trip (api.execution); `read_ahead=False` leaves graphql-core's
    plain executor, which gives the same answers field by field (the tests compare the two)."""
    # The limiters' validation rules are built once, so that validation results can be cached
    # per query text (api.documents).
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        max_directives(settings.max_directives),
        max_repeats(settings.max_repeated_fields),
    ]
    documents = Documents(settings.max_tokens)
    extensions: list[Any] = [
        ErrorPolicy,
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        documents.extension(),
    ]
    if not settings.introspection_enabled:
        extensions.append(DisableIntrospection)
    schema = DeptgraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not settings.development),
        execution_context_class=CompiledExecution.for_schema() if read_ahead else None,
    )
    query_type = schema._schema.query_type
    assert query_type is not None
    missing = unmapped_fields(schema._schema, query_type)
    if missing:
        raise UnmappedField(f"these fields do not declare what they read from the graph: {', '.join(missing)}")
    unread = unread_arguments(schema._schema)
    if unread:
        raise UnmappedField(f"arguments and declarations disagree: {'; '.join(unread)}")
    pick_directly(schema._schema)
    schema.max_tokens = settings.max_tokens
    schema.documents = documents
    schema.declared_roots = frozenset(
        name for name, field in query_type.fields.items() if isinstance(mapping_of(field), Root)
    )
    return schema


def measured_relations() -> list[Related]:
    """Every relation the read types declare, whose largest fan-out the cost estimate needs."""
    schema = strawberry.Schema(query=Query)._schema
    found: list[Related] = []
    for graphql_type in schema.type_map.values():
        for field in getattr(graphql_type, "fields", {}).values() if is_object_type(graphql_type) else ():
            mapping = mapping_of(field)
            relation = mapping.of if isinstance(mapping, Page) else mapping
            relation = relation.bound if isinstance(relation, Derived) else relation
            if isinstance(relation, Related) and relation.via and not relation.single:
                found.append(relation)
    return list(dict.fromkeys(found))


def sdl(settings: Settings | None = None) -> str:
    """The schema in SDL, as checked in at api/schema.graphql."""
    return build_schema(settings or settings_from_environment()).as_str() + "\n"
