"""The named GraphQL operations in `queries/`: one per onboarding question.

Each file holds one named operation, introduced by comment lines in both languages:

    # vi: Phòng Kinh doanh cần gì từ Phòng Kế toán?
    # en: What does Sales need from Accounting?
    query WhatSalesNeedsFromAccounting { … }

GraphiQL opens with them as tabs; `/queries` lists them as JSON for internal tools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_OPERATION = re.compile(r"^\s*(query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


@dataclass(frozen=True)
class NamedQuery:
    file: str
    name: str
    question_vi: str
    question_en: str
    text: str


def read_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    questions = {
        lang: line.split(":", 1)[1].strip()
        for line in text.splitlines()
        for lang in ("vi", "en")
        if line.startswith(f"# {lang}:")
    }
    match = _OPERATION.search(text)
    if not match:
        raise ValueError(f"{path}: no named operation (query Name {{ … }})")
    return NamedQuery(path.name, match.group(2), questions.get("vi", ""), questions.get("en", ""), text)


def load_queries(directory: Path) -> list[NamedQuery]:
    """The operations of `directory`, in file-name order (which is the question order)."""
    return [read_query(path) for path in sorted(directory.glob("*.graphql"))]
