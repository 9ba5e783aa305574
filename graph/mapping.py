"""What a field of the read API takes from the graph: declarations, written beside each field.

A GraphQL field in `api/types.py` carries one of these — the way `@relationship` and `@cypher`
sit on a type in @neo4j/graphql — and `graph.compiler` turns any selection of such fields into
one Cypher query. Nothing here knows GraphQL names: a declaration says what to read, and the
field it sits on says what to call it.

Values (scalar fields):
* `Prop("key")` — a stored property;
* `Text("name")` — a text stored per language (`name_vi`, `name_en`), read in the request's language;
* `Texts("aliases")` — a list of such texts;
* `Computed(...)` — a Cypher expression over the node, with an optional Python finish.

Relations (object fields):
* `Related(into(TO, Label.FLOW), …)` — nodes reached along relationships of `graph.shape`, ordered,
  optionally filtered by the names in the field's arguments;
* `Derived(...)` — related things found by a Cypher pattern written in `graph.vocabulary` (the
  `@cypher` of this project), for what is more than a path; its arguments are declared with it
  (`NameArg`: names resolved like every name, `ValueArg`: a checked parameter);
* `Page(related)` — the same as a cursor-paginated connection with a total count.

Roots (fields of Query): `AllOf(label)`, `Named(argument, label)`, `ByKey(label)`, `FullText()`,
optionally followed by a relation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graph.shape import Edge, Label


@dataclass(frozen=True)
class Hop:
    """One step along a relationship, from the node at hand to the node at its other end."""

    edge: Edge
    outgoing: bool
    label: Label | None = None  # the label of the node reached, when the edge allows several

    def pattern(self, near: str, far: str, rel: str = "") -> str:
        far_node = f"({far}:{self.label})" if self.label else f"({far})"
        arrow = f"[{rel}:{self.edge.type}]"
        return f"({near})-{arrow}->{far_node}" if self.outgoing else f"({near})<-{arrow}-{far_node}"

    @property
    def near_labels(self) -> frozenset[Label]:
        return self.edge.start if self.outgoing else self.edge.end

    @property
    def far_labels(self) -> frozenset[Label]:
        if self.label:
            return frozenset({self.label})
        return self.edge.end if self.outgoing else self.edge.start


def out(edge: Edge, label: Label | None = None) -> Hop:
    """Follow `edge` forwards: (node)-[:EDGE]->(other)."""
    return Hop(edge, True, label)


def into(edge: Edge, label: Label | None = None) -> Hop:
    """Follow `edge` backwards: (node)<-[:EDGE]-(other)."""
    return Hop(edge, False, label)


# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prop:
    """A stored property, the same in every language."""

    name: str


@dataclass(frozen=True)
class Text:
    """A text stored per language, `<name>_vi` / `<name>_en`; read in the request's language."""

    name: str


@dataclass(frozen=True)
class Texts:
    """A list of texts stored per language (aliases); empty when there are none."""

    name: str


@dataclass(frozen=True)
class Computed:
    """A value computed in Cypher from the node (`cypher(node, lang)`), optionally finished in
    Python (`finish(value, lang)`) where Python says it better than Cypher. `lang`: it is a text,
    in the language the field's `lang` argument asks for."""

    cypher: Callable[[str, str], str]
    finish: Callable[[Any, str], Any] | None = None
    description: str = ""
    lang: bool = False


@dataclass(frozen=True)
class Const:
    """The same value for every node (`__typename`)."""

    value: Any


# --- relations -------------------------------------------------------------------------------


class Order(Enum):
    """How related things are ordered, most significant first (the key always breaks ties)."""

    POSITION = "their own position in their list"
    EDGE_POSITION = "the position stored on the relationship that reached them"
    CONTAINER_POSITION = "the position of the entity that holds them (a flow's relationship)"


@dataclass(frozen=True)
class NameFilter:
    """An argument that names a thing (by key or any name); only related nodes with a path
    `hop` to that thing are kept."""

    argument: str
    label: Label
    hop: Hop


@dataclass(frozen=True)
class Related:
    """Nodes reached from the node at hand along `via` (one or more hops)."""

    via: tuple[Hop, ...]
    single: bool = False
    order: tuple[Order, ...] = ()
    filters: tuple[NameFilter, ...] = ()
    distinct: bool = False

    @property
    def target_labels(self) -> frozenset[Label]:
        return self.via[-1].far_labels


# The start itself, as a relation: `Root(AllOf(label), Page(EVERY))` pages through every node.
EVERY = Related((), order=(Order.POSITION,))


@dataclass(frozen=True)
class NameArg:
    """An argument of a derived relation that names things (by key or any name or alias, like
    every name): its template reads `{<argument>}` as the list of what it names, or `null` when
    the argument is not given. A name that matches nothing is NOT_FOUND, with suggestions."""

    argument: str
    label: Label
    many: bool = False


