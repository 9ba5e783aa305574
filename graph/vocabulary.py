"""The read side's own vocabulary: the declarations the GraphQL types read.

`graph.mapping` has the general declarations (a property, a text, a path along relationships);
this module holds the ones that say something about this domain and need Cypher of their own —
the recipients of a topic and how each is involved, a step told as a sentence, the paths between
two departments — as named declarations the GraphQL fields use (the `@cypher` of this project).
"""

from __future__ import annotations

from typing import Any

from graph.compiled import BadArgument
from graph.mapping import Computed, Derived, NameArg, NameFilter, Order, Related, ValueArg, into, out
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
RECIPIENTS_OF_TOPICS = (
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
    RECIPIENTS_OF_TOPICS,
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
# graph.reads.SEARCHES_AT_ONCE run at once per process, so they never take all of Neo4j's request
# slots.
PATH_SEARCH_COST = 10_000
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
