"""Node records: a node's properties plus the relationships it owns (see `graph/shape.py`).

The seed loader compares records to tell created / updated / unchanged nodes apart, export reads
them back, and the mutations write them. `graph/MODEL.md` draws the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.shape import LABELS, Label, owned

# label → the (relationship type, outgoing?) pairs a node of that label owns.
OWNED: dict[str, tuple[tuple[str, bool], ...]] = {
    label: tuple((edge.type, outgoing) for edge, outgoing in owned(label)) for label in LABELS
}

# Properties kept by the database itself, not part of a record.
SYSTEM_PROPERTIES = frozenset({"key", "version"})

# Labels whose text the full-text search covers, and the properties it reads.
SEARCHABLE_LABELS = tuple(label for label in LABELS if label not in (Label.ROLE, Label.SOURCE))
SEARCHABLE_PROPERTIES = tuple(
    f"{name}_{lang}"
    for name in ("name", "aliases", "title", "summary", "text", "purpose", "statement", "action")
    for lang in ("vi", "en")
)

_IDENTIFIER = re.compile(r"^[A-Z][A-Za-z_]*$")
_PROPERTY = re.compile(r"^[a-z][A-Za-z0-9_]*$")


def identifier(name: str, *, prop: bool = False) -> str:
    """A label, relationship type or (with `prop`) property name, checked before it is written
    into Cypher text."""
    if not (_PROPERTY if prop else _IDENTIFIER).match(name):
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
