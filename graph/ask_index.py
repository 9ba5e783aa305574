"""What `ask` knows of the graph: every name to find and every text to match, read at once.

`load_index` reads, in a few queries, the names and aliases of the departments, parties and
topics (as word sequences, folded and English words stemmed) and every text of the knowledge —
flows (text, purpose, statement), duties, goals, activities, examples and their steps,
principles, statements, relationships — in both languages, with who gives and who gets, the pair
a text belongs to, and the topics it is about. From them it builds:

- `Lexicon`: names as word sequences (looked up longest first), their term forms (for loosely
  typed topics), and the folded names of departments and topics for fuzzy matching of slips;
- `TextIndex`: BM25 over the texts, on folded, stemmed words and, for Vietnamese, pairs of
  syllables ("khách hàng" is one thing, not two), so the words of a question can be scored
  against what the document says and a question that names no topic still finds its items.

Everything here is plain data, computed once per state of the graph (`AskIndexCache`), and
every lookup is in memory: understanding a question costs no Neo4j round trip.
"""

from __future__ import annotations

import asyncio
import gc
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from domain.names import fold
from graph.database import Database
from graph.terms import FILLERS, stem


def words_of(text: str) -> list[str]:
    """Folded, stemmed words of a text."""
    return [stem(word) for word in fold(text).split()]


@dataclass(frozen=True)
class Item:
    """One thing the document says, as a text to match and what it is about."""

    label: str  # Flow, Duty, Goal, Activity, Scenario, Step, Principle, Statement, Relationship
    key: str
    texts: tuple[str, ...]
    topics: tuple[str, ...] = ()
    provider: str | None = None  # a flow's provider, a step's actor, a duty's department
    receiver: str | None = None  # a flow's receiver, a step's recipient
    pair: tuple[str, ...] = ()  # the departments of the relationship it belongs to
    relationship: str | None = None
    scenario: str | None = None  # a step's example
    purpose: bool = False  # it says why (a flow's or a step's "để …")


_TEAM = ("folks", "people", "guys")


@dataclass
class Lexicon:
    """Names and aliases as word sequences, and what each names."""

    phrases: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)  # words → [(kind, key)]
    topic_forms: list[tuple[str, list[str]]] = field(default_factory=list)
    longest: int = 1
    names: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (kind, key) → (vi, en)
    fuzzy: list[tuple[str, str, str]] = field(default_factory=list)  # (folded name, kind, key)
    written: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # folded words → the kinds they name

    def shared(self, words: tuple[str, ...]) -> bool:
        """Whether these words, as written, name a department and a topic alike ("finance", "tài chính")."""
        return self.written.get(words, set()) >= {"Department", "Topic"}

    def add(self, kind: str, key: str, names: list[str]) -> None:
        if kind == "Department":  # "the product team" are "the product folks" too
            names = [*names, *(f"{n[:-4]}{other}" for n in names if n.casefold().endswith("team") for other in _TEAM)]
        for name in {key.replace("-", " "), *names}:
            # Topics by their stems ("campaigns", "pricing"); departments and parties as written,
            # folded: "Production" is no "product".
            words = tuple(words_of(name)) if kind == "Topic" else tuple(fold(name).split())
            if words and (kind, key) not in self.phrases.setdefault(words, []):
                self.phrases[words].append((kind, key))
                self.longest = max(self.longest, len(words))
            folded = fold(name)
            self.written.setdefault(tuple(folded.split()), set()).add(kind)
            if kind != "Party" and len(folded.replace(" ", "")) >= 4:
                self.fuzzy.append((folded, kind, key))


