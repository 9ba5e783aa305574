"""Every setting is documented: the README's table and `Settings` list the same variables."""

from __future__ import annotations

import re

from deptgraph.settings import Settings, settings_from_environment

from .conftest import PROJECT


def documented() -> dict[str, str]:
    """The README's configuration table: variable → default column."""
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([A-Z0-9_]+)` \| ([^|]+) \|", table, flags=re.MULTILINE))


def variables() -> dict[str, object]:
    return {
        str(field.validation_alias or f"DEPTGRAPH_{name.upper()}"): field.default
        for name, field in Settings.model_fields.items()
    }


def test_the_readme_documents_every_setting_and_no_other() -> None:
    assert sorted(documented()) == sorted(variables())


def test_the_readme_gives_each_simple_default_as_it_is() -> None:
    for variable, default in variables().items():
        if isinstance(default, (int, float, str)) and not isinstance(default, bool):
            shown = documented()[variable]
            number = f"{default:g}" if isinstance(default, float) else str(default)
            assert f"`{number}`" in shown, (variable, default, shown)


def test_settings_are_read_once_per_process() -> None:
    assert settings_from_environment() is settings_from_environment()
