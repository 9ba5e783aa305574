"""The read side's own vocabulary, and answering a root field.

`graph.mapping` has the general declarations (a property, a text, a path along relationships);
this module holds the ones that say something about this domain and need Cypher of their own —
the recipients of a topic and how each is involved, a step told as a sentence, what a search
hit concerns — as named declarations the GraphQL fields use (the `@cypher` of this project).

`read` answers one root field: it checks the cost of the selection against the graph's real
list sizes, runs the compiled query, turns names that matched nothing into `NameNotFound` (with
suggestions taken from an index, never from a scan) and finishes the answer.
"""

from __future__ import annotations

import asyncio
import re
import time
import weakref
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from domain.names import fold
from graph.compiler import (
    BadArgument,
    Compiled,
    Finishing,
    Limits,
    NameUse,
    Select,
    compile_root,
    finish,
    keys_query,
    merged,
)
from graph.cost import GraphStats, estimate
from graph.database import Database, request_stats
from graph.errors import TooCostly
from graph.mapping import Computed, Derived, FullText, NameArg, NameFilter, Order, Related, Root, ValueArg, into, out
from graph.schema import SEARCH_INDEX, TERMS_INDEX
from graph.shape import (
    ABOUT,
    ACTOR,
    BETWEEN,
    CONCERNS,
    COOPERATES_ON,
    HAS_DUTY,
    HAS_EXAMPLE,
    HAS_GOAL,
    HAS_ROLE,
    HAS_STEP,
    INCLUDES,
    MENTIONS,
    OF,
    OWNED_BY,
    PROVIDES,
    RECIPIENT,
    TO,
    Label,
)
from graph.terms import MAX_AMBIGUOUS, closest_forms, terms

# --- computed values -------------------------------------------------------------------------

_SO_THAT = {"vi": "để", "en": "to"}


def _sentence(n: str, lang: str) -> str:
    """A step as a sentence: actor, action and purpose ("Kinh doanh chuyển … để giải quyết.")."""
    return (
        f"coalesce(HEAD(COLLECT {{ MATCH ({n})-[:{ACTOR}]->({n}_a) RETURN {n}_a.name_{lang} }}) + ' ', '') "
        f"+ {n}.action_{lang} + CASE WHEN {n}.purpose_{lang} IS NULL THEN '' "
        f"ELSE ' {_SO_THAT[lang]} ' + {n}.purpose_{lang} END + '.'"
    )


STEP_SENTENCE = Computed(_sentence, description="the step as a sentence", lang=True)
STEP_NUMBER = Computed(lambda n, _: f"{n}.position + 1", description="1 for the first step")
ROLE_DUTY_TEXTS = Computed(
    lambda n, lang: (
        f"COLLECT {{ MATCH ({n})-[:{HAS_DUTY}]->({n}_d) RETURN {n}_d.text_{lang} ORDER BY {n}_d.position }}"
    ),
    description="the role's duties as texts",
    lang=True,
)
PARTICIPANT_KIND = Computed(lambda n, _: f"CASE WHEN {n}:Department THEN 'DEPARTMENT' ELSE 'PARTY' END")
VERSION = Computed(lambda n, _: f"coalesce({n}.version, 1)")

# --- relations along the shape ------------------------------------------------------------------

