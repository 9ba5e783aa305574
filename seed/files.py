"""Reading and writing seed files: YAML in, validated `Knowledge` out, and back.

Files are read safely (regular files of a sane size, no YAML aliases, every scalar a string),
validated each on its own, merged in order and checked across files (references, one relationship
per pair, citations against their documents); every problem is reported at once, where a person
can fix it (`seed.problems`). `dump` writes the canonical form: the files in `seed/data/` are in
it, and `deptgraph export` writes it, so export → seed → export is byte-identical.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.constructor import SafeConstructor
from yaml.cyaml import CParser  # type: ignore[attr-defined]
from yaml.resolver import BaseResolver

from domain.knowledge import Knowledge
from domain.references import Location, cited_items, defined_keys, name_clashes, outsiders, references
from seed.citations import DOCUMENTS_DIR, DocumentError, SourceText, check_citation, read_document_text, recite
from seed.problems import SeedFile, SeedProblem, SeedValidationError, friendly_message

DATA_DIR = Path(__file__).with_name("data")

SECTIONS = tuple(Knowledge.model_fields)


# What a seed file may be: a regular file of at most this size, holding at most this many YAML
# nodes, with no aliases (`*name`: one alias can stand for a whole subtree, and a few nested ones
# for millions of nodes).
MAX_FILE_BYTES = 32_000_000
MAX_NODES = 3_000_000


def default_files() -> list[Path]:
    """The seed files shipped with deptgraph, in the order they are merged."""
    return sorted(DATA_DIR.glob("*.yaml"))


# --- reading ----------------------------------------------------------------------------------


class _Loader(CParser, SafeConstructor, BaseResolver):
    """libyaml's parser with the safe constructor. Every scalar is a string — the schema has
    nothing else, and `no` or `3.10` stay what the person typed. A key given twice in one
    mapping is refused (YAML would silently keep the last)."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        SafeConstructor.__init__(self)
        BaseResolver.__init__(self)

    nodes = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "YAML aliases (*name) are not allowed in seed files: write the value out",
                node.start_mark,
            )
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"more than {MAX_NODES:,} values in one file; split it", node.start_mark
            )
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"'{key}' appears twice in the same mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _parse(name: str, text: str) -> tuple[SeedFile | None, list[SeedProblem]]:
    try:
        data = yaml.load(text, Loader=_Loader)  # type: ignore[arg-type]  # noqa: S506 (safe)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [SeedProblem(name, line, "", None, f"invalid YAML: {reason}")]
    source = SeedFile(name, text, {} if data is None else data)
    if not isinstance(source.data, dict):
        return None, [
            SeedProblem(
                name,
                1,
                "",
                None,
                f"a seed file is a mapping of sections ({', '.join(SECTIONS)}), not a {type(source.data).__name__}",
            )
        ]
    return source, []


def _validate(source: SeedFile) -> tuple[Knowledge | None, list[SeedProblem]]:
    try:
        return Knowledge.model_validate(source.data), []
    except ValidationError as exc:
        return None, [source.problem(e["loc"], friendly_message(e)) for e in exc.errors()]


@dataclass(frozen=True)
class _Origin:
    source: SeedFile
    index: int  # position in the file's own section list


Origins = dict[tuple[str, int], _Origin]


def _placer(origins: Origins) -> Callable[[Location], tuple[SeedFile, Location]]:
    """Where a location in the merged document is in its own file."""

    def place(loc: Location) -> tuple[SeedFile, Location]:
        origin = origins[(str(loc[0]), int(loc[1]))]
        return origin.source, (loc[0], origin.index, *loc[2:])

    return place


