"""Node records → knowledge: the document a graph's records describe (the inverse of
`graph.records.to_records`, which is what makes export → seed → export identical). Validated on
the way, so a broken graph fails loudly here rather than in an answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from domain.knowledge import (
    Knowledge,
)
from graph.model import NodeRecord
from graph.shape import (
    ABOUT,
    ACTOR,
    BETWEEN,
    CONCERNS,
    COOPERATES_ON,
    HAS_DUTY,
    HAS_EXAMPLE,
    HAS_GOAL,
    HAS_ROLE,
    HAS_STEP,
    INCLUDES,
    MENTIONS,
    OF,
    OWNED_BY,
    PROVIDES,
    RECIPIENT,
    TO,
    Edge,
)
from graph.shape import Label as L


def _text(props: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    vi, en = props.get(f"{name}_vi"), props.get(f"{name}_en")
    return None if vi is None and en is None else {"vi": vi, "en": en}


def _targets(record: NodeRecord, edge: Edge) -> list[str]:
    return [
        link.target_key
        for link in sorted(record.links, key=lambda link: link.position)
        if link.type == edge.type and link.outgoing
    ]


def _target(record: NodeRecord, edge: Edge, outgoing: bool = True) -> str | None:
    return next(
        (link.target_key for link in record.links if link.type == edge.type and link.outgoing == outgoing),
        None,
    )


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != []}


def _citation(props: Mapping[str, Any]) -> dict[str, Any] | None:
    if props.get("source_document") is None:
        return None
    return _clean(
        {
            "document": props.get("source_document"),
            "section": props.get("source_section"),
            "quote": props.get("source_quote"),
            "start": props.get("source_start"),
            "end": props.get("source_end"),
        }
    )


def from_records(records: Iterable[NodeRecord]) -> Knowledge:
    """The document the records describe; validated, so a broken graph fails loudly here."""
    by_label: dict[str, list[NodeRecord]] = defaultdict(list)
    for record in records:
        by_label[record.label].append(record)
    for items in by_label.values():
        items.sort(key=lambda r: (r.props.get("position", 0), r.key))

    index: dict[tuple[str, str, str], list[NodeRecord]] = defaultdict(list)
    for label, items in by_label.items():
        for record in items:
            for link in record.links:
                if not link.outgoing:
                    index[(label, link.type, link.target_key)].append(record)

    def children(label: str, edge: Edge, parent: str) -> list[NodeRecord]:
        return index.get((label, edge.type, parent), [])

    def named(record: NodeRecord) -> dict[str, Any]:
        aliases = _clean({"vi": record.props.get("aliases_vi"), "en": record.props.get("aliases_en")})
        return _clean({"key": record.key, "name": _text(record.props, "name"), "aliases": aliases or None})

    def tagged(record: NodeRecord) -> dict[str, Any]:
        return _clean(
            {
                "key": record.key,
                "text": _text(record.props, "text"),
                "topics": _targets(record, ABOUT),
                "concerns": _targets(record, CONCERNS),
                "source": _citation(record.props),
            }
        )

    def relationship(r: NodeRecord) -> dict[str, Any]:
        roles = [
            {
                "department": _target(role, OF),
                "duties": [tagged(d) for d in children(L.DUTY, HAS_DUTY, role.key)],
            }
            for role in children(L.ROLE, HAS_ROLE, r.key)
        ]
        flows = [
            _clean(
                {
                    "key": f.key,
                    "kind": f.props.get("kind"),
                    "provider": _target(f, PROVIDES, outgoing=False),
                    "receiver": _target(f, TO),
                    "text": _text(f.props, "text"),
                    "purpose": _text(f.props, "purpose"),
                    "statement": _text(f.props, "statement"),
                    "topics": _targets(f, ABOUT),
                    "source": _citation(f.props),
                }
            )
            for f in children(L.FLOW, INCLUDES, r.key)
        ]
        examples = [
            _clean({
                "key": s.key,
                "title": _text(s.props, "title"),
                "text": _text(s.props, "text"),
                "steps": [
                    _clean(
                        {
                            "actor": _target(step, ACTOR),
                            "action": _text(step.props, "action"),
                            "recipient": _target(step, RECIPIENT),
                            "purpose": _text(step.props, "purpose"),
                            "topics": _targets(step, ABOUT),
                            "source": _citation(step.props),
                        }
                    )
                    for step in children(L.STEP, HAS_STEP, s.key)
                ],
                "source": _citation(s.props),
            })
            for s in children(L.SCENARIO, HAS_EXAMPLE, r.key)
        ]  # fmt: skip
        owner = _target(r, OWNED_BY)
        verified = _clean({"at": r.props.get("verified_at"), "by": r.props.get("verified_by")})
        return _clean(
            {
                "key": r.key,
                "departments": _targets(r, BETWEEN),
                "title": _text(r.props, "title"),
                "summary": _text(r.props, "summary"),
                "goals": [tagged(g) for g in children(L.GOAL, HAS_GOAL, r.key)],
                "roles": roles,
                "activities": [tagged(a) for a in children(L.ACTIVITY, COOPERATES_ON, r.key)],
                "flows": flows,
                "examples": examples,
                "source": _citation(r.props),
                "owner": _clean({"department": owner, "contact": r.props.get("owner_contact")}) or None,
                "verified": verified or None,
            }
        )

    return Knowledge.model_validate(
        {
            "sources": [
                _clean(
                    {
                        "key": s.key,
                        "title": _text(s.props, "title"),
                        "language": s.props.get("language"),
                        "version": s.props.get("document_version"),
                        "date": s.props.get("date"),
                        "file": s.props.get("file"),
                    }
                )
                for s in by_label[L.SOURCE]
            ],
            "departments": [named(d) for d in by_label[L.DEPARTMENT]],
            "parties": [named(p) for p in by_label[L.PARTY]],
            "topics": [named(t) for t in by_label[L.TOPIC]],
            "relationships": [relationship(r) for r in by_label[L.RELATIONSHIP]],
            "principles": [
                _clean(
                    {
                        "key": p.key,
                        "title": _text(p.props, "title"),
                        "text": _text(p.props, "text"),
                        "source": _citation(p.props),
                    }
                )
                for p in by_label[L.PRINCIPLE]
            ],
            "statements": [
                _clean(
                    {
                        "key": s.key,
                        "section": s.props.get("section"),
                        "text": _text(s.props, "text"),
                        "about": _targets(s, MENTIONS),
                        "source": _citation(s.props),
                    }
                )
                for s in by_label[L.STATEMENT]
            ],
        }
    )
