"""Questions `ask` could not answer, or answered unsurely, counted for the editors.

Each is kept once per normalised text (`normalise`: one line, lower case, at most
`MAX_TEXT` characters, with anything that looks like a token, an e-mail or web address, a phone
number or an IP address replaced by a placeholder), with how often it was asked, when first and
last, its language, and the best reading's intent and confidence. Nothing about who asked is
kept. The store is bounded: at most `MAX_KEPT` questions, none last asked more than `MAX_AGE_DAYS`
ago — the least recently asked go first. It lives outside the knowledge (label
`UnansweredQuestion`, like the API tokens): never exported, seeded or checked, and recording one
does not change the graph's version, so answers stay cached.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.database import Database

LABEL = "UnansweredQuestion"
MAX_TEXT = 300
MAX_KEPT = 1000
MAX_AGE_DAYS = 180

_SCRUB = (
    (re.compile(r"\bdgt_[A-Za-z0-9_\-]+"), "<token>"),
    (re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b"), "<email>"),
    (re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE), "<address>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "<address>"),
    (re.compile(r"(?<![\w])\+?\d[\d .\-]{6,}\d\b"), "<number>"),
    # "token: x", "token is x", "mật khẩu là x" (not the placeholder a pattern above put there)
    (
        re.compile(
            r"(?<!<)\b(?:bearer|token|password|secret|mật khẩu)\b(?:\s+(?:is|là))?\s*[:=]?\s*(?!<)\S+", re.IGNORECASE
        ),
        "<token>",
    ),
    (re.compile(r"\b[A-Za-z0-9_\-]{32,}\b"), "<token>"),
)


def normalise(question: str) -> str:
    """The question as it is kept: no token, address or number of anyone's, one line, lower case."""
    text = unicodedata.normalize("NFC", question)
    for pattern, placeholder in _SCRUB:
        text = pattern.sub(placeholder, text)
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split()).casefold()
    return text.strip(" ?!.,;:")[:MAX_TEXT]


@dataclass(frozen=True)
class Unanswered:
    key: str
    text: str
    lang: str
    count: int
    first_asked: str
    last_asked: str
    intent: str | None  # the best reading's, when there was one
    confidence: float
    answered: bool  # answered, but unsurely


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


async def record(
    db: Database, question: str, lang: str, intent: str | None, confidence: float, answered: bool
) -> str | None:
    """Count one asking of `question`; the key it is kept under (None when nothing is left to keep)."""
    text = normalise(question)
    if not text:
        return None
    now = datetime.now(UTC)
    key = _key(text)
    await db.command(
        f"MERGE (q:{LABEL} {{key: $key}}) "
        "ON CREATE SET q.text = $text, q.count = 0, q.first_asked = $now "
        "SET q.count = q.count + 1, q.last_asked = $now, q.lang = $lang, q.intent = $intent, "
        "q.confidence = $confidence, q.answered = $answered "
        f"WITH count(*) AS _ CALL () {{ {_PRUNE} }}",
        key=key, text=text, now=now.isoformat(timespec="microseconds"), lang=lang, intent=intent,
        confidence=confidence, answered=answered, oldest=_oldest(now), keep=MAX_KEPT,
    )  # fmt: skip
    return key


# What is too old, and the least recently asked beyond MAX_KEPT, go (in the recording statement).
_PRUNE = (
    f"MATCH (q:{LABEL}) WITH q ORDER BY q.last_asked DESC, q.key WITH collect(q) AS kept "
    "UNWIND range(0, size(kept) - 1) AS i WITH kept[i] AS q, i WHERE i >= $keep OR q.last_asked < $oldest "
    "DETACH DELETE q"
)


def _oldest(now: datetime) -> str:
    return (now - timedelta(days=MAX_AGE_DAYS)).isoformat(timespec="seconds")


async def page(db: Database, first: int, offset: int) -> tuple[list[Unanswered], int]:
    """The most asked first (then the latest): `first` of them after `offset`, and how many there are."""
    rows = await db.read(
        f"MATCH (q:{LABEL}) RETURN q {{.*}} AS q ORDER BY q.count DESC, q.last_asked DESC, q.key "
        "SKIP $offset LIMIT $first",
        offset=offset,
        first=first,
    )
    total = await db.read(f"MATCH (q:{LABEL}) RETURN count(q) AS n")
    found = [_unanswered(row["q"]) for row in rows]
    return found, int(total[0]["n"])


def _unanswered(q: dict[str, Any]) -> Unanswered:
    return Unanswered(
        key=q["key"], text=q["text"], lang=q.get("lang") or "en", count=q["count"], first_asked=q["first_asked"],
        last_asked=q["last_asked"], intent=q.get("intent"), confidence=float(q.get("confidence") or 0.0),
        answered=bool(q.get("answered")),
    )  # fmt: skip


async def forget(db: Database, key: str | None = None) -> int:
    """Forget one question (by key) or all of them; how many were forgotten."""
    rows = await db.read(f"MATCH (q:{LABEL}) WHERE $key IS NULL OR q.key = $key RETURN count(q) AS n", key=key)
    await db.command(f"MATCH (q:{LABEL}) WHERE $key IS NULL OR q.key = $key DETACH DELETE q", key=key)
    return int(rows[0]["n"])