NEEDS = Related(
    (into(TO, Label.FLOW),),
    order=(Order.CONTAINER_POSITION, Order.POSITION),
    filters=(NameFilter("from", Label.DEPARTMENT, into(PROVIDES)),),
)
CONTRIBUTIONS = Related(
    (out(PROVIDES, Label.FLOW),),
    order=(Order.CONTAINER_POSITION, Order.POSITION),
    filters=(NameFilter("to", Label.DEPARTMENT, out(TO)),),
)
RELATIONSHIPS_OF = Related((into(BETWEEN, Label.RELATIONSHIP),), order=(Order.POSITION,))
PAIR = Related((out(BETWEEN, Label.DEPARTMENT),), order=(Order.EDGE_POSITION,))
RELATIONSHIP_BETWEEN = Related(
    (into(BETWEEN, Label.RELATIONSHIP),), single=True,
    filters=(NameFilter("and", Label.DEPARTMENT, out(BETWEEN)),),
)  # fmt: skip
GOALS = Related((out(HAS_GOAL, Label.GOAL),), order=(Order.POSITION,))
ROLES = Related((out(HAS_ROLE, Label.ROLE),), order=(Order.POSITION,))
ACTIVITIES = Related((out(COOPERATES_ON, Label.ACTIVITY),), order=(Order.POSITION,))
FLOWS = Related((out(INCLUDES, Label.FLOW),), order=(Order.POSITION,))
EXAMPLES = Related((out(HAS_EXAMPLE, Label.SCENARIO),), order=(Order.POSITION,))
PROVIDER = Related((into(PROVIDES, Label.DEPARTMENT),), single=True)
RECEIVER = Related((out(TO, Label.DEPARTMENT),), single=True)
TOPICS = Related((out(ABOUT, Label.TOPIC),), order=(Order.EDGE_POSITION,))
RELATIONSHIP_OF_FLOW = Related((into(INCLUDES, Label.RELATIONSHIP),), single=True)
RELATIONSHIP_OF_SCENARIO = Related((into(HAS_EXAMPLE, Label.RELATIONSHIP),), single=True)
ROLE_DEPARTMENT = Related((out(OF, Label.DEPARTMENT),), single=True)
DUTIES = Related((out(HAS_DUTY, Label.DUTY),), order=(Order.POSITION,))
STEPS = Related((out(HAS_STEP, Label.STEP),), order=(Order.POSITION,))
ACTOR_OF = Related((out(ACTOR),), single=True)
RECIPIENT_OF = Related((out(RECIPIENT),), single=True)
MENTIONED = Related((out(MENTIONS),), order=(Order.EDGE_POSITION,))
TOPIC_FLOWS = Related(
    (into(ABOUT, Label.FLOW),),
    order=(Order.CONTAINER_POSITION, Order.POSITION),
    filters=(
        NameFilter("from", Label.DEPARTMENT, into(PROVIDES)),
        NameFilter("to", Label.DEPARTMENT, out(TO)),
    ),
)
# Flows and examples about any of several topics (what a question's term means).
TOPICS_FLOWS = Derived(
    "flows about topics",
    f"UNWIND {{p}} AS {{c}}_t MATCH ({{c}}_t)<-[:{ABOUT}]-({{c}}:Flow) WITH DISTINCT {{c}} "
    f"WITH {{c}}, HEAD(COLLECT {{{{ MATCH ({{c}})<-[:{INCLUDES}]-({{c}}_r) RETURN {{c}}_r.position }}}}) AS {{c}}_o",
    order="{c}_o, {c}.position, {c}.key",
    bound=Related((into(ABOUT, Label.FLOW),)),
    parent_list=True,
    distinct=True,
)
TOPICS_EXAMPLES = Derived(
    "examples about topics",
    f"UNWIND {{p}} AS {{c}}_t MATCH ({{c}}_t)<-[:{ABOUT}]-(:Step)<-[:{HAS_STEP}]-({{c}}:Scenario) WITH DISTINCT {{c}}",
    order="{c}.position, {c}.key",
    bound=Label.SCENARIO,
    parent_list=True,
    distinct=True,
)
TOPIC_EXAMPLES = Related(
    (into(ABOUT, Label.STEP), into(HAS_STEP, Label.SCENARIO)), order=(Order.POSITION,), distinct=True
)

# --- where things come from, and who answers for them -----------------------------------------

# An item's citation is kept on the item itself (`source_*` properties, graph.shape): the
# `Citation` object is the item, seen for those properties.
CITATION = Derived("the item's citation", "UNWIND [{p}] AS {c}", single=True)
CITED_DOCUMENT = Derived(
    "the source document a citation names", "MATCH ({c}:Source {{key: {p}.source_document}})", single=True
)


def _creation(field: str) -> Computed:
    """What the audit trail says about the item's creation (the newest, should its key have been
    reused): who made it, or when. Seeded items have none (the first seed is the baseline)."""
    return Computed(
        lambda n, _: (
            f"HEAD(COLLECT {{ MATCH ({n}_x:Change {{key: {n}.key}}) WHERE {n}_x.label IN labels({n}) "
            f"AND {n}_x.before IS NULL RETURN {n}_x.{field} ORDER BY {n}_x.id DESC LIMIT 1 }})"
        ),
        description=f"the {field} of the audit record that created it",
    )


ADDED_BY = _creation("actor")
ADDED_AT = _creation("at")
# A relationship's owner, as an object of its own: the relationship, when it has one.
OWNER = Derived(
    "the relationship's owner", "UNWIND [{p}] AS {c} WITH {c} WHERE EXISTS {{ ({c})-[:" + OWNED_BY.type + "]->() }}",
    single=True,
)  # fmt: skip
OWNER_DEPARTMENT = Related((out(OWNED_BY, Label.DEPARTMENT),), single=True)

# --- derived relations (more than a path) -----------------------------------------------------

