"""Questions as people ask them, in Vietnamese or English, understood without a model.

`understand` reads a question the way a careful colleague would, by rules that can be read and
explained: it finds the departments and topics the question names (the longest names first, so
"sales figures" is revenue, not Sales; "tài liệu marketing" is marketing materials, not Marketing),
then what is asked (the intent) from cue words, then who gives and who gets from the words
around the departments ("từ" / "from" names the giver, "cho" / "to" the receiver). What it cannot
pin down it leaves unknown: the caller answers "not understood" rather than guess.

The vocabulary — every department's, party's and topic's names and aliases as word sequences,
and the topics' term forms — comes from the graph (`load_vocabulary`), so a name added through
the API is understood at once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from enum import Enum

import snowballstemmer

from graph.database import Database
from graph.names import fold
from graph.terms import FILLERS, closest_forms

_STEM = snowballstemmer.stemmer("english")
_STEM_WORD = _STEM.stemWord


class Intent(Enum):
    NEEDS = "what a department needs or gets from another"
    CONTRIBUTIONS = "what a department contributes or gives to another"
    RECIPIENTS = "who gets, handles or is told about something"
    PROVIDERS = "who provides something"
    PURPOSE = "why something is given or needed"
    SHARED_GOALS = "the goals two departments share"
    ROLE = "a department's role with another"
    COOPERATION = "how two departments cooperate"
    EXAMPLE = "an example"
    PRINCIPLES = "the principles of cooperation"
    SEARCH = "anything the document says about some words"


# Cue phrases (folded words, in order), most specific intent first: "give an example of how they
# work together" asks for an example, "why does Sales give …" for a purpose.
CUES: tuple[tuple[Intent, tuple[str, ...]], ...] = (
    (Intent.PRINCIPLES, ("nguyen tac", "principle", "principles")),
    (Intent.EXAMPLE, ("vi du", "example", "examples", "for instance", "tinh huong", "scenario")),
    (Intent.SHARED_GOALS, ("muc tieu", "goal", "goals", "in common", "common aim", "aims")),
    (Intent.ROLE, ("vai tro", "role", "roles", "duty", "duties", "nhiem vu", "trach nhiem", "responsibilities")),
    (Intent.PURPOSE, ("tai sao", "vi sao", "why", "de lam gi", "muc dich", "purpose", "what for", "so that")),
    (Intent.PROVIDERS, ("ai cung cap", "who provides", "who provide", "who gives", "who give", "who supplies",
                        "who sends", "come from", "comes from", "den tu dau", "tu dau", "ai gui", "ai dua")),
    (Intent.RECIPIENTS, ("ai nhan", "ai xu ly", "ai duoc", "ai giai quyet", "who gets", "who get", "who receives",
                         "who handles", "who handle", "who deals with", "who is told", "who is informed", "who hears",
                         "where does", "where do", "den dau", "di dau", "chuyen cho ai", "gui cho ai", "goes to",
                         "go to", "ai quan ly", "who manages", "who is responsible")),
    (Intent.CONTRIBUTIONS, ("dong gop", "contribute", "contributes", "cung cap", "provide", "provides", "give",
                            "gives", "send", "sends", "supply", "supplies", "offer", "offers", "dua cho", "gui cho")),
    (Intent.NEEDS, ("can gi", "can nhung gi", "can thong tin", "can", "need", "needs", "nhan duoc", "nhan gi",
                    "get from", "gets from", "get", "gets", "receive", "receives", "nhan")),
    (Intent.COOPERATION, ("phoi hop", "hop tac", "cooperate", "cooperation", "collaborate", "work together",
                          "works together", "work with", "works with", "lam viec voi", "lam viec cung",
                          "moi quan he", "relationship", "relate", "interact")),
)  # fmt: skip

# Words that ask, link or point rather than name (besides the cues and the fillers).
_QUESTION_WORDS = (
    "what which who whom whose where why how when does do did is are was were be been the a an me us "
    "ai gi nao dau sao the khong co la nhu bao nhieu hay thi ma se da dang duoc bi khi nhu cho "
    "please tell show list give information thong tin cac nhung ve giua between voi and va of"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
_CUE_STEMS = frozenset(_STEM_WORD(w) for _, phrases in CUES for phrase in phrases for w in phrase.split())
_FROM = ("tu", "from", "by")
_TO = ("cho", "to", "toi", "den", "for")


@dataclass(frozen=True)
class Named:
    """Something a question names: a department, a party or a topic, where it stands."""

    kind: str  # "Department", "Party" or "Topic"
    keys: tuple[str, ...]
    start: int
    end: int  # word positions [start, end)


@dataclass
class Vocabulary:
    """Names and aliases as word sequences (folded, English words stemmed), and topic terms."""

    phrases: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)  # words → [(kind, key)]
    topic_forms: list[tuple[str, list[str]]] = field(default_factory=list)
    longest: int = 1

    def add(self, kind: str, key: str, names: list[str]) -> None:
        for name in {key.replace("-", " "), *names}:
            words = tuple(_words(name))
            if words and (kind, key) not in self.phrases.setdefault(words, []):
                self.phrases[words].append((kind, key))
                self.longest = max(self.longest, len(words))


async def load_vocabulary(db: Database) -> Vocabulary:
    rows = await db.read(
        "MATCH (n) WHERE n:Department OR n:Party OR n:Topic "
        "RETURN labels(n)[0] AS kind, n.key AS key, "
        "[n.name_vi, n.name_en] + coalesce(n.aliases_vi, []) + coalesce(n.aliases_en, []) AS names, "
        "coalesce(n.terms, []) AS forms ORDER BY n.position"
    )
    vocabulary = Vocabulary()
    for row in rows:
        vocabulary.add(row["kind"], row["key"], [name for name in row["names"] if name])
        if row["kind"] == "Topic":
            vocabulary.topic_forms.append((row["key"], list(row["forms"])))
    return vocabulary


def _words(text: str) -> list[str]:
    return [_STEM.stemWord(word) for word in fold(text).split()]


@dataclass
class Understanding:
    intent: Intent | None
    departments: list[str]  # in the order the intent reads them (receiver first for NEEDS and PURPOSE)
    topics: list[str]
    term: str = ""  # the words that named the topics, as typed (folded)
    provider: str | None = None
    receiver: str | None = None
    words: str = ""  # what is left to search for
    missing: str = ""  # why it is not understood, when it is not


def _mentions(words: list[str], vocabulary: Vocabulary, cue: set[int]) -> list[Named]:
    """The longest names at each place, left to right, not overlapping, outside the cue ("need"
    in "what does Sales need" asks; it does not name the topic Needs)."""
    found, i = [], 0
    while i < len(words):
        if i in cue:
            i += 1
            continue
        for size in range(min(vocabulary.longest, len(words) - i), 0, -1):
            named = vocabulary.phrases.get(tuple(words[i : i + size]))
            if named and size == 1 and words[i] in _CUE_STEMS and all(k == "Topic" for k, _ in named):
                continue  # "need" in "why does Accounting need …" asks; it names no topic
            if named:
                kinds = {kind for kind, _ in named}
                kind = "Topic" if kinds == {"Topic"} else ("Department" if "Department" in kinds else kinds.pop())
                found.append(Named(kind, tuple(key for k, key in named if k == kind), i, i + size))
                i += size
                break
        else:
            i += 1
    return found


def _cue(folded: str) -> tuple[Intent | None, set[int]]:
    """The most specific intent a cue names, and the positions of the cue's words."""
    for intent, phrases in CUES:
        for phrase in phrases:
            match = re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", folded)
            if match:
                first = len(folded[: match.start()].split())
                return intent, set(range(first, first + len(phrase.split())))
    return None, set()


