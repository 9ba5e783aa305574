"""The source document, read the way a careful person reads it: sections, lists and clauses.

Tests use it to check the graph against the document's own wording, so a fact dropped or
moved in the seed files shows up as a failing test rather than a silent gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "seed" / "source-document.vi.txt"


def split_items(sentence: str) -> list[str]:
    """Split a listed sentence at commas outside parentheses; drop the final full stop."""
    items, depth, current = [], 0, ""
    for char in sentence.strip().removesuffix("."):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    return [item for item in items if item]


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=\.)\s+", paragraph.strip()) if s.strip()]


@dataclass
class PairSection:
    number: int
    header: str  # "Phòng Kinh doanh và Phòng Marketing"
    other: str  # "Phòng Marketing"
    goals: list[str] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    contributions: list[str] = field(default_factory=list)
    cooperation: str = ""
    example: str = ""

    @property
    def cooperation_summary(self) -> str:
        return sentences(self.cooperation)[0]

    @property
    def activities(self) -> list[str]:
        return split_items(self.cooperation_summary.split(" trong việc ", 1)[1])

    @property
    def clauses(self) -> list[str]:
        """The "X provides Y so that Z" clauses of the cooperation text's second sentence."""
        return split_items(sentences(self.cooperation)[1])


@dataclass
class Document:
    introduction: list[str]
    pairs: list[PairSection]
    conclusion: list[str]
    principles: list[tuple[str, str]]  # (title, text)
    closing: list[str]


def read_document(path: Path = SOURCE) -> Document:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    introduction = sentences(lines[0])
    pairs: list[PairSection] = []
    i = 1
    labels = {"Mục tiêu chung:": "goals", "Vai trò:": "duties"}
    while i < len(lines) and (match := re.match(r"^(\d+)\. (.+):$", lines[i])):
        header = match.group(2)
        section = PairSection(int(match.group(1)), header, header.split(" và ", 1)[1])
        i += 1
        while i < len(lines) and not re.match(r"^\d+\. ", lines[i]) and lines[i] != "Tóm lại:":
            line = lines[i]
            if line in labels:
                setattr(section, labels[line], split_items(lines[i + 1]))
                i += 2
            elif line.startswith("Nhu cầu từ "):
                section.needs = split_items(lines[i + 1])
                i += 2
            elif line.startswith("Đóng góp cho "):
                section.contributions = split_items(lines[i + 1])
                i += 2
            elif line == "Mối quan hệ:":
                section.cooperation = lines[i + 1]
                i += 2
            elif line == "Ví dụ:":
                section.example = lines[i + 1]
                i += 2
            else:  # "Phòng Kinh doanh:" introduces Sales's role
                i += 1
        pairs.append(section)
    assert lines[i] == "Tóm lại:"
    conclusion = sentences(lines[i + 1])
    i += 2
    principles = []
    while lines[i].endswith(":") and i + 1 < len(lines):
        principles.append((lines[i].removesuffix(":"), lines[i + 1]))
        i += 2
    closing = sentences(" ".join(lines[i:]))
    return Document(introduction, pairs, conclusion, principles, closing)
