"""Full-text search: what a typed text asks the search index, and the fields of a hit.

The words typed become Lucene terms, escaped so they are never syntax; names count most, then
titles, then the rest. Every word must match (`strict_query`); only when nothing does may any
word (`loose_query`). A hit is the node found, with the fields the GraphQL `SearchHit` reads.
"""

from __future__ import annotations

import re
from typing import Any

from graph.compiled import BadArgument
from graph.mapping import Computed, Derived, FullText
from graph.schema import SEARCH_INDEX
from graph.shape import ACTOR, BETWEEN, HAS_DUTY, HAS_ROLE, HAS_STEP, MENTIONS, OF, PROVIDES, RECIPIENT, TO, Label
from graph.vocabulary import RECIPIENTS_OF_TOPICS

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
_TOPIC_RECIPIENTS_OF_HIT = RECIPIENTS_OF_TOPICS.replace("{c}", "{c}_t").replace("{p}", "[{p}]")
# What a hit concerns, most relevant first: a flow's provider and receiver, a relationship's pair,
# a topic's recipients (the one that handles it first), …
HIT_DEPARTMENTS = Derived(
    "departments a search hit concerns",
    # Candidates in order, then the first of each (no aggregation inside a projection: see graph.vocabulary).
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
