"""A selection of declared fields in, one Cypher query and the shape of its answer out.

The API hands over what a request selected under one root field as a tree of `Select`s — the
response key, the field's declaration (`graph.mapping`), its language and arguments (what goes
in and what comes out are `graph.compiled`'s) — and `compile_root` turns it into ONE query whose
map projections nest exactly as the selection does (a COLLECT subquery per relation). So a
request costs one Neo4j round trip per root field, whatever the size of the graph: no N+1.

The query returns the answer in the response's own shape: maps keyed by response keys, texts
already in the asked language; `graph.finishing` then applies the few Python finishes. Names
people type are resolved inside the same query (the names index); the query reports the ones
that matched nothing.

Argument values are parameters, never Cypher text: a compiled query is cached by the shape of
the selection and reused whatever the values.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from graph.compiled import (
    MAX_NAMED,
    SEARCH_WINDOW,
    AnswerShape,
    Compiled,
    Limits,
    NameUse,
    Select,
    Slot,
)
from graph.mapping import (
    AllOf,
    ByKey,
    ByKeys,
    Computed,
    Const,
    Derived,
    FullText,
    NameArg,
    Named,
    NameFilter,
    Order,
    Page,
    PagePart,
    Prop,
    Related,
    Root,
    Text,
    Texts,
)
from graph.model import identifier
from graph.schema import NAMES_INDEX
from graph.shape import Label, container_of

# --- compiling -------------------------------------------------------------------------------


class _Builder:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.counter = 0
        self.slots: list[Slot] = []
        self.names: list[NameUse] = []

    def var(self) -> str:
        self.counter += 1
        return f"c{self.counter}"

    def param(
        self, path: tuple[int, ...], argument: str, kind: str, transform: Callable[[Any, str], Any] | None = None
    ) -> str:
        name = f"p{len(self.slots)}"
        self.slots.append(Slot(name, path, argument, kind, transform))
        return name

    def name(
        self, label: Label, argument: str, path: tuple[int, ...], where: str, optional: bool = False, many: bool = False
    ) -> str:
        variable = f"n{len(self.names)}"
        self.names.append(NameUse(variable, label, argument, path, where, optional, many))
        return variable

    # -- projections

    def projection(
        self, var: str, selects: tuple[Select, ...], path: tuple[int, ...]
    ) -> tuple[str, tuple[AnswerShape, ...]]:
        items, shapes = [], []
        for index, select in enumerate(selects):
            expression, shape = self.expression(var, select, (*path, index))
            items.append(f"`{select.key}`: {expression}")
            shapes.append(shape)
        return "{" + ", ".join(items) + "}", tuple(shapes)

    def expression(self, var: str, select: Select, path: tuple[int, ...]) -> tuple[str, AnswerShape]:
        mapping = select.mapping
        value = AnswerShape(select.key, "value", select.nullable, path=select.path)
        if isinstance(mapping, Prop):
            return f"{var}.{identifier(mapping.name, prop=True)}", value
        if isinstance(mapping, Text):
            return f"{var}.{identifier(mapping.name, prop=True)}_{_lang(select)}", value
        if isinstance(mapping, Texts):
            return f"coalesce({var}.{identifier(mapping.name, prop=True)}_{_lang(select)}, [])", value
        if isinstance(mapping, Computed):
            value.finish, value.lang = mapping.finish, select.lang
            return mapping.cypher(var, select.lang or "vi"), value
        if isinstance(mapping, Const):
            return _literal(mapping.value), value
        if isinstance(mapping, (Related, Derived)):
            return self.relation(mapping, var, select, path)
        if isinstance(mapping, Page):
            return self.page(mapping.of, var, select, path)
        raise TypeError(f"{select.path}: cannot compile a {type(mapping).__name__} here")

    # -- relations

    def _match(self, relation: Related, parent: str, child: str, select: Select, path: tuple[int, ...]) -> str:
        """MATCH … WHERE … for a relation, without ordering or projection."""
        hops = relation.via
        names = [f"{child}_{i}" for i in range(len(hops) - 1)] + [child]
        near, parts = parent, []
        for i, hop in enumerate(hops):
            edge_var = f"{child}_e" if i == len(hops) - 1 else ""
            pattern = hop.pattern(near, names[i], edge_var)
            parts.append(pattern if i == 0 else pattern[len(f"({near})") :])
            near = names[i]
        conditions = []
        for name_filter in relation.filters:
            if name_filter.argument in select.given:
                conditions.append(self._filter(name_filter, parent, child, select, path))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        match = f"MATCH {''.join(parts)}{where}"
        return f"{match} WITH DISTINCT {child}" if relation.distinct else match

    def _filter(self, name_filter: NameFilter, parent: str, child: str, select: Select, path: tuple[int, ...]) -> str:
        where = f"{select.path}({name_filter.argument}:)"
        named = self.name(name_filter.label, name_filter.argument, path, where)
        target = f"{child}_f{len(self.names)}"
        # The named thing is never the node the relation starts from ("Sales and Sales").
        pattern = name_filter.hop.pattern(child, target)
        return f"EXISTS {{ MATCH {pattern} WHERE {target} IN {named} AND {target} <> {parent} }}"

    def _sort_key(self, relation: Related, child: str) -> str:
        terms = []
        for order in relation.order:
            if order is Order.POSITION:
                terms.append(f"{child}.position")
            elif order is Order.EDGE_POSITION:
                terms.append(f"{child}_e.position")
            else:
                container = container_of(next(iter(relation.target_labels)))
                assert container is not None, relation
                terms.append(
                    f"HEAD(COLLECT {{ MATCH ({child})<-[:{container.type}]-({child}_h) RETURN {child}_h.position }})"
                )
        return "[" + ", ".join([*terms, f"{child}.key"]) + "]"

    def relation(
        self,
        relation: Related | Derived,
        parent: str,
        select: Select,
        path: tuple[int, ...],
        parent_is_list: bool = False,
    ) -> tuple[str, AnswerShape]:
        child = self.var()
        if isinstance(relation, Related):
            match = self._match(relation, parent, child, select, path)
            order = (
                f" WITH {child}, {self._sort_key(relation, child)} AS {child}_k ORDER BY {child}_k"
                if relation.order
                else ""
            )
        else:
            given = parent if parent_is_list or not relation.parent_list else f"[{parent}]"
            match = relation.cypher.format(p=given, c=child, **self.arguments(relation, select, path))
            order = f" WITH {child} ORDER BY {relation.order.format(c=child)}" if relation.order else ""
        projection, shapes = self.projection(child, select.children, path)
        limit = " LIMIT 1" if relation.single else f" LIMIT {self.limits.max_items + 1}"
        subquery = f"COLLECT {{ {match}{order} RETURN {projection} AS item{limit} }}"
        kind = "object" if relation.single else "list"
        shape = AnswerShape(select.key, kind, select.nullable, children=shapes, path=select.path)
        return (f"HEAD({subquery})" if relation.single else subquery), shape

    def arguments(self, relation: Derived, select: Select, path: tuple[int, ...]) -> dict[str, str]:
        """What a derived relation's template reads for each of its arguments: the variable
        holding what a name names (`null` when not given), or a checked parameter."""
        found: dict[str, str] = {}
        for argument in relation.arguments:
            name = argument.argument
            if isinstance(argument, NameArg):
                where = f"{select.path}({name}:)"
                found[name] = (
                    self.name(argument.label, name, path, where, many=argument.many) if name in select.given else "null"
                )
            else:
                found[name] = "$" + self.param(path, name, "call", argument.check)
        return found

    def page(self, relation: Related, parent: str, select: Select, path: tuple[int, ...]) -> tuple[str, AnswerShape]:
        child = self.var()
        match = self._match(relation, parent, child, select, path)
        return self._page(match, self._sort_key(relation, child), child, select, path)

    def _page(
        self, match: str, sort_key: str, child: str, select: Select, path: tuple[int, ...]
    ) -> tuple[str, AnswerShape]:
        first = self.param(path, "first", "first")
        after = self.param(path, "after", "after")
        items = []
        parts: list[tuple[str, PagePart | None, tuple[AnswerShape, ...]]] = []
        entries = [f"`_cursor`: {child}_k"]
        for index, part_select in enumerate(select.children):
            part = part_select.mapping
            nested: tuple[AnswerShape, ...] = ()
            if not isinstance(part, PagePart):  # __typename
                parts.append((part_select.key, None, (_value_part(part_select),)))
                continue
            if part is PagePart.TOTAL_COUNT:
                items.append(f"`{part_select.key}`: COUNT {{ {match} RETURN {child} }}")
            elif part is PagePart.NODES:
                projection, nested = self.projection(child, part_select.children, (*path, index))
                entries.append(f"`e{index}`: {projection}")
            elif part is PagePart.EDGES:
                shapes = []
                for j, edge_select in enumerate(part_select.children):
                    if edge_select.mapping is PagePart.NODE:
                        projection, node_shapes = self.projection(child, edge_select.children, (*path, index, j))
                        entries.append(f"`e{index}_{j}`: {projection}")
                        shapes.append(AnswerShape(edge_select.key, "object", False, children=node_shapes))
                    else:  # the cursor, or __typename
                        shapes.append(_value_part(edge_select))
                nested = tuple(shapes)
            elif part is PagePart.PAGE_INFO:
                nested = tuple(_value_part(info) for info in part_select.children)
            parts.append((part_select.key, part, nested))
        keyed = f" WITH *, {sort_key} AS {child}_k"
        window = f" WHERE ${after} IS NULL OR {child}_k > ${after} ORDER BY {child}_k LIMIT ${first} + 1"
        items.append(f"`_page`: COLLECT {{ {match}{keyed}{window} RETURN {{{', '.join(entries)}}} AS item }}")
        shape = AnswerShape(select.key, "page", select.nullable, parts=tuple(parts), first_slot=first, path=select.path)
        return "{" + ", ".join(items) + "}", shape

    # -- roots

    def root(self, root: Root, select: Select) -> tuple[str, AnswerShape]:
        start = root.start
        if isinstance(start, AllOf):
            conditions = [
                f"c0.{identifier(prop, prop=True)} = ${self.param((), argument, 'value')}"
                for prop, argument in start.where
                if argument in select.given
            ]
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            if isinstance(root.then, Page):
                return self._page(f"MATCH (c0:{start.label}){where}", "[c0.position, c0.key]", "c0", select, ())
            projection, shapes = self.projection("c0", select.children, ())
            cypher = (
                f"COLLECT {{ MATCH (c0:{start.label}){where} WITH c0 ORDER BY c0.position, c0.key "
                f"RETURN {projection} AS item LIMIT {self.limits.max_items + 1} }}"
            )
            return cypher, AnswerShape(select.key, "list", select.nullable, children=shapes, path=select.path)
        if isinstance(start, FullText):
            return self.search(start, select, paged=isinstance(root.then, Page))
        if isinstance(start, Named):
            where = f"{select.path}({start.argument}:)"
            variable = self.name(start.label, start.argument, (), where, start.optional, start.many)
            if start.many and isinstance(root.then, Derived) and root.then.parent_list:
                # The relation reads every thing the name names at once.
                return self.relation(root.then, variable, select, (), parent_is_list=True)
            source = f"UNWIND {variable} AS c0"
            if start.many and root.then is None:  # every thing it names
                projection, shapes = self.projection("c0", select.children, ())
                cypher = f"COLLECT {{ {source} RETURN {projection} AS item }}"
                return cypher, AnswerShape(select.key, "list", select.nullable, children=shapes, path=select.path)
        elif isinstance(start, ByKeys):
            keys = self.param((), "keys", "value")
            projection, shapes = self.projection("c0", select.children, ())
            cypher = (
                f"COLLECT {{ UNWIND range(0, size(${keys}) - 1) AS c0_i "
                f"MATCH (c0:{start.label} {{key: ${keys}[c0_i]}}) WITH c0, c0_i ORDER BY c0_i "
                f"RETURN {projection} AS item }}"
            )
            return cypher, AnswerShape(select.key, "list", select.nullable, children=shapes, path=select.path)
        else:
            assert isinstance(start, ByKey)
            source = f"MATCH (c0:{start.label} {{key: ${self.param((), 'key', 'value')}}})"
        if root.then is None:
            projection, shapes = self.projection("c0", select.children, ())
            cypher = f"HEAD(COLLECT {{ {source} RETURN {projection} AS item LIMIT 1 }})"
            return cypher, AnswerShape(select.key, "object", select.nullable, children=shapes, path=select.path)
        expression, shape = self.expression("c0", Select(select.key, root.then, select.lang, select.given,
                                                            select.children, select.nullable, select.path,
                                                            select.args), ())  # fmt: skip
        return f"HEAD(COLLECT {{ {source} RETURN {expression} AS item LIMIT 1 }})", shape

    def search(self, search: FullText, select: Select, paged: bool) -> tuple[str, AnswerShape]:
        """Hits of a full-text index as `c0` (the node), `c0_score` and `c0_i` (its rank), best
        first. Every word must match; when nothing does, any word may. A page reads the best
        SEARCH_WINDOW hits."""
        strict = self.param((), "text", "call", search.strict)
        loose = self.param((), "text", "call", search.loose)
        limit = str(SEARCH_WINDOW) if paged else "$" + self.param((), "limit", "call", search.limit)
        query = (
            "CALL db.index.fulltext.queryNodes('{index}', ${q}, {{limit: {limit}}}) YIELD node, score "
            "RETURN collect([node, score]) AS {out}"
        )
        strict_hits = query.format(index=search.index, q=strict, limit=limit, out="c0_strict")
        loose_hits = query.format(index=search.index, q=loose, limit=limit, out="c0_loose")
        hits = (
            f"CALL () {{ WITH 1 AS c0_go WHERE ${strict} IS NOT NULL {strict_hits} }} "
            f"CALL (c0_strict) {{ WITH 1 AS c0_go WHERE size(c0_strict) = 0 AND ${loose} IS NOT NULL {loose_hits} }} "
            "WITH COLLECT { UNWIND c0_strict + c0_loose AS c0_h "
            "RETURN c0_h ORDER BY c0_h[1] DESC, labels(c0_h[0])[0], c0_h[0].key } AS c0_hits "
            "UNWIND range(0, size(c0_hits) - 1) AS c0_i "
            "WITH c0_hits[c0_i][0] AS c0, c0_hits[c0_i][1] AS c0_score, c0_i"
        )
        if paged:
            return self._page(hits, "[c0_i]", "c0", select, ())
        projection, shapes = self.projection("c0", select.children, ())
        cypher = f"COLLECT {{ {hits} ORDER BY c0_i RETURN {projection} AS item LIMIT {limit} }}"
        return cypher, AnswerShape(select.key, "list", select.nullable, children=shapes, path=select.path)


def _lang(select: Select) -> str:
    if select.lang not in ("vi", "en"):
        raise ValueError(f"{select.path}: no language given for a text")
    return select.lang


def _literal(value: Any) -> str:
    if isinstance(value, str) and all(c.isalnum() or c in "_ " for c in value):
        return f"'{value}'"
    raise ValueError(f"not a constant deptgraph writes into Cypher: {value!r}")


def prologue(names: tuple[NameUse, ...]) -> str:
    """Resolve every name in one index lookup each (folded exact match on `lookup` / `terms`)."""
    return " ".join(
        f"CALL () {{ CALL db.index.fulltext.queryNodes('{NAMES_INDEX}', ${use.variable}) YIELD node "
        f"WHERE node:{use.label} WITH node ORDER BY node.position, node.key LIMIT {MAX_NAMED if use.many else 1} "
        f"RETURN collect(node) AS {use.variable} }}"
        for use in names
    )


@lru_cache(maxsize=2048)
def compile_root(root: Root, select: Select, limits: Limits = Limits()) -> Compiled:
    """The one query that answers a root field with its selection (cached by shape)."""
    builder = _Builder(limits)
    expression, shape = builder.root(root, select)
    names = tuple(builder.names)
    found = ", ".join(f"{use.variable}: size({use.variable}) > 0" for use in names)
    cypher = f"{prologue(names)} RETURN {expression} AS result, {{{found}}} AS found".strip()
    slots = tuple(builder.slots) + tuple(Slot(use.variable, use.path, use.argument, "name") for use in names)
    part = f"{prologue(names)} RETURN {expression} AS {{answer}}, {{{found}}} AS {{found}}".strip()
    return Compiled(cypher, slots, names, shape, part)


def _value_part(select: Select) -> AnswerShape:
    """A scalar field of a connection, edge or page info; `__typename` is its constant."""
    part = select.mapping if isinstance(select.mapping, PagePart) else None
    constant = select.mapping.value if isinstance(select.mapping, Const) else None
    finish = None if part else (lambda _value, _lang, constant=constant: constant)
    return AnswerShape(select.key, "value", select.nullable, finish=finish, part=part)
