"""Invalid seed files are refused with file:line and the key at fault, and nothing is written.

Each test breaks a copy of the shipped seed files the way a person editing them might, runs the
real `deptgraph seed` against the seeded test database, and checks both the message and that the
graph is exactly as it was.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.database import Database
from seed.files import default_files, read_files
from seed.loader import export
from seed.problems import SeedValidationError

from .conftest import run_cli


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A copy of seed/data to break."""
    target = tmp_path / "data"
    target.mkdir()
    for path in default_files():
        shutil.copy(path, target / path.name)
    return target


def edit(path: Path, change: Callable[[str], str]) -> str:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the edit must change the file"
    path.write_text(changed, encoding="utf-8")
    return changed


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.index(fragment, start + 1)
    return text.count("\n", 0, start) + 1


async def seed_and_expect_refusal(db: Database, cli_env: dict[str, str], files: Path, expected: list[str]) -> str:
    before = await export(db)
    result = run_cli("seed", *sorted(str(p) for p in files.glob("*.yaml")), env=cli_env)
    assert result.returncode == 1, result.stdout + result.stderr
    message = " ".join(result.stderr.split())  # undo terminal wrapping
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{result.stderr}"
    assert "Nothing was written." in message
    assert await export(db) == before, "the graph must be unchanged"
    return message


async def test_unknown_field_is_named_with_its_line(seeded: Database, cli_env: dict[str, str], seed_copy: Path) -> None:
    path = seed_copy / "12-sales-accounting.yaml"
    text = edit(path, lambda t: t.replace("    kind: NEED\n", "    kind: NEED\n    urgency: high\n", 1))
    line = line_of(text, "urgency: high")
    await seed_and_expect_refusal(
        seeded, cli_env, seed_copy,
        [f"{path}:{line}: relationships[0].flows[0].urgency (flow 'accounting-to-sales-pricing-policy'): "
         "is not a known field"],
    )  # fmt: skip


async def test_missing_language_is_named_with_its_line(
    seeded: Database, cli_env: dict[str, str], seed_copy: Path
) -> None:
    path = seed_copy / "12-sales-accounting.yaml"
    text = edit(path, lambda t: t.replace("      en: Payment terms\n", "", 1))
    line = line_of(text, "vi: điều khoản thanh toán") - 1  # the `text:` mapping that lacks `en`
    await seed_and_expect_refusal(
        seeded, cli_env, seed_copy,
        [f"{path}:{line}: relationships[0].flows[2].text.en (flow 'accounting-to-sales-payment-terms'): "
         "the English (en) text is missing"],
    )  # fmt: skip


async def test_duplicate_key_names_both_places(seeded: Database, cli_env: dict[str, str], seed_copy: Path) -> None:
    path = seed_copy / "13-sales-customer-care.yaml"
    text = edit(
        path,
        lambda t: t.replace("key: sales-to-customer-care-leads", "key: sales-to-accounting-revenue", 1),
    )
    line = line_of(text, "key: sales-to-accounting-revenue")
    first = seed_copy / "12-sales-accounting.yaml"
    first_line = line_of(first.read_text(), "key: sales-to-accounting-revenue")
    await seed_and_expect_refusal(
        seeded, cli_env, seed_copy,
        [f"{path}:{line}: relationships[0].flows[2].key (flow 'sales-to-accounting-revenue'): "
         f"duplicate flow key 'sales-to-accounting-revenue' (first defined at {first}:{first_line})"],
    )  # fmt: skip


async def test_unknown_reference_suggests_the_closest_key(
    seeded: Database, cli_env: dict[str, str], seed_copy: Path
) -> None:
    path = seed_copy / "12-sales-accounting.yaml"
    text = edit(path, lambda t: t.replace("    provider: accounting\n", "    provider: acounting\n", 1))
    line = line_of(text, "provider: acounting")
    await seed_and_expect_refusal(
        seeded, cli_env, seed_copy,
        [f"{path}:{line}: relationships[0].flows[0].provider (flow 'accounting-to-sales-pricing-policy'): "
         "flow 'accounting-to-sales-pricing-policy' refers to unknown department 'acounting' "
         "(did you mean 'accounting'?)"],
    )  # fmt: skip


