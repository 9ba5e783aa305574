"""Names as people type them: what a loosely typed name means, and what else it may have meant.

`resolve` finds the things a name means when it matched nothing as typed (its terms, graph.terms);
`closest_names` suggests what a name that matched nothing at all may mean, from the search index
(never a scan); `NameNotFound` is the refusal that carries those suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from domain.names import fold
from graph.compiled import NameUse
from graph.database import Database
from graph.schema import SEARCH_INDEX, TERMS_INDEX
from graph.search import lucene_terms
from graph.shape import ABOUT, Label
from graph.terms import MAX_AMBIGUOUS, closest_forms, terms


@dataclass(frozen=True)
class NameNotFound(Exception):
    """A name in the request matched nothing; `suggestions` are the closest things it may mean."""

    use: NameUse
    value: str
    suggestions: tuple[dict[str, str], ...]


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