# A department is a recipient of a topic when a step about it hands it to the department, a flow
# about it goes to the department, or the department cooperates on an activity about it. It
# HANDLES the topic (rank 1) when a step hands it over for a purpose, is INFORMED (2) by any
# other step or flow, and COOPERATES (3) otherwise. No aggregation functions here: inside a map
# projection Neo4j 5 would take them for the enclosing RETURN's; subquery expressions group.
# The template reads the topics as a list ({p}): a topic's own recipients, or those of every topic
# a loosely typed term means ("thanh toán": payment terms and the payment process).
_ABOUT_ANY = f"UNWIND {{p}} AS {{c}}_t MATCH ({{c}}_t)<-[:{ABOUT}]-"
_RECIPIENTS = (
    "UNWIND COLLECT {{ "
    f"{_ABOUT_ANY}(:Step)-[:{RECIPIENT}]->({{c}}_x:Department) RETURN {{c}}_x "
    f"UNION {_ABOUT_ANY}(:Flow)-[:{TO}]->({{c}}_x:Department) RETURN {{c}}_x "
    f"UNION {_ABOUT_ANY}(:Activity)<-[:{COOPERATES_ON}]-(:Relationship)"
    f"-[:{BETWEEN}]->({{c}}_x:Department) RETURN {{c}}_x }}}} AS {{c}}_d "
    "WITH {c}_d, "
    f"COLLECT {{{{ {_ABOUT_ANY}({{c}}_s:Step)-[:{RECIPIENT}]->({{c}}_d) RETURN DISTINCT {{c}}_s ORDER BY {{c}}_s.position }}}} AS {{c}}_steps, "
    f"COLLECT {{{{ {_ABOUT_ANY}({{c}}_f:Flow)-[:{TO}]->({{c}}_d) RETURN DISTINCT {{c}}_f ORDER BY {{c}}_f.position }}}} AS {{c}}_flows, "
    f"COLLECT {{{{ {_ABOUT_ANY}({{c}}_v:Activity)<-[:{COOPERATES_ON}]-(:Relationship)"
    f"-[:{BETWEEN}]->({{c}}_d) RETURN DISTINCT {{c}}_v ORDER BY {{c}}_v.position }}}} AS {{c}}_activities "
    "WITH {{department: {c}_d, "
    "rank: CASE WHEN any({c}_s IN {c}_steps WHERE {c}_s.purpose_vi IS NOT NULL) THEN 1 "
    "WHEN size({c}_steps) + size({c}_flows) > 0 THEN 2 ELSE 3 END, "
    "evidence: {c}_steps + {c}_flows + {c}_activities}} AS {c}"
)
TOPIC_RECIPIENTS = Derived(
    "recipients of topics",
    _RECIPIENTS,
    order="{c}.rank, {c}.department.position",
    bound=Label.DEPARTMENT,
    parent_list=True,
)
RECIPIENT_DEPARTMENT = Derived("the recipient's department", "UNWIND [{p}.department] AS {c}", single=True)
RECIPIENT_FLOWS = Derived("flows in the evidence", "UNWIND {p}.evidence AS {c} WITH {c} WHERE {c}:Flow",
                          bound=Related((into(ABOUT, Label.FLOW),)))  # fmt: skip
RECIPIENT_STEPS = Derived("steps in the evidence", "UNWIND {p}.evidence AS {c} WITH {c} WHERE {c}:Step",
                          bound=Related((into(ABOUT, Label.STEP),)))  # fmt: skip
RECIPIENT_ACTIVITIES = Derived(
    "activities in the evidence", "UNWIND {p}.evidence AS {c} WITH {c} WHERE {c}:Activity",
    bound=Related((into(ABOUT, Label.ACTIVITY),)),
)  # fmt: skip
RECIPIENT_ROLE = Computed(lambda n, _: f"['HANDLES', 'INFORMED', 'COOPERATES'][{n}.rank - 1]")


def _evidence(n: str, lang: str) -> str:
    """What `recipient_how` needs to say how a department is involved (both languages)."""
    return (
        f"{{rank: {n}.rank, department: {n}.department.key, evidence: [{n}_x IN {n}.evidence | {n}_x {{.*, "
        f"label: labels({n}_x)[0], "
        f"actor: HEAD(COLLECT {{ MATCH ({n}_x)-[:{ACTOR}]->({n}_y) RETURN {n}_y {{.key, .name_vi, .name_en}} }}), "
        f"provider: HEAD(COLLECT {{ MATCH ({n}_x)<-[:{PROVIDES}]-({n}_y) RETURN {n}_y {{.key, .name_vi, .name_en}} }}), "
        f"partners: COLLECT {{ MATCH ({n}_x)<-[:{COOPERATES_ON}]-(:Relationship)-[:{BETWEEN}]->({n}_y) "
        f"RETURN {n}_y {{.key, .name_vi, .name_en}} ORDER BY {n}_y.position }} }}]}}"
    )


_HOW = {
    "vi": ("Xử lý", "Được thông tin", "Phối hợp", "từ", "cùng"),
    "en": ("Handles it", "Is informed", "Cooperates", "from", "with"),
}


def step_sentence(step: dict[str, Any], lang: str) -> str:
    actor = (step.get("actor") or {}).get(f"name_{lang}", "")
    sentence = f"{actor} {step.get(f'action_{lang}', '')}".strip()
    purpose = step.get(f"purpose_{lang}")
    if purpose:
        sentence += f" {_SO_THAT[lang]} {purpose}"
    return sentence + "."


