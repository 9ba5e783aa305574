"""How an operation is executed: graphql-core's executor, with the declared root fields of a query
read ahead, together, in one Neo4j round trip.

Every read field declares what it reads from the graph (`api.fields`), and the whole selection
under a root field compiles into one Cypher query whose answer already has the response's shape
(`graph.compiler`). So for a query operation the executor first reads every declared root field at
once — one transaction, one round trip (`graph.reads.read_all`), the request's cost counted once —
and then:

* when every root field was declared and every answer is one the schema can represent as it is
  (nulls only where the type allows them, values of their kind), those answers *are* the data:
  nothing is left to do field by field;
* otherwise graphql-core executes the operation as it always does, and each declared root field's
  resolver hands over what was read for it, or raises the error it got: errors, null-bubbling and
  paths are graphql-core's own.

Mutations, subscriptions and root fields without a declaration (`ask`, `me`, `changes`, …) are
graphql-core's throughout. The same schema with graphql-core's plain executor gives the same data
and errors (tests/test_execution.py compares them on generated queries).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationType,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.context import Context
from api.fields import mapping_of
from api.selection import SelectionReader
from graph import reads
from graph.compiled import Select
from graph.mapping import Root
from graph.request_scope import request_deadline

MAX_PLANS = 2048
MAX_PLAN_BYTES = 8 << 20  # of document text the plans are keyed by


@dataclass(frozen=True)
class Planned:
    """A declared root field of an operation, read for some variables and a language."""

    key: str
    root: Root
    select: Select
    check: Callable[[Any], bool]


class CompiledExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (Strawberry's flavour), reading a query's declared root fields ahead."""

    # The root fields' selections, read once per document, operation, variables and language: one
    # store per schema (`for_schema`), as graphql-core makes an executor per operation.
    plans: OrderedDict[tuple[str, str, bytes, str], list[Planned]]
    plan_bytes: list[int]  # one number: the text the plans' keys hold

    @classmethod
    def for_schema(cls) -> type[CompiledExecution]:
        """The executor class of one schema, with a plan store of its own."""
        return type("CompiledExecution", (cls,), {"plans": OrderedDict(), "plan_bytes": [0]})

    def execute_root_grouped_field_set(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: Any,
        serially: bool,
        position_context: Any,
    ) -> Any:
        context = self.context_value
        if (
            self.operation.operation is not OperationType.QUERY
            or position_context is not None
            or not isinstance(context, Context)
        ):
            return super().execute_root_grouped_field_set(
                root_type, root_value, grouped_field_set, serially, position_context
            )
        declared = {
            key: [details.node for details in details_list]
            for key, details_list in grouped_field_set.items()
            if _declared(root_type, details_list[0].node)
        }
        if not declared:
            return super().execute_root_grouped_field_set(
                root_type, root_value, grouped_field_set, serially, position_context
            )
        return self._read_ahead(root_type, root_value, grouped_field_set, declared, context)

    async def _read_ahead(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: Any,
        declared: dict[str, list[FieldNode]],
        context: Context,
    ) -> Any:
        planned = self._plan(root_type, declared, context.lang.value)
        if not planned:
            data = super().execute_root_grouped_field_set(root_type, root_value, grouped_field_set, False, None)
            return await data if self.is_awaitable(data) else data
        answers: list[Any]
        try:
            if context.auth is not None:
                await context.auth.may_read()
        except GraphQLError as error:  # each root field gets it, where graphql-core puts it
            answers = [error] * len(planned)
        else:
            reading, db = context.reading, context.database
            await reading.stats.fresh(db, reading.stats_max_age)
            answers = await reads.read_all(
                db, [(p.root, p.select) for p in planned], limits=reading.limits, stats=reading.stats,
                max_cost=reading.max_cost, deadline=request_deadline(),
            )  # fmt: skip
        for answer in answers:
            if isinstance(answer, BaseException) and not isinstance(answer, Exception):
                raise answer  # cancelled, interrupted: not a field's error
        if len(planned) == len(grouped_field_set) and all(
            not isinstance(answer, BaseException) and p.check(answer)
            for p, answer in zip(planned, answers, strict=True)
        ):
            return {p.key: answer for p, answer in zip(planned, answers, strict=True)}
        context.read_ahead = {p.key: answer for p, answer in zip(planned, answers, strict=True)}
        data = super().execute_root_grouped_field_set(root_type, root_value, grouped_field_set, False, None)
        return await data if self.is_awaitable(data) else data

    def _plan(self, root_type: GraphQLObjectType, declared: dict[str, list[FieldNode]], lang: str) -> list[Planned]:
        """What each declared root field selects, with a check of its answers (cached: a document's
        selections are the same for the same variables and language)."""
        location = self.operation.loc
        key = None
        if location is not None:
            variables = orjson.dumps(self.variable_values.coerced, option=orjson.OPT_SORT_KEYS, default=repr)
            name = self.operation.name.value if self.operation.name else ""
            key = (location.source.body, name, variables, lang)
            found = self.plans.get(key)
            if found is not None:
                self.plans.move_to_end(key)
                return found
        reader = SelectionReader(self.fragment_definitions, self.variable_values, lang)
        planned = []
        for response_key, nodes in declared.items():
            try:
                root, select = reader.root(root_type, nodes)
            except GraphQLError:
                continue  # an argument graphql-core refuses: its resolver gets the error where it belongs
            field = root_type.fields[nodes[0].name.value]
            planned.append(Planned(response_key, root, select, checker(field.type, select)))
        if key is not None and len(key[0]) <= MAX_PLAN_BYTES // 64:
            self.plans[key] = planned
            self.plan_bytes[0] += len(key[0])
            while len(self.plans) > MAX_PLANS or self.plan_bytes[0] > MAX_PLAN_BYTES:
                self.plan_bytes[0] -= len(self.plans.popitem(last=False)[0][0])
        return planned


