"""What a question names: departments, parties and topics, found where they stand in it.

Names and aliases are looked up longest first (`graph.ask_index.Lexicon`), the segmentation that
covers most of the question winning; "bên / đội / bộ phận X" is read as "phòng X"; a slip of the
keyboard in a name is resolved by fuzzy matching. A department the document does not know
("phòng Nhân sự", "the IT department") is found too, so that the question can be declined.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import pairwise

from rapidfuzz import fuzz

from domain.names import fold
from graph.ask_index import AskIndex
from graph.cues import CUE_STEMS
from graph.terms import stem
from graph.words import Phrases, Words

# Names of departments people ask about that the document does not cover (folded).
OTHER_DEPARTMENTS = (
    "hr", "human resources", "nhan su", "legal", "phap che", "phap ly", "it department", "it team", "cntt",
    "cong nghe thong tin", "mua hang", "thu mua", "purchasing", "procurement", "logistics", "kho", "kho van",
    "warehouse",
    "admin", "administration", "hanh chinh", "security", "bao ve", "dao tao", "training department", "board",
    "ban giam doc", "giam doc", "ceo", "qa", "qc",
    "kiem soat chat luong", "quality control", "customer success", "operations", "van hanh", "doi ngoai", "it",
)  # fmt: skip
_DEPARTMENT_AFTER = frozenset({"department", "dept", "team", "division", "unit"})  # "the IT department"
# Words before "department" that make it an adjective, not a name: "cross-department", "inter-team".
_ACROSS = frozenset({"cross", "inter", "intra", "multi", "all", "every", "each", "other", "another", "any", "both"})
_DEPARTMENT_BEFORE = frozenset({"phong", "phan"})  # "phòng Nhân sự", "bộ phận Pháp chế"
# Vietnamese words after which a topic's name is what someone is doing, not what is asked ("khi / lúc
# / đi bán hàng": when selling, going selling).
_WHILE_DOING = frozenset({"di", "khi", "luc"})
_DEPARTMENT_PREFIX = ("ben", "doi", "nhom", "phia")  # "bên Sản xuất", "đội Sales": read as "phòng …"
GENERIC = frozenset(
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


_OTHER = _stems(OTHER_DEPARTMENTS)


@dataclass(frozen=True)
class Mention:
    """Something a question names: a department, a party or a topic, where it stands."""

    kind: str  # "Department", "Party" or "Topic"
    keys: tuple[str, ...]
    start: int
    end: int  # word positions [start, end)
    fuzzy: bool = False
    also: tuple[str, ...] = ()  # a Department's name that also names these topics ("finance", "tài chính")


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
        if size == 1 and stems[i] in CUE_STEMS and all(k == "Topic" for k, _ in named):
            continue  # "need" in "what does Sales need" asks; it names no topic
        if size == 1 and said.stop(i) and all(k == "Topic" for k, _ in named):
            continue
        mention = _mention(named, i, i + size)
        if mention.also and not lexicon.shared(said.folded[i : i + size]):
            mention = replace(mention, also=())  # "Marketing" is no "market": a topic only by its stem
        found.append(mention)
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
    also = tuple(dict.fromkeys(key for k, key in named if k == "Topic")) if kind == "Department" else ()
    return Mention(kind, tuple(dict.fromkeys(key for k, key in named if k == kind)), start, end, fuzzy, also)


# Where a name that is a department's and a topic's ("finance", "tài chính", "R&D") names the
# department: after a side marker or a department's lead word, before "team / department", or as
# the subject of a verb of giving or getting; elsewhere ("tình hình tài chính", "about finance")
# it names the topic.
_SLOT_BEFORE = frozenset(
    [
        "from",
        "to",
        "for",
        "with",
        "and",
        "n",  # "sales n finance": "and" as chat writes it
        "by",
        "between",
        "tu",
        "cho",
        "voi",
        "va",
        "giua",
        "sang",
        "den",
        "toi",
        "phong",
        "ben",
        "doi",
        "nhom",
        "phan",
        "phia",
        "the",
        "our",
    ]
)
_SLOT_AFTER = frozenset(
    ["team", "teams", "department", "departments", "dept", "division", "people", "folks", "guys", "staff"]
)


# Someone asked to do something: "need finance to …", "ask finance about …".
_ASKED_OF = frozenset(["need", "needs", "ask", "asks", "contact", "ping", "email", "call"])
_ASKED_OF_THEN = frozenset(["to", "about", "if", "whether", "when"])
# Someone relied on: "rely on Finance for …", "depend on finance", "count on finance".
_RELIED_ON = frozenset(["rely", "relies", "relying", "depend", "depends", "depending", "count", "counts"])


def _stands_for_department(said: Words, m: Mention) -> bool:
    before = m.start - 1
    while before >= 0 and said.folded[before] in ("the", "our", "a"):
        before -= 1
    if before >= 0 and said.folded[before] in _SLOT_BEFORE:
        return True
    if before >= 1 and said.folded[before] in ("on", "upon") and said.folded[before - 1] in _RELIED_ON:
        return True
    if m.end < len(said) and said.folded[m.end] in _SLOT_AFTER:
        return True
    then = said.folded[m.end] if m.end < len(said) else ""
    if before >= 0 and said.folded[before] in _ASKED_OF and (not then or then in _ASKED_OF_THEN):
        return True  # "need finance to tell them", "ask finance about …", "ping finance"
    if all(said.stop(i) for i in range(m.start)):  # the subject: "Finance needs …", "Tài chính cần …"
        after = next((i for i in range(m.end, len(said)) if not said.stop(i) or said.stems[i] in CUE_STEMS), None)
        return after is not None and said.stems[after] in CUE_STEMS
    return False


def _fuzzy(said: Words, index: AskIndex, i: int) -> list[Mention]:
    """Names typed with a slip, starting at word `i` (one to four words)."""
    found: list[Mention] = []
    for size in (4, 3, 2, 1):
        if i + size > len(said) or said.stop(i) or sum(said.stop(k) for k in range(i, i + size)) > size // 2:
            continue  # a slip in a name of several words may leave one of them a word without content
        typed = " ".join(said.folded[i : i + size])
        if len(typed.replace(" ", "")) < FUZZY_MIN_LENGTH:
            continue
        typed_so = said.folded[i : i + size]
        if all(part in index.text.written for part in ([typed] if size == 1 else map(" ".join, pairwise(typed_so)))):
            continue  # words the documents use as typed ("sản phẩm") are no slip for a name ("ấn phẩm")
        best: dict[tuple[str, str], float] = {}
        names: dict[tuple[str, str], str] = {}
        for name, kind, key in index.lexicon.fuzzy:
            if name.count(" ") + 1 != size or abs(len(name) - len(typed)) > 2:
                continue
            alike = fuzz.ratio(typed, name)
            enough = FUZZY_DEPARTMENT if kind == "Department" else FUZZY_TOPIC
            if enough <= alike < 100 and alike > best.get((kind, key), 0.0):
                best[(kind, key)], names[(kind, key)] = alike, name
        if best:
            top = max(best.values())
            named = [named for named, alike in best.items() if alike == top]
            # One thing named — or one name that is a department's and a topic's ("finace")
            if len({key for _, key in named}) == 1 or len({names[n] for n in named}) == 1:
                found.append(_mention(named, i, i + size, fuzzy=True))
    return found


def find_mentions(said: Words, index: AskIndex) -> list[Mention]:
    """The names that together cover most of the question (fewest names on a tie), left to right."""
    n = len(said)
    options = [_candidates(said, index, i) for i in range(n)]
    exact = {k for found in options for m in found for k in range(m.start, m.end)}
    for i in range(n):  # a slip is looked for only among words no name covers as typed
        if i not in exact:
            options[i] = [m for m in _fuzzy(said, index, i) if not exact & set(range(m.start, m.end))]
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
    picked = list(best[0][2])
    return [
        m if not m.also or _stands_for_department(said, m) else Mention("Topic", m.also, m.start, m.end, m.fuzzy)
        for m in picked
    ]


def unknown_department(said: Words, named: set[int]) -> str:
    """The words naming a department the document does not know, as typed, if the question has some."""
    folded, stems = said.folded, said.stems
    for words in _OTHER:
        for i in range(len(stems) - len(words) + 1):
            if tuple(stems[i : i + len(words)]) == words and not named & set(range(i, i + len(words))):
                if words == ("it",) and not _named_as_department(said, i):
                    continue  # the pronoun, unless it is "phòng IT", "the IT team"
                if len(words) == 1 and len(words[0]) <= 2 and said.typed[i] != words[0]:
                    continue
                if len(words) == 1 and not said.plain and said.typed[i].lower() != words[0]:
                    continue  # "khó" (hard) is not "kho" (the warehouse) in a question typed with its accents
                return " ".join(said.typed[i : i + len(words)])

    def unknown(i: int) -> bool:
        return i not in named and not said.stop(i) and folded[i] not in GENERIC

    for i, word in enumerate(folded):
        if i in named:
            continue
        if word in _DEPARTMENT_AFTER and i > 0 and unknown(i - 1) and folded[i - 1] not in _ACROSS:
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


def _named_as_department(said: Words, i: int) -> bool:
    """Whether the word at `i` stands where a department's name does ("phòng IT", "IT team", "bên IT")."""
    before = said.folded[i - 1] if i > 0 else ""
    after = said.folded[i + 1] if i + 1 < len(said) else ""
    return before in ("phong", "phan", "ben", "doi", "nhom") or after in _DEPARTMENT_AFTER | {"support", "staff"}