def recipient_how(recipient: dict[str, Any], lang: str) -> str:
    """One sentence on how a department gets involved, from its strongest piece of evidence."""
    handles, informed, cooperates, source, together = _HOW[lang]
    rank = int(recipient["rank"])
    evidence = recipient.get("evidence") or []
    steps = [e for e in evidence if e["label"] == "Step"]
    if rank == 1:
        step = next(s for s in steps if s.get("purpose_vi"))
        return f"{handles}: {step_sentence(step, lang)}"
    if rank == 2:
        flow = next((e for e in evidence if e["label"] == "Flow"), None)
        if flow is not None:
            provider = (flow.get("provider") or {}).get(f"name_{lang}", "")
            return f"{informed}: {flow[f'text_{lang}']} ({source} {provider})"
        return f"{informed}: {step_sentence(steps[0], lang)}"
    activity = next(e for e in evidence if e["label"] == "Activity")
    partners = [p[f"name_{lang}"] for p in activity.get("partners", []) if p["key"] != recipient["department"]]
    return f"{cooperates}: {activity[f'text_{lang}']} ({together} {', '.join(partners)})"


RECIPIENT_HOW = Computed(_evidence, finish=recipient_how, description="how the department is involved", lang=True)

# For an outside party such as customers: the departments whose duties, goals, activities or
# examples involve it. For a department: itself.
PARTICIPANT_DEPARTMENT = Derived(
    "the participant, if a department", "UNWIND [{p}] AS {c} WITH {c} WHERE {c}:Department", single=True
)
PARTICIPANT_DEPARTMENTS = Derived(
    "departments a participant involves",
    "CALL ({p}) {{ "
    f"MATCH ({{p}}:Party)<-[:{CONCERNS}]-(:Duty)<-[:{HAS_DUTY}]-(:Role)-[:{OF}]->({{c}}_d:Department) RETURN {{c}}_d "
    f"UNION MATCH ({{p}}:Party)<-[:{CONCERNS}]-(:Goal|Activity)<-[:{HAS_GOAL}|{COOPERATES_ON}]-(:Relationship)"
    f"-[:{BETWEEN}]->({{c}}_d:Department) RETURN {{c}}_d "
    f"UNION MATCH ({{p}}:Party)<-[:{ACTOR}|{RECIPIENT}]-(:Step)<-[:{HAS_STEP}]-(:Scenario)<-[:{HAS_EXAMPLE}]-"
    f"(:Relationship)-[:{BETWEEN}]->({{c}}_d:Department) RETURN {{c}}_d "
    "UNION MATCH ({p}:Department) RETURN {p} AS {c}_d }} "
    "WITH DISTINCT {c}_d AS {c}",
    order="{c}.position, {c}.key",
    bound=Label.DEPARTMENT,
)

# --- paths between departments -----------------------------------------------------------------

MAX_HOPS = 6
# A path search costs this many values whatever it finds (its work is the search, not the answer):
# four fit in one request at the default limit (DEPTGRAPH_MAX_COST, 50,000). At most
# SEARCHES_AT_ONCE run at once per process, so they never take all of Neo4j's request slots.
PATH_SEARCH_COST = 10_000
SEARCHES_AT_ONCE = 2
MAX_PATHS = 20
DEFAULT_HOPS = 4
DEFAULT_PATHS = 5


def _bounded(name: str, default: int, most: int) -> Any:
    def check(value: Any, where: str) -> int:
        number = default if value is None else int(value)
        if not 1 <= number <= most:
            raise BadArgument(f"{where}: {name} must be between 1 and {most}, not {number}.", argument=where)
        return number

    return check


# The chains of flows that carry something from one department (`{p}`) to another (`{to}`), the
# shortest first: one Cypher shortest-path search over the departments (a hop is a relationship
# along which a flow runs that way, about the topic when one is asked), so parallel flows do not
# multiply the routes and a relationship is never taken twice. No department is visited twice.
# Neo4j 5.26 takes neither the path count nor the quantifier's bounds as parameters: the search
# asks for MAX_PATHS paths of at most MAX_HOPS hops, and `maxHops` / `limit` cut that down (a
# predicate on the path is applied before the shortest are chosen, so the first `limit` are the
# shortest within `maxHops`). Each hop then shows its first flow (about the topic, if asked).


def _flow_that_way(s: str, f: str, r: str, t: str, about: str) -> str:
    """A flow `f` from `s` to `r`, about one of the topics in `about` unless that is null (the
    template's own placeholders doubled: this text goes into a template)."""
    return (
        f"MATCH ({s})-[:{PROVIDES}]->({f}:Flow)-[:{TO}]->({r}) "
        f"WHERE {about} IS NULL OR EXISTS {{{{ MATCH ({f})-[:{ABOUT}]->({t}) WHERE {t} IN {about} }}}}"
    )


