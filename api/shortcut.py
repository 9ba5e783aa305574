"""Known operations answered without the field-by-field executor.

Every read field is answered by the compiler, whose Cypher returns the root field's answer in the
response's own shape (`graph.compiler`): once a document is parsed and validated, there is nothing
left for graphql-core to do field by field but copy the values. So a query operation whose root
fields are all compiled is prepared once per document (parsed with the token limit, validated
with exactly the rules the schema runs, its variables' definitions kept) and then answered by
coercing the variables, reading the selections (cached per variables and language) and running
the root fields' queries side by side — the idea behind graphql-jit, without generated code.

Anything else — a mutation, `ask`, `changes`, `about`, introspection, a document that does not
parse or validate, variables that do not coerce, a token that does not check out — goes the
whole way through Strawberry, which reports what is wrong in its usual words. Errors while
reading are the same envelopes the schema's `ErrorPolicy` gives (`api.errors.classify`).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    is_list_type,
    is_non_null_type,
    located_error,
    parse,
)
from graphql.execution.values import get_variable_values
from strawberry.schema.schema import validate_document

from api.context import Context
from api.errors import _plain, classify
from api.fields import mapping_of
from api.selection import SelectionReader
from graph import reads
from graph.compiler import Select
from graph.database import request_deadline
from graph.mapping import Root

_SERIALS = itertools.count()
MAX_PREPARED = 512
MAX_PREPARED_BYTES = 8 << 20  # of document text kept with the parsed documents
MAX_SELECTIONS = 2048


@dataclass(frozen=True)
class Prepared:
    """A document that parsed and validated, with what is known of its operation."""

    document: DocumentNode
    operation: OperationDefinitionNode
    name: str | None
    kind: OperationType
    roots: frozenset[str]  # the root fields it may ask for
    compiled: bool  # a query whose root fields are all answered by the compiler
    fragments: dict[str, FragmentDefinitionNode]
    serial: int  # tells apart documents prepared at different times


@dataclass(frozen=True)
class Selected:
    """A root field of a prepared operation, read for some variables and a language."""

    key: str
    root: Root
    select: Select
    type: GraphQLOutputType
    check: Callable[[Any], bool]


def checker(graphql_type: GraphQLOutputType, select: Select) -> Callable[[Any], bool]:
    """Whether a compiled answer holds what `graphql_type` can represent — nulls only where the
    type allows them, lists, objects with every selected key, scalars and enum values of their
    kind. What does not pass goes through the executor, which reports it as it should."""
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


def _root_names(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]) -> set[str]:
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            names |= _root_names(fragments[selection.name.value].selection_set, fragments)
        elif isinstance(selection, InlineFragmentNode):
            names |= _root_names(selection.selection_set, fragments)
    return names


class Shortcut:
    """Prepared documents, and the compiled answers of known query operations."""

    def __init__(self, schema: GraphQLSchema, rules: tuple[Any, ...], max_tokens: int, development: bool) -> None:
        self.schema = schema
        self.rules = rules
        self.max_tokens = max_tokens
        self.development = development
        query_type = schema.query_type
        assert query_type is not None
        self.query_type: GraphQLObjectType = query_type
        self.compiled_roots = frozenset(
            name for name, field in query_type.fields.items() if isinstance(mapping_of(field), Root)
        )
        self._prepared: OrderedDict[tuple[str, str | None], Prepared | None] = OrderedDict()
        self._prepared_bytes = 0
        self._selections: OrderedDict[tuple[int, bytes, str], list[Selected]] = OrderedDict()

    # --- preparing ------------------------------------------------------------------------------

    def prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        """The document, parsed and validated once; None when it does not parse or validate (the
        whole way reports why)."""
        key = (query, operation_name)
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        prepared = self._prepare(query, operation_name)
        self._prepared[key] = prepared
        self._prepared_bytes += len(query)
        while len(self._prepared) > MAX_PREPARED or self._prepared_bytes > MAX_PREPARED_BYTES:
            self._prepared_bytes -= len(self._prepared.popitem(last=False)[0][0])
        return prepared

    def _prepare(self, query: str, operation_name: str | None) -> Prepared | None:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        if validate_document(self.schema, document, self.rules):
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return None
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        roots = frozenset(_root_names(operation.selection_set, fragments))
        compiled = operation.operation is OperationType.QUERY and bool(roots) and roots <= self.compiled_roots
        name = operation.name.value if operation.name else None
        return Prepared(document, operation, name, operation.operation, roots, compiled, fragments, next(_SERIALS))

    # --- answering ------------------------------------------------------------------------------

    def _selections_of(self, prepared: Prepared, variables: dict[str, Any], lang: str) -> list[Selected] | None:
        """The root fields' selections for these variables, read once per variables and language;
        None when the variables do not coerce."""
        key = (prepared.serial, orjson.dumps(variables, option=orjson.OPT_SORT_KEYS), lang)
        found = self._selections.get(key)
        if found is not None:
            self._selections.move_to_end(key)
            return found
        coerced = get_variable_values(self.schema, prepared.operation.variable_definitions or [], variables)
        if isinstance(coerced, list):
            return None  # the whole way says which variable is wrong
        reader = SelectionReader(prepared.fragments, coerced, lang)
        fields: dict[str, list[FieldNode]] = {}
        reader._collect([prepared.operation.selection_set], fields)
        found = []
        for key_name, nodes in fields.items():
            root, select = reader.root(self.query_type, nodes)
            field = self.query_type.fields[nodes[0].name.value]
            found.append(Selected(key_name, root, select, field.type, checker(field.type, select)))
        self._selections[key] = found
        if len(self._selections) > MAX_SELECTIONS:
            self._selections.popitem(last=False)
        return found

    async def answer(self, prepared: Prepared, variables: dict[str, Any], context: Context) -> dict[str, Any] | None:
        """The response of a compiled query operation; None to go the whole way instead."""
        if not prepared.compiled:
            return None
        selections = self._selections_of(prepared, variables, context.lang.value)
        if selections is None:
            return None
        if context.auth is not None and (context.auth.header is not None or context.auth.reads_need_token):
            try:
                await context.auth.may_read()
            except GraphQLError:
                return None  # the whole way gives each root field its error
        if context.record is not None:
            context.record.operation = prepared.name
        reading = context.reading
        db = context.database
        await reading.stats.fresh(db, reading.stats_max_age)
        deadline = request_deadline()
        results = await reads.read_all(
            db, [(s.root, s.select) for s in selections], limits=reading.limits, stats=reading.stats,
            max_cost=reading.max_cost, deadline=deadline,
        )  # fmt: skip
        data: dict[str, Any] | None = {}
        errors: list[GraphQLError] = []
        for selected, result in zip(selections, results, strict=True):
            key = selected.key
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                error = classify(located_error(result, _field_nodes(prepared, key), [key]), context.request_id,
                                 context.outages)  # fmt: skip
                errors.append(error if self.development else _plain(error))
                if data is not None:
                    data[key] = None
                    if is_non_null_type(selected.type):
                        data = None
            elif not selected.check(result):
                return None  # a value the schema cannot represent: the executor reports it as it should
            elif data is not None:
                data[key] = result
        response: dict[str, Any] = {"data": data}
        if errors:
            response["errors"] = [error.formatted for error in errors]
        return response


def _field_nodes(prepared: Prepared, key: str) -> list[FieldNode]:
    found: list[FieldNode] = []

    def walk(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if (selection.alias.value if selection.alias else selection.name.value) == key:
                    found.append(selection)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in prepared.fragments:
                walk(prepared.fragments[selection.name.value].selection_set)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)

    walk(prepared.operation.selection_set)
    return found
