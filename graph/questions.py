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

The readings are `graph.readings`'s and the evidence they are scored on `graph.evidence`'s; this
module reads the question (as typed, then freer, then sentence by sentence) and picks the best.
A reading's score is the product of its intent's strength, how surely its departments and sides
are known, and the share of the question's content it explains. The best reading is answered
when its score reaches `THRESHOLD` (chosen by measurement, `python -m bench.ask --calibrate`);
below it, the question is declined. A question that names a department the document does not
know ("phòng Nhân sự", "the IT department") is declined whatever else it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.ask_index import AskIndex, tokens
from graph.cues import Intent, find_cues, mend_slips
from graph.evidence import TOPIC_BEFORE, Reading
from graph.mentions import find_mentions, mend_clipped, topic_mentions, unknown_department, with_asker
from graph.readings import Context
from graph.sides import LEAD, find_sides
from graph.words import Words, language

__all__ = ["THRESHOLD", "Reading", "Understanding", "understand"]

# The score a reading needs to be answered (measured: bench.ask --calibrate).
THRESHOLD = 0.42


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
        and not any(said.folded[i] in TOPIC_BEFORE for i in tail)
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