@dataclass(frozen=True)
class ValueArg:
    """An argument a derived relation's template reads as the parameter `{<argument>}`, after
    `check(value, where)` has accepted it (and given its default)."""

    argument: str
    check: Callable[[Any, str], Any]


@dataclass(frozen=True)
class Derived:
    """Related things found by a Cypher template (`{p}`: the node at hand, `{c}`: the thing
    found; every other variable is prefixed with `{c}_`). `order` is a Cypher expression over
    `{c}`; `bound` is a relation whose largest fan-out bounds this one's, or the most items it
    can hold, for cost estimates; `arguments` are the field's arguments the template reads."""

    name: str
    cypher: str
    single: bool = False
    order: str = ""
    bound: Related | Label | int | None = None
    parent_list: bool = False  # `{p}` is a list of nodes (one node is given as `[node]`)
    arguments: tuple[NameArg | ValueArg, ...] = ()
    # A search whose work does not show in the size of its answer (a shortest-path search): what
    # one costs, in values, for the cost limit; and such searches run a few at a time per process.
    search: int = 0
    # Each parent brings a thing at most once (for cost estimates: how often a thing can come back).
    distinct: bool = False


@dataclass(frozen=True)
class Page:
    """A relation as a connection: `first` / `after`, a total count, cursors and page info."""

    of: Related


class PagePart(Enum):
    """The fields of a connection, edge and page info."""

    TOTAL_COUNT = "totalCount"
    EDGES = "edges"
    NODES = "nodes"
    PAGE_INFO = "pageInfo"
    CURSOR = "cursor"
    NODE = "node"
    HAS_NEXT_PAGE = "hasNextPage"
    END_CURSOR = "endCursor"


# --- roots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllOf:
    """Every node of a label, in order; `where`: properties that must equal an argument."""

    label: Label
    where: tuple[tuple[str, str], ...] = ()  # (property, argument)


@dataclass(frozen=True)
class Named:
    """The thing an argument names (by key or any name or alias, in either language).
    `optional`: the field answers null when nothing matches, instead of NOT_FOUND. `many`: a
    term may name several things at once (topics), and the field answers for all of them."""

    argument: str
    label: Label
    optional: bool = False
    many: bool = False


@dataclass(frozen=True)
class ByKey:
    """One node by its exact key (`key` argument), e.g. to read back what a mutation wrote."""

    label: Label


@dataclass(frozen=True)
class ByKeys:
    """Nodes by their exact keys (`keys` argument), in the order given."""

    label: Label


@dataclass(frozen=True)
class FullText:
    """Full-text search over `index`: the nodes found, best first, each with its score.
    `strict(text, where)` and `loose(text, where)` build the Lucene queries (the loose one is
    asked only when the strict one finds nothing); `limit(value, where)` checks the limit."""

    index: str
    strict: Callable[[Any, str], str | None]
    loose: Callable[[Any, str], str | None]
    limit: Callable[[Any, str], int]


@dataclass(frozen=True)
class Root:
    """A field of Query: where it starts, and the relation it follows from there (if any)."""

    start: AllOf | Named | ByKey | ByKeys | FullText
    then: Related | Derived | Page | None = None

    @property
    def names(self) -> tuple[Named | NameFilter, ...]:
        found: list[Named | NameFilter] = [self.start] if isinstance(self.start, Named) else []
        relation = self.then.of if isinstance(self.then, Page) else self.then
        if isinstance(relation, Related):
            found += relation.filters
        return tuple(found)


Value = Prop | Text | Texts | Computed | Const
Relation = Related | Derived | Page
Mapping = Value | Relation | PagePart


def arguments_read(mapping: Mapping | Root) -> frozenset[str]:
    """The arguments a field with this declaration reads — exactly the ones it may offer: the
    language of a text, the names a relation filters by, a derived relation's own, a page's
    `first` and `after`, a root's start."""
    if isinstance(mapping, (Text, Texts)) or (isinstance(mapping, Computed) and mapping.lang):
        return frozenset({"lang"})
    if isinstance(mapping, Related):
        return frozenset(f.argument for f in mapping.filters)
    if isinstance(mapping, Derived):
        return frozenset(a.argument for a in mapping.arguments)
    if isinstance(mapping, Page):
        return frozenset({"first", "after"}) | arguments_read(mapping.of)
    if isinstance(mapping, Root):
        start = mapping.start
        if isinstance(start, AllOf):
            own = frozenset(argument for _, argument in start.where)
        elif isinstance(start, Named):
            own = frozenset({start.argument})
        elif isinstance(start, ByKey):
            own = frozenset({"key"})
        elif isinstance(start, ByKeys):
            own = frozenset({"keys"})
        else:  # a search: the words, and how many hits unless it pages through them
            own = frozenset({"text"} if isinstance(mapping.then, Page) else {"text", "limit"})
        return own | (arguments_read(mapping.then) if mapping.then is not None else frozenset())
    return frozenset()