def _check_references(merged: Knowledge, origins: Origins) -> list[SeedProblem]:
    place = _placer(origins)
    problems: list[SeedProblem] = []
    defined: dict[tuple[str, str], tuple[SeedFile, Location]] = {}
    for kind, key, loc in defined_keys(merged):
        source, local = place(loc)
        if (kind, key) in defined:
            first, first_loc = defined[kind, key]
            where = f"{first.name}:{first.line_of(first_loc)}"
            problems.append(source.problem(local, f"duplicate {kind} key '{key}' (first defined at {where})"))
        else:
            defined[kind, key] = (source, local)
    # Steps name their actor by key alone, so a party may not share a department's key.
    for i, party in enumerate(merged.parties):
        if ("department", party.key) in defined:
            source, local = place(("parties", i, "key"))
            problems.append(source.problem(local, f"party key '{party.key}' is also a department's key"))
    # Departments and parties are found by name: one of them per name.
    for loc, message in name_clashes(merged):
        source, local = place(loc)
        problems.append(source.problem(local, message))
    for key, kinds, loc, what in references(merged):
        if any((kind, key) in defined for kind in kinds):
            continue
        candidates = sorted({k for (kind, k) in defined if kind in kinds})
        near = difflib.get_close_matches(key, candidates, n=3, cutoff=0.75)
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
        source, local = place(loc)
        problems.append(source.problem(local, f"{what} refers to unknown {' or '.join(kinds)} '{key}'{hint}"))
    for i, relationship in enumerate(merged.relationships):
        for loc, key, message in outsiders(relationship):
            if ("department", key) not in defined:
                continue  # already reported as unknown
            source, local = place(("relationships", i, *loc))
            problems.append(source.problem(local, message))
    # Two documents (or two files) may not each describe the same pair: one relationship per pair.
    pairs: dict[tuple[str, ...], tuple[str, SeedFile, Location]] = {}
    for i, relationship in enumerate(merged.relationships):
        pair = tuple(sorted(relationship.departments))
        source, local = place(("relationships", i, "departments"))
        if pair in pairs:
            key, first, first_loc = pairs[pair]
            problems.append(source.problem(local, (
                f"relationship '{relationship.key}' joins {' and '.join(pair)}, as relationship '{key}' does "
                f"({first.name}:{first.line_of(first_loc)}): one relationship per pair; describe both in one"
            )))  # fmt: skip
        else:
            pairs[pair] = (relationship.key, source, local)
    return problems


def _check_citations(merged: Knowledge, origins: Origins, documents: Path) -> list[SeedProblem]:
    """Every source's document can be read (one source per document), and every citation still
    matches its document: the quote at its span, in its section."""
    place = _placer(origins)
    problems: list[SeedProblem] = []
    texts: dict[str, SourceText] = {}
    files: dict[str, str] = {}
    for i, document in enumerate(merged.sources):
        source, local = place(("sources", i, "file"))
        if document.file in files:
            problems.append(source.problem(local, f"is also the file of source '{files[document.file]}': one source "
                                                  "per document"))  # fmt: skip
            continue
        files[document.file] = document.key
        try:
            texts[document.key] = SourceText(read_document_text(documents, document.file))
        except DocumentError as exc:
            problems.append(source.problem(local, str(exc)))
    for loc, item, what in cited_items(merged):
        citation = item.source
        doc = texts.get(citation.document) if citation is not None else None
        if citation is None or doc is None:
            continue  # not cited; or its source is unknown or unreadable, which is reported already
        found = check_citation(doc, citation)
        if found is not None:
            field, why = found
            source, local = place((*loc, "source", field))
            problems.append(source.problem(local, f"{why} (source '{citation.document}')", subject=what))
    return problems


def _read_parts(named_texts: Iterable[tuple[str, str]]) -> tuple[Knowledge, list[tuple[SeedFile, Knowledge]], Origins]:
    """Each document validated on its own, then merged and its references checked (citations
    aside): the merged knowledge, each part, and where each merged item comes from."""
    problems: list[SeedProblem] = []
    parts: list[tuple[SeedFile, Knowledge]] = []
    for name, text in named_texts:
        source, found = _parse(name, text)
        problems += found
        if source is None:
            continue
        doc, found = _validate(source)
        problems += found
        if doc is not None:
            parts.append((source, doc))
    if problems:
        raise SeedValidationError(problems)

    sections: dict[str, list[Any]] = {section: [] for section in SECTIONS}
    origins: Origins = {}
    for source, doc in parts:
        for section in SECTIONS:
            for index, item in enumerate(getattr(doc, section)):
                origins[(section, len(sections[section]))] = _Origin(source, index)
                sections[section].append(item)
    merged = Knowledge(**sections)
    problems = _check_references(merged, origins)
    if problems:
        raise SeedValidationError(problems)
    return merged, parts, origins