# What the search reads is bound in the subquery itself first (a quantified path pattern's
# predicates see the variables of its own query, not those of the queries around it).
PATHS = Derived(
    "paths between departments",
    "UNWIND {to} AS {c}_b WITH {p} AS {c}_a, {c}_b, {about} AS {c}_about "
    f"MATCH {{c}}_path = SHORTEST {MAX_PATHS} ({{c}}_a)(({{c}}_x:Department)<-[:{BETWEEN}]-(:Relationship)"
    f"-[:{BETWEEN}]->({{c}}_y:Department) WHERE EXISTS {{{{ "
    + _flow_that_way("{c}_x", "{c}_f", "{c}_y", "{c}_t", "{c}_about")
    + f" }}}}){{{{1,{MAX_HOPS}}}}}({{c}}_b) "
    "WHERE length({c}_path) <= 2 * {maxHops} AND NOT {c}_a IN {c}_y "
    "AND all({c}_i IN range(1, size({c}_y) - 1) WHERE NOT {c}_y[{c}_i] IN {c}_y[0..{c}_i]) "
    "WITH {c}_a, {c}_about, {c}_x, {c}_y ORDER BY size({c}_y), [{c}_k IN {c}_y | {c}_k.key] LIMIT {limit} "
    "WITH {{hops: size({c}_y), departments: [{c}_a] + {c}_y, flows: COLLECT {{ "
    "UNWIND range(0, size({c}_y) - 1) AS {c}_n WITH {c}_n, {c}_x[{c}_n] AS {c}_s, {c}_y[{c}_n] AS {c}_r, {c}_about "
    "CALL ({c}_s, {c}_r, {c}_about) {{ "
    + _flow_that_way("{c}_s", "{c}_g", "{c}_r", "{c}_u", "{c}_about")
    + " RETURN {c}_g ORDER BY {c}_g.position, {c}_g.key LIMIT 1 }} RETURN {c}_g ORDER BY {c}_n }}}} AS {c}",
    order="{c}.hops, [{c}_k IN {c}.departments | {c}_k.key]",
    bound=MAX_PATHS,
    search=PATH_SEARCH_COST,
    arguments=(
        NameArg("to", Label.DEPARTMENT),
        NameArg("about", Label.TOPIC, many=True),
        ValueArg("maxHops", _bounded("maxHops", DEFAULT_HOPS, MAX_HOPS)),
        ValueArg("limit", _bounded("limit", DEFAULT_PATHS, MAX_PATHS)),
    ),
    distinct=True,
)
PATH_HOPS = Computed(lambda n, _: f"{n}.hops", description="the number of flows on the path")
PATH_DEPARTMENTS = Derived(
    "the departments of a path, in order",
    "UNWIND range(0, size({p}.departments) - 1) AS {c}_i WITH {p}.departments[{c}_i] AS {c}, {c}_i",
    order="{c}_i",
    bound=MAX_HOPS + 1,
    distinct=True,
)
PATH_FLOWS = Derived(
    "the flows of a path, in order",
    "UNWIND range(0, size({p}.flows) - 1) AS {c}_i WITH {p}.flows[{c}_i] AS {c}, {c}_i",
    order="{c}_i",
    bound=MAX_HOPS,
    distinct=True,
)

# --- search -----------------------------------------------------------------------------------

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
MAX_TERMS = 16
MAX_SEARCH_TEXT = 1000
MAX_SEARCH_RESULTS = 50


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


def _checked_text(text: Any, where: str) -> list[str]:
    text = str(text)
    if len(text) > MAX_SEARCH_TEXT:
        raise BadArgument(f"{where}: search text is at most {MAX_SEARCH_TEXT} characters; this one has {len(text)}.",
                          argument=where)  # fmt: skip
    return lucene_terms(text)


def strict_query(text: Any, where: str) -> str | None:
    """Every word must match (a phrase match ranks higher)."""
    terms = _checked_text(text, where)
    return _field_query(terms, required=True) if terms else None


def loose_query(text: Any, where: str) -> str | None:
    """Any word may match: asked only when nothing matches every word."""
    terms = _checked_text(text, where)
    return _field_query(terms, required=False) if len(terms) > 1 else None


def search_limit(limit: Any, where: str) -> int:
    count = 10 if limit is None else int(limit)
    if not 1 <= count <= MAX_SEARCH_RESULTS:
        raise BadArgument(f"limit must be between 1 and {MAX_SEARCH_RESULTS}, not {count}.", argument="limit")
    return count


