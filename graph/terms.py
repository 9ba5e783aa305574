"""People's words for things, matched as people mean them.

A name or a term is reduced to its *terms*: folded (case, diacritics: "Khiếu nại" → "khieu nai"),
filler words dropped ("thông tin về", "của", "các", "the", "information on"), English words
stemmed (Porter2: "campaigns" → "campaign", "pricing" → "price"), in any order. Departments, parties
and topics keep the term form of their key, names and aliases (`terms`), so a typed name is first
looked up as it is and as its term form, in one index lookup.

When that finds nothing, `closest_forms` compares the typed terms with the forms of candidates
from an index: a thing is meant when its whole name is in what was typed (most of it: "khiếu nại
khách hàng" → complaints), or what was typed is part of its name ("thanh toán" → payment terms and
payment process). A word that covers too little of what was typed, or that is part of too many
names at once, means nothing: better "not covered" than a wrong answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from domain.names import fold

_STEM = snowballstemmer.stemmer("english")

# Words that carry no meaning of their own in a name or a question about one (folded).
FILLER_PHRASES = (
    ("thong", "tin"), ("bo", "phan"), ("lien", "quan"), ("nhu", "the", "nao"), ("la", "gi"),
    ("information", "on"), ("information", "about"), ("details", "of"),
)  # fmt: skip
_VIETNAMESE_FILLERS = "ve cua cac nhung cho tu va voi trong viec nay do la mot phong doi"
_ENGLISH_FILLERS = (
    "the a an of on about for to from in with and or our their its any all some info information details "
    "department departments dept team teams division unit"
)
FILLERS = frozenset(f"{_VIETNAMESE_FILLERS} {_ENGLISH_FILLERS}".split())
# Of what was typed, names must cover more than half to be meant by it (half of "complaint
# letters" is no answer; a NOT_FOUND that suggests complaints is) …
MIN_COVERAGE = 0.6
# … and words that are part of more names than this name none of them, nor do fewer words than
# MIN_WITHIN_WORDS that are only part of a name.
MAX_AMBIGUOUS = 3
MIN_WITHIN_WORDS = 2


# Words whose stems differ though they mean the same thing (curated, like the seed's synonyms).
SAME_STEMS = {"complain": "complaint"}


def stem(word: str) -> str:
    """The stem of a folded word (Snowball's English stemmer; Vietnamese words are left as they are)."""
    stemmed: str = _STEM.stemWord(word)
    return SAME_STEMS.get(stemmed, stemmed)


@lru_cache(maxsize=8192)
def terms(text: str) -> tuple[str, ...]:
    """The terms of a text, in order, each once."""
    words = fold(text).split()
    kept: list[str] = []
    i = 0
    while i < len(words):
        phrase = next((p for p in FILLER_PHRASES if tuple(words[i : i + len(p)]) == p), None)
        if phrase is not None:
            i += len(phrase)
            continue
        if words[i] not in FILLERS:
            stemmed = stem(words[i])
            if stemmed not in kept:
                kept.append(stemmed)
        i += 1
    return tuple(kept)


def form(text: str) -> str:
    """The order-free term form of a name: its terms, sorted, one space apart ("" for none)."""
    return " ".join(sorted(terms(text)))


def forms(key: str, *names: str) -> list[str]:
    """The term forms a thing can be found by: its key's and each of its names'."""
    return sorted({form(key.replace("-", " ")), *(form(name) for name in names)} - {""})


@dataclass(frozen=True)
class Match:
    key: str
    how: str  # "covers" (its name is in what was typed) or "within" (what was typed is in its name)
    share: float  # how much of what was typed its name covers


def closest_forms(typed: str, candidates: Iterable[tuple[str, list[str]]], *, partial: bool = True) -> list[Match]:
    """Of the candidates (key, term forms), those `typed` means, best first; [] for none.
    Without `partial`, only names wholly in what was typed count (a department is named whole:
    "Cham soc khach" is a slip for a suggestion, not an answer)."""
    wanted = set(terms(typed))
    if not wanted:
        return []
    candidates_by_key: dict[str, set[str]] = {}
    covering: list[Match] = []
    within: list[Match] = []
    for key, candidate_forms in candidates:
        best: Match | None = None
        for candidate in candidate_forms:
            words = set(candidate.split())
            if not words:
                continue
            if words <= wanted:
                match = Match(key, "covers", len(words) / len(wanted))
                if best is None or best.how != "covers" or match.share > best.share:
                    best, candidates_by_key[key] = match, words
            elif wanted <= words and (best is None or best.how != "covers"):
                best = Match(key, "within", len(wanted) / len(words))
        if best is not None:
            (covering if best.how == "covers" else within).append(best)
    if covering:
        # The best names, then any that covers words those do not, until everything typed is.
        covering.sort(key=lambda m: (-m.share, m.key))
        chosen = [m for m in covering if m.share == covering[0].share]
        covered: set[str] = set()
        for match in chosen:
            covered |= _words_of(match, candidates_by_key)
        for match in covering[len(chosen) :]:
            more = _words_of(match, candidates_by_key) - covered
            if more:
                chosen.append(match)
                covered |= more
        return chosen if len(covered) / len(wanted) >= MIN_COVERAGE else []
    # A lone word that is part of a longer name is too little to go on ("lương" is in "chất lượng").
    if partial and len(wanted) >= MIN_WITHIN_WORDS and 0 < len(within) <= MAX_AMBIGUOUS:
        return sorted(within, key=lambda m: -m.share)
    return []


def _words_of(match: Match, covered_by: dict[str, set[str]]) -> set[str]:
    return covered_by.get(match.key, set())
