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
import unicodedata
from dataclasses import dataclass, field
from enum import Enum

from domain.names import fold
from graph.database import Database
from graph.terms import FILLERS, closest_forms, stem


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


# Cue phrases, most specific intent first: "give an example of how they work together" asks for
# an example, "why does Sales give …" for a purpose. Vietnamese cues are written with their
# diacritics: a word typed with diacritics must match them ("nhân viên" is not "nhận"), a word
# typed without matches whatever it folds to ("nhan" may be "nhận").
CUES: tuple[tuple[Intent, tuple[str, ...]], ...] = (
    (Intent.PRINCIPLES, ("nguyên tắc", "quy tắc", "principle", "principles", "rules", "phối hợp tốt", "hợp tác tốt",
                         "cooperate well", "work well together", "good teamwork", "teamwork")),
    (Intent.EXAMPLE, ("ví dụ", "example", "examples", "for instance", "tình huống", "scenario")),
    (Intent.SHARED_GOALS, ("mục tiêu", "goal", "goals", "objective", "objectives", "in common", "common aim", "aims",
                           "trying to achieve", "both want")),
    (Intent.RECIPIENTS, ("who is responsible", "ai chịu trách nhiệm", "who do i tell", "who should i tell",
                         "who to tell", "báo cho ai", "thông báo cho ai", "báo cáo cho ai")),
    (Intent.ROLE, ("vai trò", "role", "roles", "duty", "duties", "nhiệm vụ", "trách nhiệm", "responsibilities",
                   "responsible for", "job")),
    (Intent.PURPOSE, ("tại sao", "vì sao", "why", "để làm gì", "mục đích", "purpose", "what for", "so that",
                      "what is the point", "point of")),
    (Intent.PROVIDERS, ("ai cung cấp", "who provides", "who provide", "who gives", "who give", "who supplies",
                        "who sends", "come from", "comes from", "đến từ đâu", "từ đâu", "ai gửi", "ai đưa",
                        "do ai cung cấp", "phòng nào cung cấp", "bộ phận nào cung cấp", "which department provides",
                        "which department gives")),
    (Intent.RECIPIENTS, ("ai nhận", "ai xử lý", "ai được", "ai giải quyết", "who gets", "who get", "who receives",
                         "who handles", "who handle", "who deals with", "who is told", "who is informed", "who hears",
                         "where does", "where do", "đến đâu", "đi đâu", "chuyển cho ai", "gửi cho ai", "goes to",
                         "go to", "ai quản lý", "who manages", "reported to", "phòng nào nhận", "phòng nào xử lý",
                         "which department gets", "which department handles")),
    (Intent.CONTRIBUTIONS, ("đóng góp", "contribute", "contributes", "cung cấp", "provide", "provides", "give",
                            "gives", "send", "sends", "supply", "supplies", "offer", "offers", "đưa cho", "gửi cho",
                            "gửi", "pass on", "pass", "passes", "report to", "reports to", "share with",
                            "shares with", "hand over", "hands over")),
    (Intent.NEEDS, ("cần gì", "cần những gì", "cần thông tin", "cần", "need", "needs", "nhận được", "nhận gì",
                    "get from", "gets from", "get", "gets", "receive", "receives", "nhận")),
    (Intent.COOPERATION, ("phối hợp", "hợp tác", "cooperate", "cooperation", "collaborate", "work together",
                          "works together", "do together", "together", "work with", "works with", "làm việc với",
                          "làm việc cùng", "mối quan hệ", "relationship", "relate", "interact")),
    (Intent.SEARCH, ("search for", "search", "tìm kiếm", "tìm", "find", "look up")),
)  # fmt: skip
_GIVING_WORDS = "give gives giving provide provides providing send sends sending cung đóng gửi đưa"
_GIVING = frozenset(_GIVING_WORDS.split())
# Words for a department. One that no department's name stands beside names a department the
# document does not know ("the IT department", "phòng Nhân sự"): the question is declined.
_DEPARTMENT_AFTER = frozenset({"department", "dept", "team", "division", "unit"})  # "the IT department"
_DEPARTMENT_BEFORE = frozenset({"phong", "phan"})  # "phòng Nhân sự", "bộ phận Pháp chế"
_GENERIC_WORDS = "ban nao khac which each every other others both all two hai everything anything something tat ca moi"
_GENERIC = frozenset(_GENERIC_WORDS.split())