def _while_doing(said: Words, start: int) -> bool:
    """Whether the words before `start` say what someone is doing ("khi", "lúc", "lúc đang", "đi")."""
    before = start - 1
    if before > 0 and said.folded[before] == "dang":
        before -= 1
    return before >= 0 and said.folded[before] in _WHILE_DOING


def topic_mentions(mentions: list[Mention], said: Words, lang: str) -> list[Mention]:
    """The topics named, less one that only qualifies its neighbour ("doanh thu bán hàng" is
    revenue, of selling: the head comes first in Vietnamese, last in English). A Vietnamese topic of
    three words or more after another is no qualifier but what the first is about ("phàn nàn
    chất lượng sản phẩm": complaints, of product quality)."""
    topics = [m for m in mentions if m.kind == "Topic"]
    kept: list[Mention] = []
    for m in topics:
        if kept and kept[-1].end == m.start and lang == "vi" and m.end - m.start < 3:
            continue
        if kept and kept[-1].end == m.start and lang == "en":
            kept[-1] = m
            continue
        kept.append(m)
    if lang == "vi" and len(kept) > 1:  # "… trong lúc đi bán hàng": when selling, not selling asked about
        context = [m for m in kept if _while_doing(said, m.start)]
        if len(context) < len(kept):
            kept = [m for m in kept if m not in context]
    return kept


