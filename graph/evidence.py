"""One question's evidence, and how a reading is scored against it.

`Evidence` holds what a question names (`graph.mentions`), its cue words (`graph.cues`), who gives
and who gets (`graph.sides`) and the words left unexplained; `Evidence.coverage` is the share of
the question's content a reading explains (its names, its cues, the words its items say), the
measure every reading's score rests on. The readings themselves are `graph.readings`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.ask_index import AskIndex, Item, tokens
from graph.cues import Intent
from graph.mentions import GENERIC, Mention
from graph.sides import ABOUT_PHRASES, GIVING_PHRASES, Sides, side_evidence, words_after, words_before
from graph.terms import closest_forms
from graph.words import Words

# measured: bench.ask --robustness and the held-out sets' declines.
FOREIGN = 0.3
# Words after which a word stands where a topic would.
TOPIC_BEFORE = frozenset(["about", "regarding", "concerning", "on", "ve"])
# Of items scored against a question's words, those this close to the best are meant alike.
PICKED = 0.55


@dataclass
class Reading:
    """One way to read a question: what it asks and of what, with how surely."""

    intent: Intent
    departments: list[str] = field(default_factory=list)  # receiver first for NEEDS and PURPOSE
    topics: list[str] = field(default_factory=list)
    provider: str | None = None
    receiver: str | None = None
    term: str = ""  # the words that named the topics (folded)
    words: str = ""  # what to search for
    handling: bool = False  # RECIPIENTS: who acts on it (cooperation included), not only who gets it
    only: list[str] = field(default_factory=list)  # the items meant, when the question's words pick some
    # the relationships it reads, when not its two departments
    pairs: list[tuple[str, str]] = field(default_factory=list)
    score: float = 0.0
    items: list[Item] = field(default_factory=list)  # what the answer will rest on

    def signature(self) -> tuple[object, ...]:
        return (self.intent, tuple(self.departments), tuple(self.topics), self.provider, self.receiver)


@dataclass
class Evidence:
    """What one question says: its names, cues and sides, and the words nothing explains yet."""

    said: Words
    index: AskIndex
    mentions: list[Mention]
    departments: list[Mention]
    topics: list[str]
    term: str
    sides: Sides
    cues: list[tuple[Intent, float, int, int]]
    leftover: list[int]
    lang: str
    asked: int = 0  # content words that ask (cues, verbs, wh-words): explained by the question's form
    why: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(m.keys[0] for m in self.departments))

    def sure(self) -> float:
        """How surely the names are the ones meant (a slip in a name is a little less sure)."""
        return 0.9 if any(m.fuzzy for m in self.mentions) else 1.0

    def strength(self, intent: Intent) -> float:
        return max((s for i, s, _, _ in self.cues if i is intent), default=0.0)

    def missing(self) -> str:
        return self.why[0] if self.why else "question"

    # --- coverage: the share of the question's content a reading explains ---------------------

    def coverage(
        self, reading: Reading, items: Iterable[Item], names: float = 1.0, also: frozenset[int] = frozenset()
    ) -> float:
        """Of the question's content words (names count double), the share the reading explains:
        its names, its cues, the words its items say, and the words at `also` (what the reading
        itself reads them as)."""
        known: set[str] = set().union(*(self.index.text.tokens_of(item) for item in items))
        for kind in ("Topic", "Department"):
            for key in [*reading.topics, *reading.departments]:
                known |= {t for name in self.index.lexicon.names.get((kind, key), ()) for t in tokens(name)}
        named = sum(2 * (m.end - m.start) for m in self.mentions)
        explained = sum(self.weight(i) for i in self.leftover if self.said.stems[i] in known or i in also)
        total = named + self.asked + sum(self.weight(i) for i in self.leftover)
        return (named * names + self.asked + explained) / total if total else 1.0

    def foreign(self, i: int) -> bool:
        """Whether the word at `i` is one the documents never use, in any form."""
        return self.said.folded[i] not in self.index.text.written and not self.index.text.knows(self.said.stems[i])

    def weight(self, i: int) -> float:
        """How much a word left unexplained counts against a reading: a word the documents never
        use ("tbh", "onboarding", "bother") counts for little — it frames the question more often
        than it asks something else — unless it stands where a topic would ("… about inventory")."""
        if not self.foreign(i):
            return 1.0
        before = words_before(self.said, i, 1)
        if before and self.said.folded[before[0]] in TOPIC_BEFORE:
            return 1.0
        return FOREIGN

    # --- the readings ---------------------------------------------------------------------------

    def _roles(self, verb: str) -> list[tuple[str | None, str | None, float]]:
        """(giver, getter, how sure) for the departments named, the likeliest first."""
        keys = self.keys
        evidence = {m.keys[0]: side_evidence(m, self.said, self.sides) for m in self.departments}
        if len(keys) == 1:
            gives, gets = evidence[keys[0]]
            if gives > gets or (gives == gets and verb == "give"):
                return [(keys[0], None, 1.0 if gives > gets else 0.8)]
            if gets > gives or verb == "get":
                return [(None, keys[0], 1.0 if gets > gives else 0.8)]
            return [(None, keys[0], 0.6), (keys[0], None, 0.5)]
        a, b = keys[0], keys[1]
        forward = evidence[a][0] + evidence[b][1]  # a gives to b
        backward = evidence[b][0] + evidence[a][1]
        if forward == backward:  # no word tells: the subject gives when the verb gives
            forward += 0.5 if verb == "give" else 0
            backward += 0.5 if verb == "get" else 0
        margin = abs(forward - backward)
        sure = 1.0 if margin >= 2 else 0.85 if margin >= 1 else 0.6
        first, second = ((a, b), (b, a)) if forward >= backward else ((b, a), (a, b))
        return [(first[0], first[1], sure), (second[0], second[1], max(0.1, 1 - sure))]

    def flows_of(self, giver: str | None, getter: str | None, topics: list[str]) -> list[Item]:
        return [
            item for item in self.index.flows()
            if (giver is None or item.provider == giver) and (getter is None or item.receiver == getter)
            and (not topics or set(item.topics) & set(topics))
        ]  # fmt: skip

    def _slot_unknown(self) -> bool:
        """A word that names nothing stands where a department would: after "from / to / từ /
        cho", or as the subject of a verb of giving or getting ("What does HR send to Sales?")."""
        said, taken = self.said, {i for m in self.mentions for i in range(m.start, m.end)}
        about = {i for i, _ in said.find_any(ABOUT_PHRASES)}

        def foreign(i: int) -> bool:  # a word the documents never use ("HR", "inventory"; not "sản phẩm")
            return i in self.leftover and said.folded[i] not in self.index.text.written

        for marker in self.sides.from_ | self.sides.to | about:
            after = words_after(said, marker + 1, 1)
            if after and foreign(after[0]) and after[0] == marker + 1:
                return True
        for verb in [*self.sides.giving, *self.sides.getting]:
            before = [i for i in range(verb - 1, -1, -1) if not said.stop(i)][:1]
            if before and foreign(before[0]) and before[0] not in taken and before[0] == verb - 1:
                return True
        return False

    def _inferred_topics(self, strict: bool = False) -> tuple[list[str], str, float]:
        """Topics the question names, or else those its leftover words mean (less surely; only
        by the topics' names when `strict`)."""
        if self.topics:
            return self.topics, self.term, 1.0
        words = [self.said.folded[i] for i in self.leftover]
        if not words:
            return [], "", 0.0
        parties = [self.said.folded[i] for m in self.mentions if m.kind == "Party" for i in range(m.start, m.end)]
        typed = " ".join(words)
        matches = closest_forms(" ".join([*parties, *words]), self.index.lexicon.topic_forms)
        if matches:
            return [m.key for m in matches], typed, 0.85
        if strict:
            return [], "", 0.0
        # The items whose texts say most of these words: their topics, if they agree.
        scores = self.index.text.score([*(t for w in words for t in tokens(w)), *tokens(typed)])
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:3]
        if not ranked:
            return [], "", 0.0
        top = self.index.items[ranked[0][0]]
        if not top.topics:
            return [], "", 0.0
        share = len({t for w in words for t in tokens(w)} & self.index.text.tokens_of(top)) / len(words)
        return list(top.topics[:1]), typed, 0.7 * share

    def _said_by(self, flows: list[Item], term: str) -> list[Item]:
        """Of a broad topic's flows (in several relationships), those whose own words the question
        uses, when some are: "technical specifications" are in the product details Engineering
        gives, not in the new products Sales announces, though both are product information."""
        wanted = {t for t in tokens(term) if "_" not in t}
        if len({f.relationship for f in flows}) < 2 or len(wanted) < 2:
            return flows
        said = [f for f in flows if wanted <= self.index.text.tokens_of(f)]
        return said or flows

    def _handled(self, topics: list[str]) -> bool:
        """Whether someone acts on these topics: is handed them in an example to act on, or
        works on them with another department."""
        return any(
            set(item.topics) & set(topics)
            and ((item.label == "Step" and item.receiver and item.purpose) or item.label == "Activity")
            for item in self.index.items
        )

    def _topic_gives(self) -> bool:
        """Whether a topic named begins with a verb of giving ("hỗ trợ kỹ thuật", "tech support")."""
        starts = {m.start for m in self.mentions if m.kind == "Topic"}
        return any(start in starts for start, _ in self.said.find_any(GIVING_PHRASES))

    def content_words(self) -> list[str]:
        """What the question says besides the departments it names and its cue words: its other
        words with content, verbs included ("managing and collecting receivables"), less those
        that speak of departments in general ("khác", "others")."""
        departments = {i for m in self.departments for i in range(m.start, m.end)}
        cues = {i for _, _, start, end in self.cues for i in range(start, end)}
        return [self.said.folded[i] for i in range(len(self.said)) if i not in departments | cues
                and not self.said.stop(i) and self.said.folded[i] not in GENERIC]  # fmt: skip

    def picked(self, items: list[Item], words: list[str]) -> list[Item]:
        """Of `items`, those whose texts say the words best (BM25, at least `PICKED` of the best
        score; of those about the topics named, when some are) — none when no item says any of them."""
        about = [item for item in items if set(item.topics) & set(self.topics)]
        items = about or items  # those about the topics named, when some are
        scores = self.index.text.score([t for w in [*words, " ".join(words)] for t in tokens(w)])
        scored = [(scores.get(self.index.text.numbers[id(item)], 0.0), item) for item in items]
        top = max((score for score, _ in scored), default=0.0)
        return [item for score, item in scored if top > 0 and score >= PICKED * top]
