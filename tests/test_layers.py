"""The tree shows the flow: each package imports only from its own layer or the ones below.

domain (what is known, as validated data) and the settings → graph (Neo4j) → seed (files) → api
(GraphQL over HTTP) → the command line. A bottom layer that reaches up makes every change to an
upper one a change to the lower one too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
LAYERS = {"domain": 0, "deptgraph": 0, "deptgraph.settings": 0, "graph": 1, "seed": 2, "api": 3, "deptgraph.cli": 4}


def layer(module: str) -> int | None:
    for name in sorted(LAYERS, key=len, reverse=True):
        if module == name or module.startswith(name + "."):
            return LAYERS[name]
    return None


def imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = []
    modules = [p for top in ("domain", "graph", "seed", "api", "deptgraph") for p in (PROJECT / top).rglob("*.py")]
    assert len(modules) > 40
    for path in modules:
        module = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
        own = layer(module)
        assert own is not None
        upward += [f"{module} imports {name}" for name in imports(path) if (layer(name) or 0) > own]
    assert upward == []
