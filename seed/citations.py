"""Citations: where in its source document each item comes from, computed and checked by code.

A source document is read the way the seed files cite it: the file as UTF-8 text (nothing
translated, not even line ends), normalised to NFC, and offsets counted in characters of that
text. It is cut into

* headings — a line of its own ending in a colon ("Mục tiêu chung:"); a *section* starts at a
  numbered heading ("3. Phòng Kinh doanh và Phòng Kế toán:") or a closing one ("Tóm lại:"), and
  the text before the first of them (the opening paragraph) is in no section;
* sentences — the other lines, cut after a full stop (or ! ?) followed by a space; a list line
  ("Thông tin về chính sách giá, chiết khấu, …") is one sentence.

A citation quotes whole sentences: the one the item's words are in (two for an example told in
two sentences). `cite_item` finds it from the item's own Vietnamese words, inside the section of
its relationship (its heading is the relationship's title) and, when the words occur more than
once there, under the heading its kind is listed under ("Nhu cầu từ …" for what a department
needs, "Ví dụ" for a step, …). `check_citation` says whether a citation still matches the
document: the quote at its span, in its section.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from domain import knowledge as k

DOCUMENTS_DIR = Path(__file__).resolve().parent  # the shipped document is seed/source-document.vi.txt
MAX_DOCUMENT_BYTES = 10_000_000

# The house style of the company's documents: how a section starts, and the headings each kind of
# item is listed under (used only to choose between several places the same words stand).
_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.\s+")
CLOSING_HEADINGS = frozenset({"Tóm lại", "Kết luận", "Tổng kết", "Lời kết"})
LISTED_UNDER: dict[str, tuple[str, ...]] = {
    "need": ("Nhu cầu",),
    "contribution": ("Đóng góp",),
    "clause": ("Mối quan hệ",),
    "goal": ("Mục tiêu",),
    "duty": ("Vai trò",),
    "activity": ("Mối quan hệ",),
    "relationship": ("Mối quan hệ",),
    "scenario": ("Ví dụ",),
    "step": ("Ví dụ",),
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class DocumentError(ValueError):
    """A source document cannot be read; the message says why."""


def read_document_text(root: Path, relative: str) -> str:
    """The text of a document `relative` to the documents folder `root`: a regular UTF-8 file of a
    sane size inside that folder (a link may not lead out of it), normalised to NFC."""
    path = root / relative
    try:
        resolved = path.resolve(strict=True)
        if not resolved.is_relative_to(root.resolve()):
            raise DocumentError(f"{path} leads out of the documents folder {root}")
        info = os.stat(resolved)  # never opens it: a FIFO would wait for a writer forever
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{path} is not a regular file")
        if info.st_size > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"{path} is {info.st_size:,} bytes; a document is at most {MAX_DOCUMENT_BYTES:,}")
        with resolved.open("rb") as file:
            data = file.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"{path} grew past {MAX_DOCUMENT_BYTES:,} bytes while being read")
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except FileNotFoundError as exc:
        raise DocumentError(f"{path} does not exist (documents are found in {root})") from exc
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise DocumentError(f"{path} cannot be read: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence(Span):
    section: str | None  # the section it is in (its heading, without the colon)
    heading: str | None  # the nearest heading above it, in its section


@dataclass
class SourceText:
    """A source document, cut into headings and sentences with their character offsets."""

    text: str

    @cached_property
    def _parts(self) -> tuple[list[Span], list[Span], list[Sentence]]:
        headings: list[Span] = []
        sections: list[Span] = []
        sentences: list[Sentence] = []
        section: str | None = None
        heading: str | None = None
        offset = 0
        for raw in self.text.split("\n"):
            line_start = offset
            offset += len(raw) + 1
            stripped = raw.strip()
            if not stripped:
                continue
            start = line_start + (len(raw) - len(raw.lstrip()))
            end = start + len(stripped)
            if stripped.endswith(":") and not _SENTENCE_END.search(_NUMBER.sub("", stripped)):
                title = stripped[:-1].strip()
                span = Span(start, end, title)
                headings.append(span)
                if _NUMBER.match(title) or title in CLOSING_HEADINGS:
                    sections.append(span)
                    section, heading = title, None
                else:
                    heading = title
                continue
            cursor = start
            for piece in _SENTENCE_END.split(stripped):
                at = self.text.index(piece, cursor)
                sentences.append(Sentence(at, at + len(piece), piece, section, heading))
                cursor = at + len(piece)
        return headings, sections, sentences

    @property
    def sections(self) -> list[Span]:
        return self._parts[1]

    @property
    def sentences(self) -> list[Sentence]:
        return self._parts[2]

    def section_at(self, offset: int) -> str | None:
        """The section the character at `offset` is in (None: the opening paragraph)."""
        found = None
        for span in self.sections:
            if span.start > offset:
                break
            found = span.text
        return found

    def sentences_over(self, start: int, end: int) -> list[Sentence]:
        """The sentences that the characters start…end touch."""
        return [s for s in self.sentences if s.start < end and s.end > start]


# --- citing -------------------------------------------------------------------------------------


def _listed_as(item: k.Cited) -> str:
    if isinstance(item, k.Flow):
        if item.statement is not None:
            return "clause"
        return "need" if item.kind is k.FlowKind.NEED else "contribution"
    return type(item).__name__.lower()


def words_of(item: k.Cited) -> str:
    """The item's own Vietnamese words, as they stand in the document."""
    if isinstance(item, k.Relationship):
        return item.summary.vi
    if isinstance(item, k.Flow) and item.statement is not None:
        return item.statement.vi
    if isinstance(item, k.Step):
        return item.action.vi
    return item.text.vi