async def test_empty_text_is_refused(seeded: Database, cli_env: dict[str, str], seed_copy: Path) -> None:
    path = seed_copy / "20-conclusion.yaml"
    text = edit(path, lambda t: t.replace("    vi: Chia sẻ thông tin\n", "    vi: '   '\n", 1))
    line = line_of(text, "vi: '   '")
    await seed_and_expect_refusal(
        seeded, cli_env, seed_copy,
        [f"{path}:{line}: principles[1].title.vi (principle 'share-information'): must not be empty"],
    )  # fmt: skip


async def test_invalid_yaml_is_reported_with_its_line(
    seeded: Database, cli_env: dict[str, str], seed_copy: Path
) -> None:
    path = seed_copy / "01-topics.yaml"
    text = edit(path, lambda t: t.replace("    en: Market trends\n", "    en: [Market trends\n", 1))
    line = line_of(text, "en: [Market trends")
    message = await seed_and_expect_refusal(seeded, cli_env, seed_copy, [f"{path}:", "invalid YAML"])
    reported = int(message.split(f"{path}:", 1)[1].split(":", 1)[0])
    assert line <= reported <= line + 2  # YAML notices an unclosed list on the next line


async def test_all_problems_in_all_files_are_reported_at_once(
    seeded: Database, cli_env: dict[str, str], seed_copy: Path
) -> None:
    edit(seed_copy / "00-organisation.yaml", lambda t: t.replace("    en: Sales\n", "", 1))
    edit(
        seed_copy / "11-sales-engineering.yaml",
        lambda t: t.replace("key: deliver-quality", "key: Deliver Quality", 1),
    )
    edit(
        seed_copy / "20-conclusion.yaml",
        lambda t: t.replace("- key: mutual-respect\n", "- key: mutual-respect\n  weight: 3\n", 1),
    )
    message = await seed_and_expect_refusal(
        seeded, cli_env, seed_copy,
        ["3 problem(s)", "00-organisation.yaml:", "the English (en) text is missing",
         "11-sales-engineering.yaml:", "'Deliver Quality' is not a valid key",
         "20-conclusion.yaml:", "principles[3].weight"],
    )  # fmt: skip
    assert message.count("yaml:") == 3


def test_validate_command_exits_1_on_errors_and_0_on_the_shipped_files(
    cli_env: dict[str, str], seed_copy: Path
) -> None:
    assert run_cli("validate", env=cli_env).returncode == 0
    edit(
        seed_copy / "10-sales-marketing.yaml",
        lambda t: t.replace("receiver: marketing", "receiver: accounting", 1),
    )
    result = run_cli("validate", *sorted(str(p) for p in seed_copy.glob("*.yaml")), env=cli_env)
    assert result.returncode == 1
    assert "but relationship 'sales-marketing' is between sales and marketing" in " ".join(result.stderr.split())


def test_text_is_normalised_to_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Phòng Kế toán")
    assert decomposed != "Phòng Kế toán"
    path = tmp_path / "nfd.yaml"
    path.write_text(f"departments:\n  - key: accounting\n    name:\n      vi: {decomposed}\n      en: Accounting\n")
    knowledge = read_files([path])
    assert knowledge.departments[0].name.vi == "Phòng Kế toán"


def test_a_party_may_not_share_a_department_key(tmp_path: Path) -> None:
    path = tmp_path / "clash.yaml"
    path.write_text(
        "departments:\n  - key: sales\n    name: {vi: Kinh doanh, en: Sales}\n"
        "parties:\n  - key: sales\n    name: {vi: Khách, en: Guests}\n"
    )
    with pytest.raises(SeedValidationError) as error:
        read_files([path])
    assert f"{path}:5: parties[0].key (party 'sales'): party key 'sales' is also a department's key" in str(error.value)


def test_a_huge_value_is_quoted_only_as_far_as_a_person_reads(cli_env: dict[str, str], tmp_path: Path) -> None:
    """Hostile review: `deptgraph validate` printed a 5 MB key back whole (5,000,194 bytes)."""
    huge = "X" * 5_000_000
    path = tmp_path / "huge.yaml"
    path.write_text(
        f"departments:\n  - key: {huge}\n    name: {{vi: A, en: A}}\n  - key: {huge}\n    name: {{vi: B, en: B}}\n"
    )
    result = run_cli("validate", str(path), env=cli_env)
    assert result.returncode == 1
    assert len(result.stdout) + len(result.stderr) < 5_000
    assert re.search(r"… \(5,000,\d{3} characters\)", result.stderr), result.stderr
