"""One executor (issue 24): reading a query's declared root fields ahead, in one round trip, gives
exactly what graphql-core's plain execution gives, field by field — data and errors alike; and
every error of a valid query carries a documented code and the request id, and leaks nothing.

The documents are generated from the schema (hypothesis-graphql), then given variables (an
argument's literal moved into a variable of its type) and fragments (a selection moved into a
named fragment, or an inline one): half of `--fuzz-examples` distinct queries — 200 in the suite,
2,500 in `make fuzz`. (Each new query shape costs Neo4j a fresh plan, up to a second or two, which
is what bounds the number here.) Each runs through two schemas on the same graph — one with deptgraph's
executor, one with graphql-core's own — with the same context, and the two results must be equal
(request ids aside; errors in path order).
"""

from __future__ import annotations

import random
from typing import Any

import graphql
import pytest
from graphql import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_named_type,
    is_list_type,
    is_non_null_type,
    print_ast,
    value_from_ast_untyped,
    visit,
)
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.auth import Auth
from api.context import Context, Lang, Reading
from api.schema import build_schema, measured_relations
from deptgraph.settings import Settings
from graph.compiled import Limits
from graph.cost import GraphStats
from graph.database import Database
from graph.request_scope import request_scope
from graph.version import VersionWatch

from .test_fuzz import DOCUMENTED, LEAKS, SCALARS, SCHEMA

VARIANTS = 3  # queries made of each generated document


def type_node(graphql_type: Any) -> Any:
    if is_non_null_type(graphql_type):
        return NonNullTypeNode(type=type_node(graphql_type.of_type))
    if is_list_type(graphql_type):
        return ListTypeNode(type=type_node(graphql_type.of_type))
    return NamedTypeNode(name=NameNode(value=graphql_type.name))


def varied(document: graphql.DocumentNode, schema: GraphQLSchema, rnd: random.Random) -> tuple[str, dict[str, Any]]:
    """The document with some arguments as variables and some selections as fragments."""
    info = TypeInfo(schema)
    variables: dict[str, Any] = {}
    definitions: list[VariableDefinitionNode] = []
    fragments: list[FragmentDefinitionNode] = []

    class Vary(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
            argument = info.get_argument()
            if argument is None or rnd.random() < 0.4:
                return None
            name = f"v{len(definitions)}"
            definitions.append(
                VariableDefinitionNode(variable=VariableNode(name=NameNode(value=name)), type=type_node(argument.type))
            )
            variables[name] = value_from_ast_untyped(node.value)
            return ArgumentNode(name=node.name, value=VariableNode(name=NameNode(value=name)))

        def leave_field(self, node: FieldNode, *_: Any) -> Any:
            output = info.get_type()
            if node.selection_set is None or output is None or rnd.random() < 0.6:
                return None
            condition = NamedTypeNode(name=NameNode(value=get_named_type(output).name))
            if rnd.random() < 0.5:
                spread: Any = InlineFragmentNode(type_condition=condition, selection_set=node.selection_set)
            else:
                name = f"F{len(fragments)}"
                fragments.append(FragmentDefinitionNode(name=NameNode(value=name), type_condition=condition,
                                                        selection_set=node.selection_set))  # fmt: skip
                spread = FragmentSpreadNode(name=NameNode(value=name))
            return FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=node.directives,
                             selection_set=SelectionSetNode(selections=(spread,)))  # fmt: skip

    changed = visit(document, TypeInfoVisitor(info, Vary()))
    operation = changed.definitions[0]
    operation = type(operation)(
        operation=operation.operation, name=operation.name, directives=operation.directives,
        variable_definitions=tuple(definitions), selection_set=operation.selection_set,
    )  # fmt: skip
    return print_ast(graphql.DocumentNode(definitions=(operation, *fragments))), variables


