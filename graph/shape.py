"""The graph's shape, declared once: node labels, relationship types, and who owns what.

Everything that touches the graph takes its vocabulary from here — the seed loader and export
(node records), the mutations (what one entity is, what a delete takes with it), search (what is
searchable), the read compiler (the relationships a GraphQL field follows) and `deptgraph check`
(the invariants). A relationship type is spelled out once, below; code writes `HAS_STEP`, the
constant, and gets the checked name.

Ownership: every relationship belongs to the state of one node, its *owner* — a Flow owns
`(provider)-[:PROVIDES]->(flow)`, `(flow)-[:TO]->(receiver)` and `(relationship)-[:INCLUDES]->(flow)`,
so rewriting a flow rewrites exactly those. That is what makes seeding idempotent and export exact.

Entities: what an admin edits as one thing. A *part* (a goal, a role and its duties, an activity,
a step) is edited and deleted with the entity it belongs to; a *child* (a flow, an example) is an
entity of its own inside another, deleted with it only by a cascading delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum


class Label(StrEnum):
    """The labels of knowledge nodes."""

    DEPARTMENT = "Department"
    PARTY = "Party"
    TOPIC = "Topic"
    RELATIONSHIP = "Relationship"
    GOAL = "Goal"
    ROLE = "Role"
    DUTY = "Duty"
    ACTIVITY = "Activity"
    FLOW = "Flow"
    SCENARIO = "Scenario"
    STEP = "Step"
    PRINCIPLE = "Principle"
    STATEMENT = "Statement"
    SOURCE = "Source"  # a document knowledge comes from (items cite it by key)


class OnDelete(Enum):
    """What becomes of a relationship's owner when the node at its other end is deleted."""

    CASCADE = "the owner cannot exist without it: it goes too (only when the delete cascades)"
    UNLINK = "the owner only loses the link"


class Owner(Enum):
    START = "start"
    END = "end"


@dataclass(frozen=True)
class Edge:
    """A relationship type, with the labels at its ends and whose state it is."""

    type: str
    start: frozenset[Label]
    end: frozenset[Label]
    owner: Owner
    # The owner keeps these in order (a `position` on each relationship).
    ordered: bool = False
    # The end node is part of the start's entity: edited, and deleted, with it.
    part: bool = False
    # The end node is an entity of its own inside the start's: deleted with it by a cascade.
    child: bool = False
    # For the other relationships (references): what the owner does when the target is deleted.
    on_delete: OnDelete = OnDelete.CASCADE
    # How many of these each owner has: exactly one (a flow's provider), two (a relationship's
    # departments), or any number (None: a flow's topics).
    exactly: int | None = None
    # Or at most this many (a relationship's owner: none or one).
    at_most: int | None = None

    def __str__(self) -> str:
        return self.type

    def owner_labels(self) -> frozenset[Label]:
        return self.start if self.owner is Owner.START else self.end

    def target_labels(self) -> frozenset[Label]:
        return self.end if self.owner is Owner.START else self.start

    @property
    def contains(self) -> bool:
        """The start holds the end (as a part or a child)."""
        return self.part or self.child


def _labels(*labels: Label) -> frozenset[Label]:
    return frozenset(labels)


L = Label
PARTICIPANTS = _labels(L.DEPARTMENT, L.PARTY)
TAGGED = _labels(L.FLOW, L.STEP, L.GOAL, L.DUTY, L.ACTIVITY)  # things that can be about topics

