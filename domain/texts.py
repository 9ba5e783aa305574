"""What a text may hold: the rules every text, name and key of the knowledge obeys.

Texts are plain and visible: every text refuses control characters (`\x00`, `\x1b`, …; a long
text may hold line breaks `\n` and tabs), format characters (Unicode category Cf: bidi controls
and overrides, byte-order marks, zero-width spaces, soft hyphens, tag characters, interlinear
annotations, …), line and paragraph separators (U+2028, U+2029: a line break is `\n`) and lone
surrogates, and needs a visible character. Names, aliases and titles are one line: no `\n` or
tab either, and nothing that draws nothing — no default-ignorable character (variation
selectors, the Hangul fillers, …) and no blank (U+2800) — so that what a name shows is all it
holds. The zero-width joiner and non-joiner, which some scripts need inside words (Vietnamese and
English do not), are allowed between two letters in long texts only. Every text is trimmed and
stored in Unicode NFC; a key is a slug; a list names nothing twice.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _nfc(value: Any) -> Any:
    """Normalise text to NFC and trim it; leave other values for pydantic to reject."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


# The zero-width non-joiner and joiner: inside a word of a long text only.
_JOINERS = frozenset("\u200c\u200d")
# Letters and symbols that draw nothing: Hangul fillers and the blank Braille pattern.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Default-ignorable code points that are not format characters (Unicode's DerivedCoreProperties):
# rendered as nothing.
_IGNORABLE = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF),
)  # fmt: skip
_VISIBLE = ("L", "N", "P", "S")  # letters, numbers, punctuation, symbols


def _ignorable(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in _IGNORABLE)


def _named(char: str) -> str:
    names = {"\n": "a line break", "\t": "a tab", "\r": "a carriage return"}
    fallback = "a control character" if unicodedata.category(char) == "Cc" else "an unnamed character"
    return names.get(char) or unicodedata.name(char, "").lower() or fallback


def _refused(value: str, index: int, *, line: bool) -> str | None:
    """Why the character at `index` may not be in the text, or None."""
    char = value[index]
    category = unicodedata.category(char)
    if category == "Cc" and (line or char not in "\n\t"):
        return "texts are plain, visible characters" + ("; a name or title is one line" if char in "\n\t" else "")
    if category in ("Zl", "Zp"):
        return "a line break in a long text is \\n; a name or title is one line"
    if category == "Cs":
        return "texts are plain, visible characters"
    if category == "Cf":
        if not line and char in _JOINERS and 0 < index < len(value) - 1:
            before, after = unicodedata.category(value[index - 1]), unicodedata.category(value[index + 1])
            if before[0] in "LM" and after[0] in "LM":
                return None  # a joiner inside a word
        return "texts are plain, visible characters (no invisible format characters)"
    if line and (_ignorable(char) or char in _BLANK):
        return "a name or title shows everything it holds (no invisible or blank characters)"
    return None


def _check(value: Any, *, line: bool) -> Any:
    """NFC, trimmed, and readable (see the module's docstring); at least one visible character, not starting
    with a bare combining mark."""
    value = _nfc(value)
    if not isinstance(value, str) or not value:
        return value
    for index, char in enumerate(value):
        if (why := _refused(value, index, line=line)) is not None:
            raise ValueError(f"contains {_named(char)} (U+{ord(char):04X}); {why}")
    if not any(unicodedata.category(char)[0] in _VISIBLE and char not in _BLANK for char in value):
        raise ValueError("has no visible character")
    if unicodedata.category(value[0]).startswith("M"):
        raise ValueError(f"starts with a combining mark (U+{ord(value[0]):04X}) that belongs to no letter")
    return value


def _clean(value: Any) -> Any:
    """A long text: it may hold line breaks (`\n`) and tabs."""
    return _check(value, line=False)


def clean_line(value: Any) -> Any:
    """A name, alias or title: one line."""
    return _check(value, line=True)


Key = Annotated[
    str,
    BeforeValidator(_nfc),
    StringConstraints(pattern=KEY_PATTERN, max_length=80),
    Field(description="A stable slug: lowercase letters, digits and single hyphens."),
]
NonEmptyText = Annotated[str, BeforeValidator(_clean), StringConstraints(min_length=1, max_length=2000)]
LineText = Annotated[str, BeforeValidator(clean_line), StringConstraints(min_length=1, max_length=2000)]


def unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value.casefold() in seen:
            raise ValueError(f"'{value}' is listed twice")
        seen.add(value.casefold())
    return values


KeyList = Annotated[list[Key], AfterValidator(unique)]
