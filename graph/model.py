"""The graph model, declared once: node labels, and the relationships each label owns.

A node's *record* is its properties plus the relationships it owns; the seed loader compares
records to tell created / updated / unchanged nodes apart, export reads them back, and the
mutations write them. `graph/MODEL.md` draws the model.

Ownership: a relationship belongs to the node whose state it describes — a Flow owns
`(provider)-[:PROVIDES]->(flow)`, `(flow)-[:TO]->(receiver)` and `(relationship)-[:INCLUDES]->(flow)`,
so rewriting a flow rewrites exactly those.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# label → the (relationship type, outgoing?) pairs a node of that label owns.
OWNED: dict[str, tuple[tuple[str, bool], ...]] = {
    "Department": (),
    "Party": (),
    "Topic": (),
    "Relationship": (("BETWEEN", True),),
    "Goal": (("HAS_GOAL", False), ("ABOUT", True), ("CONCERNS", True)),
    "Role": (("HAS_ROLE", False), ("OF", True)),
    "Duty": (("HAS_DUTY", False), ("ABOUT", True), ("CONCERNS", True)),
    "Activity": (("COOPERATES_ON", False), ("ABOUT", True), ("CONCERNS", True)),
    "Flow": (("INCLUDES", False), ("PROVIDES", False), ("TO", True), ("ABOUT", True)),
    "Scenario": (("HAS_EXAMPLE", False),),
    "Step": (("HAS_STEP", False), ("ACTOR", True), ("RECIPIENT", True), ("ABOUT", True)),
    "Principle": (),
    "Statement": (("MENTIONS", True),),
}
LABELS = tuple(OWNED)

# Properties kept by the database itself, not part of a record.
SYSTEM_PROPERTIES = frozenset({"key", "version"})

# Labels whose text the full-text search covers, and the properties it reads.
SEARCHABLE_LABELS = tuple(label for label in LABELS if label != "Role")
SEARCHABLE_PROPERTIES = tuple(
    f"{name}_{lang}"
    for name in ("name", "aliases", "title", "summary", "text", "purpose", "statement", "action")
    for lang in ("vi", "en")
)

_IDENTIFIER = re.compile(r"^[A-Z][A-Za-z_]*$")


def identifier(name: str) -> str:
    """A label or relationship type, checked before it is written into Cypher text."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a Cypher identifier deptgraph uses: {name!r}")
    return name


@dataclass(frozen=True, order=True)
class Link:
    """A relationship a node owns, seen from that node."""

    type: str
    outgoing: bool
    target_label: str
    target_key: str
    position: int = 0  # order among the node's links of this type


@dataclass(frozen=True)
class NodeRecord:
    label: str
    key: str
    props: Mapping[str, Any]
    links: tuple[Link, ...] = field(default=())

    def same_as(self, other: NodeRecord) -> bool:
        return dict(self.props) == dict(other.props) and sorted(self.links) == sorted(other.links)
