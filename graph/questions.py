"""Questions as people ask them, in Vietnamese or English, understood by ranking readings.

A question is not parsed against rules that must all hold: it is read several ways and each
reading is scored, the best one answered when its score is high enough, the next ones offered
as alternatives. Everything it rests on comes from the graph (`graph.ask_index`):

1. **What it names.** Departments, parties and topics, by their names and aliases (folded, English
   words stemmed, the segmentation that covers most of the question winning: "Sales tools and
   support" is Sales + tools and support, "sales figures" is revenue), with "bên / đội / bộ phận X"
   read as "phòng X", and slips of the keyboard in a name resolved by fuzzy matching ("Maketing",
   "Enginering").
2. **What it asks.** Cue words give the intent, each with a strength; the words around a
   department give its side — "từ / from" names the giver, "cho / to" the receiver, a department
   just before a verb of giving gives, before a verb of getting gets — and a "who / ai / phòng
   nào" asks for the side no department fills ("Phòng nào giúp Kinh doanh giữ chân khách hàng?"
   asks for the giver). Intent and direction are features of a reading's score, not gates.
3. **What the document says.** A reading is answerable only if the graph holds items for it
   (flows between those departments, the topics' recipients, a relationship's goals…), and the
   question's words that name nothing are matched against those items' texts (BM25 over every
   text, both languages): a question is only as well understood as its content words are
   explained. Words that carry no content in either language are ignored.

A reading's score is the product of its intent's strength, how surely its departments and sides
are known, and the share of the question's content it explains. The best reading is answered when
its score reaches `THRESHOLD` (chosen by measurement, `python -m bench.ask --calibrate`); below
it, the question is declined. A question that names a department the document does not know
("phòng Nhân sự", "the IT department") is declined whatever else it says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache

from rapidfuzz import fuzz

from domain.names import fold
from graph.ask_index import AskIndex, Item, tokens
from graph.terms import FILLERS, closest_forms, stem


class Intent(Enum):
    """What a question asks (the names are the GraphQL enum's values)."""

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


# The score a reading needs to be answered (measured: bench.ask --calibrate).
THRESHOLD = 0.42
# How surely each kind of cue names its intent (a cue names the intent outright; a bare verb of
# giving or getting, or search words, less so).
CUES: tuple[tuple[Intent, float, tuple[str, ...]], ...] = (
    (Intent.PRINCIPLES, 1.0, ("nguyên tắc", "quy tắc", "principle", "principles", "rules", "phối hợp tốt",
                              "hợp tác tốt", "phối hợp hiệu quả", "cooperate well", "work well together",
                              "good teamwork", "teamwork", "work together well", "work together effectively")),
    (Intent.EXAMPLE, 1.0, ("ví dụ", "example", "examples", "for instance", "tình huống", "scenario", "what happens",
                           "chuyện gì xảy ra", "xảy ra", "in practice", "case study", "thực tế nào")),
    (Intent.SHARED_GOALS, 1.0, ("mục tiêu", "goal", "goals", "objective", "objectives", "in common", "common aim",
                                "aims", "trying to achieve", "both want", "hướng tới", "aim for", "aiming")),
    (Intent.ROLE, 0.95, ("vai trò", "role", "roles", "duty", "duties", "nhiệm vụ", "trách nhiệm", "responsibilities",
                         "responsible for", "job", "làm gì trong")),
    (Intent.PURPOSE, 1.0, ("tại sao", "vì sao", "why", "để làm gì", "mục đích", "purpose", "what for", "so that",
                           "what is the point", "point of", "lý do", "reason")),
    (Intent.COOPERATION, 0.8, ("phối hợp", "hợp tác", "cooperate", "cooperation", "collaborate", "collaboration",
                               "work together", "works together", "working together", "do together", "together",
                               "work with", "works with", "làm việc với", "làm việc cùng", "mối quan hệ",
                               "relationship", "relate", "interact", "areas", "lĩnh vực")),
    (Intent.SEARCH, 0.9, ("search for", "search", "tìm kiếm", "look up", "mention", "mentions", "nói gì về")),
)  # fmt: skip

# Verbs of giving and of getting, as typed (Vietnamese with its diacritics; folded words match
# them when typed without). English ones are compared by stem.
GIVING = (
    "give", "gives", "giving", "gave", "given", "provide", "provides", "provided", "providing", "supply", "supplies",
    "send", "sends", "sent", "sending", "pass", "passes", "passed", "passing", "hand", "hands", "handed", "share",
    "shares", "shared", "offer", "offers", "deliver", "delivers", "contribute", "contributes", "contribution",
    "contributions", "report", "reports", "forward", "forwards", "inform", "informs", "tell", "tells", "help", "helps",
    "support", "supports", "assist", "assists", "keep", "keeps", "feed", "feeds", "bring", "brings",
    "cung cấp", "đóng góp", "gửi", "đưa", "chuyển", "chuyển giao", "chia sẻ", "báo", "báo cáo", "thông báo", "giao",
    "hỗ trợ", "giúp", "giúp đỡ", "cấp", "trao", "bàn giao", "truyền đạt", "cung cap",
    "decide", "decides", "set", "sets", "prepare", "prepares", "produce", "produces", "create", "creates",
    "quyết định", "đặt ra", "soạn", "cung ứng", "xây dựng",
)  # fmt: skip
GETTING = (
    "need", "needs", "needed", "get", "gets", "getting", "got", "receive", "receives", "received", "receiving",
    "obtain", "obtains", "hear", "hears", "want", "wants", "require", "requires", "rely", "relies", "depend",
    "depends", "informed", "told", "notified", "updated", "count on",
    "ask", "asks", "contact", "contacts", "expect", "expects", "hỏi", "liên hệ",
    "cần", "nhận", "nhận được", "lấy", "xin", "cần có", "mong", "dựa vào", "biết",
)  # fmt: skip
# Markers of the side a department is on.
FROM = ("từ", "from", "by", "of")
ABOUT = ("about", "về", "regarding", "concerning", "on")
TO = ("cho", "to", "tới", "đến", "for", "into", "toward", "towards", "sang")
# Asking for a department: who, whom, which department, where.
WH = ("ai", "who", "whom", "where", "đâu", "which department", "which departments", "which team", "which teams",
      "phòng nào", "bộ phận nào", "bên nào", "phòng ban nào", "đội nào", "nơi nào", "chỗ nào", "which",
      "what department", "what team", "who's")  # fmt: skip
# "Who handles / deals with" asks for whoever acts on it, cooperation included; "who gets / is
# told" for those who receive it.
HANDLING = ("handle", "handles", "deal with", "deals with", "xử lý", "giải quyết", "lo", "manage", "manages",
            "quản lý", "take care", "takes care", "chịu trách nhiệm", "phụ trách", "responsible",
            "resolve", "in charge", "looks after", "look after", "own", "owns", "đảm nhận", "đảm nhiệm")  # fmt: skip
GOING = ("go", "goes", "end up", "ends up", "đi", "đến", "tới", "chuyển đến", "land", "lands", "sent", "routed")

# Words that carry no content in either language (folded; English ones are compared by stem).
_STOP_EN = (
    "what which who whom whose where why how when does do did done is are was were be been being the a an me us "
    "please tell show list information info details detail kind kinds sort type types stuff thing things "
    "have has had must should can could would will shall may might i im i'm we you my your our they them their "
    "it its this that these those there here s usually often always also just still then than so very really "
    "exactly actually supposed expected expect meant able new hire joined join joining as on at in "
    "about with and or of to from for by into over up out off any some all each every other others both "
    "department departments dept team teams division unit group people folks side guys let know like want "
    "between among across within help much many lot lots anything something everything nothing whatever "
    "typically normally generally basically ever hey hi hello thanks thank exist exists there's whats what's "
    "make makes work smoothly according document if "
    "d ll ve re"
)
_STOP_VI = (
    "gi nao dau sao the khong co la nhu bao nhieu hay thi ma se da dang duoc bi khi nhu cho ve cua cac nhung "
    "tu va voi trong viec nay do mot phong doi ben bo phan ban nhom thong tin nhung gi vay a a nhe nhi ha "
    "toi minh em anh chi ban chung chung ta ho moi vua phai nen thuong luon hay hoac hoi muon biet cho xin "
    "ntn tn sao the nao lam sao ra cung nhau lien quan cu the nhieu it tat ca moi hien nay hien tai thuc su "
    "can phai vao den tay giup voi ai gio rang hang ngay"
)
STOPWORDS = frozenset({stem(w) for w in _STOP_EN.split()} | set(_STOP_VI.split()) | FILLERS)
# Names of departments people ask about that the document does not cover (folded).
OTHER_DEPARTMENTS = (
    "hr", "human resources", "nhan su", "legal", "phap che", "phap ly", "it department", "it team", "cntt",
    "cong nghe thong tin", "mua hang", "purchasing", "procurement", "logistics", "kho", "kho van", "warehouse",
    "admin", "administration", "hanh chinh", "security", "bao ve", "dao tao", "training department", "board",
    "ban giam doc", "giam doc", "ceo", "finance department", "phong tai chinh", "r d department", "qa", "qc",
    "kiem soat chat luong", "quality control", "customer success", "operations", "van hanh", "doi ngoai",
)  # fmt: skip
_DEPARTMENT_AFTER = frozenset({"department", "dept", "team", "division", "unit"})  # "the IT department"
_DEPARTMENT_BEFORE = frozenset({"phong", "phan"})  # "phòng Nhân sự", "bộ phận Pháp chế"
_DEPARTMENT_PREFIX = ("ben", "doi", "nhom")  # "bên Sản xuất", "đội Sales": read as "phòng …"
_GENERIC = frozenset(
    [
        "ban",
        "nao",
        "khac",
        "which",
        "each",
        "every",
        "other",
        "others",
        "both",
        "all",
        "two",
        "hai",
        "everything",
        "anything",
        "something",
        "tat",
        "ca",
        "moi",
        "cac",
        "nhau",
        "lan",
    ]
)
# How alike a slip must be to a department's or topic's name to mean it (rapidfuzz ratio, folded;
# measured: bench.ask --thresholds).
FUZZY_DEPARTMENT = 84.0
FUZZY_TOPIC = 90.0
FUZZY_MIN_LENGTH = 5


def _stems(phrases: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(stem(w) for w in fold(p).split()) for p in phrases)


_CUE_STEMS = frozenset(stem(w) for _, _, phrases in CUES for p in phrases for w in fold(p).split()) | frozenset(
    stem(w) for p in (*GIVING, *GETTING) for w in fold(p).split()
)
_OTHER = _stems(OTHER_DEPARTMENTS)


@lru_cache(maxsize=4096)
def _pattern(phrase: str) -> tuple[tuple[str, str, str, bool], ...]:
    """A phrase's words as matched: as written, folded, stemmed, and whether written in ASCII."""
    return tuple((word, fold(word), stem(fold(word)), word.isascii()) for word in phrase.split())


class Phrases:
    """Phrases to find, by their first word (folded, and stemmed unless matched exactly)."""

    def __init__(self, phrases: Iterable[str], exact: bool = False) -> None:
        self.exact = exact
        self.first: dict[str, list[tuple[tuple[str, str, str, bool], ...]]] = {}
        for phrase in dict.fromkeys(phrases):
            parts = _pattern(phrase)
            for first in {parts[0][1], *(() if exact or not parts[0][3] else (parts[0][2],))}:
                self.first.setdefault(first, []).append(parts)

    def starting(self, folded: str, stemmed: str) -> list[tuple[tuple[str, str, str, bool], ...]]:
        found = self.first.get(folded, [])
        if not self.exact and stemmed != folded:
            found = found + [p for p in self.first.get(stemmed, []) if p not in found]
        return found


@dataclass(frozen=True)
class Words:
    """A question's words: as typed (lower case, diacritics kept), folded and stemmed."""

    typed: tuple[str, ...]
    folded: tuple[str, ...]
    stems: tuple[str, ...]

    @classmethod
    def of(cls, question: str) -> Words:
        typed: list[str] = []
        folded: list[str] = []
        for word in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", question).casefold()):
            for part in fold(word).split():
                typed.append(word)
                folded.append(part)
        return cls(tuple(typed), tuple(folded), tuple(stem(w) for w in folded))

    def __len__(self) -> int:
        return len(self.folded)

    def says(self, i: int, word: str, exact: bool = False) -> bool:
        """Whether the word at `i` is `word` (written with diacritics where it has them): typed
        without diacritics, any word that folds the same will do; English words by their stem
        (unless `exact`: "information" is no "inform")."""
        return 0 <= i < len(self.folded) and self._says(i, _pattern(word)[0], exact)

    def _says(self, i: int, part: tuple[str, str, str, bool], exact: bool) -> bool:
        word, folded, stemmed, ascii_ = part
        if ascii_:
            return self.folded[i] == folded or (not exact and self.stems[i] == stemmed)
        return self.folded[i] == folded and (self.typed[i].isascii() or self.typed[i] == word)

    def find_all(self, phrase: str, exact: bool = False) -> list[int]:
        """Where `phrase` stands among the words."""
        parts = _pattern(phrase)
        return [i for i in range(len(self.folded) - len(parts) + 1) if self.at(i, parts, exact)]

    def at(self, i: int, parts: tuple[tuple[str, str, str, bool], ...], exact: bool) -> bool:
        return i + len(parts) <= len(self.folded) and all(
            self._says(i + k, part, exact) for k, part in enumerate(parts)
        )

    def find_any(self, phrases: Phrases) -> list[tuple[int, int]]:
        """(start, end) of every phrase of `phrases` among the words."""
        found = []
        for i in range(len(self.folded)):
            for parts in phrases.starting(self.folded[i], self.stems[i]):
                if self.at(i, parts, phrases.exact):
                    found.append((i, i + len(parts)))
        return found

    def stop(self, i: int) -> bool:
        return self.stems[i] in STOPWORDS or self.folded[i] in STOPWORDS


@dataclass(frozen=True)
class Mention:
    """Something a question names: a department, a party or a topic, where it stands."""

    kind: str  # "Department", "Party" or "Topic"
    keys: tuple[str, ...]
    start: int
    end: int  # word positions [start, end)
    fuzzy: bool = False


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
    only: list[str] = field(default_factory=list)  # the flows meant, when the question's words pick some
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

    @property
    def intent(self) -> Intent | None:
        return self.best.intent if self.best else None


# --- what a question names ----------------------------------------------------------------------


def _candidates(said: Words, index: AskIndex, i: int) -> list[Mention]:
    """The names that may start at word `i`."""
    lexicon = index.lexicon
    stems = said.stems
    found: list[Mention] = []
    for size in range(min(lexicon.longest, len(stems) - i), 0, -1):
        topics = [n for n in lexicon.phrases.get(tuple(stems[i : i + size]), []) if n[0] == "Topic"]
        others = [n for n in lexicon.phrases.get(tuple(said.folded[i : i + size]), []) if n[0] != "Topic"]
        named = others + topics
        if not named:
            continue
        if size == 1 and stems[i] in _CUE_STEMS and all(k == "Topic" for k, _ in named):
            continue  # "need" in "what does Sales need" asks; it names no topic
        if size == 1 and said.stop(i) and all(k == "Topic" for k, _ in named):
            continue
        found.append(_mention(named, i, i + size))
    # "bên Sản xuất", "đội bán hàng", "bộ phận tiếp thị": a department, named as "phòng …"
    skip = 2 if said.folded[i : i + 2] == ("bo", "phan") else 1 if said.folded[i] in _DEPARTMENT_PREFIX else 0
    if skip:
        for size in range(min(lexicon.longest, len(stems) - i - skip), 0, -1):
            named = [n for n in lexicon.phrases.get(("phong", *said.folded[i + skip : i + skip + size]), []) if
                     n[0] == "Department"]  # fmt: skip
            if named:
                found.append(_mention(named, i, i + skip + size))
    return found


def _mention(named: list[tuple[str, str]], start: int, end: int, fuzzy: bool = False) -> Mention:
    kinds = {kind for kind, _ in named}
    kind = "Topic" if kinds == {"Topic"} else ("Department" if "Department" in kinds else kinds.pop())
    return Mention(kind, tuple(dict.fromkeys(key for k, key in named if k == kind)), start, end, fuzzy)


def _fuzzy(said: Words, index: AskIndex, i: int) -> list[Mention]:
    """Names typed with a slip, starting at word `i` (one or two words)."""
    found: list[Mention] = []
    for size in (2, 1):
        if i + size > len(said) or any(said.stop(k) for k in range(i, i + size)):
            continue
        typed = " ".join(said.folded[i : i + size])
        if len(typed.replace(" ", "")) < FUZZY_MIN_LENGTH:
            continue
        best: dict[tuple[str, str], float] = {}
        for name, kind, key in index.lexicon.fuzzy:
            if name.count(" ") + 1 != size or abs(len(name) - len(typed)) > 2:
                continue
            alike = fuzz.ratio(typed, name)
            if alike >= (FUZZY_DEPARTMENT if kind == "Department" else FUZZY_TOPIC) and alike < 100:
                best[(kind, key)] = max(best.get((kind, key), 0.0), alike)
        if best:
            top = max(best.values())
            named = [named for named, alike in best.items() if alike == top]
            if len({key for _, key in named}) == 1:
                found.append(_mention(named, i, i + size, fuzzy=True))
    return found


def find_mentions(said: Words, index: AskIndex) -> list[Mention]:
    """The names that together cover most of the question (fewest names on a tie), left to right."""
    n = len(said)
    options = [_candidates(said, index, i) for i in range(n)]
    for i in range(n):
        if not options[i]:
            options[i] = _fuzzy(said, index, i)
    best: list[tuple[int, int, tuple[Mention, ...]]] = [(0, 0, ())] * (n + 1)
    for i in range(n - 1, -1, -1):
        covered, count, chosen = best[i + 1]
        choice = (covered, -count, chosen)
        for mention in options[i]:
            c, k, rest = best[mention.end]
            candidate = (c + mention.end - mention.start, -(k + 1), (mention, *rest))
            if candidate[:2] > choice[:2]:
                choice = candidate
        best[i] = (choice[0], -choice[1], choice[2])
    return list(best[0][2])


_CUE_PHRASES = [(intent, strength, Phrases(phrases)) for intent, strength, phrases in CUES]


def _cues(said: Words, taken: set[int]) -> list[tuple[Intent, float, int, int]]:
    """Every cue the question holds outside the names: (intent, strength, start, end)."""
    return [
        (intent, strength, start, end)
        for intent, strength, phrases in _CUE_PHRASES
        for start, end in said.find_any(phrases)
        if not taken & set(range(start, end))
    ]


def _positions(said: Words, phrases: Phrases, taken: set[int]) -> dict[int, int]:
    """Position → end of each phrase (each inflection listed: matched exactly) found outside `taken`."""
    found: dict[int, int] = {}
    for start, end in said.find_any(phrases):
        if not taken & set(range(start, end)):
            for i in range(start, end):  # every word of it, so that "in charge" is found at "charge"
                found[i] = max(found.get(i, i), end)
    return found


_GIVING, _GETTING, _WH = Phrases(GIVING, exact=True), Phrases(GETTING, exact=True), Phrases(WH, exact=True)
_HANDLING, _GOING = Phrases(HANDLING, exact=True), Phrases(GOING, exact=True)
_FROM, _TO, _ABOUT, _BY = Phrases(FROM), Phrases(TO), Phrases(ABOUT, exact=True), Phrases(("do",))


def _unknown_department(said: Words, named: set[int]) -> str:
    """The words naming a department the document does not know, as typed, if the question has some."""
    folded, stems = said.folded, said.stems
    for words in _OTHER:
        for i in range(len(stems) - len(words) + 1):
            if tuple(stems[i : i + len(words)]) == words and not named & set(range(i, i + len(words))):
                if words == ("it",) or (len(words) == 1 and len(words[0]) <= 2 and said.typed[i] != words[0]):
                    continue
                return " ".join(said.typed[i : i + len(words)])

    def unknown(i: int) -> bool:
        return i not in named and not said.stop(i) and folded[i] not in _GENERIC

    for i, word in enumerate(folded):
        if i in named:
            continue
        if word in _DEPARTMENT_AFTER and i > 0 and unknown(i - 1):
            first = i - 1
            while first > 0 and unknown(first - 1):
                first -= 1
            return " ".join(said.typed[first : i + 1])
        if word in _DEPARTMENT_BEFORE and i + 1 < len(folded) and unknown(i + 1):
            if word == "phan" and not (i > 0 and folded[i - 1] == "bo"):
                continue
            last = i + 1
            while last + 1 < len(folded) and unknown(last + 1):
                last += 1
            return " ".join(said.typed[i - (word == "phan") : last + 1])
    return ""


# --- who gives, who gets ------------------------------------------------------------------------


@dataclass
class Sides:
    """Where the question's verbs, markers and wh-words stand."""

    giving: dict[int, int]
    getting: dict[int, int]
    from_: set[int]
    to: set[int]
    wh: dict[int, int]
    handling: dict[int, int]
    going: dict[int, int]


def _sides(said: Words, taken: set[int], lang: str = "en") -> Sides:
    by = said.find_any(_BY) if lang == "vi" else []  # "giá bán do ai quyết định?": by whom
    return Sides(
        giving=_positions(said, _GIVING, taken),
        getting=_positions(said, _GETTING, taken),
        from_={i for i, _ in [*said.find_any(_FROM), *by] if i not in taken},
        to={i for i, _ in said.find_any(_TO) if i not in taken},
        wh=_positions(said, _WH, taken),
        handling=_positions(said, _HANDLING, taken),
        going=_positions(said, _GOING, taken),
    )


_LEAD = frozenset({"phong", "ben", "doi", "nhom", "bo", "phan", "the", "our", "tay", "team", "department"})


def _before(said: Words, start: int, reach: int = 2) -> list[int]:
    """Up to `reach` positions before `start`, skipping words that lead a department's name."""
    found: list[int] = []
    i = start - 1
    while i >= 0 and len(found) < reach:
        if said.folded[i] not in _LEAD:
            found.append(i)
        i -= 1
    return found


def _after(said: Words, end: int, reach: int = 3) -> list[int]:
    """Up to `reach` content-or-verb positions after `end`, skipping words without content."""
    found: list[int] = []
    i = end
    while i < len(said) and len(found) < reach:
        if not said.stop(i) or said.folded[i] in ("can", "cung", "gui", "nhan", "chuyen", "bao"):
            found.append(i)
        i += 1
    return found


def _evidence(m: Mention, said: Words, sides: Sides) -> tuple[float, float]:
    """How surely a department gives, and how surely it gets, by the words around it."""
    gives = gets = 0.0
    before = _before(said, m.start)
    if before and (before[0] in sides.from_ or (len(before) > 1 and before[1] in sides.from_ and
                                                said.stop(before[0]))):  # fmt: skip
        gives += 3
    if before and (before[0] in sides.to or (len(before) > 1 and before[1] in sides.to and said.stop(before[0]))):
        gets += 3
    for i in range(m.end, min(len(said), m.end + 4)):  # the verb of which it is the subject
        if i in sides.giving:
            gives += 2
            break
        if i in sides.getting:
            gets += 2
            break
        if not said.stop(i):
            break
    if before and before[0] in sides.giving and not gives:
        gets += 1  # "give Sales …", "giúp Kinh doanh …": the one given to
    return gives, gets


_QUESTION_WORDS = frozenset(
    stem(w)
    for w in "what which who whom whose where why how when does do did gi nao dau sao ai the".split()  # noqa: SIM905
)
_AUXILIARY = frozenset(
    ["do", "does", "did", "should", "can", "could", "must", "shall", "will", "would", "may", "might"]
)
_SUBJECTS = frozenset(["i", "we", "you", "they", "he", "she", "one"])


def _asks_object(said: Words, end: int, departments: list[Mention]) -> bool:
    """Whether the words after a wh-word are an auxiliary and a subject ("who *do I* tell")."""
    if end + 1 >= len(said) or said.folded[end] not in _AUXILIARY:
        return False
    return said.folded[end + 1] in _SUBJECTS or any(m.start == end + 1 for m in departments)


def _verb(sides: Sides, taken: set[int]) -> str:
    """Whether the question's first verb gives or gets ("" for neither)."""
    giving = [i for i in sides.giving if i not in taken]
    getting = [i for i in sides.getting if i not in taken]
    if giving and (not getting or min(giving) < min(getting)):
        return "give"
    return "get" if getting else ""


# --- reading a question -------------------------------------------------------------------------


def understand(question: str, index: AskIndex) -> Understanding:
    """The readings of a question, best first, scored; the best answered if it scores enough."""
    said = Words.of(question)
    lang = language(question)
    mentions = find_mentions(said, index)
    named = {i for m in mentions for i in range(m.start, m.end)}
    unknown = _unknown_department(said, named)
    if unknown:
        return Understanding(None, [], 0.0, missing="known department", words=unknown, lang=lang)
    cues = _cues(said, named)
    taken = named | {i for _, _, s, e in cues for i in range(s, e)}
    sides = _sides(said, named, lang)
    departments = [m for m in mentions if m.kind == "Department" and len(m.keys) == 1]
    topics = _topic_mentions(mentions, said, lang)
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


def _topic_mentions(mentions: list[Mention], said: Words, lang: str) -> list[Mention]:
    """The topics named, less one that only qualifies its neighbour ("doanh thu bán hàng" is
    revenue, of selling: the head comes first in Vietnamese, last in English)."""
    topics = [m for m in mentions if m.kind == "Topic"]
    kept: list[Mention] = []
    for m in topics:
        if kept and kept[-1].end == m.start and lang == "vi":
            continue
        if kept and kept[-1].end == m.start and lang == "en":
            kept[-1] = m
            continue
        kept.append(m)
    return kept


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

    def coverage(self, reading: Reading, items: Iterable[Item], names: float = 1.0) -> float:
        """Of the question's content words (names count double), the share the reading explains:
        its names, its cues, and the words its items say."""
        known: set[str] = set().union(*(self.index.text.tokens_of(item) for item in items))
        for kind in ("Topic", "Department"):
            for key in [*reading.topics, *reading.departments]:
                known |= {t for name in self.index.lexicon.names.get((kind, key), ()) for t in tokens(name)}
        named = sum(2 * (m.end - m.start) for m in self.mentions)
        explained = sum(self.said.stems[i] in known for i in self.leftover)
        total = named + self.asked + len(self.leftover)
        return (named * names + self.asked + explained) / total if total else 1.0

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
        evidence = {m.keys[0]: _evidence(m, self.said, self.sides) for m in self.departments}
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
        about = {i for i, _ in said.find_any(_ABOUT)}
        for marker in self.sides.from_ | self.sides.to | about:
            after = _after(said, marker + 1, 1)
            if after and after[0] in self.leftover and after[0] == marker + 1:
                return True
        for verb in [*self.sides.giving, *self.sides.getting]:
            before = [i for i in range(verb - 1, -1, -1) if not said.stop(i)][:1]
            if before and before[0] in self.leftover and before[0] not in taken and before[0] == verb - 1:
                return True
        return False

    def flow_readings(self) -> Iterable[Reading]:
        keys = self.keys
        verb = _verb(self.sides, set())
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
               for intent, _, _, _ in self.cues):  # fmt: skip
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

    def wh_readings(self) -> Iterable[Reading]:
        """Who gives, who gets: a wh-word asks for the side no department fills."""
        wh = self.sides.wh
        if not wh and not (self.sides.from_ and not self.keys and _verb(self.sides, set()) == "get"):
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
        for start in sorted(wh):
            end = wh[start]
            before = _before(said, start, 2)
            after = _after(said, end, 3)
            if _asks_object(said, end, self.departments):
                # "Who do I tell …?", "Which departments does Sales share … with?": the wh-word is
                # the object, so a verb of giving asks for the getter, of getting for the giver.
                verb = next((i for i in range(end, len(said)) if i in self.sides.giving or i in self.sides.getting),
                            None)  # fmt: skip
                if verb is not None:
                    asks = "getter" if verb in self.sides.giving else "giver"
                    break
            if any(i in self.sides.from_ for i in before[:1]):
                asks = "giver"
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
        if not asks and self.sides.from_ and max(self.sides.from_) == len(said) - 1:
            asks = "giver"  # "where do I get competitor analysis from"
        named = {m.keys[0]: _evidence(m, said, self.sides) for m in self.departments}
        if not asks:
            if named:  # the side the named department does not take
                gives, gets = next(iter(named.values()))
                asks = "getter" if gives > gets else "giver" if gets > gives else ""
            elif self.sides.giving:
                asks = "giver"
            elif self.sides.getting or self.sides.going:
                asks = "getter"
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
        reading.items = items
        reading.score = 0.95 * sure * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def purpose_readings(self) -> Iterable[Reading]:
        strength = self.strength(Intent.PURPOSE)
        if not strength:
            return
        topics, term, sure = self._inferred_topics()
        verb = _verb(self.sides, set()) or "get"
        roles = self._roles(verb) if self.keys and len(self.keys) <= 2 else [(None, None, 1.0)]
        for giver, getter, how_sure in roles:
            items = [f for f in self.flows_of(giver, getter, topics) if f.purpose]
            if not items:
                self.why.append("topic")
                continue
            order = [getter, giver]
            reading = Reading(Intent.PURPOSE, [k for k in order if k], topics, giver, getter, term=term)
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
                self.why.append("two departments")
                continue
            first, second = pair
            if intent is Intent.ROLE:
                # "Khi phối hợp với Marketing, Kinh doanh có nhiệm vụ gì?": the one "with" is the partner.
                with_ = [m for m in self.departments if any(
                    self.said.says(i, w) for i in _before(self.said, m.start, 1) for w in ("với", "with"))]  # fmt: skip
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
            reading.items = items
            if intent is Intent.COOPERATION and (self.strength(Intent.SHARED_GOALS) or self.strength(Intent.ROLE)):
                strength *= 0.5
            reading.score = strength * self.sure() * self.coverage(reading, items) ** 2
            yield reading

    def example_readings(self) -> Iterable[Reading]:
        strength = self.strength(Intent.EXAMPLE)
        if not strength:
            return
        pair = self._pair()
        if pair is not None:
            relationship = self.index.relationships.get(frozenset(pair))
            items = [i for i in self.index.items if i.label == "Scenario" and i.relationship == relationship]
            reading = Reading(Intent.EXAMPLE, list(pair))
        else:
            topics, term, sure = self._inferred_topics()
            strength *= sure
            items = [i for i in self.index.items if i.label == "Scenario" and set(i.topics) & set(topics)]
            reading = Reading(Intent.EXAMPLE, [], topics, term=term)
        if not items:
            self.why.append("two departments or a topic")
            return
        reading.items = items
        reading.score = strength * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def principle_readings(self) -> Iterable[Reading]:
        strength = self.strength(Intent.PRINCIPLES)
        generic = any(self.said.folded[i] in ("ban", "departments", "teams", "phong") for i in range(len(self.said)))
        if not strength and self.strength(Intent.COOPERATION) and not self.keys and generic:
            strength = 0.8  # how departments cooperate, in general: the principles
        if not strength:
            return
        items = [i for i in self.index.items if i.label == "Principle"]
        reading = Reading(Intent.PRINCIPLES)
        reading.items = items
        reading.score = strength * (0.6 if self.keys else 1.0) * self.coverage(reading, items, names=0.5) ** 2
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


def language(question: str) -> str:
    """The question's language: Vietnamese when it has a Vietnamese letter or Vietnamese words."""
    if re.search(r"[^\x00-\x7f]", question):
        return "vi"
    words = set(re.findall(r"[a-z]+", question.lower()))
    vietnamese = {"gi", "ai", "nao", "cua", "va", "phong", "khong", "cho", "tu", "ve", "can", "nhu", "dau", "la",
                  "thi", "duoc", "nhung", "voi", "muc", "tieu", "vai", "tro", "sao", "thong", "tin", "nhan", "doanh",
                  "hang", "khach", "ban", "kinh", "toan", "ke", "thuat", "cham", "soc", "cung", "cap", "gui", "chuyen",
                  "nguyen", "tac", "phoi", "hop", "vi", "du", "tai", "bo", "phan", "cac", "hoi"}  # fmt: skip
    return "vi" if len(words & vietnamese) >= 2 else "en"


def with_score(reading: Reading, score: float) -> Reading:
    return replace(reading, score=score)
