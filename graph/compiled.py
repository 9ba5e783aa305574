"""A compiled read: what goes in, what comes out, and how a request's values become parameters.

What a request selected under one root field is a tree of `Select`s (the response key, the
field's declaration in `graph.mapping`, its language and arguments) with the `Limits` an answer
must keep. `graph.compiler` turns it into a `Compiled`: the Cypher, the parameters that come
from the request's arguments (`Slot`), the names the query resolves itself (`NameUse`) and the
shape of its answer (`AnswerShape`, which `graph.finishing` follows). `Compiled.params` binds a
request's values (names checked and turned into index queries, pages bounded, cursors decoded);
`merged` puts several root fields' queries into one round trip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from domain.names import fold
from graph.cursors import decode_cursor
from graph.errors import BadInput, GraphError
from graph.mapping import Mapping, PagePart, Root
from graph.shape import Label
from graph.terms import form

# --- input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Select:
    """One selected field. Equal selections compile to the same Cypher: argument values are not
    compared (they become parameters), only which arguments were given."""

    key: str  # the response key (alias or field name)
    mapping: Mapping | Root
    lang: str = ""  # "vi" or "en" where the mapping reads texts
    given: frozenset[str] = frozenset()
    children: tuple[Select, ...] = ()
    nullable: bool = True
    path: str = ""  # where it stands, for messages: "departments.needs"
    args: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def arg(self, name: str) -> Any:
        return self.args.get(name)


# --- errors ----------------------------------------------------------------------------------

# What a read refuses with (see graph.errors): a bad argument, a query too costly, time up.
ReadError = GraphError
BadArgument = BadInput


# --- limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one answer may hold. `max_items`: the longest list (longer ones are refused and
    point to the paginated field); `max_values`: values in the whole answer; `max_bytes`: about
    how large it may grow (texts counted by length); `max_name_length`: the longest name an
    argument may carry; `max_first`: the largest page."""

    max_items: int = 5_000
    max_values: int = 200_000
    max_bytes: int = 10_000_000
    max_name_length: int = 200
    max_first: int = 1_000


DEFAULT_FIRST = 100
# A page of search hits is taken from this many best hits at most.
SEARCH_WINDOW = 1000


# --- output ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameUse:
    """A name the query resolves: its Cypher variable, what it must name, and where it is."""

    variable: str
    label: Label
    argument: str
    path: tuple[int, ...]  # child indices from the root select to the select carrying it
    where: str  # e.g. "needs(from:)" or "department.needs(from:)"
    optional: bool = False  # a root that answers null, not NOT_FOUND, when nothing matches
    many: bool = False  # it may name several things (all are kept)

    def value(self, root: Select) -> str:
        return str(at(root, self.path).arg(self.argument))


@dataclass(frozen=True)
class Keys:
    """As the value of a name argument: exactly these things, by key (a question's understanding
    hands them over once it knows what was meant)."""

    keys: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(self.keys)


@dataclass(frozen=True)
class Slot:
    """A parameter whose value comes from an argument of the request: as given ("value"), as a
    page size ("first"), a cursor ("after"), a name to look up ("name"), or through `transform`."""

    name: str
    path: tuple[int, ...]
    argument: str
    kind: str
    transform: Callable[[Any, str], Any] | None = None


@dataclass
class AnswerShape:
    """The shape of a compiled answer, which `graph.finishing` follows: a value, an object, a list
    or a page, with what each holds."""

    key: str
    kind: str  # "value", "object", "list", "page"
    nullable: bool = True
    finish: Callable[[Any, str], Any] | None = None
    lang: str = ""
    children: tuple[AnswerShape, ...] = ()
    # pages: the response keys of each part and the nested selections of nodes / edges
    parts: tuple[tuple[str, PagePart | None, tuple[AnswerShape, ...]], ...] = ()
    first_slot: str = ""
    path: str = ""
    part: PagePart | None = None


@dataclass(frozen=True)
class Compiled:
    cypher: str
    slots: tuple[Slot, ...]
    names: tuple[NameUse, ...]
    shape: AnswerShape
    part: str = ""  # the query with `{answer}` and `{found}` for its columns, to be one part of several

    def params(self, root: Select, limits: Limits) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for slot in self.slots:
            select = at(root, slot.path)
            value = select.arg(slot.argument)
            where = f"{select.path}({slot.argument}:)"
            if slot.kind == "name":
                params[slot.name] = (
                    keys_query(list(value.keys)) if isinstance(value, Keys)
                    else name_query(_checked_name(value, where, limits))
                )  # fmt: skip
            elif slot.kind == "first":
                first = DEFAULT_FIRST if value is None else value
                if not 1 <= first <= limits.max_first:
                    raise BadArgument(f"{where}: first must be between 1 and {limits.max_first}, not {first}.",
                                      argument=where)  # fmt: skip
                params[slot.name] = first
            elif slot.kind == "after":
                params[slot.name] = None if value is None else decode_cursor(value, where)
            elif slot.transform is not None:
                params[slot.name] = slot.transform(value, where)
            else:
                params[slot.name] = value
        return params


def at(root: Select, path: tuple[int, ...]) -> Select:
    select = root
    for index in path:
        select = select.children[index]
    return select


def _checked_name(value: Any, where: str, limits: Limits) -> str:
    text = str(value)
    if len(text) > limits.max_name_length:
        raise BadArgument(
            f"{where}: a name is at most {limits.max_name_length} characters; this one has {len(text)}.",
            argument=where,
        )
    return text


def name_query(typed: str) -> str:
    """The exact-match query for a typed name in the names index: as it is typed (folded) or as
    its terms (graph.terms). Folding leaves only letters, digits and single spaces, so the quoted
    phrases need no escaping; an empty fold gets a token no entry can hold (folding removes
    underscores)."""
    folded, terms_form = fold(typed), form(typed)
    if terms_form and terms_form != folded:
        return f'"{folded}" OR "{terms_form}"'
    return f'"{folded or "__nothing__"}"'


def keys_query(keys: list[str]) -> str:
    """The names-index query that finds exactly these things (by their keys' folded forms)."""
    return " OR ".join(f'"{fold(key)}"' for key in keys) or '"__nothing__"'


# The most things one name may name at once.
MAX_NAMED = 10


def merged(parts: list[tuple[Compiled, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """Several root fields' queries as one round trip, in one transaction: the answer of part i
    in column `r<i>`, what its names found in `f<i>`; each part's parameters prefixed `r<i>_`."""
    calls: list[str] = []
    params: dict[str, Any] = {}
    for i, (compiled, own) in enumerate(parts):
        text = compiled.part.replace("{answer}", f"r{i}").replace("{found}", f"f{i}")
        for name in sorted(own, key=len, reverse=True):
            text = re.sub(rf"\${re.escape(name)}\b", f"$r{i}_{name}", text)
            params[f"r{i}_{name}"] = own[name]
        calls.append(f"CALL () {{ {text} }}")
    columns = ", ".join(f"r{i}, f{i}" for i in range(len(parts)))
    return f"{' '.join(calls)} RETURN {columns}", params


def walk(select: Select) -> Iterator[Select]:
    yield select
    for child in select.children:
        yield from walk(child)
