"""What a request selected under a root field, as the tree of `Select`s `graph.compiler` compiles.

Read straight from the GraphQL document (fragments flattened, `@skip` / `@include` applied,
fields that share a response key merged, variables and defaults applied), with each field's
graph mapping taken from the field itself (`api.fields.graph_field`). A field without a mapping
is a bug in the schema, reported as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values
from strawberry.types import Info

from api.fields import mapping_of
from graph.compiled import Select
from graph.mapping import Computed, Const, Root, Text, Texts, arguments_read

_TEXTS = (Text, Texts, Computed)


class UnmappedField(TypeError):
    """A field of a read type that does not say what it reads from the graph."""


class SelectionReader:
    def __init__(
        self, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any] | VariableValues, lang: str
    ) -> None:
        self.fragments = fragments
        # The executor hands resolvers the coerced values; argument coercion wants them wrapped.
        self.variables = variables if isinstance(variables, VariableValues) else VariableValues({}, dict(variables))
        self.lang = lang

    def root(self, parent: GraphQLObjectType, nodes: list[FieldNode]) -> tuple[Root, Select]:
        select = self._select(parent, nodes[0].alias.value if nodes[0].alias else nodes[0].name.value, nodes, "")
        assert isinstance(select.mapping, Root)
        return select.mapping, select

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _collect(self, sets: Iterable[SelectionSetNode | None], into: dict[str, list[FieldNode]]) -> None:
        for selection_set in sets:
            if selection_set is None:
                continue
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    into.setdefault(key, []).append(selection)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment is not None:
                        self._collect([fragment.selection_set], into)
                elif isinstance(selection, InlineFragmentNode):
                    self._collect([selection.selection_set], into)

    def _select(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode], path: str) -> Select:
        name = nodes[0].name.value
        where = f"{path}.{name}" if path else name
        if name == "__typename":
            return Select(key, Const(parent.name), nullable=False, path=where)
        field = parent.fields[name]
        mapping = mapping_of(field)
        if mapping is None:
            raise UnmappedField(f"{parent.name}.{name} does not declare what it reads from the graph")
        args = {
            arg: value.value if isinstance(value, Enum) else value
            for arg, value in get_argument_values(field, nodes[0], self.variables).items()
        }
        lang = ""
        if isinstance(mapping, _TEXTS):
            lang = args.pop("lang", None) or self.lang
        children: tuple[Select, ...] = ()
        named = get_named_type(field.type)
        if is_object_type(named):
            fields: dict[str, list[FieldNode]] = {}
            self._collect([node.selection_set for node in nodes], fields)
            children = tuple(self._select(named, k, ns, where) for k, ns in fields.items())
        return Select(
            key,
            mapping,
            lang,
            frozenset(arg for arg, value in args.items() if value is not None),
            children,
            not is_non_null_type(field.type),
            where,
            args,
        )


def root_selection(info: Info[Any, Any]) -> tuple[Root, Select]:
    """The root field being resolved, with its selection."""
    raw = info._raw_info
    reader = SelectionReader(raw.fragments, raw.variable_values, info.context.lang.value)
    return reader.root(raw.parent_type, list(raw.field_nodes))


def selection_as(info: Info[Any, Any], root: Root, args: dict[str, Any]) -> Select:
    """The selection of the field being resolved (a mutation's answer), read as if it were the
    root field `root` with `args` — to read back what a mutation wrote with the read compiler."""
    raw = info._raw_info
    reader = SelectionReader(raw.fragments, raw.variable_values, info.context.lang.value)
    named = get_named_type(raw.return_type)
    assert isinstance(named, GraphQLObjectType)
    fields: dict[str, list[FieldNode]] = {}
    reader._collect([node.selection_set for node in raw.field_nodes], fields)
    children = tuple(reader._select(named, k, ns, raw.field_name) for k, ns in fields.items())
    return Select(raw.field_name, root, "", frozenset(args), children, True, raw.field_name, args)


def unmapped_fields(schema: Any, root: GraphQLObjectType) -> list[str]:
    """Fields reachable from the mapped root fields that do not say what they read (should be none)."""
    missing: list[str] = []
    seen: set[str] = set()
    stack: list[GraphQLObjectType] = []
    for field in root.fields.values():
        if isinstance(mapping_of(field), Root):
            named = get_named_type(field.type)
            if is_object_type(named):
                stack.append(named)
    while stack:
        object_type = stack.pop()
        if object_type.name in seen:
            continue
        seen.add(object_type.name)
        for name, field in object_type.fields.items():
            if mapping_of(field) is None:
                missing.append(f"{object_type.name}.{name}")
            named = get_named_type(field.type)
            if is_object_type(named):
                stack.append(named)
    return sorted(missing)


def unread_arguments(schema: Any) -> list[str]:
    """Arguments of declared fields that no declaration reads (they would be silently ignored),
    and arguments a declaration reads that the field does not offer (should be none)."""
    wrong: list[str] = []
    for graphql_type in schema.type_map.values():
        if not is_object_type(graphql_type):
            continue
        for name, field in graphql_type.fields.items():
            mapping = mapping_of(field)
            if mapping is None:
                continue
            offered, read = set(field.args), arguments_read(mapping)
            wrong += [f"{graphql_type.name}.{name}({arg}:) is read by no declaration" for arg in sorted(offered - read)]
            wrong += [f"{graphql_type.name}.{name} does not offer {arg}:, which its declaration reads"
                      for arg in sorted(read - offered)]  # fmt: skip
    return wrong


def root_selections(
    schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any], lang: str, operation: str | None = None
) -> list[tuple[str, Root | None, Select | None]]:
    """Every root field of a query operation, read from the document: (response key, its root
    mapping and selection) — (key, None, None) for a root field the compiler does not answer."""
    definitions = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(d for d in definitions if operation is None or (d.name and d.name.value == operation))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root_type = schema.query_type
    assert root_type is not None
    reader = SelectionReader(fragments, variables, lang)
    fields: dict[str, list[FieldNode]] = {}
    reader._collect([chosen.selection_set], fields)
    found: list[tuple[str, Root | None, Select | None]] = []
    for key, nodes in fields.items():
        field = root_type.fields.get(nodes[0].name.value)
        if field is None or not isinstance(mapping_of(field), Root):
            found.append((key, None, None))
        else:
            found.append((key, *reader.root(root_type, nodes)))
    return found


def subselections(info: Info[Any, Any]) -> dict[str, tuple[str, tuple[Select, ...]]]:
    """The fields selected under the field being resolved (an `ask`), each read as the compiler
    reads fields: response key → (field name, its selection). For an object built in Python
    whose lists are graph objects."""
    raw = info._raw_info
    reader = SelectionReader(raw.fragments, raw.variable_values, info.context.lang.value)
    parent = get_named_type(raw.return_type)
    assert isinstance(parent, GraphQLObjectType)
    fields: dict[str, list[FieldNode]] = {}
    reader._collect([node.selection_set for node in raw.field_nodes], fields)
    found: dict[str, tuple[str, tuple[Select, ...]]] = {}
    for key, nodes in fields.items():
        name = nodes[0].name.value
        named = get_named_type(parent.fields[name].type) if name in parent.fields else None
        children: tuple[Select, ...] = ()
        if isinstance(named, GraphQLObjectType):
            inner: dict[str, list[FieldNode]] = {}
            reader._collect([node.selection_set for node in nodes], inner)
            children = tuple(reader._select(named, k, ns, f"ask.{name}") for k, ns in inner.items())
        found[key] = (name, children)
    return found