CLIPPED_MIN_LENGTH = 5  # "even" is no clipped "events"


def mend_clipped(said: Words, index: AskIndex) -> Words:
    """The words with an English word clipped from a name's word ("promo" programmes, "promos")
    read as that word — when the documents never use the clipped word and the names' words it
    begins all share one stem."""
    named_words = {w for words in index.lexicon.written for w in words if w.isascii()}
    folded = list(said.folded)
    for i, word in enumerate(said.folded):
        if (
            len(word) < CLIPPED_MIN_LENGTH
            or not said.typed[i].isascii()
            or said.stop(i)
            or said.stems[i] in CUE_STEMS  # "feed" us is no "feedback"
            or word in index.text.written
            or index.text.knows(said.stems[i])
        ):
            continue
        clipped = word[:-1] if word.endswith("s") and len(word) > CLIPPED_MIN_LENGTH else word  # "promos"
        longer = sorted(w for w in named_words if len(w) > len(clipped) and w.startswith(clipped))
        if longer and len({stem(w) for w in longer}) == 1:
            folded[i] = longer[0]
    if folded == list(said.folded):
        return said
    return Words(said.typed, tuple(folded), tuple(stem(w) for w in folded), said.plain)


# The asker's own side ("we", "us", "tụi em", "bên mình"): someone asking about one department
# works in the department at the other end of the relationship — every relationship the documents
# describe has the same one on one side (Sales), so that is the asker's.
FIRST_PERSON = Phrases(
    ("we", "us", "our", "ours", "i", "me", "my", "tụi em", "bọn em", "chúng em", "chúng tôi", "tụi mình", "bọn mình",
     "bên mình", "team mình", "phòng mình", "mình", "em", "tôi"),
    exact=True,
)  # fmt: skip


def with_asker(said: Words, mentions: list[Mention], index: AskIndex) -> list[Mention]:
    """The mentions, with the asker's department where the question says "we" or "us" of it
    ("what do we feed to finance?") and names one other department related to it."""
    hub = index.hub
    named = {m.keys[0] for m in mentions if m.kind == "Department" and len(m.keys) == 1}
    if hub is None or hub in named or len(named) != 1 or not index.related(hub, next(iter(named))):
        return mentions
    taken = {i for m in mentions for i in range(m.start, m.end)}
    for start, end in said.find_any(FIRST_PERSON):
        if not taken & set(range(start, end)):
            mention = Mention("Department", (hub,), start, end)
            return sorted([*mentions, mention], key=lambda m: m.start)
    return mentions