SEARCH = FullText(SEARCH_INDEX, strict_query, loose_query, search_limit)
# Every word must match, or nothing is found: what `ask` falls back to, where a hit on one word of
# "who signs the contracts" would be a confident wrong answer.
STRICT_SEARCH = FullText(SEARCH_INDEX, strict_query, lambda text, where: None, search_limit)

# A search hit is the node found, with its score in `<node>_score` (see graph.compiler).
HIT_KIND = Computed(lambda n, _: f"labels({n})[0]")
HIT_KEY = Computed(lambda n, _: f"{n}.key")
HIT_SCORE = Computed(lambda n, _: f"{n}_score")
HIT_TEXT = Computed(
    lambda n, lang: f"coalesce({n}.name_{lang}, {n}.title_{lang}, {n}.text_{lang}, {n}.action_{lang})", lang=True
)
HIT_CONTEXT = Computed(
    lambda n, lang: (
        f"CASE "
        f"WHEN {n}:Flow THEN HEAD(COLLECT {{ MATCH ({n}_p)-[:{PROVIDES}]->({n})-[:{TO}]->({n}_r) "
        f"RETURN {n}_p.name_{lang} + ' → ' + {n}_r.name_{lang} }}) "
        f"WHEN {n}:Step THEN HEAD(COLLECT {{ MATCH ({n}_s:Scenario)-[:{HAS_STEP}]->({n}) RETURN {n}_s.title_{lang} }}) "
        f"WHEN {n}:Duty THEN HEAD(COLLECT {{ MATCH ({n}_r:Relationship)-[:{HAS_ROLE}]->()-[:{HAS_DUTY}]->({n}) "
        f"RETURN {n}_r.title_{lang} }}) "
        f"WHEN {n}:Goal OR {n}:Activity OR {n}:Scenario THEN HEAD(COLLECT {{ MATCH ({n}_r:Relationship)-->({n}) "
        f"RETURN {n}_r.title_{lang} }}) "
        "END"
    ),
    lang=True,
)
_TOPIC_RECIPIENTS_OF_HIT = _RECIPIENTS.replace("{c}", "{c}_t").replace("{p}", "[{p}]")
# What a hit concerns, most relevant first: a flow's provider and receiver, a relationship's pair,
# a topic's recipients (the one that handles it first), …
HIT_DEPARTMENTS = Derived(
    "departments a search hit concerns",
    # Candidates in order, then the first of each (no aggregation inside a projection: see above).
    "UNWIND [COLLECT {{ CALL ({p}) {{ "
    "  WITH {p} WHERE {p}:Department RETURN {p} AS {c}_d, 0 AS {c}_o, 0 AS {c}_i "
    f"  UNION MATCH ({{p}}:Flow)<-[:{PROVIDES}]-({{c}}_d:Department) RETURN {{c}}_d, 0 AS {{c}}_o, 0 AS {{c}}_i "
    f"  UNION MATCH ({{p}}:Flow)-[:{TO}]->({{c}}_d:Department) RETURN {{c}}_d, 1 AS {{c}}_o, 0 AS {{c}}_i "
    f"  UNION MATCH ({{p}}:Duty)<-[:{HAS_DUTY}]-(:Role)-[:{OF}]->({{c}}_d:Department) "
    "    RETURN {c}_d, 0 AS {c}_o, 0 AS {c}_i "
    f"  UNION MATCH ({{p}}:Step)-[{{c}}_r:{ACTOR}|{RECIPIENT}]->({{c}}_d:Department) "
    f"    RETURN {{c}}_d, CASE type({{c}}_r) WHEN '{ACTOR}' THEN 0 ELSE 1 END AS {{c}}_o, 0 AS {{c}}_i "
    f"  UNION MATCH ({{p}}:Statement)-[{{c}}_m:{MENTIONS}]->({{c}}_d:Department) "
    "    RETURN {c}_d, {c}_m.position AS {c}_o, 0 AS {c}_i "
    f"  UNION MATCH ({{p}}:Relationship)-[{{c}}_b:{BETWEEN}]->({{c}}_d:Department) "
    "    RETURN {c}_d, {c}_b.position AS {c}_o, 0 AS {c}_i "
    f"  UNION MATCH ({{p}}:Goal|Activity|Scenario)<--(:Relationship)-[{{c}}_b:{BETWEEN}]->({{c}}_d:Department) "
    "    RETURN {c}_d, {c}_b.position AS {c}_o, 0 AS {c}_i "
    "  UNION WITH {p} WHERE {p}:Topic "
    f"{_TOPIC_RECIPIENTS_OF_HIT} "
    "    RETURN {c}_t.department AS {c}_d, {c}_t.rank AS {c}_o, {c}_t.department.position AS {c}_i "
    "}} RETURN {c}_d ORDER BY {c}_o, {c}_i }}] AS {c}_l "
    "UNWIND range(0, size({c}_l) - 1) AS {c}_n "
    "WITH {c}_l[{c}_n] AS {c}, {c}_n, {c}_l WHERE NOT {c}_l[{c}_n] IN {c}_l[0..{c}_n]",
    order="{c}_n",
    bound=Label.DEPARTMENT,
)

