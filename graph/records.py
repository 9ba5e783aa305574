"""Knowledge ↔ node records: how the seed format maps onto the graph model.

Each entity becomes one node record (properties `<field>_vi` / `<field>_en` for texts, a
`position` for its place in its list) plus the relationships it owns. `to_records` makes
them; `graph.records_back.from_records`, its inverse, reads them back (export → seed → export is
identical).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.knowledge import (
    Activity,
    Citation,
    Department,
    Duty,
    Flow,
    Goal,
    Knowledge,
    Party,
    Principle,
    Relationship,
    Role,
    Scenario,
    Source,
    Statement,
    Text,
    Topic,
)
from domain.names import lookup_forms
from domain.references import role_key, step_key
from graph.model import Link, NodeRecord
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
from graph.terms import forms


def texts(name: str, text: Text | None) -> dict[str, str]:
    return {} if text is None else {f"{name}_vi": text.vi, f"{name}_en": text.en}


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """Properties without the absent ones: Neo4j stores no nulls, and a stored record is compared
    with a wanted one."""
    return {name: value for name, value in props.items() if value is not None}


def cited(citation: Citation | None) -> dict[str, Any]:
    """A citation as node properties (`graph.shape.CITATION_PROPERTIES`); none without one."""
    if citation is None:
        return {}
    return _present(
        {
            "source_document": citation.document,
            "source_section": citation.section,
            "source_quote": citation.quote,
            "source_start": citation.start,
            "source_end": citation.end,
        }
    )


def source_record(source: Source, position: int) -> NodeRecord:
    return NodeRecord(
        L.SOURCE,
        source.key,
        _present(
            {
                "position": position,
                **texts("title", source.title),
                "language": source.language,
                "document_version": source.version,  # (`version` is the node's own)
                "date": source.date,
                "file": source.file,
            }
        ),
    )


def _links(edge: Edge, label: str, keys: Iterable[str]) -> list[Link]:
    return [Link(edge.type, True, label, key, position) for position, key in enumerate(keys)]


def _parent(edge: Edge, label: str, key: str) -> Link:
    return Link(edge.type, False, label, key)


def named_record(label: str, item: Department | Party | Topic, position: int) -> NodeRecord:
    names = [item.name.vi, item.name.en, *item.aliases.vi, *item.aliases.en]
    return NodeRecord(
        label,
        item.key,
        {
            "position": position,
            **texts("name", item.name),
            "aliases_vi": list(item.aliases.vi),
            "aliases_en": list(item.aliases.en),
            "lookup": lookup_forms(item.key, item.key.replace("-", " "), *names),
            "terms": forms(item.key, *names),
        },
    )


def _tagged(item: Goal | Duty | Activity) -> list[Link]:
    return _links(ABOUT, L.TOPIC, item.topics) + _links(CONCERNS, L.PARTY, item.concerns)


def relationship_records(rel: Relationship, position: int, participants: Mapping[str, str]) -> list[NodeRecord]:
    """The relationship node and everything nested in it. `participants`: key → label."""
    owner = rel.owner
    records = [
        NodeRecord(
            L.RELATIONSHIP,
            rel.key,
            _present(
                {
                    "position": position,
                    **texts("title", rel.title),
                    **texts("summary", rel.summary),
                    **cited(rel.source),
                    "owner_contact": owner.contact if owner else None,
                    "verified_at": rel.verified.at if rel.verified else None,
                    "verified_by": rel.verified.by if rel.verified else None,
                }
            ),
            tuple(
                _links(BETWEEN, L.DEPARTMENT, rel.departments)
                + _links(OWNED_BY, L.DEPARTMENT, [owner.department] if owner else [])
            ),
        )
    ]
    for i, goal in enumerate(rel.goals):
        records.append(
            NodeRecord(
                L.GOAL,
                goal.key,
                {"position": i, **texts("text", goal.text), **cited(goal.source)},
                (_parent(HAS_GOAL, L.RELATIONSHIP, rel.key), *_tagged(goal)),
            )
        )
    for i, role in enumerate(rel.roles):
        records.extend(role_records(rel.key, role, i))
    for i, activity in enumerate(rel.activities):
        records.append(
            NodeRecord(
                L.ACTIVITY,
                activity.key,
                {"position": i, **texts("text", activity.text), **cited(activity.source)},
                (_parent(COOPERATES_ON, L.RELATIONSHIP, rel.key), *_tagged(activity)),
            )
        )
    for i, flow in enumerate(rel.flows):
        records.append(flow_record(rel.key, flow, i))
    for i, scenario in enumerate(rel.examples):
        records.extend(scenario_records(rel.key, scenario, i, participants))
    return records


def role_records(relationship: str, role: Role, position: int) -> list[NodeRecord]:
    key = role_key(relationship, role.department)
    records = [
        NodeRecord(
            L.ROLE,
            key,
            {"position": position},
            (
                _parent(HAS_ROLE, L.RELATIONSHIP, relationship),
                Link(OF.type, True, L.DEPARTMENT, role.department),
            ),
        )
    ]
    for i, duty in enumerate(role.duties):
        records.append(
            NodeRecord(
                L.DUTY,
                duty.key,
                {"position": i, **texts("text", duty.text), **cited(duty.source)},
                (_parent(HAS_DUTY, L.ROLE, key), *_tagged(duty)),
            )
        )
    return records


def flow_record(relationship: str, flow: Flow, position: int) -> NodeRecord:
    return NodeRecord(
        L.FLOW,
        flow.key,
        {
            "position": position,
            "kind": flow.kind.value,
            **texts("text", flow.text),
            **texts("purpose", flow.purpose),
            **texts("statement", flow.statement),
            **cited(flow.source),
        },
        (
            _parent(INCLUDES, L.RELATIONSHIP, relationship),
            _parent(PROVIDES, L.DEPARTMENT, flow.provider),
            Link(TO.type, True, L.DEPARTMENT, flow.receiver),
            *_links(ABOUT, L.TOPIC, flow.topics),
        ),
    )


def scenario_records(
    relationship: str, scenario: Scenario, position: int, participants: Mapping[str, str]
) -> list[NodeRecord]:
    records = [
        NodeRecord(
            L.SCENARIO,
            scenario.key,
            {
                "position": position,
                **texts("title", scenario.title),
                **texts("text", scenario.text),
                **cited(scenario.source),
            },
            (_parent(HAS_EXAMPLE, L.RELATIONSHIP, relationship),),
        )
    ]
    for i, step in enumerate(scenario.steps):
        links = [
            _parent(HAS_STEP, L.SCENARIO, scenario.key),
            Link(ACTOR.type, True, participants[step.actor], step.actor),
            *_links(ABOUT, L.TOPIC, step.topics),
        ]
        if step.recipient is not None:
            links.append(Link(RECIPIENT.type, True, participants[step.recipient], step.recipient))
        records.append(
            NodeRecord(
                L.STEP,
                step_key(scenario.key, i + 1),
                {"position": i, **texts("action", step.action), **texts("purpose", step.purpose), **cited(step.source)},
                tuple(links),
            )
        )
    return records


def principle_record(principle: Principle, position: int) -> NodeRecord:
    return NodeRecord(
        L.PRINCIPLE,
        principle.key,
        {
            "position": position,
            **texts("title", principle.title),
            **texts("text", principle.text),
            **cited(principle.source),
        },
    )


def statement_record(statement: Statement, position: int, participants: Mapping[str, str]) -> NodeRecord:
    return NodeRecord(
        L.STATEMENT,
        statement.key,
        {
            "position": position,
            "section": statement.section.value,
            **texts("text", statement.text),
            **cited(statement.source),
        },
        tuple(Link(MENTIONS.type, True, participants[key], key, i) for i, key in enumerate(statement.about)),
    )


def to_records(knowledge: Knowledge) -> list[NodeRecord]:
    """Every node record of a (validated) document."""
    participants = {d.key: L.DEPARTMENT for d in knowledge.departments} | {p.key: L.PARTY for p in knowledge.parties}
    records: list[NodeRecord] = [source_record(s, i) for i, s in enumerate(knowledge.sources)]
    records += [named_record(L.DEPARTMENT, d, i) for i, d in enumerate(knowledge.departments)]
    records += [named_record(L.PARTY, p, i) for i, p in enumerate(knowledge.parties)]
    records += [named_record(L.TOPIC, t, i) for i, t in enumerate(knowledge.topics)]
    for i, rel in enumerate(knowledge.relationships):
        records += relationship_records(rel, i, participants)
    records += [principle_record(p, i) for i, p in enumerate(knowledge.principles)]
    records += [statement_record(s, i, participants) for i, s in enumerate(knowledge.statements)]
    return records
