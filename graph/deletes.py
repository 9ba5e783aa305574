"""Deleting an entity: what refers to it, and what a cascade takes with it.

Deleting something others still refer to is refused with the list of what refers to it, unless
`cascade` — then the dependents go in the same transaction, each with its own audit record: the
entities inside it (a relationship's flows and examples) and those that cannot exist without it
(a flow without its provider), each whole, but a role without its department goes alone.
Survivors that pointed at something deleted only lose that link.
"""

from __future__ import annotations

from graph.audit import Audit
from graph.entities import PARTS, Tx, read_nodes
from graph.errors import Conflict
from graph.kinds import Change
from graph.model import OWNED, NodeRecord, identifier
from graph.shape import CHILD_EDGES, OF, OWNED_BY, REFERENCES, OnDelete, Owner, types
from graph.store import Plan, StoredNode, normalized

_CHILDREN = types(CHILD_EDGES)
# A reference whose target goes takes its owner's entity with it (a flow without a provider).
_CASCADING_OUT = types(
    e for e in REFERENCES if e.on_delete is OnDelete.CASCADE and e.owner is Owner.START and e is not OF
)
# … but a role, whose relationship can do without it, goes alone (with its duties) when its
# department goes: its relationship goes only if that department is one of its two (BETWEEN).
_GOES_ALONE = OF
_CASCADING_IN = types(e for e in REFERENCES if e.on_delete is OnDelete.CASCADE and e.owner is Owner.END)


async def _dependents(tx: Tx, doomed: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """What a cascading delete of `doomed` takes with it: the entities inside it (a relationship's
    flows and examples) and those that cannot exist without it (a flow without its provider, an
    example without its actor), each whole — but a role without its department goes alone —
    until nothing more depends on what goes."""
    found: set[tuple[str, str]] = set()
    frontier = set(doomed)
    while frontier:
        by_label: dict[str, list[str]] = {}
        for label, key in frontier:
            by_label.setdefault(label, []).append(key)
        reached: set[tuple[str, str]] = set()
        for label, keys in by_label.items():
            result = await tx.run(
                f"UNWIND $keys AS key MATCH (x:{identifier(label)} {{key: key}}) "
                "CALL (x) { "
                f"  MATCH (x)-[:{_CHILDREN}]->(d) RETURN d "
                f"  UNION MATCH (d)-[:{_CASCADING_OUT}]->(x) RETURN d "
                f"  UNION MATCH (x)-[:{_CASCADING_IN}]->(d) RETURN d }} "
                f"MATCH (root)-[:{PARTS}*0..]->(d) WHERE NOT EXISTS {{ ()-[:{PARTS}]->(root) }} "
                f"MATCH (root)-[:{PARTS}*0..]->(n) "
                "RETURN DISTINCT [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key",
                keys=keys,
                labels=list(OWNED),
            )
            reached |= {(row["label"], row["key"]) async for row in result}
            if label in _GOES_ALONE.end:
                result = await tx.run(
                    f"UNWIND $keys AS key MATCH (:{identifier(label)} {{key: key}})<-[:{_GOES_ALONE}]-(part) "
                    f"MATCH (part)-[:{PARTS}*0..]->(n) "
                    "RETURN DISTINCT [l IN labels(n) WHERE l IN $labels][0] AS label, n.key AS key",
                    keys=keys,
                    labels=list(OWNED),
                )
                reached |= {(row["label"], row["key"]) async for row in result}
        frontier = reached - found - doomed
        found |= frontier
    return found


async def _owners_of_links_into(tx: Tx, idents: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Nodes outside `idents` that own a relationship to a node inside: they refer to it."""
    owners: set[tuple[str, str]] = set()
    by_label: dict[str, list[str]] = {}
    for label, key in idents:
        by_label.setdefault(label, []).append(key)
    for label, keys in by_label.items():
        result = await tx.run(
            f"UNWIND $keys AS key MATCH (x:{identifier(label)} {{key: key}})-[r]-(other) "
            "WHERE other.key IS NOT NULL AND NOT other:Change "
            "RETURN DISTINCT labels(other)[0] AS label, other.key AS key, type(r) AS type, "
            "startNode(r) = other AS other_is_start",
            keys=keys,
        )
        async for row in result:
            ident = (row["label"], row["key"])
            if ident not in idents and (row["type"], row["other_is_start"]) in OWNED.get(row["label"], ()):
                owners.add(ident)
    return owners


def _without_links_to(node: StoredNode, doomed: set[tuple[str, str]]) -> NodeRecord:
    links = tuple(link for link in node.record.links if (link.target_label, link.target_key) not in doomed)
    props = dict(node.record.props)
    if not any(link.type == OWNED_BY.type for link in links):
        props.pop("owner_contact", None)  # the contact was the owner's: a relationship without one has neither
    return normalized(NodeRecord(node.record.label, node.record.key, props, links))


# --- the change -------------------------------------------------------------------------------


async def deletion(tx: Tx, change: Change, before: list[StoredNode], plan: Plan) -> Audit:
    entity = {(n.record.label, n.record.key) for n in before}
    referrers = await _owners_of_links_into(tx, entity)
    deleted: list[StoredNode] = []
    if referrers and not change.cascade:
        listed = ", ".join(f"{label.lower()} '{key}'" for label, key in sorted(referrers)[:20])
        raise Conflict(
            f"{change.label} '{change.key}' is still referenced by {len(referrers)} thing(s): {listed}. "
            "Change or delete those first, or pass cascade: true.",
            references=[f"{label}:{key}" for label, key in sorted(referrers)],
        )
    if referrers:
        deleted = await read_nodes(tx, sorted(await _dependents(tx, entity)))
    doomed = entity | {(n.record.label, n.record.key) for n in deleted}
    # Survivors that pointed at something deleted only lose that link (a MENTIONS, an ABOUT).
    touched = await read_nodes(tx, sorted(await _owners_of_links_into(tx, doomed)))
    plan.deletions = sorted(doomed)
    audit: Audit = [(n.record, n.version, None, None) for n in [*before, *deleted]]
    for node in touched:
        trimmed = _without_links_to(node, doomed)
        plan.updated.append((trimmed, node.version + 1))
        audit.append((node.record, node.version, trimmed, node.version + 1))
    return audit