def _occurrences(text: str, words: str, start: int, end: int) -> list[int]:
    """Where `words` stand in text[start:end] as whole words (the first letter in either case)."""
    if not words:
        return []
    first = re.escape(words[0])
    pattern = re.compile(rf"(?<!\w)(?:{first}|{re.escape(words[0].swapcase())}){re.escape(words[1:])}(?!\w)")
    return [m.start() for m in pattern.finditer(text, start, end)]


class CannotCite(ValueError):
    """The item's words are not (or not unambiguously) in the document; the message says which."""


def _section_bounds(doc: SourceText, title: str | None) -> tuple[int, int]:
    """Where the section whose heading holds `title` begins and ends (the whole text when None)."""
    if title is None:
        return 0, len(doc.text)
    for i, span in enumerate(doc.sections):
        if span.text == title or _NUMBER.sub("", span.text) == title:
            end = doc.sections[i + 1].start if i + 1 < len(doc.sections) else len(doc.text)
            return span.end, end
    raise CannotCite(f"the document has no section headed '{title}'")


def cite_item(doc: SourceText, document: str, item: k.Cited, relationship: k.Relationship | None) -> k.Citation:
    """The citation of `item` in `doc` (whose source key is `document`): the whole sentences its
    words stand in. `relationship`: the one it belongs to, whose title heads its section."""
    words = words_of(item)
    low, high = _section_bounds(doc, relationship.title.vi if relationship is not None else None)
    found = _occurrences(doc.text, words, low, high)
    if len(found) > 1:
        labels = LISTED_UNDER.get(_listed_as(item), ())
        narrowed = [
            at for at in found
            if any((s.heading or "").startswith(labels) for s in doc.sentences_over(at, at + 1)) and labels
        ]  # fmt: skip
        found = narrowed or found
        spans = {tuple((s.start, s.end) for s in doc.sentences_over(at, at + len(words))) for at in found}
        if len(spans) > 1:
            raise CannotCite(f"'{words}' stands in {len(spans)} places of its section; it cannot say which it is")
    if not found:
        where = f"the section '{relationship.title.vi}'" if relationship is not None else "the document"
        raise CannotCite(f"'{words}' is not in {where}")
    covered = doc.sentences_over(found[0], found[0] + len(words))
    start, end = covered[0].start, covered[-1].end
    return k.Citation(document=document, section=doc.section_at(start), quote=doc.text[start:end], start=start, end=end)


# --- checking -----------------------------------------------------------------------------------