def read_texts(named_texts: Iterable[tuple[str, str]], documents: Path = DOCUMENTS_DIR) -> Knowledge:
    """Validate and merge seed documents given as (name, YAML text); raise on any problem. The
    source documents they cite are read from the folder `documents`."""
    merged, _, origins = _read_parts(named_texts)
    problems = _check_citations(merged, origins, documents)
    if problems:
        raise SeedValidationError(problems)
    return merged


def read_seed_file(path: Path) -> str:
    """The text of a seed file, read only if it is a regular file of a sane size (never a
    device, a FIFO or a directory), and only from where it seems to be: a link may point to a
    file in the same folder, not elsewhere."""
    try:
        if path.is_symlink() and path.resolve().parent != path.absolute().parent.resolve():
            raise ValueError(f"is a link to {path.resolve()}, outside its folder; give that file itself")
        info = os.stat(path)  # never opens it: a FIFO would wait for a writer forever
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("is not a regular file (a device, a pipe or a directory)")
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(f"is {info.st_size:,} bytes; a seed file is at most {MAX_FILE_BYTES:,}")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ValueError(f"grew past {MAX_FILE_BYTES:,} bytes while being read")
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise ValueError(f"cannot be read: {exc.strerror or exc}") from exc


def read_files(paths: Iterable[Path], documents: Path = DOCUMENTS_DIR) -> Knowledge:
    """Validate and merge seed files, with the source documents they cite in the folder
    `documents`; raise SeedValidationError listing the problems."""
    named: list[tuple[str, str]] = []
    problems: list[SeedProblem] = []
    for path in paths:
        try:
            named.append((str(path), read_seed_file(path)))
        except ValueError as exc:
            problems.append(SeedProblem(str(path), None, "", None, str(exc)))
    if problems:
        raise SeedValidationError(problems)
    return read_texts(named, documents)


# --- writing ----------------------------------------------------------------------------------


def dump(knowledge: Knowledge) -> str:
    """The canonical YAML of a document: fields in schema order, defaults left out."""
    data = knowledge.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(
        data,
        Dumper=yaml.CSafeDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
        indent=2,
    )


# --- citing -----------------------------------------------------------------------------------


@dataclass
class CiteReport:
    """What `cite_files` did, or would do: per file, its new text (when it changes)."""

    texts: dict[str, str]  # file → its text with the citations, for the files that change
    cited: list[str]  # "file: flow 'x'" of the items given a citation
    moved: list[str]  # … of the citations whose span was moved to where the quote now stands
    problems: list[str]  # … of what a person must look at (words not found, a quote gone)


def cite_files(paths: Iterable[Path], documents: Path = DOCUMENTS_DIR, source: str | None = None) -> CiteReport:
    """Cite every item of the files that has no citation yet, from the document `source` (the key
    of a source; by default the one source the files define), and move the spans of citations
    whose quote now stands elsewhere. Quotes the document no longer holds are left for a person.
    The files are checked first as `read_files` does, citations aside."""
    paths = list(paths)
    merged, parts, _ = _read_parts([(str(path), read_seed_file(path)) for path in paths])
    keys = [s.key for s in merged.sources]
    if source is None and len(keys) != 1:
        raise ValueError(
            "the files define no source document; add one under `sources:`" if not keys
            else f"the files define {len(keys)} sources ({', '.join(keys)}): name the one to cite from with --source"
        )  # fmt: skip
    source = source or keys[0]
    if source not in keys:
        raise ValueError(f"no source has the key '{source}' (the files define: {', '.join(keys) or 'none'})")
    texts = {s.key: SourceText(read_document_text(documents, s.file)) for s in merged.sources}
    report = CiteReport({}, [], [], [])
    for part, doc in parts:
        found = recite(doc, texts, source)
        report.cited += [f"{part.name}: {what}" for what in found.cited]
        report.moved += [f"{part.name}: {what}" for what in found.moved]
        report.problems += [f"{part.name}: {what}: {why}" for what, why in found.problems]
        if found.knowledge != doc:
            report.texts[part.name] = dump(found.knowledge)
    return report
