"""Mutations: admins and internal tools change the knowledge, one entity per call.

Every mutation needs an editor token, is checked with the same models as the seed files, runs
in one transaction with an audit record per node it touched, and answers with the entity as it
is now (select what you need, as in queries). Updates and deletes take the `expectedVersion`
you read; if someone changed the entity since, the answer is CONFLICT and nothing is written.

The create / update / delete mutations of every kind are one path (`_create`, `_update`,
`_delete`); `EDITABLE` says, once per kind, its names, input and output types and the
documentation each mutation carries in the schema, and `_mutation` turns that into fields.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.answer import read_back
from api.auth import Role
from api.clock import now
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
from graph import entities, review, writes
from graph.audit import ChangeRecord
from graph.errors import ErrorCode
from graph.kinds import KINDS, Change
from graph.model import Link, NodeRecord
from graph.shape import ABOUT, Label
from graph.store import StoredNode

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
RelationshipArg = Annotated[str, strawberry.argument(description="The key of the relationship.")]
DryRunArg = Annotated[
    bool,
    strawberry.argument(
        description="Only say what the delete would remove and unlink: it runs in full, then its transaction is "
        "rolled back, so nothing is written (a preview to confirm)."
    ),
]


@strawberry.type(description="What a delete removed, and what only lost a link to it.")
class Deletion:
    key: str = strawberry.field(description="The key of the deleted thing.")
    removed: list[str] = strawberry.field(description="Every node deleted, as `Label:key`.")
    unlinked: list[str] = strawberry.field(description="Nodes kept that lost a link to something deleted.")
    dry_run: bool = strawberry.field(
        default=False, description="True: a preview (`dryRun: true`); nothing was deleted, this is what would be."
    )


@strawberry.enum(description="Things that can be about topics.")
class TopicOwner(Enum):
    FLOW = "Flow"
    GOAL = "Goal"
    DUTY = "Duty"
    ACTIVITY = "Activity"
    STEP = "Step"


@strawberry.enum(description="The kinds of things edited as one, each with its create, update and delete mutations.")
class EditableKind(Enum):
    DEPARTMENT = "Department"
    PARTY = "Party"
    TOPIC = "Topic"
    RELATIONSHIP = "Relationship"
    FLOW = "Flow"
    SCENARIO = "Scenario"
    PRINCIPLE = "Principle"
    STATEMENT = "Statement"


@dataclass(frozen=True)
class Editable:
    """One kind as the API offers it: its mutations' names, types and documentation."""

    label: Label
    input: type
    output: type
    create: str
    update: str
    delete: str
    cascade: bool = False  # its delete takes `cascade`

    @property
    def name(self) -> str:
        return str(self.label)


EDITABLE = (
    Editable(
        Label.DEPARTMENT, DepartmentInput, Department, "Add a department.",
        "Rename a department or change its aliases.",
        "Delete a department. Refused while relationships, flows, roles, examples or statements refer to it, "
        "unless `cascade: true` deletes its relationships (with everything in them), its flows and the examples "
        "it takes part in, and unlinks the statements.",
        cascade=True,
    ),
    Editable(
        Label.PARTY, PartyInput, Participant, "Add an outside party (like customers).",
        "Rename an outside party or change its aliases.",
        "Delete an outside party (cascade: with the examples it acts in).", cascade=True,
    ),
    Editable(
        Label.TOPIC, TopicInput, Topic, "Add a topic.", "Rename a topic or change its aliases.",
        "Delete a topic (cascade: unlink it from everything about it first).", cascade=True,
    ),
    Editable(
        Label.RELATIONSHIP, RelationshipInput, Relationship,
        "Add a relationship between two departments, with its goals, roles and activities.",
        "Change a relationship's title, summary, goals, roles, activities or owner (its two departments stay; "
        "left out, the owner stays too). Every item keeps its citation, and the relationship its last verification.",
        "Delete a relationship with its goals, roles and activities. Refused while it has flows or examples, "
        "unless `cascade: true` deletes them too.",
        cascade=True,
    ),
    Editable(
        Label.FLOW, FlowInput, Flow,
        "Add a flow to a relationship (provider and receiver are its two departments).",
        "Change a flow: its texts, purpose, direction or topics.", "Delete a flow.",
    ),
    Editable(
        Label.SCENARIO, ScenarioInput, Scenario, "Add an example (a scenario told as steps) to a relationship.",
        "Change an example: its title, text or steps.", "Retire an example (with its steps).",
    ),
    Editable(Label.PRINCIPLE, PrincipleInput, Principle, "Add a principle of cooperation.", "Reword a principle.",
             "Delete a principle."),
    Editable(
        Label.STATEMENT, StatementInput, Statement, "Add a sentence to the introduction or conclusion.",
        "Reword a sentence of the introduction or conclusion.", "Delete a sentence of the introduction or conclusion.",
    ),
)  # fmt: skip


# --- the one path -----------------------------------------------------------------------------


async def _editor(info: Info[Context, None], action: str) -> str:
    assert info.context.auth is not None
    token = await info.context.auth.require(Role.EDITOR, action)
    return token.name