def understand(question: str, vocabulary: Vocabulary) -> Understanding:
    folded = fold(question)
    raw = folded.split()
    words = [_STEM.stemWord(word) for word in raw]
    intent, cue = _cue(folded)
    mentions = _mentions(words, vocabulary, cue)
    departments = [m for m in mentions if m.kind == "Department" and len(m.keys) == 1]
    topics = [key for m in mentions if m.kind == "Topic" for key in m.keys]
    named_spans = {i for m in mentions for i in range(m.start, m.end)}
    residual = [
        raw[i] for i in range(len(raw))
        if i not in named_spans and i not in cue and raw[i] not in QUESTION_WORDS and raw[i] not in FILLERS
    ]  # fmt: skip
    term = " ".join(" ".join(raw[m.start : m.end]) for m in mentions if m.kind == "Topic")
    if not topics and residual and intent in (Intent.RECIPIENTS, Intent.PROVIDERS, Intent.PURPOSE, Intent.EXAMPLE,
                                              Intent.NEEDS, Intent.CONTRIBUTIONS, None):  # fmt: skip
        topics = [match.key for match in closest_forms(" ".join(residual), vocabulary.topic_forms)]
        if topics:
            term, residual = " ".join(residual), []
    keys = list(dict.fromkeys(m.keys[0] for m in departments))
    if intent is None and (mentions or residual):
        intent = Intent.SEARCH  # no question asked of them: what does the document say of these words?
    found = Understanding(intent, keys, list(dict.fromkeys(topics)), term=term, words=" ".join(residual))
    return _roles(found, departments, raw)


