"""A question's words: as typed, folded and stemmed, and the phrases found among them.

A word typed without diacritics matches any word that folds the same; English words match by
their stem. The words that carry no content in either language (`STOPWORDS`) are what a question
is made of besides what it names and asks; `language` tells Vietnamese from English.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from domain.names import fold
from graph.terms import FILLERS, stem

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
    "make makes work smoothly according document if day daily basis kinda sorta gonna wanna stuff "
    "d ll ve re "
    # what frames a question, not what it asks ("btw", "quick question", "thx")
    "btw quick question questions honestly hey sorry so basically hmm um uh pls plz thx thanks ty currently "
    "nowadays these days kindly wondering wonder curious anyone someone somebody quickly okay ok cool great "
    "yo dear now right vis versa come comes use true rather until instead whether "
    # what sets the asker in time ("I joined last week")
    "last week weeks month months yesterday today recently lately ago"
)
_STOP_VI = (
    "gi nao dau sao the khong co la nhu bao nhieu hay thi ma se da dang duoc bi khi nhu cho ve cua cac nhung "
    "tu va voi trong viec nay do mot phong doi ben bo phan ban nhom thong tin nhung gi vay a a nhe nhi ha "
    "toi minh em anh chi ban chung chung ta ho moi vua phai nen thuong luon hay hoac hoi muon biet cho xin "
    "ntn tn sao the nao lam sao ra cung nhau lien quan cu the nhieu it tat ca moi hien nay hien tai thuc su "
    "can phai vao den tay giup voi ai gio rang hang ngay giua phia o "
    # what frames a question ("anh chị ơi", "dạ", "cho em hỏi", "xin hỏi")
    "oi da nguoi vui long lam on"
    # what sets a question in time or in the document ("trong lúc", "điều gì", "tài liệu có nói")
    " luc"
)
# Vietnamese words as chat shortens them ("phòng CSKH" aside: "chăm sóc KH", "sp", "ko").
ABBREVIATIONS = {
    "kh": "khách hàng", "sp": "sản phẩm", "dv": "dịch vụ", "nv": "nhân viên", "cty": "công ty", "ko": "không",
    "dc": "được", "đc": "được", "bp": "bộ phận", "pb": "phòng ban",
}  # fmt: skip
STOPWORDS = frozenset({stem(w) for w in _STOP_EN.split()} | set(_STOP_VI.split()) | FILLERS)


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


# What frames a question at its start, not what it asks ("cho em hỏi" holds a verb of getting).
_FRAMES = Phrases(("cho em hỏi", "cho mình hỏi", "cho tôi hỏi", "cho anh hỏi", "cho chị hỏi", "xin hỏi", "em hỏi",
                   "mình hỏi", "hỏi chút", "anh chị ơi", "mọi người ơi", "ad ơi", "dạ", "quick question",
                   "just wondering", "i was wondering", "i wonder", "can i ask", "may i ask", "question",
                   "em là nhân viên mới", "mình là nhân viên mới", "tôi là nhân viên mới", "em là người mới",
                   "mình là người mới", "tôi là người mới"),
                  exact=True)  # fmt: skip
# What a question read freely leaves out wherever it stands (see `Words.freed`): what refers to
# the document itself ("tài liệu có nói …", "what does the doc say …") and what lists rather than
# asks ("gồm những gì", "what does it include"). Matched exactly: "gốm" is no "gồm", "consistent"
# no "consist"; and never "trong / theo tài liệu": "tài liệu kỹ thuật" is a topic's name.
_ASIDES = Phrases(("tài liệu có nói", "tài liệu nói", "tài liệu có đề cập", "tài liệu đề cập", "the doc say",
                   "the docs say", "the document say", "the documents say", "the doc mention",
                   "the document mention", "gồm", "bao gồm", "gồm có", "include", "includes", "including",
                   "involve", "involves", "consist of", "consists of"), exact=True)  # fmt: skip


@dataclass(frozen=True)
class Words:
    """A question's words: as typed (lower case, diacritics kept), folded and stemmed."""

    typed: tuple[str, ...]
    folded: tuple[str, ...]
    stems: tuple[str, ...]
    plain: bool = True  # typed without diacritics: a plain word may be any word that folds the same

    @classmethod
    def of(cls, question: str, shortened: bool = False) -> Words:
        """The words of `question`; with `shortened`, Vietnamese chat shortenings written out."""
        typed: list[str] = []
        folded: list[str] = []
        # A "&" standing alone joins like "and" ("sales & finance"); inside a name ("R&D") it stays.
        joined = re.sub(r"(?<!\S)&(?!\S)", " and ", question)
        written = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", joined).casefold())
        plain = all(word.isascii() for word in written)
        for word in written:
            whole = ABBREVIATIONS.get(word) if shortened else None
            for part in (whole or fold(word)).split():
                typed.append(part if whole else word)
                folded.append(fold(part))
        return cls(tuple(typed), tuple(folded), tuple(stem(w) for w in folded), plain)

    def unframed(self) -> Words:
        """The words without what frames the question at its start ("cho em hỏi", "quick question")."""
        start = 0
        while True:
            ends = [end for begin, end in self.find_any(_FRAMES) if begin == start]
            if not ends:
                break
            start = max(ends)
        if not start or start >= len(self.folded):
            return self
        return Words(self.typed[start:], self.folded[start:], self.stems[start:], self.plain)

    def freed(self) -> Words:
        """The words without the asides (`_ASIDES`) anywhere: how a question declined as typed is
        read again ("Tài liệu có nói các phòng ban cần làm gì …", "Nhiệm vụ của X gồm những gì?")."""
        aside = {i for begin, end in self.find_any(_ASIDES) for i in range(begin, end)}
        if not aside or len(aside) == len(self.folded):
            return self
        kept = [i for i in range(len(self.folded)) if i not in aside]
        typed, folded, stems = (tuple(column[i] for i in kept) for column in (self.typed, self.folded, self.stems))
        return Words(typed, folded, stems, self.plain)

    def __len__(self) -> int:
        return len(self.folded)

    def says(self, i: int, word: str, exact: bool = False) -> bool:
        """Whether the word at `i` is `word` (written with diacritics where it has them): in a
        question typed without diacritics, any word that folds the same will do; English words by their stem
        (unless `exact`: "information" is no "inform")."""
        return 0 <= i < len(self.folded) and self._says(i, _pattern(word)[0], exact)

    def _says(self, i: int, part: tuple[str, str, str, bool], exact: bool) -> bool:
        word, folded, stemmed, ascii_ = part
        if ascii_:
            return self.folded[i] == folded or (not exact and self.stems[i] == stemmed)
        # In a question typed with diacritics, "bao" (in "bao nhiêu") is no "báo"
        return self.folded[i] == folded and ((self.plain and self.typed[i].isascii()) or self.typed[i] == word)

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
