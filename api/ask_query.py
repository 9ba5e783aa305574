"""The query `ask` runs: contract fields only, values inlined, the caller's selection inside.

`ask` is a client of its own API. For the reading it answers, it writes one GraphQL query —
`needs(of:, from:)`, `topic(name:) { recipients … }`, `relationship(between:, and:)`, … — with
what its sentences need (keys, texts in the answer's language, who gives and who gets) and, in
the same fields, whatever the caller selected under the answer's lists (`flows { … }`,
`recipients { … }`, …; variables inlined, fragments written out). That query runs through the
schema like any other, and the answer's lists are what it returned: the query an answer shows is
the query that answered it.

A field of ours that would clash with one the caller selected under the same name (another
`text(lang:)`, a `provider { … }` of its own) is given an alias (`ask_text`), so the two never
meet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLSkipDirective,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    SelectionNode,
    ValueNode,
    VariableNode,
    ast_from_value,
    print_ast,
    type_from_ast,
)
from graphql.execution.values import VariableValues, get_directive_values
from strawberry.types import Info

Paths = dict[str, tuple[str, ...]]


def quoted(value: str) -> str:
    """A GraphQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class CallerSelection:
    """What the caller selected under each field of the answer, ready to be written into a query."""

    def __init__(self, info: Info[Any, Any]) -> None:
        raw = info._raw_info
        self.fragments: dict[str, FragmentDefinitionNode] = dict(raw.fragments)
        values = raw.variable_values
        self.values = values if isinstance(values, VariableValues) else VariableValues({}, dict(values))
        self.variables: dict[str, Any] = dict(self.values.coerced)
        self.types = {
            d.variable.name.value: type_from_ast(raw.schema, d.type) for d in raw.operation.variable_definitions or ()
        }
        self.fields: dict[str, list[FieldNode]] = {}  # answer field name → the caller's nodes of it
        self.keys: dict[str, str] = {}  # response key → answer field name
        for node in self._fields([n.selection_set for n in raw.field_nodes if n.selection_set]):
            self.fields.setdefault(node.name.value, []).append(node)
            self.keys[node.alias.value if node.alias else node.name.value] = node.name.value

    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.values)
        include = get_directive_values(GraphQLIncludeDirective, node, self.values)
        return not (skip and skip.get("if") is True) and not (include and include.get("if") is False)

    def _fields(self, sets: Iterable[Any]) -> list[FieldNode]:
        found: list[FieldNode] = []
        for selection_set in sets:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    found.append(selection)
                elif isinstance(selection, FragmentSpreadNode):
                    found += self._fields([self.fragments[selection.name.value].selection_set])
                elif isinstance(selection, InlineFragmentNode):
                    found += self._fields([selection.selection_set])
        return found

    def under(self, name: str) -> list[SelectionNode]:
        """The caller's selections under every `name` field of the answer."""
        return [s for node in self.fields.get(name, []) if node.selection_set for s in node.selection_set.selections]

    def wants(self, name: str) -> bool:
        return name in self.fields

    def names_at(self, selections: list[SelectionNode]) -> dict[str, tuple[str, str, bool]]:
        """Response key → (field, arguments, whether it has a selection) at this level."""
        found: dict[str, tuple[str, str, bool]] = {}
        for selection in selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                found[key] = (selection.name.value, self._arguments(selection.arguments), bool(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                found |= self.names_at(list(self.fragments[selection.name.value].selection_set.selections))
            elif isinstance(selection, InlineFragmentNode):
                found |= self.names_at(list(selection.selection_set.selections))
        return found

    # --- writing the caller's selections out, variables inlined ---------------------------------

    def write(self, selections: Iterable[SelectionNode]) -> str:
        return " ".join(self._selection(s) for s in selections)

    def _selection(self, selection: SelectionNode) -> str:
        if isinstance(selection, FieldNode):
            alias = f"{selection.alias.value}: " if selection.alias else ""
            args = self._arguments(selection.arguments)
            inner = f" {{ {self.write(selection.selection_set.selections)} }}" if selection.selection_set else ""
            return f"{alias}{selection.name.value}{f'({args})' if args else ''}{self._directives(selection)}{inner}"
        if isinstance(selection, FragmentSpreadNode):
            fragment = self.fragments[selection.name.value]
            return (f"... on {fragment.type_condition.name.value}{self._directives(selection)} "
                    f"{{ {self.write(fragment.selection_set.selections)} }}")  # fmt: skip
        assert isinstance(selection, InlineFragmentNode)
        condition = f" on {selection.type_condition.name.value}" if selection.type_condition else ""
        return f"...{condition}{self._directives(selection)} {{ {self.write(selection.selection_set.selections)} }}"

    def _arguments(self, arguments: Iterable[Any] | None) -> str:
        return ", ".join(f"{a.name.value}: {self._value(a.value)}" for a in arguments or ())

    def _directives(self, node: Any) -> str:
        return "".join(
            f" @{d.name.value}" + (f"({self._arguments(d.arguments)})" if d.arguments else "")
            for d in node.directives or ()
        )

    def _value(self, value: ValueNode) -> str:
        if isinstance(value, VariableNode):
            name = value.name.value
            literal = ast_from_value(self.variables.get(name), self.types[name])  # type: ignore[arg-type]
            return print_ast(literal) if literal is not None else "null"
        if isinstance(value, ListValueNode):
            return "[" + ", ".join(self._value(v) for v in value.values) + "]"
        if isinstance(value, ObjectValueNode):
            return "{" + ", ".join(f"{f.name.value}: {self._value(f.value)}" for f in value.fields) + "}"
        return print_ast(value)


@dataclass
class Level:
    """One selection set of the query being written: our fields, and the caller's beside them."""

    caller: CallerSelection
    selections: list[SelectionNode] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    own: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.theirs = self.caller.names_at(self.selections)

    def _key(self, name: str, args: str, leaf: bool) -> str:
        key = name
        while key in self.own or (key in self.theirs and (not leaf or self.theirs[key] != (name, args, False))):
            key = f"ask_{key}"
        self.own.add(key)
        return key

    def leaf(self, name: str, args: str = "") -> tuple[str, ...]:
        """A scalar field of ours; the path to its value."""
        key = self._key(name, args, leaf=True)
        self.parts.append(f"{f'{key}: ' if key != name else ''}{name}{f'({args})' if args else ''}")
        return (key,)

    def object(
        self, name: str, fill: Callable[[Level], Paths], args: str = "", theirs: str | None = None
    ) -> tuple[str, Paths]:
        """An object field of ours, filled by `fill`, with the caller's selections under the
        answer's field `theirs` inside it; its response key and the paths inside it."""
        key = self._key(name, args, leaf=False)
        inner = Level(self.caller, self.caller.under(theirs) if theirs else [])
        paths = fill(inner)
        self.parts.append(
            f"{f'{key}: ' if key != name else ''}{name}{f'({args})' if args else ''} {{ {inner.text()} }}"
        )
        return key, paths

    def text(self) -> str:
        return " ".join([*self.parts, self.caller.write(self.selections)]).strip()


def get(item: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = item
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value