def _side(department: Named, raw: list[str]) -> str | None:
    """ "from" when the words just before a department say it gives, "to" when it gets."""
    before = raw[max(0, department.start - 2) : department.start]
    if any(word in _FROM for word in before):
        return "from"
    if any(word in _TO for word in before):
        return "to"
    return None


def _roles(found: Understanding, departments: list[Named], raw: list[str]) -> Understanding:
    """Who gives and who gets, from the intent and the words around each department."""
    intent = found.intent
    keys = found.departments
    if intent in (Intent.NEEDS, Intent.CONTRIBUTIONS, Intent.PURPOSE, Intent.PROVIDERS) and keys:
        sides = {m.keys[0]: _side(m, raw) for m in departments}
        giver = next((k for k in keys if sides.get(k) == "from"), None)
        getter = next((k for k in keys if sides.get(k) == "to"), None)
        rest = [k for k in keys if k not in (giver, getter)]
        giving = intent in (Intent.CONTRIBUTIONS, Intent.PROVIDERS) or (
            intent is Intent.PURPOSE and any(w in ("give", "gives", "provide", "provides", "cung", "dong") for w in raw)
        )
        if rest:  # the subject: the getter of a need, the giver of a contribution
            if giving and giver is None:
                giver = rest.pop(0)
            elif not giving and getter is None:
                getter = rest.pop(0)
        if rest:
            if getter is None:
                getter = rest.pop(0)
            elif giver is None:
                giver = rest.pop(0)
        found.provider, found.receiver = giver, getter
        if intent is Intent.PROVIDERS and giver is not None and getter is None:
            # "Who gives Sales pricing?": Sales is the one who gets it.
            found.provider, found.receiver = None, giver
        if intent is Intent.CONTRIBUTIONS and found.provider is None and found.receiver is not None:
            found.intent = Intent.NEEDS
        ordered = [found.receiver, found.provider] if found.intent in (Intent.NEEDS, Intent.PURPOSE) else [
            found.provider, found.receiver]  # fmt: skip
        found.departments = [k for k in ordered if k]
    found.missing = _what_is_missing(found)
    return found


def _what_is_missing(found: Understanding) -> str:
    intent = found.intent
    if intent is None:
        return "" if found.words else "question"
    if intent in (Intent.NEEDS, Intent.CONTRIBUTIONS) and not found.departments:
        return "department"
    if intent in (Intent.RECIPIENTS, Intent.PROVIDERS, Intent.PURPOSE) and not found.topics:
        return "topic"
    if intent in (Intent.SHARED_GOALS, Intent.ROLE, Intent.COOPERATION) and len(found.departments) < 2:
        return "two departments"
    if intent is Intent.EXAMPLE and len(found.departments) < 2 and not found.topics:
        return "two departments or a topic"
    return ""


class VocabularyCache:
    """The vocabulary of a process, read again when the graph changed (or after `max_age`)."""

    def __init__(self) -> None:
        self.vocabulary: Vocabulary | None = None
        self.read_at = 0.0

    async def get(self, db: Database, max_age: float) -> Vocabulary:
        if self.vocabulary is None or time.monotonic() - self.read_at > max_age:
            self.vocabulary = await load_vocabulary(db)
            self.read_at = time.monotonic()
        return self.vocabulary

    def changed(self) -> None:
        self.vocabulary = None