def _declared(root_type: GraphQLObjectType, node: FieldNode) -> bool:
    field = root_type.fields.get(node.name.value)
    return field is not None and isinstance(mapping_of(field), Root)


def checker(graphql_type: GraphQLOutputType, select: Select) -> Callable[[Any], bool]:
    """Whether a compiled answer is one `graphql_type` represents as it is — nulls only where the
    type allows them, lists, objects with every selected key, scalars and enum values of their
    kind. What does not pass goes the whole way through graphql-core, which says what is wrong."""
    nullable = not is_non_null_type(graphql_type)
    inner = graphql_type.of_type if not nullable else graphql_type  # type: ignore[union-attr]
    if is_list_type(inner):
        item = checker(inner.of_type, select)

        def check_list(value: Any) -> bool:
            if value is None:
                return nullable
            return isinstance(value, list) and all(item(v) for v in value)

        return check_list
    named = get_named_type(inner)
    if isinstance(named, GraphQLObjectType):
        children = [(child.key, _is_typename if child.path.endswith("__typename")
                     else checker(named.fields[child.path.rsplit(".", 1)[-1]].type, child))
                    for child in select.children]  # fmt: skip

        def check_object(value: Any) -> bool:
            if value is None:
                return nullable
            return type(value) is dict and all(key in value and check(value[key]) for key, check in children)

        return check_object
    if isinstance(named, GraphQLEnumType):
        allowed = frozenset(named.values)
        return lambda value: (value is None and nullable) or (type(value) is str and value in allowed)
    if named.name == "Int":  # 32 bits, as GraphQL says
        return lambda value: (value is None and nullable) or (type(value) is int and -(2**31) <= value < 2**31)
    kinds = _SCALARS.get(named.name)
    if kinds is None:
        return lambda value: False  # a scalar of our own: let it be serialized as it says
    return lambda value: (value is None and nullable) or type(value) in kinds


def _is_typename(value: Any) -> bool:
    return type(value) is str


_SCALARS: dict[str, tuple[type, ...]] = {"String": (str,), "ID": (str,), "Float": (float, int),
                                         "Boolean": (bool,)}  # fmt: skip
