"""Questions as people ask them, in Vietnamese or English, understood by ranking readings.

A question is not parsed against rules that must all hold: it is read several ways and each
reading is scored, the best one answered when its score is high enough, the next ones offered
as alternatives. Everything it rests on comes from the graph (`graph.ask_index`); the question's
words are `graph.words`:

1. **What it names.** Departments, parties and topics, by their names and aliases (folded, English
   words stemmed, the segmentation that covers most of the question winning: "Sales tools and
   support" is Sales + tools and support, "sales figures" is revenue), with "bên / đội / bộ phận X"
   read as "phòng X", and slips of the keyboard in a name resolved by fuzzy matching ("Maketing",
   "Enginering") — `graph.mentions`.
2. **What it asks.** Cue words give the intent, each with a strength; the words around a
   department give its side — "từ / from" names the giver, "cho / to" the receiver, a department
   just before a verb of giving gives, before a verb of getting gets — and a "who / ai / phòng
   nào" asks for the side no department fills ("Phòng nào giúp Kinh doanh giữ chân khách hàng?"
   asks for the giver). Intent and direction are features of a reading's score, not gates —
   `graph.cues` (the cue words) and `graph.sides` (who gives, who gets).
3. **What the document says.** A reading is answerable only if the graph holds items for it
   (flows between those departments, the topics' recipients, a relationship's goals…), and the
   question's words that name nothing are matched against those items' texts (BM25 over every
   text, both languages): a question is only as well understood as its content words are
   explained. Words that carry no content in either language are ignored.

This module makes the readings and scores them. A reading's score is the product of its intent's
strength, how surely its departments and sides are known, and the share of the question's content
it explains. The best reading is answered when its score reaches `THRESHOLD` (chosen by
measurement, `python -m bench.ask --calibrate`); below it, the question is declined. A question
that names a department the document does not know ("phòng Nhân sự", "the IT department") is
declined whatever else it says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from graph.ask_index import AskIndex, Item, tokens
from graph.cues import Intent, find_cues, mend_slips
from graph.mentions import GENERIC, Mention, find_mentions, mend_clipped, topic_mentions, unknown_department, with_asker
from graph.sides import (
    ABOUT_PHRASES,
    GIVING_PHRASES,
    LEAD,
    Sides,
    asks_object,
    find_sides,
    first_verb,
    side_evidence,
    words_after,
    words_before,
)
from graph.terms import closest_forms, stem
from graph.words import Phrases, Words, language

# The score a reading needs to be answered (measured: bench.ask --calibrate).
THRESHOLD = 0.42
# How much a word the documents never use counts against a reading (a word they use counts 1);
# measured: bench.ask --robustness and the held-out sets' declines.
FOREIGN = 0.3
# Words after which a word stands where a topic would.
_TOPIC_BEFORE = frozenset(["about", "regarding", "concerning", "on", "ve"])
# Of items scored against a question's words, those this close to the best are meant alike.
PICKED = 0.55
# Words that speak of departments in general ("các phòng ban", "teams", "each other").
_DEPARTMENTS_IN_GENERAL = Phrases(
    (
        "phòng ban",
        "các phòng",
        "bộ phận",
        "departments",
        "teams",
        "each other",
        "nhau",
        "other teams",
        "other departments",
        "everyone",
        "cross department",
        "cross team",
        "cross functional",
        "inter department",
        "across departments",
        "across teams",
        "liên phòng ban",
    )
)
# Words that only say cooperation is good ("hiệu quả", "effectively") or that it has rules to
# follow: they pick no one principle.
_ANY_PRINCIPLE = frozenset(
    stem(w)
    for w in (
        *("hieu", "qua", "tot", "well", "effectively", "effective", "smoothly", "good", "better", "hon"),
        *("tuan", "theo", "follow", "apply", "ap", "dung", "de", "need", "needs", "can"),
    )
)
_QUESTION_WORDS = frozenset(
    stem(w)
    for w in "what which who whom whose where why how when does do did gi nao dau sao ai the".split()  # noqa: SIM905
)


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
class Understanding:
    """What a question was read as: the best reading (None when declined) and the next ones."""

    best: Reading | None
    alternatives: list[Reading]
    confidence: float
    missing: str = ""  # why it is declined: "known department", "department", "topic", "relationship", "question"
    words: str = ""  # the words the document does not cover, as typed
    lang: str = "en"
    unknown_named: bool = False  # declined for a department named as such that the document does not know

    @property
    def intent(self) -> Intent | None:
        return self.best.intent if self.best else None


# --- reading a question -------------------------------------------------------------------------


def understand(question: str, index: AskIndex) -> Understanding:
    """The readings of a question, best first, scored; the best answered if it scores enough.
    A question is also read without the words at its ends that the documents never use and that
    name nothing ("out of curiosity, …", "… for onboarding"): the better reading is kept. One
    declined as a whole is read sentence by sentence ("trying to figure out who does what here...
    what does marketing bring to the sales team?"): a sentence understood on its own answers."""
    lang = language(question)
    if _IT.search(question) and not question.isupper() and not _knows_it(index):  # "from IT": not the pronoun
        return Understanding(None, [], 0.0, missing="known department", words="IT", lang=lang, unknown_named=True)
    understood = _read(question, lang, index)
    if understood.best is not None or understood.unknown_named:
        return understood
    sentences = [s for s in _SENTENCES.split(question) if s.strip()]
    if len(sentences) > MAX_SENTENCES:  # "a? a? a? …": no question, and no reason to read 200 of them
        return understood
    chosen: Understanding | None = None
    naming = [bool(find_mentions(Words.of(s), index)) for s in sentences] if len(sentences) > 1 else []
    for n, sentence in enumerate(sentences if len(sentences) > 1 else []):
        # Only when the rest names nothing: "I work in customer care. On the sales side, what …"
        # needs its first sentence.
        if not any(naming[:n] + naming[n + 1 :]):
            alone = _read(sentence, lang, index)
            if alone.best is not None and (chosen is None or alone.confidence > chosen.confidence):
                chosen = alone
    return chosen or understood


MAX_SENTENCES = 6
# Where one sentence of a question ends and another begins: "?", "!", ";", "...", " - ", ". ".
_SENTENCES = re.compile(r"[?!;…]+|\.{2,}|\s[-–—]+\s|(?<=\w)\.\s")


def _read(question: str, lang: str, index: AskIndex) -> Understanding:
    """A question read as typed; declined so, read again more freely — Vietnamese shortenings
    written out ("chăm sóc KH"), a slip in a cue word mended ("recieves"), a clipped name's word
    whole ("promo"), "we" / "us" beside one department as the asker's department, and the words
    that refer to the document itself or list rather than ask left out ("tài liệu có nói", "gồm")."""
    said = Words.of(question).unframed()
    understood = _read_words(said, lang, index, asker=False)
    if understood.best is not None:
        return understood
    freely = Words.of(question, shortened=lang == "vi").unframed().freed()
    if lang == "en":
        names = {w for words in index.lexicon.written for w in words}
        freely = mend_slips(
            freely, lambda folded, stemmed: folded in names or folded in index.text.written or index.text.knows(stemmed)
        )
        freely = mend_clipped(freely, index)
    again = _read_words(freely, lang, index, asker=True)
    return again if again.best is not None else understood


def _read_words(said: Words, lang: str, index: AskIndex, asker: bool) -> Understanding:
    understood = _understand(said, lang, index, asker)
    if understood.unknown_named:
        return understood
    trimmed = _without_framing(said, index)
    if trimmed is not None:  # "out of curiosity" is no "of" that names a giver
        again = _understand(trimmed, lang, index, asker)
        if again.best is not None and (understood.best is None or again.confidence > understood.confidence):
            return again
    return understood


# The IT department, written in capitals (the words are compared lower case, where it is a pronoun).
_IT = re.compile(r"(?<![\w&])IT(?![\w&])")


def _knows_it(index: AskIndex) -> bool:
    """Whether a department of the graph is called IT (the second example document has one)."""
    return any(kind == "Department" and "it" in tokens(name)
               for (kind, _), names in index.lexicon.names.items() for name in names)  # fmt: skip


# Words that open an English question: what comes before them, when it names nothing, frames it.
_OPENERS = frozenset(
    [
        "what",
        "who",
        "whom",
        "whose",
        "which",
        "where",
        "when",
        "why",
        "how",
        "does",
        "do",
        "did",
        "is",
        "are",
        "can",
        "could",
        "should",
        "would",
        "will",
    ]
)


_JOINS = frozenset(["and", "n", "or", "va", "hoac", "cung"])  # a "&" standing alone is read as "and" (Words.of)


def _without_framing(said: Words, index: AskIndex) -> Words | None:
    """The words without a run at the start or the end made only of words without content and
    words the documents never use (at least one): before an English question's opener ("sorry to
    bother you, what …"), and at the end of a question that has named its two departments
    ("… from Engineering for onboarding")."""
    text = index.text

    def foreign(i: int) -> bool:
        return said.folded[i] not in text.written and not text.knows(said.stems[i])

    mentions = find_mentions(said, index)
    named = {i for m in mentions for i in range(m.start, m.end)}

    def framing(i: int) -> bool:
        return i not in named and (said.stop(i) or foreign(i))

    departments = {m.keys[0] for m in mentions if m.kind == "Department" and len(m.keys) == 1}
    start, end = 0, len(said)
    run = 0
    while run < len(said) and framing(run) and said.folded[run] not in _OPENERS:
        run += 1
    if 0 < run < len(said) and any(foreign(i) for i in range(run)) and said.folded[run] in _OPENERS:
        start = run
    run = len(said)
    while run > start and framing(run - 1):
        run -= 1
    # Only a question that has named its two departments ends in words that frame it: elsewhere
    # a word the documents never use may be what is asked ("Quy trình xin nghỉ phép …"), or a
    # department they do not know ("… from Legal", "… from Engineering and Legal"), or a topic
    # ("… about inventory").
    tail = range(run, len(said))
    if (
        start < run < len(said)
        and len(departments) >= 2
        and any(foreign(i) for i in tail)
        and said.folded[run] not in _JOINS
        and not any(said.folded[i] in _TOPIC_BEFORE for i in tail)
    ):
        end = run
    if (start, end) == (0, len(said)) or end <= start:
        return None
    return Words(said.typed[start:end], said.folded[start:end], said.stems[start:end], said.plain)


def _understand(said: Words, lang: str, index: AskIndex, asker: bool = False) -> Understanding:
    mentions = find_mentions(said, index)
    if asker:
        mentions = with_asker(said, mentions, index)
    named = {i for m in mentions for i in range(m.start, m.end)}
    unknown = unknown_department(said, named)
    if unknown:
        return Understanding(None, [], 0.0, missing="known department", words=unknown, lang=lang, unknown_named=True)
    # "team up" is a cue though "Marketing team" is a name
    cues = find_cues(said, {i for m in mentions for i in range(m.start, m.end) if said.folded[i] not in LEAD})
    taken = named | {i for _, _, s, e in cues for i in range(s, e)}
    sides = find_sides(said, named, lang)
    departments = [m for m in mentions if m.kind == "Department" and len(m.keys) == 1]
    topics = topic_mentions(mentions, said, lang)
    topic_keys = list(dict.fromkeys(k for m in topics for k in m.keys))
    term = " ".join(" ".join(said.folded[m.start : m.end]) for m in topics)
    verb_spans = {i for spans in (sides.giving, sides.getting, sides.wh, sides.handling, sides.going)
                  for s, e in spans.items() for i in range(s, e)}  # fmt: skip
    explained = taken | verb_spans | {i for i in range(len(said)) if said.stop(i)}
    leftover = [i for i in range(len(said)) if i not in explained]
    asked = len([i for i in explained - named if not said.stop(i)])
    context = Context(said, index, mentions, departments, topic_keys, term, sides, cues, leftover, lang, asked)
    readings = [r for r in context.readings() if r.score > 0]
    readings.sort(key=lambda r: -r.score)
    unique: list[Reading] = []
    for reading in readings:
        if all(reading.signature() != other.signature() for other in unique):
            unique.append(reading)
    best = unique[0] if unique and unique[0].score >= THRESHOLD else None
    confidence = round(unique[0].score, 3) if unique else 0.0
    alternatives = unique[1:4] if best else unique[:3]
    if best is None:
        return Understanding(None, alternatives, confidence, missing=context.missing(), lang=lang,
                             words=" ".join(said.typed[i] for i in leftover))  # fmt: skip
    return Understanding(best, alternatives, confidence, lang=lang)


@dataclass
class Context:
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
        if before and self.said.folded[before[0]] in _TOPIC_BEFORE:
            return 1.0
        return FOREIGN

    # --- the readings ---------------------------------------------------------------------------

    def readings(self) -> Iterable[Reading]:
        yield from self.flow_readings()
        yield from self.wh_readings()
        yield from self.purpose_readings()
        yield from self.pair_readings()
        yield from self.example_readings()
        yield from self.principle_readings()
        yield from self.search_readings()

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

    def flow_readings(self) -> Iterable[Reading]:
        keys = self.keys
        verb = first_verb(self.sides, set())
        if not keys or not verb or len(keys) > 2:
            if not keys and verb:
                self.why.append("department")
            return
        topics, term, topic_sure = self.topics, self.term, 1.0
        if not topics and self.leftover:
            inferred, inferred_term, inferred_sure = self._inferred_topics(strict=True)
            if inferred:  # "… thông tin gì về thanh toán …": every leftover word is in the topics' names
                topics, term, topic_sure = inferred, inferred_term, inferred_sure
        if topics == self.topics and self._slot_unknown():
            self.why.append("known department")
            return
        if self.sides.wh and not self.cues:
            return  # "Who gives Sales …": asks for a department (wh_readings)
        strength = 0.9 if self.sides.giving or self.sides.getting else 0.7
        if any(intent in (Intent.PURPOSE, Intent.EXAMPLE, Intent.SHARED_GOALS, Intent.ROLE, Intent.PRINCIPLES)
               and strong >= 0.9 for intent, strong, _, _ in self.cues):  # fmt: skip
            strength *= 0.5
        for giver, getter, sure in self._roles(verb):
            items = self.flows_of(giver, getter, topics)
            if not items:
                self.why.append("relationship" if giver and getter and not self.flows_of(giver, getter, []) else
                                "topic")  # fmt: skip
                continue
            intent = Intent.NEEDS if getter is not None else Intent.CONTRIBUTIONS
            order = [getter, giver] if intent is Intent.NEEDS else [giver, getter]
            reading = Reading(intent, [k for k in order if k], list(topics), giver, getter, term=term)
            reading.items = items
            reading.score = strength * sure * topic_sure * self.sure() * self.coverage(reading, items) ** 2
            yield reading

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

    def wh_readings(self) -> Iterable[Reading]:
        """Who gives, who gets: a wh-word asks for the side no department fills."""
        wh = self.sides.wh
        if not wh and not (self.sides.from_ and not self.keys and first_verb(self.sides, set()) == "get"):
            return
        topics, term, sure = self._inferred_topics()
        if not topics:
            self.why.append("topic")
            return
        if self._slot_unknown() and self.keys:
            self.why.append("known department")
            return
        said = self.said
        asks = ""  # "giver" or "getter"
        if self.sides.from_ and all(said.stop(i) for i in range(max(self.sides.from_), len(said))):
            asks = "giver"  # "where do I get competitor analysis from", "… does the sales team get X from?"
        elif self.sides.giving and self.sides.to and max(self.sides.to) == len(said) - 1 and said.folded[-1] == "to":
            asks = "getter"  # "who am I supposed to send info on unpaid invoices to?": "to" left at the end
        for start in sorted(wh) if not asks else ():
            end = wh[start]
            before = words_before(said, start, 2)
            after = words_after(said, end, 3)
            if asks_object(said, end, self.departments):
                # "Who do I tell …?", "Which departments does Sales share … with?": the wh-word is
                # the object, so a verb of giving asks for the getter, of getting for the giver.
                verb = next((i for i in range(end, len(said)) if i in self.sides.giving or i in self.sides.getting),
                            None)  # fmt: skip
                if verb is not None:
                    asks = "getter" if verb in self.sides.giving else "giver"
                    break
            if any(i in self.sides.from_ for i in before[:1]):
                asks = "giver"
            elif before and (
                before[0] in self.sides.getting
                or (len(before) > 1 and said.stop(before[0]) and before[1] in self.sides.getting)
            ):
                asks = "giver"  # "chính sách giá lấy ở đâu?", "… thì xin bên nào?": got from whom
            elif (
                any(i in self.sides.to for i in before[:2])
                or any(i in self.sides.going for i in before[:1])
                or any(i in self.sides.handling for i in after)
                or any(i in self.sides.going for i in after)
            ):
                asks = "getter"
            elif any(i in self.sides.giving for i in after):
                asks = "giver"
            elif any(i in self.sides.getting for i in after):
                asks = "getter"
            if asks:
                break
        named = {m.keys[0]: side_evidence(m, said, self.sides) for m in self.departments}
        if not asks:
            if named:  # the side the named department does not take
                gives, gets = next(iter(named.values()))
                asks = "getter" if gives > gets else "giver" if gets > gives else ""
            elif self.sides.giving:
                asks = "giver"
            elif self.sides.getting or self.sides.going:
                asks = "getter"
            elif self._topic_gives():
                asks = "giver"  # "Ai là người hỗ trợ kỹ thuật cho mình?": the topic's own verb gives
        if not asks:
            return
        handling = bool(self.sides.handling)
        partner = self.keys[0] if len(self.keys) == 1 else None
        if asks == "getter" and handling and not partner and not self._handled(topics):
            asks = "giver"  # "competitor analysis thì phòng nào lo?": no one is handed it; it is someone's output
        if asks == "giver":
            items = self._said_by(self.flows_of(None, partner, topics), term)
            reading = Reading(Intent.PROVIDERS, [partner] if partner else [], topics, None, partner, term=term)
            reading.only = [item.key for item in items]
        else:
            items = self.flows_of(partner, None, topics)
            if not items and not partner:
                items = [i for i in self.index.items if set(i.topics) & set(topics) and i.receiver]
            reading = Reading(Intent.RECIPIENTS, [partner] if partner else [], topics, partner, None, term=term,
                              handling=handling)  # fmt: skip
        if not items and asks == "giver":
            self.why.append("topic")
            return
        if len(self.keys) > 1:
            sure *= 0.5
        if self.strength(Intent.ROLE):
            sure *= 0.7  # "Who is responsible for collecting receivables?" asks whose duty it is
        reading.items = items
        reading.score = 0.95 * sure * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def purpose_readings(self) -> Iterable[Reading]:
        strength = self.strength(Intent.PURPOSE)
        if not strength:
            return
        topics, term, sure = self._inferred_topics()
        verb = first_verb(self.sides, set()) or "get"
        roles = self._roles(verb) if self.keys and len(self.keys) <= 2 else [(None, None, 1.0)]
        for giver, getter, how_sure in roles:
            items = [f for f in self.flows_of(giver, getter, topics) if f.purpose]
            if not items and topics and not self.topics:  # topics guessed from words that pick flows themselves
                items = self.picked([f for f in self.flows_of(giver, getter, []) if f.purpose], self.content_words())
                topics, term = [], ""
            if not items:
                self.why.append("topic")
                continue
            order = [getter, giver]
            reading = Reading(Intent.PURPOSE, [k for k in order if k], topics, giver, getter, term=term)
            if not topics and self.content_words() and len(items) > 1:
                picked = self.picked(items, self.content_words())  # "… công cụ … để làm gì": those it says
                if picked and len(picked) < len(items):
                    items, reading.only = picked, [f.key for f in picked]
            reading.items = items
            reading.score = strength * sure * how_sure * self.sure() * self.coverage(reading, items) ** 2
            yield reading

    def _pair(self) -> tuple[str, str] | None:
        keys = self.keys
        if len(keys) == 2:
            return keys[0], keys[1]
        return None

    def pair_readings(self) -> Iterable[Reading]:
        for intent in (Intent.SHARED_GOALS, Intent.ROLE, Intent.COOPERATION):
            strength = self.strength(intent)
            if not strength:
                continue
            pair = self._pair()
            if pair is None:
                yield from self._scattered(intent, strength)
                continue
            first, second = pair
            if intent is Intent.ROLE:
                # "Khi phối hợp với Marketing, Kinh doanh có nhiệm vụ gì?": the one "with" is the partner.
                with_ = [m for m in self.departments if any(
                    self.said.says(i, w) for i in words_before(self.said, m.start, 1)
                    for w in ("với", "with"))]  # fmt: skip
                partner = with_[0].keys[0] if with_ else None
                if partner == first:
                    first, second = second, first
            relationship = self.index.relationships.get(frozenset(pair))
            if relationship is None:
                self.why.append("relationship")
                continue
            label = {Intent.SHARED_GOALS: "Goal", Intent.ROLE: "Duty", Intent.COOPERATION: "Activity"}[intent]
            items = [i for i in self.index.items if i.relationship == relationship and i.label == label]
            if intent is Intent.ROLE:
                items = [i for i in items if i.provider == first]
            if not items:
                self.why.append("relationship")
                continue
            reading = Reading(intent, [first, second])
            picked = self.picked(items, self.content_words()) if self.topics else []
            if picked and len(picked) < len(items):  # "… thu hồi công nợ": those about it
                items, reading.only = picked, [i.key for i in picked]
            reading.items = items
            if intent is Intent.COOPERATION and (self.strength(Intent.SHARED_GOALS) or self.strength(Intent.ROLE)):
                strength *= 0.5
            reading.score = strength * self.sure() * self.coverage(reading, items) ** 2
            yield reading

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

    def _scattered(self, intent: Intent, strength: float) -> Iterable[Reading]:
        """Goals, duties or activities asked of one department and the others ("Mục tiêu chung giữa
        KD và các phòng ban khác", "Is it Sales's job to …?") or of no department named ("Who is
        responsible for collecting receivables?"): those of every relationship of the department (of
        any, when none is named) that say what the question says."""
        if len(self.keys) > 1:
            self.why.append("two departments")
            return
        named = self.keys[0] if self.keys else None
        label = {Intent.SHARED_GOALS: "Goal", Intent.ROLE: "Duty", Intent.COOPERATION: "Activity"}[intent]
        items = [i for i in self.index.items if i.label == label and (named is None or named in i.pair)]
        if intent is Intent.ROLE and named:
            items = [i for i in items if i.provider == named]
        words = self.content_words()
        if words:
            items = self.picked(items, words)
        elif named is None:
            self.why.append("two departments")
            return
        if not items:
            self.why.append("topic")
            return
        pairs = list(dict.fromkeys((i.pair[0], i.pair[1]) for i in items if len(i.pair) == 2))
        reading = Reading(
            intent,
            [named] if named else [],
            list(self.topics),
            term=self.term,
            only=[i.key for i in items] if words else [],
            pairs=pairs,
        )
        reading.items = items
        reading.score = (0.9 if named else 0.8) * strength * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def example_readings(self) -> Iterable[Reading]:
        strength = self.strength(Intent.EXAMPLE)
        if not strength:
            return
        pair = self._pair()
        if pair is not None:
            relationship = self.index.relationships.get(frozenset(pair))
            items = [i for i in self.index.items if i.label == "Scenario" and i.relationship == relationship]
            reading = Reading(Intent.EXAMPLE, list(pair), list(self.topics), term=self.term)
        else:
            topics, term, sure = self._inferred_topics()
            strength *= sure
            items = [i for i in self.index.items if i.label == "Scenario" and set(i.topics) & set(topics)]
            reading = Reading(Intent.EXAMPLE, [], topics, term=term)
            picked = self.picked(items, self.content_words()) if len(items) > 1 else []
            if picked and len(picked) < len(items):  # "the feature Y story": of the examples about features, Y's
                items, reading.only = picked, [i.key for i in picked]
        if not items:
            self.why.append("two departments or a topic")
            return
        if pair is None and len(self.keys) == 1 and all(self.keys[0] in i.pair for i in items):
            # "… KD cần biết mức chiết khấu …": the one department named is in every example found, so
            # named; a department outside them picks nothing ("What happens when Engineering gets a
            # complaint …" is still the complaint example).
            reading.departments = list(self.keys)
        reading.items = items
        reading.score = strength * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def principle_readings(self) -> Iterable[Reading]:
        """The principles of cooperation: asked for by name, or of departments in general ("How
        should teams share information with each other?" — those whose texts say what it asks)."""
        strength = self.strength(Intent.PRINCIPLES)
        spans = self.said.find_any(_DEPARTMENTS_IN_GENERAL)
        general = {i for start, end in spans for i in range(start, end)}
        # "Công ty có những phòng ban nào?", "Which departments …": which there are, not how they cooperate.
        which = any((end < len(self.said) and self.said.folded[end] == "nao")
                    or any(self.said.folded[i] in ("which", "what") for i in words_before(self.said, start, 1))
                    for start, end in spans)  # fmt: skip
        generic = bool(general) and not which
        if not strength and not self.keys and generic:
            strength = 0.8 if self.strength(Intent.COOPERATION) else 0.7  # how departments work together
        if not strength:
            return
        items = [i for i in self.index.items if i.label == "Principle"]
        reading = Reading(Intent.PRINCIPLES)
        cue = {i for intent, _, start, end in self.cues if intent in (Intent.PRINCIPLES, Intent.COOPERATION)
               for i in range(start, end)}  # fmt: skip
        named = {i for m in self.mentions if m.kind == "Department" for i in range(m.start, m.end)}
        words = [self.said.folded[i] for i in range(len(self.said)) if i not in cue | named | general
                 and not self.said.stop(i) and self.said.stems[i] not in _ANY_PRINCIPLE]  # fmt: skip
        picked = self.picked(items, words) if words else []
        if picked and len(picked) < len(items):
            items, reading.only = picked, [i.key for i in picked]
        reading.items = items
        coverage = self.coverage(reading, items, names=0.5, also=frozenset(general))  # "cross-department": all of them
        reading.score = strength * (0.6 if self.keys else 1.0) * coverage**2
        yield reading

    def search_readings(self) -> Iterable[Reading]:
        """What the document says of the words: the items that say most of them."""
        # Bare words ("brochure", "chiết khấu") ask what the document says of them; a question
        # that asks something no reading understood is no search.
        asking = any(self.said.stems[i] in _QUESTION_WORDS for i in range(len(self.said)))
        strength = self.strength(Intent.SEARCH) or (0.75 if not (self.cues or self.sides.wh or asking) else 0.4)
        words = [self.said.folded[i] for i in self.leftover]
        named = [" ".join(self.said.folded[m.start : m.end]) for m in self.mentions]
        query = [t for w in [*named, *words] for t in tokens(w)]
        if not query:
            return
        scores = self.index.text.score([*query, *tokens(" ".join([*named, *words]))])
        if not scores:
            return
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        top = ranked[0][1]
        items = [self.index.items[n] for n, s in ranked if s >= 0.5 * top][:10]
        # Every content word must be said by one item at least (search's own rule), names included.
        best_share = 0.0
        content = [i for i in range(len(self.said)) if not self.said.stop(i) and i in self.leftover]
        for item in items[:3]:
            said = set(self.index.text.tokens_of(item))
            for m in self.mentions:
                said |= {t for name in self.index.lexicon.names.get((m.kind, m.keys[0]), ()) for t in tokens(name)}
            share = sum(self.said.stems[i] in said for i in content) / len(content) if content else 1.0
            best_share = max(best_share, share)
        reading = Reading(Intent.SEARCH, [], list(self.topics), term=self.term, words=" ".join(words))
        reading.items = items
        named_share = 1.0 if self.mentions else 0.0
        total = len(content) + 2 * len(self.mentions)
        coverage = (best_share * len(content) + 2 * len(self.mentions) * named_share) / total if total else 0.0
        reading.score = strength * coverage**2 * (1.0 if len(self.mentions) <= 1 else 0.8)
        yield reading


def with_score(reading: Reading, score: float) -> Reading:
    return replace(reading, score=score)
