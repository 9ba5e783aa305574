"""A problem in the seed files, told where a person can fix it.

Every problem names the file, the line and the entity at fault (its kind and key, or a step by
its number), with a message in plain words, e.g.

    seed/data/sales-accounting.yaml:48: relationships[0].flows[2].text.en (flow 'x'): is missing

A `SeedFile` is a file as read, which knows where a location in it is; `friendly_message` words
a validation error for a person (the API words its input errors the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml

from domain.references import Location

# The kind of entity each list holds, to name it in messages.
KIND_OF_LIST = {
    "departments": "department",
    "parties": "party",
    "topics": "topic",
    "relationships": "relationship",
    "goals": "goal",
    "duties": "duty",
    "activities": "activity",
    "flows": "flow",
    "examples": "scenario",
    "principles": "principle",
    "statements": "statement",
    "sources": "source",
}


@dataclass(frozen=True)
class SeedProblem:
    file: str
    line: int | None
    where: str  # a path into the document, e.g. relationships[0].flows[2].text.en
    subject: str | None  # the entity it belongs to, e.g. "flow 'sales-to-accounting-revenue'"
    message: str

    def __str__(self) -> str:
        place = f"{_capped(self.file)}:{self.line}" if self.line else _capped(self.file)
        what = _capped(self.where) + (f" ({_capped(self.subject)})" if self.subject else "")
        message = _capped(self.message, 400)
        return f"{place}: {what}: {message}" if what else f"{place}: {message}"


def _capped(text: str, most: int = 200) -> str:
    """A part of a problem as it is shown: a value a file holds may be megabytes long, and a
    problem quotes it only as far as a person reads."""
    return text if len(text) <= most else f"{text[: most - 40]}… ({len(text):,} characters)"


# Past MAX_PROBLEMS, problems are counted, not listed.
MAX_PROBLEMS = 100


class SeedValidationError(ValueError):
    """The seed files are invalid; `problems` lists the problems found (the first MAX_PROBLEMS),
    `count` how many there are in all."""

    def __init__(self, problems: Sequence[SeedProblem]) -> None:
        self.count = len(problems)
        self.problems = list(problems)[:MAX_PROBLEMS]
        more = self.count - len(self.problems)
        super().__init__(
            f"{self.count} problem{'s' if self.count != 1 else ''} in the seed files:\n"
            + "\n".join(f"  {p}" for p in self.problems)
            + (f"\n  … and {more} more" if more else "")
        )


# --- positions in YAML ------------------------------------------------------------------------


@dataclass
class SeedFile:
    """A seed file as read: where a location in it is, and the entity it lies in."""

    name: str
    text: str
    data: Any

    @cached_property
    def root(self) -> yaml.Node | None:
        """The YAML node tree, with positions; composed only when a problem needs a line."""
        return yaml.compose(self.text, Loader=yaml.CSafeLoader)

    def line_of(self, loc: Location) -> int | None:
        """The line of the deepest node on `loc` (where a missing field would go)."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if match is None:
                    return line
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def subject_of(self, loc: Location) -> str | None:
        """The entity `loc` lies in, named by its kind and key (or a step by its number)."""
        subject, data, list_name = None, self.data, None
        for part in loc:
            if isinstance(data, dict):
                list_name = str(part)
                data = data.get(str(part))
            elif isinstance(data, list) and isinstance(part, int) and part < len(data):
                data = data[part]
                if list_name == "steps" and subject:
                    subject = f"{subject} step {part + 1}"
                elif isinstance(data, dict) and isinstance(data.get("key"), str):
                    subject = f"{KIND_OF_LIST.get(list_name or '', 'item')} '{data['key']}'"
            else:
                break
        return subject

    def problem(self, loc: Location, message: str, subject: str | None = None) -> SeedProblem:
        return SeedProblem(self.name, self.line_of(loc), _path(loc), subject or self.subject_of(loc), message)


def _path(loc: Location) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- messages ---------------------------------------------------------------------------------


# What a value that does not match its field's pattern should look like (keys by default).
PATTERN_MESSAGES = {
    "file": "'{}' is not a document's file: give its path inside the documents folder (letters, digits, '.', '_', "
    "'-' and '/'; no '..', not absolute), ending in .txt",
    "date": "'{}' is not a date: write it YYYY-MM-DD",
    "at": "'{}' is not a moment as deptgraph writes them: UTC to the second, e.g. 2026-12-01T09:30:00Z",
    "language": "'{}' is not a language code: two or three lowercase letters, e.g. vi",
}


def friendly_message(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    field = str(loc[-1]) if loc else ""
    if kind == "missing":
        if field in ("vi", "en"):
            language = "Vietnamese" if field == "vi" else "English"
            return f"the {language} ({field}) text is missing; every text needs vi and en"
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "string_pattern_mismatch":
        return PATTERN_MESSAGES.get(
            field, "'{}' is not a valid key: use lowercase letters, digits and single hyphens"
        ).format(_capped(str(error["input"]), 100))
    if kind == "string_too_short" or (kind == "too_short" and isinstance(error.get("input"), str)):
        return "must not be empty"
    if kind in ("too_short", "too_long") and field == "departments":
        return "a relationship is between exactly two departments"
    return str(error["msg"]).removeprefix("Value error, ")
