"""How a GraphQL field carries its graph mapping: `graph_field(mapping, description)`.

The mapping (a `graph.mapping` declaration) sits in the field's metadata, where
`api.selection` finds it to tell the compiler what the field reads. The query that answers a
root field already returns its answer in the response's shape, keyed by response keys, so
every nested field's resolver only picks its value by its own response key — the arguments it
offers (the language, a filter, a page), which are exactly those its declaration reads
(`graph.mapping.arguments_read`), shaped that query, not this resolver.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLField
from strawberry.types import Info

from api.context import Lang
from graph.mapping import arguments_read

GRAPH = "deptgraph.graph"  # the metadata key holding a field's mapping

LangArg = Annotated[Lang | None, strawberry.argument(description="The language: VI (Vietnamese) or EN (English).")]
FromArg = Annotated[
    str | None, strawberry.argument(name="from", description="Only from this department (key or any name).")
]
ToArg = Annotated[str | None, strawberry.argument(description="Only to this department (key or any name).")]
FirstArg = Annotated[
    int | None,
    strawberry.argument(
        description="At most this many items: 1 to the largest page (DEPTGRAPH_MAX_PAGE_SIZE, 1,000 by default)."
    ),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Only items after this cursor (an `endCursor` or edge `cursor`).")
]


def _value(root: Any, info: Info) -> Any:
    """What the compiled query put under this field's response key; for the few objects built
    in Python (the audit trail's pages), the attribute."""
    return root[info.path.key] if type(root) is dict else getattr(root, info.python_name)


def _pick(root: Any, info: Info) -> Any:
    return _value(root, info)


def _pick_lang(root: Any, info: Info, lang: LangArg = None) -> Any:
    return _value(root, info)


def _pick_from(root: Any, info: Info, from_: FromArg = None) -> Any:
    return _value(root, info)


def _pick_to(root: Any, info: Info, to: ToArg = None) -> Any:
    return _value(root, info)


def _pick_from_to(root: Any, info: Info, from_: FromArg = None, to: ToArg = None) -> Any:
    return _value(root, info)


def _pick_page(root: Any, info: Info, first: FirstArg = 100, after: AfterArg = None) -> Any:
    return _value(root, info)


def _pick_page_from(root: Any, info: Info, first: FirstArg = 100, after: AfterArg = None, from_: FromArg = None) -> Any:
    return _value(root, info)


def _pick_page_to(root: Any, info: Info, first: FirstArg = 100, after: AfterArg = None, to: ToArg = None) -> Any:
    return _value(root, info)


def _pick_page_from_to(
    root: Any, info: Info, first: FirstArg = 100, after: AfterArg = None, from_: FromArg = None, to: ToArg = None
) -> Any:
    return _value(root, info)


# The resolvers whose signatures offer each set of arguments a declaration may read.
RESOLVERS: dict[frozenset[str], Any] = {
    frozenset(): _pick,
    frozenset({"lang"}): _pick_lang,
    frozenset({"from"}): _pick_from,
    frozenset({"to"}): _pick_to,
    frozenset({"from", "to"}): _pick_from_to,
    frozenset({"first", "after"}): _pick_page,
    frozenset({"first", "after", "from"}): _pick_page_from,
    frozenset({"first", "after", "to"}): _pick_page_to,
    frozenset({"first", "after", "from", "to"}): _pick_page_from_to,
}


def graph_field(mapping: Any, description: str) -> Any:
    """A field that reads `mapping` from the graph, with exactly the arguments it reads."""
    wanted = arguments_read(mapping)
    resolver = RESOLVERS.get(wanted)
    if resolver is None:
        raise TypeError(f"no field signature offers exactly the arguments {sorted(wanted)} of {mapping!r}")
    return strawberry.field(resolver=resolver, description=description, metadata={GRAPH: mapping})


def pick_directly(schema: Any) -> None:
    """Let the executor read every graph field straight from its answer map, without
    Strawberry's per-field resolver machinery: the value is already there, in the response's
    shape, and the field's arguments shaped the query, not this step."""
    for graphql_type in schema.type_map.values():
        for field in getattr(graphql_type, "fields", {}).values() if hasattr(graphql_type, "interfaces") else ():
            definition = field.extensions.get("strawberry-definition")
            if definition is None or definition.metadata.get(GRAPH) is None or _is_root(definition):
                continue
            field.resolve = _direct(definition.python_name)


def _is_root(definition: Any) -> bool:
    from graph.mapping import Root  # the mapping vocabulary; imported here to keep this module light

    return isinstance(definition.metadata.get(GRAPH), Root)


def _direct(python_name: str) -> Any:
    def resolve(root: Any, info: Any, **_: Any) -> Any:
        return root[info.path.key] if type(root) is dict else getattr(root, python_name)

    return resolve


def mapping_of(field: GraphQLField) -> Any:
    """The graph mapping a GraphQL field carries, or None."""
    definition = field.extensions.get("strawberry-definition")
    return None if definition is None else definition.metadata.get(GRAPH)
