"""Every item of the document says where in the document it comes from, and a changed document
says which citations it broke.

The 95 statement units are read from the document itself (tests/document.py: each goal, duty,
need, contribution, activity, "X provides Y so that Z" clause, example and its steps, the
cooperation summary, the principles and the sentences of the introduction and conclusion), found
in the seeded graph the way the other document tests find them, and each one's citation is
checked against the file as it is on disk — not against the seed files that carry it.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from domain import knowledge as k
from domain.names import fold
from domain.references import cited_items
from graph.database import Database
from seed.citations import (
    DOCUMENTS_DIR,
    SourceText,
    check_citation,
    cite_item,
    moved_citation,
    read_document_text,
    recite,
)
from seed.files import default_files, read_files
from seed.problems import SeedValidationError

from .conftest import PROJECT, run_cli
from .document import SOURCE, read_document

DOCUMENT = read_document()
TEXT = unicodedata.normalize("NFC", SOURCE.read_bytes().decode("utf-8"))  # the file as the spans count it
SECTION = {pair.number: f"{pair.number}. {pair.header}" for pair in DOCUMENT.pairs}


@dataclass(frozen=True)
class Unit:
    what: str  # e.g. "need 'chiết khấu'"
    words: str  # the unit's words, as the document has them
    section: str | None
    cypher: str  # finds the node the unit is in the graph; returns its properties as `n`
    params: tuple[tuple[str, object], ...] = ()


def units() -> list[Unit]:
    found: list[Unit] = []

    def add(what: str, words: str, section: str | None, cypher: str, **params: object) -> None:
        found.append(Unit(what, words, section, cypher, tuple(sorted(params.items()))))

    for sentence in DOCUMENT.introduction:
        add("introduction", sentence, None, "MATCH (n:Statement {text_vi: $t}) RETURN n", t=sentence)
    for sentence in DOCUMENT.conclusion + DOCUMENT.closing:
        add("conclusion", sentence, "Tóm lại", "MATCH (n:Statement {text_vi: $t}) RETURN n", t=sentence)
    for title, text in DOCUMENT.principles:
        add(f"principle '{title}'", text, "Tóm lại", "MATCH (n:Principle {text_vi: $t}) RETURN n", t=text)
    for pair in DOCUMENT.pairs:
        rel = "MATCH (r:Relationship {title_vi: $title}) "
        section = SECTION[pair.number]
        at = {"title": pair.header}
        add(f"summary of {pair.header}", pair.cooperation_summary, section,
            rel + "WHERE r.summary_vi = $t RETURN r AS n", t=pair.cooperation_summary, **at)  # fmt: skip
        for goal in pair.goals:
            add(f"goal '{goal}'", goal, section, rel + "MATCH (r)-[:HAS_GOAL]->(n {text_vi: $t}) RETURN n",
                t=goal, **at)  # fmt: skip
        for duty in pair.duties:
            add(f"duty '{duty}'", duty, section,
                rel + "MATCH (r)-[:HAS_ROLE]->()-[:HAS_DUTY]->(n {text_vi: $t}) RETURN n", t=duty, **at)  # fmt: skip
        for activity in pair.activities:
            add(f"activity '{activity}'", activity, section,
                rel + "MATCH (r)-[:COOPERATES_ON]->(n {text_vi: $t}) RETURN n", t=activity, **at)  # fmt: skip
        for kind, items in (("NEED", pair.needs), ("CONTRIBUTION", pair.contributions)):
            for item in items:
                add(f"{kind.lower()} '{item}'", item, section,
                    rel + "MATCH (r)-[:INCLUDES]->(n:Flow {kind: $kind, text_vi: $t}) WHERE n.statement_vi IS NULL "
                    "RETURN n", t=item, kind=kind, **at)  # fmt: skip
        for clause in pair.clauses:
            add(f"clause '{clause}'", clause, section,
                rel + "MATCH (r)-[:INCLUDES]->(n:Flow {statement_vi: $t}) RETURN n", t=clause, **at)  # fmt: skip
        add(f"example of {pair.header}", pair.example, section,
            rel + "MATCH (r)-[:HAS_EXAMPLE]->(n:Scenario {text_vi: $t}) RETURN n", t=pair.example, **at)  # fmt: skip
        for position, sentence in enumerate(pair.example.split(". ")):
            add(f"step {position + 1} of the example of {pair.header}", sentence.removesuffix("."), section,
                rel + "MATCH (r)-[:HAS_EXAMPLE]->()-[:HAS_STEP]->(n:Step {position: $p}) RETURN n",
                p=position, **at)  # fmt: skip
    return found


UNITS = units()


def test_the_document_has_95_statement_units() -> None:
    assert len(UNITS) == 95
    assert len({(u.what, u.words, u.section) for u in UNITS}) == 95


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: f"{(u.section or '0')[0]}-{fold(u.what)[:50].replace(' ', '-')}")
async def test_each_statement_unit_cites_the_sentence_it_stands_in(seeded: Database, unit: Unit) -> None:
    rows = await seeded.read(unit.cypher, **dict(unit.params))
    assert len(rows) == 1, f"{unit.what}: {len(rows)} nodes"
    node = dict(rows[0]["n"])
    quote, start, end = node.get("source_quote"), node.get("source_start"), node.get("source_end")
    assert quote is not None, f"{unit.what} has no citation"
    assert node["source_document"] == "sales-and-other-departments"
    # The quote is what the file holds at its span …
    assert TEXT[start:end] == quote
    # … the unit's own words stand in it (a step: its action, in its sentence) …
    words = node.get("action_vi") if "action_vi" in node else unit.words
    assert words in quote, (words, quote)
    if "action_vi" in node:
        assert quote.removesuffix(".") == unit.words
    # … it is whole sentences: from a line's start or a sentence's, to a full stop or a colon …
    assert start == 0 or TEXT[start - 1] == "\n" or TEXT[start - 2 : start] == ". "
    assert quote.endswith((".", ":")) and (end == len(TEXT) or TEXT[end] in "\n ")
    # … in the section the unit is under.
    assert node.get("source_section") == unit.section


async def test_every_cited_node_of_the_seeded_graph_is_one_of_the_units(seeded: Database) -> None:
    rows = await seeded.read("MATCH (n) WHERE n.source_quote IS NOT NULL RETURN count(n) AS n")
    assert rows == [{"n": 95}]


# --- a changed document -------------------------------------------------------------------------

NEEDS_FROM_ACCOUNTING = next(p for p in DOCUMENT.pairs if fold(p.other) == "phong ke toan")


def sentence_span(sentence: str) -> tuple[int, int]:
    start = TEXT.index(sentence)
    assert TEXT.count(sentence) == 1
    return start, start + len(sentence)


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    """A copy of the documents folder, to change."""
    folder = tmp_path / "documents"
    folder.mkdir()
    shutil.copy(SOURCE, folder / SOURCE.name)
    return folder


PROBLEM = re.compile(r"^\s*(\S+):(\d+): (\S+) \((.+?)\): (.*)$")


def problems_of(output: str) -> dict[str, tuple[str, str]]:
    """subject → (the field at fault, the message) of each problem the command listed."""
    found = {}
    for line in output.splitlines():
        match = PROBLEM.match(line)
        if match:
            found[match.group(4)] = (match.group(3).rsplit(".", 1)[1], match.group(5))
    return found


def citing(knowledge: k.Knowledge, test: object) -> set[str]:
    """What the items whose citation passes `test(citation)` are called in problems."""
    return {what for _, item, what in cited_items(knowledge) if item.source is not None and test(item.source)}  # type: ignore[operator]


def test_a_changed_sentence_makes_validate_name_exactly_the_citations_resting_on_it(
    cli_env: dict[str, str], documents: Path, seed_knowledge: k.Knowledge
) -> None:
    line = "Thông tin về chính sách giá, chiết khấu, điều khoản thanh toán, hướng dẫn về quy trình thanh toán."
    assert line in [sentence.strip() for sentence in TEXT.splitlines()]  # the needs of Sales from Accounting
    start, _ = sentence_span(line)
    changed = line.replace("chiết khấu", "mức chiết khấu tối đa")
    (documents / SOURCE.name).write_text(TEXT.replace(line, changed), encoding="utf-8")

    result = run_cli("validate", "--documents", str(documents), env=cli_env)
    assert result.returncode == 1, result.stdout
    found = problems_of(result.stderr)
    broken = {what for what, (field, _) in found.items() if field == "quote"}
    moved = {what for what, (field, _) in found.items() if field == "start"}
    # Exactly the four needs listed in that sentence no longer match …
    assert broken == citing(seed_knowledge, lambda c: c.start == start)
    assert broken == {f"flow '{key}'" for key in ("accounting-to-sales-pricing-policy", "accounting-to-sales-discounts",
                                                  "accounting-to-sales-payment-terms", "accounting-to-sales-payment-process")}  # fmt: skip
    assert "mức chiết khấu tối đa" in found["flow 'accounting-to-sales-discounts'"][1]
    # … every citation after it still finds its quote, further on (the span is named) …
    assert moved == citing(seed_knowledge, lambda c: c.start > start)
    shift = len(changed) - len(line)
    for what in moved:
        assert "the quote is now at" in found[what][1]
    later = next(i for _, i, w in cited_items(seed_knowledge) if w == "principle 'mutual-respect'")
    assert later.source is not None
    assert f"now at {later.source.start + shift}–{later.source.end + shift}" in found["principle 'mutual-respect'"][1]
    # … and nothing before it is named.
    assert not citing(seed_knowledge, lambda c: c.end <= start) & set(found)
    assert set(found) == broken | moved
    assert f"{len(found)} problem(s)" in result.stderr


def test_a_word_changed_in_place_names_only_the_citations_of_its_sentence(
    documents: Path, seed_knowledge: k.Knowledge
) -> None:
    line = "Tạo doanh thu, quản lý công nợ, thu hồi công nợ."  # Sales's role with Accounting
    start, _ = sentence_span(line)
    (documents / SOURCE.name).write_text(TEXT.replace(line, line.replace("thu hồi", "đòi lại")), encoding="utf-8")
    with pytest.raises(SeedValidationError) as error:
        read_files(default_files(), documents)
    named = {problem.subject for problem in error.value.problems}
    assert named == citing(seed_knowledge, lambda c: c.start == start)
    assert named == {"duty 'sales-accounting-generate-revenue'", "duty 'sales-accounting-manage-receivables'",
                     "duty 'sales-accounting-collect-receivables'"}  # fmt: skip
    assert all(p.where.endswith("source.quote") for p in error.value.problems)


def test_cite_moves_the_spans_that_moved_and_leaves_broken_quotes_to_a_person(
    cli_env: dict[str, str], documents: Path, tmp_path: Path, seed_knowledge: k.Knowledge
) -> None:
    files = tmp_path / "data"
    files.mkdir()
    for path in default_files():
        shutil.copy(path, files / path.name)
    goal_line = "Quản lý tài chính hiệu quả, đảm bảo lợi nhuận cho công ty."
    start, _ = sentence_span(goal_line)
    text = TEXT.replace(goal_line, goal_line.replace("hiệu quả", "thật hiệu quả"))
    (documents / SOURCE.name).write_text(text, encoding="utf-8")
    paths = [str(p) for p in sorted(files.glob("*.yaml"))]

    dry = run_cli("cite", "--documents", str(documents), *paths, env=cli_env)
    assert dry.returncode == 1
    moved = citing(seed_knowledge, lambda c: c.start > start)
    assert sum(line.startswith("move: ") for line in dry.stdout.splitlines()) == len(moved)
    assert "look: " in dry.stderr and "goal 'manage-finances'" in dry.stderr and "goal 'ensure-profit'" in dry.stderr
    before = {p: Path(p).read_text(encoding="utf-8") for p in paths}
    assert {p: Path(p).read_text(encoding="utf-8") for p in paths} == before  # a dry run writes nothing

    written = run_cli("cite", "--documents", str(documents), "--write", *paths, env=cli_env)
    assert written.returncode == 1  # the two goals still need a person
    with pytest.raises(SeedValidationError) as error:
        read_files([Path(p) for p in paths], documents)
    assert {p.subject for p in error.value.problems} == {"goal 'manage-finances'", "goal 'ensure-profit'"}
    # Every other citation points at its quote in the new text.
    for path in paths:
        part = k.Knowledge.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
        for _, item, what in cited_items(part):
            assert item.source is not None, what
            if what not in ("goal 'manage-finances'", "goal 'ensure-profit'"):
                assert text[item.source.start : item.source.end] == item.source.quote, what


def test_a_quote_in_the_wrong_section_is_named() -> None:
    doc = SourceText(TEXT)
    line = "Tạo doanh thu, quản lý công nợ, thu hồi công nợ."
    start, end = sentence_span(line)
    right = k.Citation(document="d", section=SECTION[3], quote=line, start=start, end=end)
    assert check_citation(doc, right) is None
    wrong = right.model_copy(update={"section": SECTION[2]})
    field, why = check_citation(doc, wrong) or ("", "")
    assert field == "section" and f"is in section '{SECTION[3]}'" in why and f"not '{SECTION[2]}'" in why
    assert moved_citation(doc, right) is None


def test_citing_finds_words_listed_twice_in_a_section_under_the_heading_of_their_kind() -> None:
    # "chiết khấu" is both a need of Sales from Accounting and in the example about the largest
    # discount: a NEED is cited from the needs.
    knowledge = read_files(default_files())
    relationship = next(r for r in knowledge.relationships if r.key == "sales-accounting")
    flow = next(f for f in relationship.flows if f.key == "accounting-to-sales-discounts")
    citation = cite_item(SourceText(TEXT), "d", flow.model_copy(update={"source": None}), relationship)
    assert citation == flow.source.model_copy(update={"document": "d"})  # type: ignore[union-attr]
    assert TEXT.count("chiết khấu") > 1


# --- hostile or broken sources ------------------------------------------------------------------


def seed_file(tmp_path: Path, file: str, citation: str = "") -> Path:
    path = tmp_path / "doc.yaml"
    path.write_text(
        "sources:\n- key: doc\n  title: {vi: Tài liệu, en: Document}\n  language: vi\n  version: '1'\n"
        f"  file: {file}\n"
        "principles:\n- key: p\n  title: {vi: Chia sẻ thông tin, en: Share information}\n"
        "  text: {vi: Các phòng ban cần chia sẻ thông tin một cách cởi mở và kịp thời., en: Share.}\n" + citation,
        encoding="utf-8",
    )
    return path


def refusal(path: Path, documents: Path = SOURCE.parent) -> str:
    with pytest.raises(SeedValidationError) as error:
        read_files([path], documents)
    return str(error.value)


@pytest.mark.parametrize("file", ["../../etc/passwd.txt", "/etc/hosts.txt", "a/../../x.txt", "doc.pdf", "-x.txt"])
def test_a_source_file_outside_the_documents_folder_is_refused(tmp_path: Path, file: str) -> None:
    message = refusal(seed_file(tmp_path, f"'{file}'"))
    assert (
        f"sources[0].file (source 'doc'): '{file}' is not a document's file: give its path inside the documents folder"
        in message
    )


def test_a_link_that_leads_out_of_the_documents_folder_is_refused(tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("Các phòng ban cần chia sẻ thông tin một cách cởi mở và kịp thời.", encoding="utf-8")
    (documents / "doc.txt").symlink_to(outside)
    message = refusal(seed_file(tmp_path, "doc.txt"), documents)
    assert "leads out of the documents folder" in message


def test_a_missing_or_unreadable_document_is_named(tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    assert "doc.txt does not exist (documents are found in" in refusal(seed_file(tmp_path, "doc.txt"), documents)
    (documents / "doc.txt").write_bytes("Phòng Kế toán".encode("utf-16"))
    assert "is not UTF-8 text" in refusal(seed_file(tmp_path, "doc.txt"), documents)
    (documents / "dir.txt").mkdir()
    assert "is not a regular file" in refusal(seed_file(tmp_path, "dir.txt"), documents)


def test_a_citation_whose_span_does_not_fit_its_quote_or_names_no_source_is_refused(tmp_path: Path) -> None:
    quote = "Các phòng ban cần chia sẻ thông tin một cách cởi mở và kịp thời."
    start = TEXT.index(quote)
    good = (
        f"  source: {{document: doc, section: Tóm lại, quote: '{quote}', start: {start}, end: {start + len(quote)}}}\n"
    )
    assert read_files([seed_file(tmp_path, SOURCE.name, good)]).principles[0].source is not None
    short = good.replace(f"end: {start + len(quote)}", f"end: {start + len(quote) - 1}")
    assert "is 63 characters long, but the quote has 64" in refusal(seed_file(tmp_path, SOURCE.name, short))
    unknown = good.replace("document: doc", "document: docs")
    assert "principle 'p' refers to unknown source 'docs' (did you mean 'doc'?)" in refusal(
        seed_file(tmp_path, SOURCE.name, unknown)
    )


def test_two_sources_of_one_file_and_two_documents_describing_one_pair_are_conflicts(tmp_path: Path) -> None:
    twice = seed_file(tmp_path, SOURCE.name)
    twice.write_text(
        twice.read_text(encoding="utf-8").replace(
            "principles:", f"- key: again\n  title: {{vi: Lại, en: Again}}\n  language: vi\n  version: '2'\n"
            f"  file: {SOURCE.name}\nprinciples:"),
        encoding="utf-8",
    )  # fmt: skip
    assert "sources[1].file (source 'again'): is also the file of source 'doc': one source per document" in refusal(
        twice
    )
    # A second document that describes Sales and Accounting again, beside the first.
    other = tmp_path / "other.yaml"
    other.write_text(
        "relationships:\n- key: accounting-and-sales\n  departments: [accounting, sales]\n"
        "  title: {vi: Kế toán và Kinh doanh, en: Accounting and Sales}\n  summary: {vi: Phối hợp., en: Together.}\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedValidationError) as error:
        read_files([*default_files(), other])
    assert (
        "relationships[0].departments (relationship 'accounting-and-sales'): relationship 'accounting-and-sales' "
        "joins accounting and sales, as relationship 'sales-accounting' does" in str(error.value)
    )
    assert "12-sales-accounting.yaml:" in str(error.value)


def test_the_shipped_seed_and_the_example_validate_together(cli_env: dict[str, str]) -> None:
    result = run_cli("validate", *map(str, default_files()), str(PROJECT / "seed/examples/hr-it.yaml"), env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "118 citation(s) of 2 source document(s) match their documents" in result.stdout


def test_the_shipped_citations_are_what_the_code_computes_from_the_documents() -> None:
    # Every citation taken away and computed again from the items' own words: the files as shipped.
    for files in (default_files(), [PROJECT / "seed/examples/hr-it.yaml"]):
        merged = read_files(files)
        texts = {s.key: SourceText(read_document_text(DOCUMENTS_DIR, s.file)) for s in merged.sources}
        for path in files:
            shipped = k.Knowledge.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            bare = recite(shipped, texts, "?")  # nothing to do on the shipped file
            assert bare.cited == bare.moved == [] and bare.problems == [] and bare.knowledge == shipped
            stripped = k.Knowledge.model_validate_json(
                re.sub(r',"source":\{[^{}]*\}', "", shipped.model_dump_json(exclude_defaults=True))
            )
            source = merged.sources[0].key
            again = recite(stripped, texts, source)
            assert again.problems == [] and again.knowledge == shipped, path
            assert len(again.cited) == sum(1 for _ in cited_items(shipped))


def test_a_span_past_any_document_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    quote = "Các phòng ban cần chia sẻ thông tin một cách cởi mở và kịp thời."
    huge = 10**19  # past what Neo4j could store as an integer
    citation = f"  source: {{document: doc, quote: '{quote}', start: {huge}, end: {huge + len(quote)}}}\n"
    message = refusal(seed_file(tmp_path, SOURCE.name, citation))
    assert "principles[0].source.start (principle 'p'): Input should be less than or equal to 10000000" in message