# --- answering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameNotFound(Exception):
    """A name in the request matched nothing; `suggestions` are the closest things it may mean."""

    use: NameUse
    value: str
    suggestions: tuple[dict[str, str], ...]


async def read(
    db: Database,
    root: Root,
    select: Select,
    *,
    limits: Limits,
    stats: GraphStats,
    max_cost: int,
    deadline: float | None = None,
    costed: bool = False,
) -> Any:
    """Answer one root field in one round trip, or refuse it before it runs (unless `costed`:
    its cost is already counted)."""
    compiled = compile_root(root, select, limits)
    params = compiled.params(select, limits)  # checks the arguments first
    if not costed:
        _check_cost(root, select, stats, max_cost)
    async with _turn(root):
        rows = await db.read(compiled.cypher, **params)
    row = rows[0]
    missing = [use for use in compiled.names if not row["found"][use.variable]]
    if missing:
        # Not as typed, nor as its terms: what may it mean? (A second look, only for loose names.)
        meant = {use.variable: await resolve(db, use.label, use.value(select), use.many) for use in missing}
        if any(meant.values()):
            params |= {variable: keys_query(keys) for variable, keys in meant.items() if keys}
            async with _turn(root):
                row = (await db.read(compiled.cypher, **params))[0]
            missing = [use for use in compiled.names if not row["found"][use.variable]]
    if missing:
        if all(use.optional for use in missing):
            return [] if compiled.shape.kind == "list" else None  # e.g. department(key:) naming nothing
        use = next(use for use in missing if not use.optional)
        value = use.value(select)
        raise NameNotFound(use, value, tuple(await closest_names(db, use.label, value)))
    return finish(compiled, row["result"], params, Finishing(limits, deadline))


async def read_all(
    db: Database,
    fields: list[tuple[Root, Select]],
    *,
    limits: Limits,
    stats: GraphStats,
    max_cost: int,
    deadline: float | None = None,
) -> list[Any]:
    """Answer several root fields in one round trip (one transaction): each one's answer, or the
    exception that field gets. A field whose names need a second look is read again on its own."""
    if len(fields) == 1:
        root, select = fields[0]
        try:
            return [await read(db, root, select, limits=limits, stats=stats, max_cost=max_cost, deadline=deadline)]
        except Exception as exc:  # the caller reports it as that field's error
            return [exc]
    answers: list[Any] = [None] * len(fields)
    parts: list[tuple[int, Compiled, dict[str, Any]]] = []
    for index, (root, select) in enumerate(fields):
        try:
            compiled = compile_root(root, select, limits)
            params = compiled.params(select, limits)
            _check_cost(root, select, stats, max_cost)
        except Exception as exc:
            answers[index] = exc
            continue
        parts.append((index, compiled, params))
    if not parts:
        return answers
    cypher, params = merged([(compiled, own) for _, compiled, own in parts])
    try:
        async with _turn(*(fields[index][0] for index, _, _ in parts)):
            rows = await db.read(cypher, **params)
    except Exception as exc:
        for index, _, _ in parts:
            answers[index] = exc
        return answers
    row = rows[0]
    for number, (index, compiled, own) in enumerate(parts):
        root, select = fields[index]
        try:
            if any(not row[f"f{number}"][use.variable] for use in compiled.names):
                answers[index] = await read(db, root, select, limits=limits, stats=stats, max_cost=max_cost,
                                            deadline=deadline, costed=True)  # fmt: skip
            else:
                answers[index] = finish(compiled, row[f"r{number}"], own, Finishing(limits, deadline))
        except Exception as exc:
            answers[index] = exc
    return answers


_searches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _turn(*roots: Root) -> AbstractAsyncContextManager[Any]:
    """A turn among the searches (paths) of this process, for a query that runs one; else none."""
    if not any(isinstance(root.then, Derived) and root.then.search for root in roots):
        return nullcontext()
    loop = asyncio.get_running_loop()
    if loop not in _searches:
        _searches[loop] = asyncio.Semaphore(SEARCHES_AT_ONCE)
    return _searches[loop]


def _check_cost(root: Root, select: Select, stats: GraphStats, max_cost: int) -> None:
    """Refuse a root field whose estimate, with what the request's earlier fields may already
    produce, is over the limit: the limit is the request's, so aliases do not multiply it."""
    request = request_stats()
    earlier = request.cost if request is not None else 0
    cost = earlier + estimate(root, select, stats)
    if cost > max_cost:
        raise TooCostly(
            f"This query may produce about {cost:,} values, more than the {max_cost:,} allowed. Select fewer "
            "nested lists or root fields, or page through long lists with their …Connection(first:, after:) "
            "fields.",
            cost=cost,
            limit=max_cost,
        )
    if request is not None:
        request.cost = cost