def comparable(result: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The result without request ids, its errors in path order — after checking that every error
    has a documented code and the request id, and leaks nothing of the server's internals."""
    errors = []
    for error in result.errors or []:
        code = (error.extensions or {}).get("code")
        assert code in DOCUMENTED and (error.extensions or {}).get("requestId") == "same", error.formatted
        assert not any(leak in error.message for leak in LEAKS), error.message
        formatted = dict(error.formatted)
        formatted["extensions"] = {k: v for k, v in (formatted.get("extensions") or {}).items() if k != "requestId"}
        errors.append(formatted)
    return result.data, sorted(errors, key=lambda e: (str(e.get("path")), e["message"]))


def without_propagation(schema: Any, settings: Settings) -> Any:
    """The schema with an executor that does not null a field's parents for its error (the
    experimental `@experimental_disableErrorPropagation` behaviour): every root field's own
    outcome stays in the answer. With propagation, when a non-null root field's error nulls the
    whole answer, graphql-core stops waiting for the other root fields, and which of their errors
    it still reports depends on timing."""
    base = schema.execution_context_class

    class Kept(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.error_propagation = False

    copy = build_schema(settings, read_ahead=base is not StrawberryGraphQLCoreExecutionContext)
    copy.execution_context_class = Kept
    return copy


@pytest.fixture(scope="module")
def documents(request: pytest.FixtureRequest, settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    schema = build_schema(settings)._schema
    made: dict[str, dict[str, Any]] = {}
    wanted = request.config.getoption("--fuzz-examples") // 2

    @settings_for(wanted)
    @seed(20261204)
    @given(document=queries(SCHEMA, custom_scalars=SCALARS, print_ast=lambda d: d), rnd=st.randoms())
    def collect(document: graphql.DocumentNode, rnd: random.Random) -> None:
        for _ in range(VARIANTS):  # each with other variables and fragments
            query, variables = varied(document, schema, rnd)
            made.setdefault(query, variables)

    collect()
    return list(made.items())[:wanted]


def settings_for(count: int) -> Any:
    return settings(max_examples=count, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


async def test_the_executor_answers_generated_queries_as_graphql_core_does(
    settings: Settings, seeded: Database, documents: list[tuple[str, dict[str, Any]]], request: pytest.FixtureRequest
) -> None:
    ahead, plain = build_schema(settings), build_schema(settings, read_ahead=False)
    whole = [(ahead, plain), (without_propagation(ahead, settings), without_propagation(plain, settings))]
    stats = GraphStats(measured_relations())
    await stats.measure(seeded)
    reading = Reading(Limits(), stats, max_cost=settings.max_cost)
    versions = VersionWatch(seeded)

    async def run(schema: Any, query: str, variables: dict[str, Any], lang: Lang) -> Any:
        context = Context(request=None, response=None, database=seeded, request_id="same", reading=reading,  # type: ignore[arg-type]
                          lang=lang, auth=Auth(None, seeded), development=True, versions=versions)  # fmt: skip
        with request_scope(30):
            return await schema.execute(query, variable_values=variables, context_value=context)

    kinds = {"data": 0, "errors": 0, "variables": 0, "fragments": 0}  # what the documents exercised
    for number, (query, variables) in enumerate(documents):
        lang = Lang.EN if number % 2 else Lang.VI
        a, b = await run(ahead, query, variables, lang), await run(plain, query, variables, lang)  # as clients get it
        if a.data is None and b.data is None:  # nulled by a non-null root's error: compare every root's own outcome
            one, other = whole[1]
            a, b = await run(one, query, variables, lang), await run(other, query, variables, lang)
        assert comparable(a) == comparable(b), (query, variables)
        kinds["data"] += a.data is not None
        kinds["errors"] += bool(a.errors)
        kinds["variables"] += bool(variables)
        kinds["fragments"] += "fragment " in query or "... on " in query
    assert len(documents) == request.config.getoption("--fuzz-examples") // 2
    assert min(kinds.values()) >= len(documents) // 10, kinds


async def test_a_query_whose_roots_are_all_declared_is_read_in_one_round_trip(
    settings: Settings, seeded: Database
) -> None:
    stats = GraphStats(measured_relations())
    await stats.measure(seeded)
    reading = Reading(Limits(), stats, max_cost=settings.max_cost)
    query = '{ principles { key } a: department(key: "sales") { key needs { key } } topics { key } }'
    for schema, trips in ((build_schema(settings), 1), (build_schema(settings, read_ahead=False), 3)):
        context = Context(request=None, response=None, database=seeded, request_id="trips", reading=reading,  # type: ignore[arg-type]
                          lang=Lang.EN, auth=Auth(None, seeded))  # fmt: skip
        with request_scope(30) as request:
            result = await schema.execute(query, context_value=context)
        assert not result.errors and result.data["principles"] and result.data["a"]["needs"]
        assert request.round_trips == trips