class TextIndex:
    """Okapi BM25 over the items' texts (k1 1.2, b 0.75), on folded stemmed words and syllable pairs."""

    K1 = 1.2
    B = 0.75

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        self.token_sets: list[frozenset[str]] = []
        self.numbers = {id(item): number for number, item in enumerate(items)}
        # Every word the texts use as written (folded, not stemmed), and every pair of neighbours.
        self.written: set[str] = set()
        for item in items:
            for text in item.texts:
                words = fold(text).split()
                self.written |= {*words, *(f"{a} {b}" for a, b in pairwise(words))}
        for number, item in enumerate(items):
            counts = Counter(token for text in item.texts for token in tokens(text))
            self.token_sets.append(frozenset(counts))
            self.lengths.append(sum(counts.values()))
            for token, count in counts.items():
                self.postings[token].append((number, count))
        self.average = sum(self.lengths) / len(self.lengths) if self.lengths else 1.0
        size = len(items)
        self.idf = {t: math.log(1 + (size - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def said(self, number: int) -> frozenset[str]:
        """The tokens of an item's texts."""
        return self.token_sets[number]

    def knows(self, token: str) -> bool:
        return token in self.postings

    def tokens_of(self, item: Item) -> frozenset[str]:
        return self.token_sets[self.numbers[id(item)]]

    def score(self, query: list[str]) -> dict[int, float]:
        """Item number → BM25 score of the query tokens (each counted once)."""
        scores: dict[int, float] = defaultdict(float)
        for token in dict.fromkeys(query):
            idf = self.idf.get(token)
            if idf is None:
                continue
            for number, count in self.postings[token]:
                norm = self.K1 * (1 - self.B + self.B * self.lengths[number] / self.average)
                scores[number] += idf * count * (self.K1 + 1) / (count + norm)
        return scores


@lru_cache(maxsize=16384)
def tokens(text: str) -> tuple[str, ...]:
    """What a text is indexed by: its content words, stemmed, and each pair of neighbours."""
    words = [w for w in words_of(text) if w not in FILLERS]
    return (*words, *(f"{a}_{b}" for a, b in pairwise(words)))


@dataclass(eq=False)  # one per state of the graph: compared (and hashed) by identity
class AskIndex:
    lexicon: Lexicon
    items: list[Item]
    text: TextIndex
    relationships: dict[frozenset[str], str]  # the pair → the relationship's key

    def flows(self) -> list[Item]:
        return [item for item in self.items if item.label == "Flow"]

    def related(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.relationships

    @property
    def hub(self) -> str | None:
        """The department every relationship has on one side (Sales, in the shipped document), if one does."""
        pairs = list(self.relationships)
        common = frozenset.intersection(*pairs) if pairs else frozenset()
        return next(iter(common)) if len(common) == 1 else None

    def name(self, kind: str, key: str, lang: str) -> str:
        vi, en = self.lexicon.names.get((kind, key), (key, key))
        return vi if lang == "vi" else en


_NAMED = (
    "MATCH (n) WHERE n:Department OR n:Party OR n:Topic "
    "RETURN labels(n)[0] AS kind, n.key AS key, n.name_vi AS vi, n.name_en AS en, "
    "coalesce(n.aliases_vi, []) + coalesce(n.aliases_en, []) AS aliases, coalesce(n.terms, []) AS forms "
    "ORDER BY n.position, n.key"
)
_TOPICS = "[(n)-[:ABOUT]->(t:Topic) | t.key] AS topics"
_TEXTS = (
    # flows
    "MATCH (p)-[:PROVIDES]->(n:Flow)-[:TO]->(r) OPTIONAL MATCH (rel:Relationship)-[:INCLUDES]->(n) "
    f"RETURN 'Flow' AS label, n.key AS key, [n.text_vi, n.text_en, n.purpose_vi, n.purpose_en, n.statement_vi, "
    f"n.statement_en] AS texts, {_TOPICS}, p.key AS provider, r.key AS receiver, rel.key AS relationship, "
    "[(rel)-[:BETWEEN]->(d) | d.key] AS pair, null AS scenario, n.purpose_vi IS NOT NULL AS purpose "
    "UNION ALL "
    # duties
    "MATCH (rel:Relationship)-[:HAS_ROLE]->(:Role)-[:HAS_DUTY]->(n:Duty) "
    "OPTIONAL MATCH (n)<-[:HAS_DUTY]-(:Role)-[:OF]->(d:Department) "
    f"RETURN 'Duty' AS label, n.key AS key, [n.text_vi, n.text_en] AS texts, {_TOPICS}, d.key AS provider, "
    "null AS receiver, rel.key AS relationship, [(rel)-[:BETWEEN]->(x) | x.key] AS pair, null AS scenario, "
    "false AS purpose "
    "UNION ALL "
    "MATCH (rel:Relationship)-[:HAS_GOAL|COOPERATES_ON]->(n) "
    f"RETURN labels(n)[0] AS label, n.key AS key, [n.text_vi, n.text_en] AS texts, {_TOPICS}, null AS provider, "
    "null AS receiver, rel.key AS relationship, [(rel)-[:BETWEEN]->(x) | x.key] AS pair, null AS scenario, "
    "false AS purpose "
    "UNION ALL "
    "MATCH (rel:Relationship)-[:HAS_EXAMPLE]->(n:Scenario) "
    "RETURN 'Scenario' AS label, n.key AS key, [n.title_vi, n.title_en, n.text_vi, n.text_en] AS texts, "
    "COLLECT { MATCH (n)-[:HAS_STEP]->(:Step)-[:ABOUT]->(t:Topic) RETURN DISTINCT t.key } AS topics, "
    "null AS provider, null AS receiver, rel.key AS relationship, [(rel)-[:BETWEEN]->(x) | x.key] AS pair, "
    "n.key AS scenario, false AS purpose "
    "UNION ALL "
    "MATCH (s:Scenario)-[:HAS_STEP]->(n:Step) OPTIONAL MATCH (n)-[:ACTOR]->(a) OPTIONAL MATCH (n)-[:RECIPIENT]->(r) "
    "OPTIONAL MATCH (rel:Relationship)-[:HAS_EXAMPLE]->(s) "
    f"RETURN 'Step' AS label, n.key AS key, [n.action_vi, n.action_en, n.purpose_vi, n.purpose_en] AS texts, "
    f"{_TOPICS}, a.key AS provider, r.key AS receiver, rel.key AS relationship, "
    "[(rel)-[:BETWEEN]->(x) | x.key] AS pair, s.key AS scenario, n.purpose_vi IS NOT NULL AS purpose "
    "UNION ALL "
    "MATCH (n) WHERE n:Principle OR n:Statement OR n:Relationship "
    "RETURN labels(n)[0] AS label, n.key AS key, [n.title_vi, n.title_en, n.text_vi, n.text_en, n.summary_vi, "
    "n.summary_en] AS texts, [] AS topics, null AS provider, null AS receiver, "
    "CASE WHEN n:Relationship THEN n.key END AS relationship, [(n)-[:BETWEEN]->(x) | x.key] AS pair, "
    "null AS scenario, false AS purpose"
)


async def load_index(db: Database) -> AskIndex:
    """Everything `ask` needs to know of the graph, read now."""
    named = await db.read(_NAMED)
    rows = await db.read(_TEXTS)
    return await asyncio.to_thread(build_index, named, rows)


def build_index(named: list[dict[str, object]], rows: list[dict[str, object]]) -> AskIndex:
    """The index of the rows `load_index` reads (CPU work, kept off the event loop)."""
    lexicon = Lexicon()
    for row in named:
        kind, key = str(row["kind"]), str(row["key"])
        names = [str(name) for name in [row["vi"], row["en"], *row["aliases"]] if name]  # type: ignore[misc]
        lexicon.add(kind, key, names)
        lexicon.names[(kind, key)] = (str(row["vi"] or key), str(row["en"] or key))
        if kind == "Topic":
            lexicon.topic_forms.append((key, [str(form) for form in row["forms"]]))  # type: ignore[attr-defined]
    items: list[Item] = []
    relationships: dict[frozenset[str], str] = {}
    for row in rows:
        pair = tuple(str(k) for k in row["pair"] or ())  # type: ignore[attr-defined]
        item = Item(
            label=str(row["label"]),
            key=str(row["key"]),
            texts=tuple(str(text) for text in row["texts"] if text),  # type: ignore[attr-defined]
            topics=tuple(str(t) for t in row["topics"] or ()),  # type: ignore[attr-defined]
            provider=str(row["provider"]) if row["provider"] else None,
            receiver=str(row["receiver"]) if row["receiver"] else None,
            pair=pair,
            relationship=str(row["relationship"]) if row["relationship"] else None,
            scenario=str(row["scenario"]) if row["scenario"] else None,
            purpose=bool(row["purpose"]),
        )
        items.append(item)
        if item.label == "Relationship" and len(pair) == 2:
            relationships[frozenset(pair)] = item.key
    return AskIndex(lexicon, items, TextIndex(items), relationships)


class AskIndexCache:
    """The index of a process, built again whenever the graph's stamp (graph.version) moves: a
    name or a text changed through any process is understood by the next question."""

    def __init__(self) -> None:
        self.index: AskIndex | None = None
        self.stamp: object = None
        self._lock = asyncio.Lock()

    async def get(self, db: Database, stamp: object) -> AskIndex:
        if self.index is not None and stamp is not None and stamp == self.stamp:
            return self.index
        async with self._lock:  # one build at a time; those waiting take its result
            if self.index is None or stamp is None or stamp != self.stamp:
                self.index = await load_index(db)
                self.stamp = stamp
                # What is alive now (the schema, this index, the driver) lives as long as the process
                # or the graph's state: kept out of the collector's full passes, which otherwise stop
                # the event loop for tens of milliseconds while a crowd asks.
                gc.freeze()
            return self.index

    def changed(self) -> None:
        self.index = None