async def resolve(db: Database, label: Label, typed: str, many: bool) -> list[str]:
    """The keys of what a loosely typed name means (graph.terms): the things whose whole name is
    in it, or of whose name it is part; for a topic, when no name fits, the topics of the items
    whose own text says it. One thing where one is wanted, else none."""
    words = terms(typed)
    if not words:
        return []
    rows = await db.read(
        "CALL db.index.fulltext.queryNodes($index, $query, {limit: 50}) YIELD node WHERE $label IN labels(node) "
        "RETURN node.key AS key, node.terms AS forms",
        index=TERMS_INDEX,
        query=" OR ".join(f'"{word}"' for word in words),
        label=str(label),
    )
    candidates = [(row["key"], row["forms"] or []) for row in rows]
    keys = [match.key for match in closest_forms(typed, candidates, partial=many)]
    if not keys and label is Label.TOPIC:
        keys = await _topics_of_items_saying(db, typed)
    return keys if many or len(keys) == 1 else []


async def _topics_of_items_saying(db: Database, typed: str) -> list[str]:
    """The topics of the flows, steps, duties, activities and goals whose text says `typed` (as a
    phrase, give or take a word), when that is few enough to mean something."""
    words = lucene_terms(fold(typed))
    if len(words) < 2:
        return []
    phrase = " ".join(words)
    query = " OR ".join(f'{field}:"{phrase}"~1' for field in ("text_vi", "text_en", "action_vi", "action_en"))
    rows = await db.read(
        "CALL db.index.fulltext.queryNodes($index, $query, {limit: 20}) YIELD node "
        "WHERE node:Flow OR node:Step OR node:Duty OR node:Activity OR node:Goal "
        f"MATCH (node)-[:{ABOUT}]->(t:Topic) RETURN DISTINCT t.key AS key ORDER BY key",
        index=SEARCH_INDEX,
        query=query,
    )
    keys = [row["key"] for row in rows]
    return keys if len(keys) <= MAX_AMBIGUOUS else []


# --- names: suggestions for what did not match ------------------------------------------------

SUGGESTION_CANDIDATES = 20
SUGGESTION_THRESHOLD = 80.0


def _suggestion_query(typed: str) -> str | None:
    terms = lucene_terms(fold(typed))
    if not terms:
        return None
    fuzzy = " ".join(f"{term}~" if len(term) > 2 else term for term in terms)
    return " ".join(f"{name}:({fuzzy})" for name in ("name_vi", "name_en", "aliases_vi", "aliases_en"))


async def closest_names(db: Database, label: Label, typed: str, limit: int = 3) -> list[dict[str, str]]:
    """The things of `label` whose names are closest to what was typed (for NOT_FOUND errors).

    Candidates come from the search index (fuzzy terms, at most SUGGESTION_CANDIDATES of them),
    and only those are scored here: the cost does not grow with the graph or the aliases."""
    query = _suggestion_query(typed[:200])
    if query is None:
        return []
    rows = await db.read(
        "CALL db.index.fulltext.queryNodes($index, $query, {limit: $limit}) YIELD node "
        "WHERE $label IN labels(node) "
        "RETURN node.key AS key, node.name_vi AS name_vi, node.name_en AS name_en, node.lookup[0..50] AS lookup",
        index=SEARCH_INDEX,
        query=query,
        limit=SUGGESTION_CANDIDATES * 3,
        label=str(label),
    )
    wanted = fold(typed)[:200]
    scored = []
    for row in rows[:SUGGESTION_CANDIDATES]:
        score = max((_closeness(wanted, form) for form in row["lookup"] or [row["key"]]), default=0.0)
        if score > 0:
            scored.append((score, row))
    scored.sort(key=lambda item: -item[0])
    return [{"key": row["key"], "name_vi": row["name_vi"], "name_en": row["name_en"]} for _, row in scored[:limit]]


def _closeness(typed: str, name: str) -> float:
    """How surely `typed` means `name` (folded both), 0 when not surely enough to suggest it: a
    slip of the keyboard (at least SUGGESTION_THRESHOLD % alike), or a phrase holding the whole
    name. Measured on tests/ask_cases.yaml: every misspelt name above, every uncovered term below
    ("lương" is in "chất lượng", but that is no reason to suggest quality)."""
    alike = fuzz.ratio(typed, name)
    if alike >= SUGGESTION_THRESHOLD:
        return alike
    if len(typed) >= len(name) and fuzz.token_set_ratio(typed, name) == 100:
        return 79.0  # the whole name is in it, among other words
    return 0.0


def monotonic_deadline(seconds_left: float | None) -> float | None:
    return None if seconds_left is None else time.monotonic() + seconds_left
