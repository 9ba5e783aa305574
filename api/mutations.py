"""Mutations: admins and internal tools change the knowledge, one entity per call.

Every mutation needs an editor token, is checked with the same models as the seed files, runs
in one transaction with an audit record per node it touched, and answers with the entity as it
is now (select what you need, as in queries). Updates and deletes take the `expectedVersion`
you read; if someone changed the entity since, the answer is CONFLICT and nothing is written.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.answer import read_back
from api.auth import Role
from api.context import Context
from api.errors import api_error
from api.inputs import (
    DepartmentInput,
    FlowInput,
    PartyInput,
    PrincipleInput,
    RelationshipInput,
    ScenarioInput,
    StatementInput,
    TopicInput,
    validated,
)
from api.types import Department, Flow, Participant, Principle, Relationship, Scenario, Statement, Topic
from graph import writes
from graph.audit import ChangeRecord
from graph.model import Link, NodeRecord
from graph.shape import Label
from graph.store import StoredNode
from graph.writes import Change, Reference
from seed import knowledge as k
from seed import records

KeyArg = Annotated[str, strawberry.argument(description="The key of the thing to change.")]
VersionArg = Annotated[
    int, strawberry.argument(description="The version you read; a different current version is a CONFLICT.")
]
InputArg = strawberry.argument(
    description="What it should be, with the same fields and rules as in the seed files (both languages required)."
)
CascadeArg = Annotated[
    bool,
    strawberry.argument(description="Also delete (or unlink) what still refers to it, in the same transaction."),
]


@strawberry.type(description="What a delete removed, and what only lost a link to it.")
class Deletion:
    key: str = strawberry.field(description="The key of the deleted thing.")
    removed: list[str] = strawberry.field(description="Every node deleted, as `Label:key`.")
    unlinked: list[str] = strawberry.field(description="Nodes kept that lost a link to something deleted.")


@strawberry.enum(description="Things that can be about topics.")
class TopicOwner(Enum):
    FLOW = "Flow"
    GOAL = "Goal"
    DUTY = "Duty"
    ACTIVITY = "Activity"
    STEP = "Step"


async def _editor(info: Info[Context, None], action: str) -> str:
    assert info.context.auth is not None
    token = await info.context.auth.require(Role.EDITOR, action)
    return token.name


async def _commit(info: Info[Context, None], change: Change) -> list[ChangeRecord]:
    try:
        return await writes.apply_change(info.context.database, change)
    except writes.WriteError as exc:
        raise api_error(str(exc), exc.code, field=exc.field, **exc.details) from exc


async def _read_back(info: Info[Context, None], label: str, key: str) -> dict[str, Any]:
    found = await read_back(info, Label(label), key)
    if found is None:
        raise api_error(f"{label} '{key}' vanished right after it was written.", "CONFLICT")
    return dict(found)


def _same_key(key: str, given: str) -> None:
    if key != given:
        raise api_error(
            f"input.key is '{given}' but you are updating '{key}': keys are stable; create a new one instead.",
            "BAD_USER_INPUT",
            field="input.key",
        )


def _topic_refs(topics: list[str], field: str) -> list[Reference]:
    return [Reference(("Topic",), t, f"{field}[{i}]") for i, t in enumerate(topics)]


def _unique_parts(doc: k.Knowledge) -> None:
    seen: dict[tuple[str, str], str] = {}
    for kind, key, loc in k.defined_keys(doc):
        where = "input" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:])
        if (kind, key) in seen:
            raise api_error(f"{where}: the {kind} key '{key}' is used twice.", "BAD_USER_INPUT", field=where)
        seen[(kind, key)] = where


# --- departments, parties, topics: named things --------------------------------------------


def _named_change(op: str, actor: str, label: str, item: Any, version: int | None) -> Change:
    return Change(op, actor, label, item.key, [records.named_record(label, item, 0)], version)


async def _delete(info: Info[Context, None], op: str, label: str, key: str, version: int, cascade: bool) -> Deletion:
    actor = await _editor(info, op)
    audit = await _commit(info, Change(op, actor, label, key, None, version, cascade=cascade))
    return Deletion(
        key=key,
        removed=[f"{c.label}:{c.key}" for c in audit if c.after is None],
        unlinked=[f"{c.label}:{c.key}" for c in audit if c.after is not None],
    )


def _relationship_change(op: str, actor: str, rel: k.Relationship, version: int | None) -> Change:
    built = records.relationship_records(rel.model_copy(update={"flows": [], "examples": []}), 0, {})
    refs = [Reference(("Department",), d, f"input.departments[{i}]") for i, d in enumerate(rel.departments)]
    for loc, _key, message in k.outsiders(rel):
        raise api_error(message, "BAD_USER_INPUT", field="input" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc))  # fmt: skip
    for i, goal in enumerate(rel.goals):
        refs += _topic_refs(goal.topics, f"input.goals[{i}].topics")
        refs += [Reference(("Party",), p, f"input.goals[{i}].concerns[{j}]") for j, p in enumerate(goal.concerns)]
    for i, role in enumerate(rel.roles):
        for j, duty in enumerate(role.duties):
            refs += _topic_refs(duty.topics, f"input.roles[{i}].duties[{j}].topics")
            refs += [
                Reference(("Party",), p, f"input.roles[{i}].duties[{j}].concerns[{n}]")
                for n, p in enumerate(duty.concerns)
            ]
    for i, activity in enumerate(rel.activities):
        refs += _topic_refs(activity.topics, f"input.activities[{i}].topics")
        refs += [
            Reference(("Party",), p, f"input.activities[{i}].concerns[{j}]") for j, p in enumerate(activity.concerns)
        ]
    return Change(op, actor, "Relationship", rel.key, built, version, references=refs)


def _flow_checks(relationship: str, flow: k.Flow) -> list[tuple[str, dict[str, Any], str, str]]:
    return [
        (
            "MATCH (r:Relationship {key: $rel}) RETURN EXISTS { (r)-[:BETWEEN]->(:Department {key: $dept}) }",
            {"rel": relationship, "dept": getattr(flow, side)},
            f"input.{side}: '{getattr(flow, side)}' is not one of the two departments "
            f"of relationship '{relationship}'.",
            f"input.{side}",
        )
        for side in ("provider", "receiver")
    ]


async def _scenario_change(
    info: Info[Context, None],
    op: str,
    actor: str,
    relationship: str,
    scenario: k.Scenario,
    version: int | None,
) -> Change:
    keys = {s.actor for s in scenario.steps} | {s.recipient for s in scenario.steps if s.recipient}
    labels = await writes.participant_labels(info.context.database, sorted(keys))
    refs = [Reference(("Relationship",), relationship, "relationship")]
    for i, step in enumerate(scenario.steps):
        for side in ("actor", "recipient"):
            key = getattr(step, side)
            if key is not None:
                if key not in labels:
                    raise api_error(f"input.steps[{i}].{side}: no department or party has the key '{key}'.",
                                    "BAD_USER_INPUT", field=f"input.steps[{i}].{side}")  # fmt: skip
                refs.append(Reference((labels[key],), key, f"input.steps[{i}].{side}"))
        refs += _topic_refs(step.topics, f"input.steps[{i}].topics")
    built = records.scenario_records(relationship, scenario, 0, labels)
    return Change(op, actor, "Scenario", scenario.key, built, version, references=refs)


async def _parent(info: Info[Context, None], label: str, key: str) -> str:
    found = await writes.owner(info.context.database, label, key)
    if found is None:
        raise api_error(f"No {label.lower()} has the key '{key}'.", "NOT_FOUND", field="key")
    return found[1]


def _relinked(owner_label: str, owner_key: str, topic: str, add: bool) -> Any:
    """A transform that adds or removes one ABOUT link of one node of an entity."""

    def transform(before: list[StoredNode]) -> list[NodeRecord]:
        out = []
        for node in before:
            record = node.record
            if (record.label, record.key) == (owner_label, owner_key):
                about = [
                    link.target_key for link in sorted(record.links, key=lambda lk: lk.position) if link.type == "ABOUT"
                ]
                about = [t for t in about if t != topic] + ([topic] if add else [])
                others = tuple(link for link in record.links if link.type != "ABOUT")
                links = others + tuple(Link("ABOUT", True, "Topic", t, i) for i, t in enumerate(about))
                record = NodeRecord(record.label, record.key, record.props, links)
            out.append(record)
        return out

    return transform


@strawberry.type(description="Changes to the knowledge. Each needs an editor token (`Authorization: Bearer dgt_…`).")
class Mutation:
    # --- departments ---------------------------------------------------------------------
    @strawberry.mutation(description="Add a department.")
    async def create_department(
        self, info: Info[Context, None], input: Annotated[DepartmentInput, InputArg]
    ) -> Department:
        actor = await _editor(info, "createDepartment")
        item = validated(k.Department, input)
        await _commit(info, _named_change("createDepartment", actor, "Department", item, None))
        return await _read_back(info, "Department", item.key)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename a department or change its aliases.")
    async def update_department(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[DepartmentInput, InputArg],
    ) -> Department:
        actor = await _editor(info, "updateDepartment")
        item = validated(k.Department, input)
        _same_key(key, item.key)
        await _commit(info, _named_change("updateDepartment", actor, "Department", item, expected_version))
        return await _read_back(info, "Department", key)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Delete a department. Refused while relationships, flows, roles, examples or statements "
        "refer to it, unless `cascade: true` deletes its relationships (with everything in them), its flows "
        "and the examples it takes part in, and unlinks the statements."
    )
    async def delete_department(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        cascade: CascadeArg = False,
    ) -> Deletion:
        return await _delete(info, "deleteDepartment", "Department", key, expected_version, cascade)

    # --- parties ---------------------------------------------------------------------------
    @strawberry.mutation(description="Add an outside party (like customers).")
    async def create_party(self, info: Info[Context, None], input: Annotated[PartyInput, InputArg]) -> Participant:
        actor = await _editor(info, "createParty")
        item = validated(k.Party, input)
        await _commit(info, _named_change("createParty", actor, "Party", item, None))
        return await _read_back(info, "Party", item.key)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename an outside party or change its aliases.")
    async def update_party(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[PartyInput, InputArg],
    ) -> Participant:
        actor = await _editor(info, "updateParty")
        item = validated(k.Party, input)
        _same_key(key, item.key)
        await _commit(info, _named_change("updateParty", actor, "Party", item, expected_version))
        return await _read_back(info, "Party", key)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete an outside party (cascade: with the examples it acts in).")
    async def delete_party(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        cascade: CascadeArg = False,
    ) -> Deletion:
        return await _delete(info, "deleteParty", "Party", key, expected_version, cascade)

    # --- topics ----------------------------------------------------------------------------
    @strawberry.mutation(description="Add a topic.")
    async def create_topic(self, info: Info[Context, None], input: Annotated[TopicInput, InputArg]) -> Topic:
        actor = await _editor(info, "createTopic")
        item = validated(k.Topic, input)
        await _commit(info, _named_change("createTopic", actor, "Topic", item, None))
        return await _read_back(info, "Topic", item.key)  # type: ignore[return-value]

    @strawberry.mutation(description="Rename a topic or change its aliases.")
    async def update_topic(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[TopicInput, InputArg],
    ) -> Topic:
        actor = await _editor(info, "updateTopic")
        item = validated(k.Topic, input)
        _same_key(key, item.key)
        await _commit(info, _named_change("updateTopic", actor, "Topic", item, expected_version))
        return await _read_back(info, "Topic", key)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a topic (cascade: unlink it from everything about it first).")
    async def delete_topic(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        cascade: CascadeArg = False,
    ) -> Deletion:
        return await _delete(info, "deleteTopic", "Topic", key, expected_version, cascade)

    @strawberry.mutation(description="Say that a flow, goal, duty, activity or step is about a topic.")
    async def link_topic(
        self,
        info: Info[Context, None],
        topic: Annotated[str, strawberry.argument(description="The topic's key.")],
        kind: Annotated[TopicOwner, strawberry.argument(description="What kind of thing `key` is.")],
        key: Annotated[str, strawberry.argument(description="The key of the thing (a step: `<scenario>-step-<n>`).")],
    ) -> Topic:
        return await _link(info, "linkTopic", topic, kind, key, add=True)

    @strawberry.mutation(description="Say that a flow, goal, duty, activity or step is no longer about a topic.")
    async def unlink_topic(
        self,
        info: Info[Context, None],
        topic: Annotated[str, strawberry.argument(description="The topic's key.")],
        kind: Annotated[TopicOwner, strawberry.argument(description="What kind of thing `key` is.")],
        key: Annotated[str, strawberry.argument(description="The key of the thing.")],
    ) -> Topic:
        return await _link(info, "unlinkTopic", topic, kind, key, add=False)

    # --- relationships ---------------------------------------------------------------------
    @strawberry.mutation(
        description="Add a relationship between two departments, with its goals, roles and activities."
    )
    async def create_relationship(
        self, info: Info[Context, None], input: Annotated[RelationshipInput, InputArg]
    ) -> Relationship:
        actor = await _editor(info, "createRelationship")
        rel = validated(k.Relationship, input)
        _unique_parts(k.Knowledge(relationships=[rel]))
        await _commit(info, _relationship_change("createRelationship", actor, rel, None))
        return await _read_back(info, "Relationship", rel.key)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Change a relationship's title, summary, goals, roles or activities (its two departments stay)."
    )
    async def update_relationship(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[RelationshipInput, InputArg],
    ) -> Relationship:
        actor = await _editor(info, "updateRelationship")
        rel = validated(k.Relationship, input)
        _same_key(key, rel.key)
        _unique_parts(k.Knowledge(relationships=[rel]))
        current = await writes.relationship_departments(info.context.database, key)
        if current is not None and sorted(current) != sorted(rel.departments):
            raise api_error(
                f"input.departments: relationship '{key}' is between {' and '.join(current)}; that cannot change. "
                "Create a new relationship instead.", "BAD_USER_INPUT", field="input.departments",
            )  # fmt: skip
        change = _relationship_change("updateRelationship", actor, rel, expected_version)
        await _commit(info, change)
        return await _read_back(info, "Relationship", key)  # type: ignore[return-value]

    @strawberry.mutation(
        description="Delete a relationship with its goals, roles and activities. Refused while it has flows or "
        "examples, unless `cascade: true` deletes them too."
    )
    async def delete_relationship(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        cascade: CascadeArg = False,
    ) -> Deletion:
        return await _delete(info, "deleteRelationship", "Relationship", key, expected_version, cascade)

    # --- flows -----------------------------------------------------------------------------
    @strawberry.mutation(description="Add a flow to a relationship (provider and receiver are its two departments).")
    async def create_flow(
        self,
        info: Info[Context, None],
        relationship: Annotated[str, strawberry.argument(description="The key of the relationship.")],
        input: Annotated[FlowInput, InputArg],
    ) -> Flow:
        actor = await _editor(info, "createFlow")
        flow = validated(k.Flow, input)
        change = Change(
            "createFlow", actor, "Flow", flow.key, [records.flow_record(relationship, flow, 0)], None,
            references=[
                Reference(("Relationship",), relationship, "relationship"),
                *_topic_refs(flow.topics, "input.topics"),
            ],
            checks=_flow_checks(relationship, flow),
        )  # fmt: skip
        await _commit(info, change)
        return await _read_back(info, "Flow", flow.key)  # type: ignore[return-value]

    @strawberry.mutation(description="Change a flow: its texts, purpose, direction or topics.")
    async def update_flow(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[FlowInput, InputArg],
    ) -> Flow:
        actor = await _editor(info, "updateFlow")
        flow = validated(k.Flow, input)
        _same_key(key, flow.key)
        relationship = await _parent(info, "Flow", key)
        change = Change(
            "updateFlow", actor, "Flow", key, [records.flow_record(relationship, flow, 0)], expected_version,
            references=_topic_refs(flow.topics, "input.topics"), checks=_flow_checks(relationship, flow),
        )  # fmt: skip
        await _commit(info, change)
        return await _read_back(info, "Flow", key)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a flow.")
    async def delete_flow(self, info: Info[Context, None], key: KeyArg, expected_version: VersionArg) -> Deletion:
        return await _delete(info, "deleteFlow", "Flow", key, expected_version, False)

    # --- scenarios -------------------------------------------------------------------------
    @strawberry.mutation(description="Add an example (a scenario told as steps) to a relationship.")
    async def create_scenario(
        self,
        info: Info[Context, None],
        relationship: Annotated[str, strawberry.argument(description="The key of the relationship.")],
        input: Annotated[ScenarioInput, InputArg],
    ) -> Scenario:
        actor = await _editor(info, "createScenario")
        scenario = validated(k.Scenario, input)
        await _commit(info, await _scenario_change(info, "createScenario", actor, relationship, scenario, None))
        return await _read_back(info, "Scenario", scenario.key)  # type: ignore[return-value]

    @strawberry.mutation(description="Change an example: its title, text or steps.")
    async def update_scenario(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[ScenarioInput, InputArg],
    ) -> Scenario:
        actor = await _editor(info, "updateScenario")
        scenario = validated(k.Scenario, input)
        _same_key(key, scenario.key)
        relationship = await _parent(info, "Scenario", key)
        await _commit(
            info,
            await _scenario_change(info, "updateScenario", actor, relationship, scenario, expected_version),
        )
        return await _read_back(info, "Scenario", key)  # type: ignore[return-value]

    @strawberry.mutation(description="Retire an example (with its steps).")
    async def delete_scenario(self, info: Info[Context, None], key: KeyArg, expected_version: VersionArg) -> Deletion:
        return await _delete(info, "deleteScenario", "Scenario", key, expected_version, False)

    # --- principles and statements ---------------------------------------------------------
    @strawberry.mutation(description="Add a principle of cooperation.")
    async def create_principle(
        self, info: Info[Context, None], input: Annotated[PrincipleInput, InputArg]
    ) -> Principle:
        actor = await _editor(info, "createPrinciple")
        item = validated(k.Principle, input)
        await _commit(
            info, Change("createPrinciple", actor, "Principle", item.key, [records.principle_record(item, 0)])
        )
        return await _read_back(info, "Principle", item.key)  # type: ignore[return-value]

    @strawberry.mutation(description="Reword a principle.")
    async def update_principle(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[PrincipleInput, InputArg],
    ) -> Principle:
        actor = await _editor(info, "updatePrinciple")
        item = validated(k.Principle, input)
        _same_key(key, item.key)
        await _commit(
            info,
            Change(
                "updatePrinciple",
                actor,
                "Principle",
                key,
                [records.principle_record(item, 0)],
                expected_version,
            ),
        )
        return await _read_back(info, "Principle", key)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a principle.")
    async def delete_principle(self, info: Info[Context, None], key: KeyArg, expected_version: VersionArg) -> Deletion:
        return await _delete(info, "deletePrinciple", "Principle", key, expected_version, False)

    @strawberry.mutation(description="Add a sentence to the introduction or conclusion.")
    async def create_statement(
        self, info: Info[Context, None], input: Annotated[StatementInput, InputArg]
    ) -> Statement:
        actor = await _editor(info, "createStatement")
        item = validated(k.Statement, input)
        await _commit(info, await _statement_change(info, "createStatement", actor, item, None))
        return await _read_back(info, "Statement", item.key)  # type: ignore[return-value]

    @strawberry.mutation(description="Reword a sentence of the introduction or conclusion.")
    async def update_statement(
        self,
        info: Info[Context, None],
        key: KeyArg,
        expected_version: VersionArg,
        input: Annotated[StatementInput, InputArg],
    ) -> Statement:
        actor = await _editor(info, "updateStatement")
        item = validated(k.Statement, input)
        _same_key(key, item.key)
        await _commit(info, await _statement_change(info, "updateStatement", actor, item, expected_version))
        return await _read_back(info, "Statement", key)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a sentence of the introduction or conclusion.")
    async def delete_statement(self, info: Info[Context, None], key: KeyArg, expected_version: VersionArg) -> Deletion:
        return await _delete(info, "deleteStatement", "Statement", key, expected_version, False)


async def _statement_change(
    info: Info[Context, None], op: str, actor: str, item: k.Statement, version: int | None
) -> Change:
    labels = await writes.participant_labels(info.context.database, item.about)
    for i, key in enumerate(item.about):
        if key not in labels:
            raise api_error(f"input.about[{i}]: no department or party has the key '{key}'.", "BAD_USER_INPUT",
                            field=f"input.about[{i}]")  # fmt: skip
    refs = [Reference((labels[key],), key, f"input.about[{i}]") for i, key in enumerate(item.about)]
    return Change(
        op,
        actor,
        "Statement",
        item.key,
        [records.statement_record(item, 0, labels)],
        version,
        references=refs,
    )


async def _link(info: Info[Context, None], op: str, topic: str, kind: TopicOwner, key: str, add: bool) -> Topic:
    actor = await _editor(info, op)
    if kind is TopicOwner.FLOW:
        root_label, root_key = "Flow", key
        if await writes.owner(info.context.database, "Flow", key) is None:
            raise api_error(f"No flow has the key '{key}'.", "NOT_FOUND", field="key")
    else:
        found = await writes.owner(info.context.database, kind.value, key)
        if found is None:
            raise api_error(f"No {kind.value.lower()} has the key '{key}'.", "NOT_FOUND", field="key")
        root_label, root_key = found
    change = Change(
        op, actor, root_label, root_key, None, None,
        references=[Reference(("Topic",), topic, "topic")] if add else [],
        transform=_relinked(kind.value, key, topic, add),
    )  # fmt: skip
    await _commit(info, change)
    found = await read_back(info, Label.TOPIC, topic)
    if found is None:
        raise api_error(f"No topic has the key '{topic}'.", "NOT_FOUND", field="topic")
    return found  # type: ignore[no-any-return]