BETWEEN = Edge("BETWEEN", _labels(L.RELATIONSHIP), _labels(L.DEPARTMENT), Owner.START, ordered=True, exactly=2)
HAS_GOAL = Edge("HAS_GOAL", _labels(L.RELATIONSHIP), _labels(L.GOAL), Owner.END, part=True, exactly=1)
HAS_ROLE = Edge("HAS_ROLE", _labels(L.RELATIONSHIP), _labels(L.ROLE), Owner.END, part=True, exactly=1)
OF = Edge("OF", _labels(L.ROLE), _labels(L.DEPARTMENT), Owner.START, exactly=1)
HAS_DUTY = Edge("HAS_DUTY", _labels(L.ROLE), _labels(L.DUTY), Owner.END, part=True, exactly=1)
COOPERATES_ON = Edge("COOPERATES_ON", _labels(L.RELATIONSHIP), _labels(L.ACTIVITY), Owner.END, part=True, exactly=1)
INCLUDES = Edge("INCLUDES", _labels(L.RELATIONSHIP), _labels(L.FLOW), Owner.END, child=True, exactly=1)
PROVIDES = Edge("PROVIDES", _labels(L.DEPARTMENT), _labels(L.FLOW), Owner.END, exactly=1)
TO = Edge("TO", _labels(L.FLOW), _labels(L.DEPARTMENT), Owner.START, exactly=1)
HAS_EXAMPLE = Edge("HAS_EXAMPLE", _labels(L.RELATIONSHIP), _labels(L.SCENARIO), Owner.END, child=True, exactly=1)
HAS_STEP = Edge("HAS_STEP", _labels(L.SCENARIO), _labels(L.STEP), Owner.END, part=True, exactly=1)
ACTOR = Edge("ACTOR", _labels(L.STEP), PARTICIPANTS, Owner.START, exactly=1)
# A step's recipient is optional, but a step without the one the document names tells another story.
RECIPIENT = Edge("RECIPIENT", _labels(L.STEP), PARTICIPANTS, Owner.START)
ABOUT = Edge("ABOUT", TAGGED, _labels(L.TOPIC), Owner.START, ordered=True, on_delete=OnDelete.UNLINK)
CONCERNS = Edge(
    "CONCERNS", _labels(L.GOAL, L.DUTY, L.ACTIVITY), _labels(L.PARTY), Owner.START, ordered=True,
    on_delete=OnDelete.UNLINK,
)  # fmt: skip
MENTIONS = Edge("MENTIONS", _labels(L.STATEMENT), PARTICIPANTS, Owner.START, ordered=True, on_delete=OnDelete.UNLINK)
# Who answers for a relationship; a department that goes leaves the relationship without an owner.
OWNED_BY = Edge(
    "OWNED_BY", _labels(L.RELATIONSHIP), _labels(L.DEPARTMENT), Owner.START, on_delete=OnDelete.UNLINK, at_most=1
)

EDGES: tuple[Edge, ...] = (
    BETWEEN, HAS_GOAL, HAS_ROLE, OF, HAS_DUTY, COOPERATES_ON, INCLUDES, PROVIDES, TO,
    HAS_EXAMPLE, HAS_STEP, ACTOR, RECIPIENT, ABOUT, CONCERNS, MENTIONS, OWNED_BY,
)  # fmt: skip
EDGE_BY_TYPE = {edge.type: edge for edge in EDGES}
LABELS: tuple[Label, ...] = tuple(Label)

# Things people name and look up by name (keys, names and aliases in both languages).
NAMED = (L.DEPARTMENT, L.PARTY, L.TOPIC)
# Things that can come from a source document: their citation is kept in the properties named
# `source_<field>` (`source_document` holds the source's key).
CITED = (L.RELATIONSHIP, L.GOAL, L.DUTY, L.ACTIVITY, L.FLOW, L.SCENARIO, L.STEP, L.PRINCIPLE, L.STATEMENT)
CITATION_PROPERTIES = ("source_document", "source_section", "source_quote", "source_start", "source_end")


def owned(label: Label) -> tuple[tuple[Edge, bool], ...]:
    """The relationships a node of `label` owns, each with whether it goes out of the node."""
    out: list[tuple[Edge, bool]] = []
    for edge in EDGES:
        if edge.owner is Owner.START and label in edge.start:
            out.append((edge, True))
        elif edge.owner is Owner.END and label in edge.end:
            out.append((edge, False))
    return tuple(out)


def container_of(label: Label) -> Edge | None:
    """The relationship that holds a part or a child inside its entity (a goal's HAS_GOAL)."""
    return next((edge for edge in EDGES if edge.contains and label in edge.end), None)


def is_part(label: Label) -> bool:
    """Parts are edited as pieces of another entity, never on their own."""
    edge = container_of(label)
    return edge is not None and edge.part


ENTITIES = tuple(label for label in LABELS if not is_part(label))
PART_EDGES = tuple(edge for edge in EDGES if edge.part)
CHILD_EDGES = tuple(edge for edge in EDGES if edge.child)
REFERENCES = tuple(edge for edge in EDGES if not edge.contains)


def types(edges: Iterable[Edge]) -> str:
    """Relationship types for a Cypher pattern: `HAS_GOAL|HAS_ROLE`."""
    return "|".join(sorted(edge.type for edge in edges))
