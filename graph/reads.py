"""Read queries: each GraphQL root field becomes ONE Cypher query, shaped by what was asked.

The API hands over the selection of a root field as a tree of `Want`s (field, response key,
arguments, children). `compile_root` turns it into a single query whose map projections nest
exactly as the selection does (COLLECT subqueries per relation), so the number of round trips
per request is the number of root fields, whatever the size of the graph — no N+1.

Names people type ("Kế toán", "ke toan", "CSKH", "complaints") are resolved in the same query:
each is folded (graph.names.fold) and matched against the `lookup` list of the departments or
topics, and the query reports which names matched nothing.

Everything here is Cypher; nothing here knows about GraphQL types beyond the view names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.database import Database
from graph.names import fold
from graph.schema import NAMES_INDEX, SEARCH_INDEX


@dataclass(frozen=True)
class Want:
    """One field of a selection: `key` is the response key (alias or name)."""

    field: str
    key: str
    args: tuple[tuple[str, Any], ...] = ()
    children: tuple[Want, ...] = ()

    def arg(self, name: str) -> Any:
        return dict(self.args).get(name)


@dataclass(frozen=True)
class Relation:
    """How a view reaches related things. Templates use {p} (parent variable) and {c} (child
    variable; also the prefix of any local variable, so nested levels never clash)."""

    view: str
    match: str
    order: str = ""
    single: bool = False
    # argument name → (label its value names, WHERE condition with {c} and {n}, the name's variable)
    filters: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # For a GraphQL leaf backed by related nodes (Role.duties: [String!]!): what to fetch of them.
    leaf: tuple[Want, ...] = ()


# No computed entries: a view projects only the properties its selected fields need.
ALL = ""

# The node properties each scalar field reads (texts in both languages).
_TEXTS = ("name", "aliases", "title", "summary", "text", "purpose", "statement", "action")
SCALAR_PROPS: dict[str, tuple[str, ...]] = {
    **{name: (f"{name}_vi", f"{name}_en") for name in _TEXTS},
    **{name: (name,) for name in ("key", "kind", "position", "section", "version")},
}
# Where a view's field reads something else, or needs a computed entry beside its properties.
SCALAR_OVERRIDES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("Step", "text"): (
        ("action_vi", "action_en", "purpose_vi", "purpose_en"),
        "_actor: HEAD(COLLECT {{ MATCH ({c})-[:ACTOR]->({c}_who) RETURN {c}_who {{.key, .name_vi, .name_en}} }})",
    ),
    ("Participant", "kind"): ((), ""),
    ("Recipient", "role"): ((), ""),
    ("Recipient", "how"): ((), ""),
}
_topics = Relation("Topic", "MATCH ({p})-[{c}_a:ABOUT]->({c}:Topic)", "{c}_a.position")
_evidence_texts = (
    ".rank, _department_key: {c}.department.key, _evidence: [{c}_x IN {c}.evidence | {c}_x {{.*, _label: labels({c}_x)[0], "
    "_actor: HEAD(COLLECT {{ MATCH ({c}_x)-[:ACTOR]->({c}_y) RETURN {c}_y {{.key, .name_vi, .name_en}} }}), "
    "_provider: HEAD(COLLECT {{ MATCH ({c}_x)<-[:PROVIDES]-({c}_y) RETURN {c}_y {{.key, .name_vi, .name_en}} }}), "
    "_partners: COLLECT {{ MATCH ({c}_x)<-[:COOPERATES_ON]-(:Relationship)-[:BETWEEN]->({c}_y) "
    "RETURN {c}_y {{.key, .name_vi, .name_en}} ORDER BY {c}_y.position }} }}]"
)

_flows_in = (
    "MATCH ({p})<-[:TO]-({c}:Flow)<-[:PROVIDES]-({c}_other:Department) MATCH ({c}_rel:Relationship)-[:INCLUDES]->({c})"
)
_flows_out = (
    "MATCH ({p})-[:PROVIDES]->({c}:Flow)-[:TO]->({c}_other:Department) MATCH ({c}_rel:Relationship)-[:INCLUDES]->({c})"
)
_by_relationship = "{c}_rel.position, {c}.position"

VIEWS: dict[str, tuple[str, dict[str, Relation]]] = {
    "Department": (
        ALL,
        {
            "relationships": Relation("Relationship", "MATCH ({p})<-[:BETWEEN]-({c}:Relationship)", "{c}.position"),
            "needs": Relation("Flow", _flows_in, _by_relationship, filters={"from": ("Department", "{c}_other = {n}")}),
            "contributions": Relation(
                "Flow", _flows_out, _by_relationship, filters={"to": ("Department", "{c}_other = {n}")}
            ),
        },
    ),
    "Relationship": (
        ALL,
        {
            "departments": Relation("Department", "MATCH ({p})-[{c}_b:BETWEEN]->({c}:Department)", "{c}_b.position"),
            "sharedGoals": Relation("Goal", "MATCH ({p})-[:HAS_GOAL]->({c}:Goal)", "{c}.position"),
            "roles": Relation("Role", "MATCH ({p})-[:HAS_ROLE]->({c}:Role)", "{c}.position"),
            "activities": Relation("Activity", "MATCH ({p})-[:COOPERATES_ON]->({c}:Activity)", "{c}.position"),
            "flows": Relation("Flow", "MATCH ({p})-[:INCLUDES]->({c}:Flow)", "{c}.position"),
            "examples": Relation("Scenario", "MATCH ({p})-[:HAS_EXAMPLE]->({c}:Scenario)", "{c}.position"),
        },
    ),
    "Flow": (
        ALL,
        {
            "provider": Relation("Department", "MATCH ({p})<-[:PROVIDES]-({c}:Department)", single=True),
            "receiver": Relation("Department", "MATCH ({p})-[:TO]->({c}:Department)", single=True),
            "topics": _topics,
            "relationship": Relation("Relationship", "MATCH ({p})<-[:INCLUDES]-({c}:Relationship)", single=True),
        },
    ),
    "Goal": (ALL, {"topics": _topics}),
    "Activity": (ALL, {"topics": _topics}),
    "Duty": (ALL, {"topics": _topics}),
    "Role": (
        ALL,
        {
            "department": Relation("Department", "MATCH ({p})-[:OF]->({c}:Department)", single=True),
            "duties": Relation(
                "Duty", "MATCH ({p})-[:HAS_DUTY]->({c}:Duty)", "{c}.position", leaf=(Want("text", "text"),)
            ),
            "items": Relation("Duty", "MATCH ({p})-[:HAS_DUTY]->({c}:Duty)", "{c}.position"),
        },
    ),
    "Scenario": (
        ALL,
        {
            "steps": Relation("Step", "MATCH ({p})-[:HAS_STEP]->({c}:Step)", "{c}.position"),
            "relationship": Relation("Relationship", "MATCH ({p})<-[:HAS_EXAMPLE]-({c}:Relationship)", single=True),
        },
    ),
    "Step": (
        ALL,
        {
            "actor": Relation("Participant", "MATCH ({p})-[:ACTOR]->({c})", single=True),
            "recipient": Relation("Participant", "MATCH ({p})-[:RECIPIENT]->({c})", single=True),
            "topics": _topics,
        },
    ),
    "Participant": (
        "_label: labels({c})[0]",
        {
            "department": Relation("Department", "UNWIND [{p}] AS {c} WITH {c} WHERE {c}:Department", single=True),
            # For an outside party: the departments whose duties, goals, activities or examples involve it.
            "departments": Relation(
                "Department",
                "CALL ({p}) {{ "
                "MATCH ({p}:Party)<-[:CONCERNS]-(:Duty)<-[:HAS_DUTY]-(:Role)-[:OF]->({c}_d:Department) RETURN {c}_d "
                "UNION MATCH ({p}:Party)<-[:CONCERNS]-(:Goal|Activity)<-[:HAS_GOAL|COOPERATES_ON]-(:Relationship)"
                "-[:BETWEEN]->({c}_d:Department) RETURN {c}_d "
                "UNION MATCH ({p}:Party)<-[:ACTOR|RECIPIENT]-(:Step)<-[:HAS_STEP]-(:Scenario)<-[:HAS_EXAMPLE]-"
                "(:Relationship)-[:BETWEEN]->({c}_d:Department) RETURN {c}_d "
                "UNION MATCH ({p}:Department) RETURN {p} AS {c}_d }} "
                "WITH DISTINCT {c}_d AS {c}",
                "{c}.position",
            ),
        },
    ),
    "Topic": (
        ALL,
        {
            "flows": Relation(
                "Flow",
                "MATCH ({p})<-[:ABOUT]-({c}:Flow) MATCH ({c}_rel:Relationship)-[:INCLUDES]->({c})",
                _by_relationship,
                filters={
                    "from": ("Department", "EXISTS {{ MATCH ({c})<-[:PROVIDES]-({n}) }}"),
                    "to": ("Department", "EXISTS {{ MATCH ({c})-[:TO]->({n}) }}"),
                },
            ),
            "recipients": Relation(
                "Recipient",
                # No aggregation functions here: inside a map projection Neo4j 5 would take them
                # for the enclosing RETURN's. Subquery expressions do the grouping instead.
                "UNWIND COLLECT {{ "
                "MATCH ({p})<-[:ABOUT]-(:Step)-[:RECIPIENT]->({c}_x:Department) RETURN {c}_x "
                "UNION MATCH ({p})<-[:ABOUT]-(:Flow)-[:TO]->({c}_x:Department) RETURN {c}_x "
                "UNION MATCH ({p})<-[:ABOUT]-(:Activity)<-[:COOPERATES_ON]-(:Relationship)"
                "-[:BETWEEN]->({c}_x:Department) RETURN {c}_x }} AS {c}_d "
                "WITH {c}_d, "
                "COLLECT {{ MATCH ({p})<-[:ABOUT]-({c}_s:Step)-[:RECIPIENT]->({c}_d) RETURN {c}_s }} AS {c}_steps, "
                "COLLECT {{ MATCH ({p})<-[:ABOUT]-({c}_f:Flow)-[:TO]->({c}_d) RETURN {c}_f }} AS {c}_flows, "
                "COLLECT {{ MATCH ({p})<-[:ABOUT]-({c}_a:Activity)<-[:COOPERATES_ON]-(:Relationship)"
                "-[:BETWEEN]->({c}_d) RETURN {c}_a }} AS {c}_activities "
                "WITH {{department: {c}_d, "
                "rank: CASE WHEN any({c}_s IN {c}_steps WHERE {c}_s.purpose_vi IS NOT NULL) THEN 1 "
                "WHEN size({c}_steps) + size({c}_flows) > 0 THEN 2 ELSE 3 END, "
                "evidence: {c}_steps + {c}_flows + {c}_activities}} AS {c}",
                "{c}.rank, {c}.department.position",
            ),
            "examples": Relation(
                "Scenario",
                "MATCH ({p})<-[:ABOUT]-(:Step)<-[:HAS_STEP]-({c}_s:Scenario) WITH DISTINCT {c}_s AS {c}",
                "{c}.position",
            ),
        },
    ),
    "Recipient": (
        _evidence_texts,
        {
            "department": Relation("Department", "UNWIND [{p}.department] AS {c}", single=True),
            "flows": Relation("Flow", "UNWIND {p}.evidence AS {c} WITH {c} WHERE {c}:Flow"),
            "steps": Relation("Step", "UNWIND {p}.evidence AS {c} WITH {c} WHERE {c}:Step"),
            "activities": Relation("Activity", "UNWIND {p}.evidence AS {c} WITH {c} WHERE {c}:Activity"),
        },
    ),
    "Principle": (ALL, {}),
    "Statement": (
        ALL,
        {"about": Relation("Participant", "MATCH ({p})-[{c}_m:MENTIONS]->({c})", "{c}_m.position")},
    ),
}


@dataclass(frozen=True)
class Root:
    """A root field: the view it returns, the names it resolves, and how it starts."""

    view: str
    names: Mapping[str, str]  # argument → label whose lookup resolves it
    relation: Relation | None = None  # applied to the first name's node (or to nothing)
    many: bool = True


ROOTS: dict[str, Root] = {
    "departments": Root("Department", {}, Relation("Department", "MATCH ({c}:Department)", "{c}.position")),
    "department": Root("Department", {"key": "Department"}, many=False),
    "relationship": Root(
        "Relationship",
        {"between": "Department", "and": "Department"},
        Relation(
            "Relationship",
            "MATCH ({n0})<-[:BETWEEN]-({c}:Relationship)-[:BETWEEN]->({n1})",
            single=True,
        ),
        many=False,
    ),
    "needs": Root("Flow", {"of": "Department"}, VIEWS["Department"][1]["needs"]),
    "contributions": Root("Flow", {"of": "Department"}, VIEWS["Department"][1]["contributions"]),
    "recipients": Root("Recipient", {"topic": "Topic"}, VIEWS["Topic"][1]["recipients"]),
    "principles": Root("Principle", {}, Relation("Principle", "MATCH ({c}:Principle)", "{c}.position")),
    "topics": Root("Topic", {}, Relation("Topic", "MATCH ({c}:Topic)", "{c}.position")),
    "parties": Root("Participant", {}, Relation("Participant", "MATCH ({c}:Party)", "{c}.position")),
    "topic": Root("Topic", {"name": "Topic"}, many=False),
    "statements": Root(
        "Statement",
        {},
        Relation(
            "Statement",
            "MATCH ({c}:Statement) WHERE $arg_section IS NULL OR {c}.section = $arg_section",
            "{c}.position",
        ),
    ),
}
# One thing by its exact key, for reading back what a mutation wrote (`<label>ByKey`).
for _label, _view in {
    "Department": "Department", "Party": "Participant", "Topic": "Topic", "Relationship": "Relationship",
    "Flow": "Flow", "Scenario": "Scenario", "Principle": "Principle", "Statement": "Statement",
}.items():  # fmt: skip
    ROOTS[f"{_label}ByKey"] = Root(
        _view, {}, Relation(_view, f"MATCH ({{c}}:{_label} {{{{key: $arg_key}}}})", single=True), many=False
    )


@dataclass(frozen=True)
class NameUse:
    """A name a query resolves: which argument, where, and which label it must name."""

    variable: str
    label: str
    argument: str
    value: str
    path: str  # e.g. "needs(from:)" or "department.needs(from:)"


@dataclass(frozen=True)
class Compiled:
    cypher: str
    params: dict[str, Any]
    names: tuple[NameUse, ...]


class _Compiler:
    def __init__(self) -> None:
        self.children = 0
        self.names: list[NameUse] = []

    def name(self, label: str, argument: str, value: str, path: str) -> str:
        variable = f"n{len(self.names)}"
        self.names.append(NameUse(variable, label, argument, value, path))
        return variable

    def projection(self, view: str, var: str, wants: tuple[Want, ...], path: str) -> str:
        base, relations = VIEWS[view]
        props: dict[str, None] = {}
        parts = [base.format(c=var)] if base else []
        for want in wants:
            relation = relations.get(want.field)
            if relation is not None:
                expr = self.relation(relation, var, want, f"{path}.{want.field}")
                parts.append(f"_r_{want.key}: {expr}")
                continue
            names, extra = SCALAR_OVERRIDES.get((view, want.field), (SCALAR_PROPS.get(want.field, ()), ""))
            props.update(dict.fromkeys(names))
            if extra and extra.format(c=var) not in parts:
                parts.append(extra.format(c=var))
        items = [f".{name}" for name in props] + parts
        return f"{var} {{{', '.join(items or ['.key'])}}}"

    def relation(self, relation: Relation, parent: str, want: Want, path: str) -> str:
        self.children += 1
        child = f"c{self.children}"
        conditions = []
        for argument, (label, condition) in relation.filters.items():
            value = want.arg(argument)
            if value is not None:
                name = self.name(label, argument, value, f"{path}({argument}:)")
                conditions.append(condition.format(c=child, n=name))
        match = relation.match.format(p=parent, c=child, n0="n0", n1="n1")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        # Ordered before projecting: ORDER BY then reads the nodes, not the projected maps, and
        # Neo4j does not take the projection's nested aggregations for the RETURN's own.
        order = f" WITH * ORDER BY {relation.order.format(c=child)}" if relation.order else ""
        projection = self.projection(relation.view, child, want.children or relation.leaf, path)
        subquery = f"COLLECT {{ {match}{where}{order} RETURN {projection} AS item }}"
        return f"HEAD({subquery})" if relation.single else subquery


@lru_cache(maxsize=1024)
def _compile(field_name: str, root_args: tuple[tuple[str, Any], ...], wants: tuple[Want, ...]) -> Compiled:
    root = ROOTS[field_name]
    compiler = _Compiler()
    args = dict(root_args)
    for argument, label in root.names.items():
        if args.get(argument) is not None:
            compiler.name(label, argument, args[argument], f"{field_name}({argument}:)")
    # A root relation sees the root's own filter arguments (needs(from:)) like a nested one.
    want = Want(field_name, field_name, root_args, wants)
    if root.relation is not None:
        parent = compiler.names[0].variable if compiler.names else ""
        result = compiler.relation(root.relation, parent, want, field_name)
    else:
        result = compiler.projection(root.view, "n0", wants, field_name)
    prologue = " ".join(
        f"OPTIONAL CALL () {{ CALL db.index.fulltext.queryNodes('{NAMES_INDEX}', ${use.variable}) "
        f"YIELD node WHERE node:{use.label} "
        f"RETURN node AS {use.variable} ORDER BY node.position LIMIT 1 }}"
        for use in compiler.names
    )
    found = ", ".join(f"{use.variable}: {use.variable} IS NOT NULL" for use in compiler.names)
    cypher = f"{prologue} RETURN {result} AS result, {{{found}}} AS found".strip()
    return Compiled(cypher, {}, tuple(compiler.names))


def compile_root(field_name: str, args: Mapping[str, Any], wants: tuple[Want, ...]) -> Compiled:
    """The one query that answers root field `field_name` with the selection `wants`."""
    root_args = tuple(sorted((k, v) for k, v in args.items() if v is not None))
    compiled = _compile(field_name, root_args, wants)
    params: dict[str, Any] = {use.variable: name_query(str(use.value)) for use in compiled.names}
    params |= {f"arg_{name}": value for name, value in args.items()}
    return Compiled(compiled.cypher, params, compiled.names)


def name_query(typed: str) -> str:
    """The exact-match query for a typed name in the names index. Folding leaves only letters,
    digits and single spaces, so the quoted phrase needs no escaping; an empty fold gets a
    token no lookup entry can hold (folding removes underscores)."""
    return f'"{fold(typed) or "__nothing__"}"'


@dataclass(frozen=True)
class RootResult:
    value: Any
    missing: tuple[NameUse, ...]  # names that matched nothing


async def read_root(db: Database, field_name: str, args: Mapping[str, Any], wants: tuple[Want, ...]) -> RootResult:
    """Answer one root field in one round trip."""
    compiled = compile_root(field_name, args, wants)
    rows = await db.read(compiled.cypher, **compiled.params)
    row = rows[0]
    missing = tuple(use for use in compiled.names if not row["found"][use.variable])
    return RootResult(row["result"], missing)


# --- names: suggestions for what did not match ------------------------------------------------


async def closest_names(db: Database, label: str, typed: str, limit: int = 3) -> list[dict[str, str]]:
    """The things of `label` whose names are closest to what was typed (for NOT_FOUND errors)."""
    import difflib

    rows = await db.read(
        "MATCH (x) WHERE $label IN labels(x) "
        "RETURN x.key AS key, x.name_vi AS name_vi, x.name_en AS name_en, x.lookup AS lookup",
        label=label,
    )
    wanted = fold(typed)
    scored = []
    for row in rows:
        best = max(
            (difflib.SequenceMatcher(None, wanted, form).ratio() for form in row["lookup"] or [row["key"]]),
            default=0.0,
        )
        scored.append((best, row))
    scored.sort(key=lambda item: -item[0])
    best = scored[0][0] if scored else 0.0
    return [
        {"key": row["key"], "name_vi": row["name_vi"], "name_en": row["name_en"]}
        for score, row in scored[:limit]
        if score >= max(0.5, best - 0.15)
    ]


# --- search -------------------------------------------------------------------------------------

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
MAX_TERMS = 16


def lucene_terms(text: str) -> list[str]:
    """The words of `text`, each escaped so Lucene reads it as plain text, never as syntax."""
    words = text.split()[:MAX_TERMS]
    return [_LUCENE_SPECIAL.sub(r"\\\1", word.lower()) for word in words if word.strip()]


# Names count most, then titles, then the rest: "kế toán" finds the department before the
# sentences that mention it, whatever else the index holds.
FIELD_BOOSTS = (
    (("name_vi", "name_en", "aliases_vi", "aliases_en"), 8),
    (("title_vi", "title_en"), 3),
    (("text_vi", "text_en", "summary_vi", "summary_en", "purpose_vi", "purpose_en",
      "statement_vi", "statement_en", "action_vi", "action_en"), 1),
)  # fmt: skip


def _field_query(terms: list[str], required: bool) -> str:
    words = " ".join(("+" if required else "") + term for term in terms)
    phrase = " ".join(terms)
    clauses = []
    for fields, boost in FIELD_BOOSTS:
        for name in fields:
            clauses.append(f"{name}:({words})^{boost}")
            if len(terms) > 1:
                clauses.append(f'{name}:"{phrase}"^{boost * 2}')
    return " ".join(clauses)


async def search(db: Database, text: str, limit: int) -> list[dict[str, Any]]:
    """Full-text search over every name and text, accent-insensitive, best first.

    All words must match (a phrase match ranks higher); if nothing matches all of them,
    any word may."""
    terms = lucene_terms(text)
    if not terms:
        return []
    queries = [_field_query(terms, required=True)]
    if len(terms) > 1:
        queries.append(_field_query(terms, required=False))
    for query in queries:
        rows = await db.read(
            "CALL db.index.fulltext.queryNodes($index, $query, {limit: $limit}) YIELD node, score "
            "WITH node, score, labels(node)[0] AS kind "
            # A topic concerns its recipients, the department that handles it first.
            "CALL (node, kind) { "
            "  CALL (node, kind) { "
            "    MATCH (node)<-[:ABOUT]-(s:Step)-[:RECIPIENT]->(d:Department) WHERE kind = 'Topic' "
            "    RETURN d, CASE WHEN s.purpose_vi IS NULL THEN 2 ELSE 1 END AS rank "
            "    UNION ALL MATCH (node)<-[:ABOUT]-(:Flow)-[:TO]->(d:Department) WHERE kind = 'Topic' RETURN d, 2 AS rank "
            "    UNION ALL MATCH (node)<-[:ABOUT]-(:Activity)<-[:COOPERATES_ON]-(:Relationship)-[:BETWEEN]->(d:Department) "
            "      WHERE kind = 'Topic' RETURN d, 3 AS rank } "
            "  WITH d, min(rank) AS rank ORDER BY rank, d.position "
            "  RETURN collect(d {.key, .name_vi, .name_en}) AS recipients } "
            "RETURN kind, node.key AS key, score, "
            "coalesce(node.name_vi, node.title_vi, node.text_vi, node.action_vi) AS text_vi, "
            "coalesce(node.name_en, node.title_en, node.text_en, node.action_en) AS text_en, "
            "CASE "
            "  WHEN kind = 'Flow' THEN HEAD(COLLECT { MATCH (p)-[:PROVIDES]->(node)-[:TO]->(r) "
            "       RETURN {vi: p.name_vi + ' → ' + r.name_vi, en: p.name_en + ' → ' + r.name_en} }) "
            "  WHEN kind = 'Step' THEN HEAD(COLLECT { MATCH (s:Scenario)-[:HAS_STEP]->(node) "
            "       RETURN {vi: s.title_vi, en: s.title_en} }) "
            "  WHEN kind = 'Duty' THEN HEAD(COLLECT { "
            "       MATCH (r:Relationship)-[:HAS_ROLE]->()-[:HAS_DUTY]->(node) "
            "       RETURN {vi: r.title_vi, en: r.title_en} }) "
            "  WHEN kind IN ['Goal', 'Activity', 'Scenario'] THEN HEAD(COLLECT { "
            "       MATCH (r:Relationship)-->(node) RETURN {vi: r.title_vi, en: r.title_en} }) "
            "END AS context, "
            "CASE "
            "  WHEN kind = 'Department' THEN [node {.key, .name_vi, .name_en}] "
            "  WHEN kind = 'Topic' THEN recipients "
            "  WHEN kind = 'Flow' THEN COLLECT { MATCH (d:Department)-[:PROVIDES]->(node) RETURN d {.key, .name_vi, .name_en} } "
            "       + COLLECT { MATCH (node)-[:TO]->(d:Department) RETURN d {.key, .name_vi, .name_en} } "
            "  WHEN kind = 'Duty' THEN COLLECT { MATCH (d:Department)<-[:OF]-(:Role)-[:HAS_DUTY]->(node) RETURN d {.key, .name_vi, .name_en} } "
            "  WHEN kind = 'Step' THEN COLLECT { MATCH (node)-[r:ACTOR|RECIPIENT]->(d:Department) "
            "       RETURN d {.key, .name_vi, .name_en} ORDER BY type(r) } "
            "  WHEN kind = 'Statement' THEN COLLECT { MATCH (node)-[m:MENTIONS]->(d:Department) "
            "       RETURN d {.key, .name_vi, .name_en} ORDER BY m.position } "
            "  WHEN kind = 'Relationship' THEN COLLECT { MATCH (node)-[b:BETWEEN]->(d) "
            "       RETURN d {.key, .name_vi, .name_en} ORDER BY b.position } "
            "  WHEN kind IN ['Goal', 'Activity', 'Scenario'] THEN COLLECT { "
            "       MATCH (node)<--(:Relationship)-[b:BETWEEN]->(d) RETURN d {.key, .name_vi, .name_en} ORDER BY b.position } "
            "  ELSE [] "
            "END AS departments "
            "ORDER BY score DESC, kind, key",
            index=SEARCH_INDEX,
            query=query,
            limit=limit,
        )
        if rows:
            return rows
    return []
