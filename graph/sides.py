"""Who gives, who gets: where a question's verbs, side markers and wh-words stand, and the side
each department it names is on.

"từ / from" before a department names the giver, "cho / to" the receiver; a department just
before a verb of giving gives, before a verb of getting gets; a "who / ai / phòng nào" asks for
the side no department fills.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.cues import ABOUT, FROM, GETTING, GIVING, GOING, HANDLING, TO, WH
from graph.mentions import Mention
from graph.words import Phrases, Words


def _positions(said: Words, phrases: Phrases, taken: set[int]) -> dict[int, int]:
    """Position → end of each phrase (each inflection listed: matched exactly) found outside `taken`."""
    found: dict[int, int] = {}
    for start, end in said.find_any(phrases):
        if not taken & set(range(start, end)):
            for i in range(start, end):  # every word of it, so that "in charge" is found at "charge"
                found[i] = max(found.get(i, i), end)
    return found


GIVING_PHRASES, _GETTING, _WH = Phrases(GIVING, exact=True), Phrases(GETTING, exact=True), Phrases(WH, exact=True)
_HANDLING, _GOING = Phrases(HANDLING, exact=True), Phrases(GOING, exact=True)
_FROM, _TO, ABOUT_PHRASES, _BY = Phrases(FROM), Phrases(TO), Phrases(ABOUT, exact=True), Phrases(("do",))


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


def find_sides(said: Words, taken: set[int], lang: str = "en") -> Sides:
    by = said.find_any(_BY) if lang == "vi" else []  # "giá bán do ai quyết định?": by whom
    return Sides(
        giving=_positions(said, GIVING_PHRASES, taken),
        getting=_positions(said, _GETTING, taken),
        from_={i for i, _ in [*said.find_any(_FROM), *by] if i not in taken},
        to={i for i, _ in said.find_any(_TO) if i not in taken},
        wh=_positions(said, _WH, taken),
        handling=_positions(said, _HANDLING, taken),
        going=_positions(said, _GOING, taken),
    )


LEAD = frozenset({"phong", "ben", "doi", "nhom", "bo", "phan", "phia", "the", "our", "tay", "team", "department"})


def words_before(said: Words, start: int, reach: int = 2) -> list[int]:
    """Up to `reach` positions before `start`, skipping words that lead a department's name."""
    found: list[int] = []
    i = start - 1
    while i >= 0 and len(found) < reach:
        if said.folded[i] not in LEAD:
            found.append(i)
        i -= 1
    return found


def words_after(said: Words, end: int, reach: int = 3) -> list[int]:
    """Up to `reach` content-or-verb positions after `end`, skipping words without content."""
    found: list[int] = []
    i = end
    while i < len(said) and len(found) < reach:
        if not said.stop(i) or said.folded[i] in ("can", "cung", "gui", "nhan", "chuyen", "bao"):
            found.append(i)
        i += 1
    return found


def side_evidence(m: Mention, said: Words, sides: Sides) -> tuple[float, float]:
    """How surely a department gives, and how surely it gets, by the words around it."""
    gives = gets = 0.0
    before = words_before(said, m.start)
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


_AUXILIARY = frozenset(
    ["do", "does", "did", "should", "can", "could", "must", "shall", "will", "would", "may", "might"]
)
_SUBJECTS = frozenset(["i", "we", "you", "they", "he", "she", "one"])


def asks_object(said: Words, end: int, departments: list[Mention]) -> bool:
    """Whether the words after a wh-word are an auxiliary and a subject ("who *do I* tell")."""
    if end + 1 >= len(said) or said.folded[end] not in _AUXILIARY:
        return False
    return said.folded[end + 1] in _SUBJECTS or any(m.start == end + 1 for m in departments)


def first_verb(sides: Sides, taken: set[int]) -> str:
    """Whether the question's first verb gives or gets ("" for neither)."""
    giving = [i for i in sides.giving if i not in taken]
    getting = [i for i in sides.getting if i not in taken]
    if giving and (not getting or min(giving) < min(getting)):
        return "give"
    return "get" if getting else ""