# Words that ask, link or point rather than name (besides the cues and the fillers).
_QUESTION_WORDS = (
    "what which who whom whose where why how when does do did is are was were be been the a an me us "
    "ai gi nao dau sao the khong co la nhu bao nhieu hay thi ma se da dang duoc bi khi nhu cho "
    "please tell show list give information thong tin cac nhung ve giua between voi and va of "
    "have has had must should can could would will shall may might i we you my your they them that this these "
    "those there s usually often always phai nen thuong hay luon"
)
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
_CUE_STEMS = frozenset(stem(fold(w)) for _, phrases in CUES for phrase in phrases for w in phrase.split())
_FROM = ("từ", "from", "by")
_TO = ("cho", "to", "tới", "đến", "for")
_WITH = ("với", "with")


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
    return [stem(word) for word in fold(text).split()]


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


@dataclass(frozen=True)
class Words:
    """A question's words: as typed (lower case, diacritics kept) and folded."""

    typed: tuple[str, ...]
    folded: tuple[str, ...]

    @classmethod
    def of(cls, question: str) -> Words:
        typed: list[str] = []
        folded: list[str] = []
        for word in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", question).casefold()):
            for part in fold(word).split():
                typed.append(word)
                folded.append(part)
        return cls(tuple(typed), tuple(folded))

    def says(self, i: int, word: str) -> bool:
        """Whether the word at `i` is `word` (written with diacritics where it has them): typed
        without diacritics, any word that folds the same will do."""
        typed = self.typed[i]
        return self.folded[i] == fold(word) and (typed.isascii() or typed == word)

    def find(self, phrase: str) -> int | None:
        """Where `phrase` first stands among the words."""
        parts = phrase.split()
        for i in range(len(self.folded) - len(parts) + 1):
            if all(self.says(i + k, part) for k, part in enumerate(parts)):
                return i
        return None


def _cue(words: Words) -> tuple[Intent | None, set[int]]:
    """The most specific intent a cue names, and the positions of the cue's words."""
    for intent, phrases in CUES:
        for phrase in phrases:
            first = words.find(phrase)
            if first is not None:
                return intent, set(range(first, first + len(phrase.split())))
    return None, set()


def _unknown_department(words: Words, named: set[int]) -> str:
    """The words naming a department the document does not know, as typed, if the question has some."""
    folded = words.folded

    def unknown(i: int) -> bool:
        word = folded[i]
        return i not in named and word not in QUESTION_WORDS and word not in FILLERS and word not in _GENERIC

    for i, word in enumerate(folded):
        if i in named:
            continue
        if word in _DEPARTMENT_AFTER and i > 0 and unknown(i - 1):
            first = i - 1
            while first > 0 and unknown(first - 1):
                first -= 1
            return " ".join(words.typed[first : i + 1])
        if word in _DEPARTMENT_BEFORE and i + 1 < len(folded) and unknown(i + 1):
            if word == "phan" and not (i > 0 and folded[i - 1] == "bo"):
                continue
            last = i + 1
            while last + 1 < len(folded) and unknown(last + 1):
                last += 1
            return " ".join(words.typed[i - (word == "phan") : last + 1])
    return ""


