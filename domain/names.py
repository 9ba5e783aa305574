"""How people's names for things are matched: case-, accent- and spacing-insensitively.

"Kế toán", "ke toan", "KE  TOAN" and "kế-toán" all fold to "ke toan". Departments, topics and
parties store the folded forms of their key, names and aliases in a `lookup` list property.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase, without diacritics (đ → d), punctuation and runs of spaces made one space."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


def lookup_forms(key: str, *names: str) -> list[str]:
    """The folded forms a thing can be found by: its key and each of its names."""
    return sorted({fold(key), *(fold(name) for name in names)} - {""})