async def _commit(info: Info[Context, None], change: Change) -> list[ChangeRecord]:
    records = await writes.apply_change(info.context.database, change)
    # The graph changed: the cost estimate's list sizes, and the names, may have too.
    if records and not change.dry_run:
        info.context.reading.stats.changed()
        info.context.reading.vocabulary.changed()
    return records


async def _read_back(info: Info[Context, None], label: Label, key: str) -> Any:
    found = await read_back(info, label, key)
    if found is None:
        raise api_error(f"{label} '{key}' vanished right after it was written.", ErrorCode.CONFLICT)
    return found


async def _create(info: Info[Context, None], kind: Editable, input: Any, relationship: str | None = None) -> Any:
    operation = f"create{kind.name}"
    actor = await _editor(info, operation)
    item = validated(KINDS[kind.label].model, input)
    key = str(getattr(item, "key", ""))
    await _commit(info, Change(operation, actor, kind.label, key, item=item, container=relationship))
    return await _read_back(info, kind.label, key)


async def _update(info: Info[Context, None], kind: Editable, key: str, expected_version: int, input: Any) -> Any:
    operation = f"update{kind.name}"
    actor = await _editor(info, operation)
    item = validated(KINDS[kind.label].model, input)
    given = getattr(item, "key", None)
    if given != key:
        raise api_error(
            f"input.key is '{given}' but you are updating '{key}': keys are stable; create a new one instead.",
            ErrorCode.BAD_USER_INPUT,
            field="input.key",
        )
    await _commit(info, Change(operation, actor, kind.label, key, item=item, expected_version=expected_version))
    return await _read_back(info, kind.label, key)


async def _delete(
    info: Info[Context, None],
    kind: Editable,
    key: str,
    expected_version: int,
    cascade: bool = False,
    dry_run: bool = False,
) -> Deletion:
    operation = f"delete{kind.name}"
    actor = await _editor(info, operation)
    audit = await _commit(info, Change(operation, actor, kind.label, key, expected_version=expected_version,
                                       cascade=cascade, dry_run=dry_run))  # fmt: skip
    return Deletion(
        key=key,
        removed=[f"{c.label}:{c.key}" for c in audit if c.after is None],
        unlinked=[f"{c.label}:{c.key}" for c in audit if c.after is not None],
        dry_run=dry_run,
    )


# --- the fields -------------------------------------------------------------------------------


def _mutation(
    name: str,
    description: str,
    run: Callable[..., Awaitable[Any]],
    arguments: list[tuple[str, Any, Any]],
    returns: Any,
) -> Any:
    """A mutation field `name(arguments) -> returns` whose resolver calls `run(info, **arguments)`.
    Each argument is (Python name, annotation, default or `inspect.Parameter.empty`)."""

    async def resolver(self: Any, info: Info[Context, None], **given: Any) -> Any:
        return await run(info, **given)

    parameters = [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("info", inspect.Parameter.KEYWORD_ONLY, annotation=Info[Context, None]),
        *(inspect.Parameter(arg, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
          for arg, annotation, default in arguments),
    ]  # fmt: skip
    resolver.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
    resolver.__annotations__ = {p.name: p.annotation for p in parameters[1:]} | {"return": returns}
    resolver.__name__ = name
    return strawberry.mutation(resolver=resolver, description=description)


def _fields(kind: Editable) -> dict[str, Any]:
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in kind.name).lstrip("_")
    new_input = Annotated[kind.input, InputArg]  # type: ignore[name-defined]
    required: Any = inspect.Parameter.empty
    inside = KINDS[kind.label].inside is not None

    async def create(info: Info[Context, None], input: Any, relationship: str | None = None) -> Any:
        return await _create(info, kind, input, relationship)

    async def update(info: Info[Context, None], key: str, expected_version: int, input: Any) -> Any:
        return await _update(info, kind, key, expected_version, input)

    async def delete(
        info: Info[Context, None], key: str, expected_version: int, cascade: bool = False, dry_run: bool = False
    ) -> Any:
        return await _delete(info, kind, key, expected_version, cascade, dry_run)

    create_arguments: list[tuple[str, Any, Any]] = [("relationship", RelationshipArg, required)] if inside else []
    delete_arguments: list[tuple[str, Any, Any]] = [
        ("key", KeyArg, required),
        ("expected_version", VersionArg, required),
    ]
    if kind.cascade:
        delete_arguments.append(("cascade", CascadeArg, False))
    delete_arguments.append(("dry_run", DryRunArg, False))
    return {
        f"create_{snake}": _mutation(
            f"create_{snake}", kind.create, create, [*create_arguments, ("input", new_input, required)], kind.output
        ),
        f"update_{snake}": _mutation(
            f"update_{snake}",
            kind.update,
            update,
            [("key", KeyArg, required), ("expected_version", VersionArg, required), ("input", new_input, required)],
            kind.output,
        ),
        f"delete_{snake}": _mutation(f"delete_{snake}", kind.delete, delete, delete_arguments, Deletion),
    }


