"""What a question may ask, as cue words: the intents and the words that name each, the verbs of
giving and of getting, and the markers of a department's side.

The tables are the vocabulary of questions, written once in both languages; `find_cues` finds
the intents' cues in a question (`graph.sides` finds who gives and who gets).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from rapidfuzz.distance import OSA

from domain.names import fold
from graph.terms import stem
from graph.words import Phrases, Words


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


# How surely each kind of cue names its intent (a cue names the intent outright; a bare verb of
# giving or getting, or search words, less so).
CUES: tuple[tuple[Intent, float, tuple[str, ...]], ...] = (
    (Intent.PRINCIPLES, 1.0, ("nguyên tắc", "quy tắc", "principle", "principles", "rules", "phối hợp tốt",
                              "hợp tác tốt", "phối hợp hiệu quả", "cooperate well", "work well together",
                              "good teamwork", "teamwork", "work together well", "work together effectively",
                              "ăn ý", "nhịp nhàng", "suôn sẻ", "smoothly", "work better together", "tôn trọng",
                              "mutual respect", "respect each other", "respect one another", "best practices",
                              "guidelines", "lời khuyên", "khuyên", "bí quyết", "golden rules")),
    (Intent.EXAMPLE, 1.0, ("ví dụ", "example", "examples", "for instance", "tình huống", "scenario", "what happens",
                           "chuyện gì xảy ra", "xảy ra", "case study", "thực tế nào",
                           "story", "stories", "real case", "real life", "real-life", "câu chuyện", "trường hợp",
                           "minh họa", "illustrate", "kịch bản", "what do i do", "what should i do")),
    (Intent.EXAMPLE, 0.5, ("in practice", "trong thực tế", "thực tế")),  # or only "really"
    (Intent.SHARED_GOALS, 1.0, ("mục tiêu", "goal", "goals", "objective", "objectives", "in common", "common aim",
                                "aims", "trying to achieve", "both want", "hướng tới", "aim for", "aiming",
                                "nhắm tới", "nhắm đến", "hướng đến", "cùng muốn", "cùng đạt", "cùng theo đuổi",
                                "đích đến", "working towards", "working toward", "striving for", "same thing",
                                "common ground", "shared aim", "shared aims", "targets")),
    (Intent.ROLE, 0.95, ("vai trò", "role", "roles", "duty", "duties", "nhiệm vụ", "trách nhiệm", "responsibilities",
                         "responsible for", "job", "làm gì trong",
                         "việc của", "phần việc", "whose job", "chức năng", "what part", "part does",
                         "part in", "đóng vai", "đảm đương", "vị trí", "chịu trách nhiệm")),
    (Intent.PURPOSE, 1.0, ("tại sao", "vì sao", "why", "để làm gì", "mục đích", "purpose", "what for", "so that",
                           "what is the point", "point of", "lý do", "reason", "dùng vào việc gì", "dùng để làm gì",
                           "để dùng vào", "dùng làm gì", "help with", "helps with", "do with", "does with",
                           "used for", "use it for", "use them for", "good for", "sao phải")),
    (Intent.COOPERATION, 0.8, ("phối hợp", "hợp tác", "cooperate", "cooperation", "collaborate", "collaboration",
                               "work together", "works together", "working together", "do together", "together",
                               "work with", "works with", "làm việc với", "làm việc cùng", "mối quan hệ",
                               "relationship", "relate", "interact", "areas", "lĩnh vực",
                               "coordinate", "coordinates", "coordinating", "coordination", "team up", "teams up",
                               "liaise", "cùng làm", "mảng", "mảng nào", "sync", "cộng tác", "kết hợp",
                               "tương tác", "làm việc chung", "mối liên hệ", "quan hệ", "partner", "partners",
                               "partnership", "interplay", "get along", "gets along", "dealings")),
    (Intent.SEARCH, 0.9, ("search for", "search", "tìm kiếm", "look up", "mention", "mentions", "nói gì về")),
)  # fmt: skip

# Verbs of giving and of getting, as typed (Vietnamese with its diacritics; folded words match
# them when typed without). English ones are compared by stem.
GIVING: tuple[str, ...] = (
    "give", "gives", "giving", "gave", "given", "provide", "provides", "provided", "providing", "supply", "supplies",
    "send", "sends", "sent", "sending", "pass", "passes", "passed", "passing", "hand", "hands", "handed", "share",
    "shares", "shared", "offer", "offers", "deliver", "delivers", "contribute", "contributes", "contribution",
    "contributions", "report", "reports", "forward", "forwards", "inform", "informs", "tell", "tells", "help", "helps",
    "support", "supports", "assist", "assists", "keep", "keeps", "feed", "feeds", "bring", "brings",
    "cung cấp", "đóng góp", "gửi", "đưa", "chuyển", "chuyển giao", "chia sẻ", "báo", "báo cáo", "thông báo", "giao",
    "hỗ trợ", "giúp", "giúp đỡ", "cấp", "trao", "bàn giao", "truyền đạt", "cung cap",
    "decide", "decides", "set", "sets", "prepare", "prepares", "produce", "produces", "create", "creates",
    "put together", "puts together", "compile", "compiles", "write", "writes", "draw up", "draws up",
    "quyết định", "đặt ra", "soạn", "cung ứng", "xây dựng",
    "brief", "briefs", "loop in", "run", "runs", "organise", "organises", "organize", "organizes", "tổ chức",
    "triển khai",
)  # fmt: skip
GETTING: tuple[str, ...] = (
    "need", "needs", "needed", "get", "gets", "getting", "got", "receive", "receives", "received", "receiving",
    "obtain", "obtains", "hear", "hears", "want", "wants", "require", "requires", "rely", "relies", "depend",
    "depends", "informed", "told", "notified", "updated", "count on", "find out", "finds out", "learn", "learns",
    "ping", "reach out",
    "ask", "asks", "contact", "contacts", "expect", "expects", "hỏi", "liên hệ",
    "cần", "nhận", "nhận được", "lấy", "xin", "cần có", "mong", "dựa vào", "biết", "trông chờ", "trông đợi",
    "mong đợi", "kỳ vọng",
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
HANDLING: tuple[str, ...] = (
            "handle", "handles", "deal with", "deals with", "xử lý", "giải quyết", "lo", "manage", "manages",
            "quản lý", "take care", "takes care", "chịu trách nhiệm", "phụ trách", "responsible",
            "resolve", "in charge", "looks after", "look after", "own", "owns", "đảm nhận", "đảm nhiệm")  # fmt: skip
GOING: tuple[str, ...] = (
    "go",
    "goes",
    "end up",
    "ends up",
    "đi",
    "đến",
    "tới",
    "chuyển đến",
    "land",
    "lands",
    "sent",
    "routed",
)


def _inflections(word: str) -> set[str]:
    """An English verb's forms: -s, -ed, -ing (over-generating is harmless: only typed words match)."""
    if not word.isascii() or not word.isalpha() or len(word) < 3:
        return {word}
    if word.endswith("e"):
        return {word, word + "s", word + "d", word[:-1] + "ing"}
    if word.endswith("y") and word[-2] not in "aeiou":
        return {word, word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    found = {word, word + ("es" if word.endswith(("s", "sh", "ch", "x", "z")) else "s"), word + "ed", word + "ing"}
    if len(word) <= 4 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        found |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # "get" → "getting"
    return found


def inflected(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """Phrases with every form of their first word ("deal with" → "dealing with", "dealt" is listed)."""
    firsts = {phrase.partition(" ")[0] for phrase in phrases}
    found: list[str] = []
    for phrase in phrases:
        first, _, rest = phrase.partition(" ")
        listed = first.endswith(("ed", "ing")) or {first[:-1], first[:-2], first[:-3] + "y"} & firsts  # a form already
        found += [f"{form} {rest}".strip() for form in sorted({first} if listed else _inflections(first))]
    return tuple(dict.fromkeys(found))


GIVING, GETTING, HANDLING, GOING = (  # with their other forms
    inflected(GIVING),
    inflected(GETTING),
    inflected(HANDLING),
    inflected(GOING),
)

CUE_STEMS = frozenset(stem(w) for _, _, phrases in CUES for p in phrases for w in fold(p).split()) | frozenset(
    stem(w) for p in (*GIVING, *GETTING) for w in fold(p).split()
)


_CUE_PHRASES = [(intent, strength, Phrases(phrases)) for intent, strength, phrases in CUES]


def find_cues(said: Words, taken: set[int]) -> list[tuple[Intent, float, int, int]]:
    """Every cue the question holds outside the names: (intent, strength, start, end)."""
    return [
        (intent, strength, start, end)
        for intent, strength, phrases in _CUE_PHRASES
        for start, end in said.find_any(phrases)
        if not taken & set(range(start, end))
    ]


# The English words of the cues and verbs, for mending a slip typed in one ("recieves").
_CUE_WORDS = frozenset(
    w
    for phrases in (*(p for _, _, p in CUES), GIVING, GETTING, HANDLING, GOING, WH)
    for phrase in phrases
    for w in phrase.split()
    if w.isascii() and w.isalpha() and len(w) >= 5
)
SLIP_MIN_LENGTH = 5


def mend_slips(said: Words, known: Callable[[str, str], bool]) -> Words:
    """The words with an English cue word typed with one slip (a letter dropped, added or changed,
    or two swapped: "recieves", "contibute") read as that word — when the word typed is no word the
    documents use (`known(folded, stem)`) and one cue word alone is a slip away."""
    folded = list(said.folded)
    for i, word in enumerate(said.folded):
        if (
            len(word) < SLIP_MIN_LENGTH
            or not said.typed[i].isascii()
            or said.stop(i)
            or said.stems[i] in CUE_STEMS
            or known(word, said.stems[i])
        ):
            continue
        near = sorted(w for w in _CUE_WORDS if abs(len(w) - len(word)) <= 1 and OSA.distance(word, w) == 1)
        if near and len({stem(w) for w in near}) == 1:
            folded[i] = near[0]
    if folded == list(said.folded):
        return said
    return Words(said.typed, tuple(folded), tuple(stem(w) for w in folded), said.plain)