def understand(question: str, vocabulary: Vocabulary) -> Understanding:
    said = Words.of(question)
    raw = list(said.folded)
    words = [stem(word) for word in raw]
    intent, cue = _cue(said)
    mentions = _mentions(words, vocabulary, cue)
    departments = [m for m in mentions if m.kind == "Department" and len(m.keys) == 1]
    topics = [key for m in mentions if m.kind == "Topic" for key in m.keys]
    named_spans = {i for m in mentions for i in range(m.start, m.end)}
    unknown = _unknown_department(said, named_spans | cue)
    if unknown:
        return Understanding(intent, [], [], words=unknown, missing="known department")
    residual = [
        raw[i] for i in range(len(raw))
        if i not in named_spans and i not in cue and raw[i] not in QUESTION_WORDS and raw[i] not in FILLERS
        and raw[i] not in _GENERIC
    ]  # fmt: skip
    term = " ".join(" ".join(raw[m.start : m.end]) for m in mentions if m.kind == "Topic")
    if not topics and residual and intent in (Intent.RECIPIENTS, Intent.PROVIDERS, Intent.PURPOSE, Intent.EXAMPLE,
                                              Intent.NEEDS, Intent.CONTRIBUTIONS, Intent.SEARCH, None):  # fmt: skip
        topics = [match.key for match in closest_forms(" ".join(residual), vocabulary.topic_forms)]
        if topics:
            term, residual = " ".join(residual), []
    keys = list(dict.fromkeys(m.keys[0] for m in departments))
    if intent in (Intent.NEEDS, Intent.CONTRIBUTIONS) and residual:
        # "What does HR send to Sales?", "… from Accounting about inventory?": words that name
        # nothing the document knows, where a department or a topic should be.
        typed = " ".join(said.typed[i] for i in range(len(raw)) if raw[i] in residual)
        return Understanding(intent, keys, [], words=typed, missing="known department")
    if intent is None and (mentions or residual):
        intent = Intent.SEARCH  # no question asked of them: what does the document say of these words?
    if intent is Intent.COOPERATION and not keys:
        intent = Intent.PRINCIPLES  # how departments cooperate, in general: the principles
    found = Understanding(intent, keys, list(dict.fromkeys(topics)), term=term, words=" ".join(residual))
    return _roles(found, departments, said)


def _side(department: Named, said: Words) -> str | None:
    """ "from" when the words just before a department say it gives, "to" when it gets."""
    before = range(max(0, department.start - 2), department.start)
    if any(said.says(i, word) for i in before for word in _FROM):
        return "from"
    if any(said.says(i, word) for i in before for word in _TO):
        return "to"
    return None


def _roles(found: Understanding, departments: list[Named], said: Words) -> Understanding:
    """Who gives and who gets, from the intent and the words around each department."""
    intent = found.intent
    keys = found.departments
    if intent in (Intent.NEEDS, Intent.CONTRIBUTIONS, Intent.PURPOSE, Intent.PROVIDERS) and keys:
        sides = {m.keys[0]: _side(m, said) for m in departments}
        giver = next((k for k in keys if sides.get(k) == "from"), None)
        getter = next((k for k in keys if sides.get(k) == "to"), None)
        rest = [k for k in keys if k not in (giver, getter)]
        giving = intent in (Intent.CONTRIBUTIONS, Intent.PROVIDERS) or (
            intent is Intent.PURPOSE and any(said.says(i, w) for i in range(len(said.folded)) for w in _GIVING)
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
    if intent is Intent.ROLE and len(keys) >= 2:
        # "Khi phối hợp với Marketing, Kinh doanh có nhiệm vụ gì?": the one "with" is the partner.
        partner = next((m.keys[0] for m in departments if any(
            said.says(i, w) for i in range(max(0, m.start - 2), m.start) for w in _WITH)), None)  # fmt: skip
        if partner is not None and partner == keys[0]:
            found.departments = [keys[1], keys[0], *keys[2:]]
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
    """The vocabulary of a process, read again whenever the graph's stamp (graph.version) moves:
    a name added through any process is understood by the next question."""

    def __init__(self) -> None:
        self.vocabulary: Vocabulary | None = None
        self.stamp: object = None

    async def get(self, db: Database, stamp: object) -> Vocabulary:
        if self.vocabulary is None or stamp is None or stamp != self.stamp:
            self.vocabulary = await load_vocabulary(db)
            self.stamp = stamp
        return self.vocabulary

    def changed(self) -> None:
        self.vocabulary = None