# --- topics, linked and unlinked --------------------------------------------------------------


def _relinked(
    owner_label: str, owner_key: str, topic: str, add: bool
) -> Callable[[list[StoredNode]], list[NodeRecord]]:
    """A transform that adds or removes one ABOUT link of one node of an entity."""

    def transform(before: list[StoredNode]) -> list[NodeRecord]:
        out = []
        for node in before:
            record = node.record
            if (record.label, record.key) == (owner_label, owner_key):
                about = [link.target_key for link in sorted(record.links, key=lambda lk: lk.position)
                         if link.type == ABOUT.type]  # fmt: skip
                about = [t for t in about if t != topic] + ([topic] if add else [])
                others = tuple(link for link in record.links if link.type != ABOUT.type)
                links = others + tuple(Link(ABOUT.type, True, Label.TOPIC, t, i) for i, t in enumerate(about))
                record = NodeRecord(record.label, record.key, record.props, links)
            out.append(record)
        return out

    return transform


async def _link(info: Info[Context, None], operation: str, topic: str, kind: TopicOwner, key: str, add: bool) -> Any:
    actor = await _editor(info, operation)
    label = Label(kind.value)
    found = (label, key) if label is Label.FLOW else await entities.owner(info.context.database, label, key)
    if found is None:
        raise api_error(f"No {kind.value.lower()} has the key '{key}'.", ErrorCode.NOT_FOUND, field="key")
    root_label, root_key = found
    change = Change(operation, actor, Label(root_label), root_key, transform=_relinked(label, key, topic, add))
    await _commit(info, change)
    found_topic = await read_back(info, Label.TOPIC, topic)
    if found_topic is None:
        raise api_error(f"No topic has the key '{topic}'.", ErrorCode.NOT_FOUND, field="topic")
    return found_topic


async def _link_topic(info: Info[Context, None], topic: str, kind: TopicOwner, key: str) -> Any:
    return await _link(info, "linkTopic", topic, kind, key, add=True)


async def _unlink_topic(info: Info[Context, None], topic: str, kind: TopicOwner, key: str) -> Any:
    return await _link(info, "unlinkTopic", topic, kind, key, add=False)


_TOPIC_ARG = ("topic", Annotated[str, strawberry.argument(description="The topic's key.")], inspect.Parameter.empty)
_OWNER_ARG = (
    "kind", Annotated[TopicOwner, strawberry.argument(description="What kind of thing `key` is.")],
    inspect.Parameter.empty,
)  # fmt: skip


# --- verifying a relationship -----------------------------------------------------------------


async def _verify_relationship(info: Info[Context, None], key: str, expected_version: int) -> Any:
    operation = "verifyRelationship"
    actor = await _editor(info, operation)
    change = Change(operation, actor, Label.RELATIONSHIP, key, expected_version=expected_version,
                    transform=review.verification(key, now(info), actor))  # fmt: skip
    await _commit(info, change)
    return await _read_back(info, Label.RELATIONSHIP, key)


_VERIFY_ARGS: list[tuple[str, Any, Any]] = [
    ("key", Annotated[str, strawberry.argument(description="The key of the relationship.")], inspect.Parameter.empty),
    ("expected_version", Annotated[int, strawberry.argument(
        description="The version you looked at: what you confirm. A different current version (someone changed it "
        "since) is a CONFLICT, and nothing is recorded.")], inspect.Parameter.empty),
]  # fmt: skip


def _all_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for kind in EDITABLE:
        fields |= _fields(kind)
        if kind.label is Label.RELATIONSHIP:
            fields["verify_relationship"] = _mutation(
                "verify_relationship",
                "Confirm that a relationship still says how the two departments work together (editors): records "
                "who and when as its `verifiedAt` / `verifiedBy`, in the audit trail like every change. It is due "
                "again DEPTGRAPH_REVIEW_INTERVAL_DAYS later (see `stale`).",
                _verify_relationship, _VERIFY_ARGS, Relationship,
            )  # fmt: skip
        if kind.label is Label.TOPIC:
            fields["link_topic"] = _mutation(
                "link_topic", "Say that a flow, goal, duty, activity or step is about a topic.", _link_topic,
                [_TOPIC_ARG, _OWNER_ARG, ("key", Annotated[str, strawberry.argument(
                    description="The key of the thing (a step: `<scenario>-step-<n>`).")], inspect.Parameter.empty)],
                Topic,
            )  # fmt: skip
            key_arg = Annotated[str, strawberry.argument(description="The key of the thing.")]
            fields["unlink_topic"] = _mutation(
                "unlink_topic", "Say that a flow, goal, duty, activity or step is no longer about a topic.",
                _unlink_topic, [_TOPIC_ARG, _OWNER_ARG, ("key", key_arg, inspect.Parameter.empty)], Topic,
            )  # fmt: skip
    return fields


Mutation = strawberry.type(
    type("Mutation", (), {"__annotations__": {}, **_all_fields()}),
    description="Changes to the knowledge. Each needs an editor token (`Authorization: Bearer dgt_…`).",
)