def check_citation(doc: SourceText, citation: k.Citation) -> tuple[str, str] | None:
    """Why `citation` no longer matches the document `doc` — (the field at fault, the reason) — or
    None when it does."""
    at = doc.text[citation.start : citation.end]
    if at == citation.quote:
        section = doc.section_at(citation.start)
        if section != citation.section:
            return (
                "section",
                f"the quote is in section {_named(section)} of the document, not {_named(citation.section)}",
            )
        return None
    moved = doc.text.find(citation.quote)
    if moved >= 0:
        return "start", (
            f"the quote is now at {moved}–{moved + len(citation.quote)}, not {citation.start}–{citation.end}: the "
            "document changed before it (`deptgraph cite --write` moves the span)"
        )
    now = " ".join(at.split())
    return "quote", (
        f"the document no longer says this (at {citation.start}–{citation.end} it reads '{_short(now)}', and the quote "
        "is nowhere else): the sentence was changed or removed; look at the item again and cite it anew"
    )


def _named(section: str | None) -> str:
    return "(the opening paragraph)" if section is None else f"'{section}'"


def _short(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def moved_citation(doc: SourceText, citation: k.Citation) -> k.Citation | None:
    """The same citation at the quote's new place, when the document changed only before it (the
    quote stands exactly once in its section, or else once in the document); None otherwise."""
    if doc.text[citation.start : citation.end] == citation.quote:
        return None
    places = [m.start() for m in re.finditer(re.escape(citation.quote), doc.text)]
    in_section = [at for at in places if doc.section_at(at) == citation.section]
    chosen = in_section if len(in_section) == 1 else places if len(places) == 1 else []
    if not chosen:
        return None
    start = chosen[0]
    return citation.model_copy(update={"start": start, "end": start + len(citation.quote)})


# --- citing a whole document ----------------------------------------------------------------------


@dataclass
class Recited:
    knowledge: k.Knowledge
    cited: list[str]
    moved: list[str]
    problems: list[tuple[str, str]]


def recite(doc: k.Knowledge, texts: dict[str, SourceText], source: str) -> Recited:
    """`doc` with a citation for every item that has none (from the document `source`) and the
    spans of moved quotes moved; what could not be done is listed in `problems`."""
    done = Recited(doc, [], [], [])

    def cite(item: k.Cited, what: str, relationship: k.Relationship | None) -> k.Citation | None:
        citation = item.source
        if citation is None:
            try:
                made = cite_item(texts[source], source, item, relationship)
            except CannotCite as exc:
                done.problems.append((what, f"not cited: {exc}"))
                return None
            done.cited.append(what)
            return made
        text = texts.get(citation.document)
        if text is None or check_citation(text, citation) is None:
            return citation
        moved = moved_citation(text, citation)
        if moved is not None and check_citation(text, moved) is None:
            done.moved.append(what)
            return moved
        done.problems.append((what, "its quote is no longer in the document: look at the item again and cite it anew"))
        return citation

    def cited(item: Any, what: str, relationship: k.Relationship | None) -> Any:
        found = cite(item, what, relationship)
        return item if found == item.source else item.model_copy(update={"source": found})

    relationships = []
    for r in doc.relationships:
        roles = [
            role.model_copy(update={"duties": [cited(d, f"duty '{d.key}'", r) for d in role.duties]})
            for role in r.roles
        ]
        examples = [
            cited(s.model_copy(update={"steps": [cited(step, f"scenario '{s.key}' step {n + 1}", r)
                                                 for n, step in enumerate(s.steps)]}), f"scenario '{s.key}'", r)
            for s in r.examples
        ]  # fmt: skip
        relationships.append(cited(r.model_copy(update={
            "goals": [cited(g, f"goal '{g.key}'", r) for g in r.goals],
            "roles": roles,
            "activities": [cited(a, f"activity '{a.key}'", r) for a in r.activities],
            "flows": [cited(f, f"flow '{f.key}'", r) for f in r.flows],
            "examples": examples,
        }), f"relationship '{r.key}'", r))  # fmt: skip
    done.knowledge = doc.model_copy(update={
        "relationships": relationships,
        "principles": [cited(p, f"principle '{p.key}'", None) for p in doc.principles],
        "statements": [cited(st, f"statement '{st.key}'", None) for st in doc.statements],
    })  # fmt: skip
    return done
