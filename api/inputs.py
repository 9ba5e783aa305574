"""GraphQL input types, generated from the seed models so both doors share one set of rules.

`validated(Model, input)` checks an input with the very pydantic model that checks seed files
(both languages, NFC, well-formed keys, no empty texts) and turns a failure into a
BAD_USER_INPUT error naming the field, e.g. `input.text.en`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError
from strawberry.experimental.pydantic import input as input_from

import api.types  # noqa: F401  (registers the enums the inputs use)
from api.errors import api_error
from domain import knowledge as k
from graph.errors import ErrorCode
from seed.problems import friendly_message

M = TypeVar("M", bound=BaseModel)


@input_from(model=k.Text, all_fields=True, description="A text in Vietnamese and English.")
class TextInput:
    pass


@input_from(model=k.Aliases, all_fields=True, description="Other names, per language.")
class AliasesInput:
    pass


@input_from(model=k.Department, all_fields=True, description="A department.")
class DepartmentInput:
    name: TextInput  # (a one-line `Line` in the model: the same input type)


@input_from(model=k.Party, all_fields=True, description="An outside party, such as customers.")
class PartyInput:
    name: TextInput  # (a one-line `Line` in the model: the same input type)


@input_from(model=k.Topic, all_fields=True, description="A topic things can be about.")
class TopicInput:
    name: TextInput  # (a one-line `Line` in the model: the same input type)


# An item's citation (`source`) is not an input: what the API adds comes from no document, and an
# update keeps the citation the item had (graph.writes).


@input_from(model=k.Goal, description="A goal two departments share.")
class GoalInput:
    key: strawberry.auto
    text: strawberry.auto
    topics: strawberry.auto
    concerns: strawberry.auto


@input_from(model=k.Duty, description="One duty of a role.")
class DutyInput:
    key: strawberry.auto
    text: strawberry.auto
    topics: strawberry.auto
    concerns: strawberry.auto


@input_from(model=k.Role, all_fields=True, description="A department's role in a relationship.")
class RoleInput:
    pass


@input_from(model=k.Activity, description="Something two departments do together.")
class ActivityInput:
    key: strawberry.auto
    text: strawberry.auto
    topics: strawberry.auto
    concerns: strawberry.auto


@input_from(model=k.Flow, description="Something passing from a provider to a receiver.")
class FlowInput:
    key: strawberry.auto
    kind: strawberry.auto
    provider: strawberry.auto
    receiver: strawberry.auto
    text: strawberry.auto
    purpose: strawberry.auto
    statement: strawberry.auto
    topics: strawberry.auto


@input_from(model=k.Step, description="One step of an example.")
class StepInput:
    actor: strawberry.auto
    action: strawberry.auto
    recipient: strawberry.auto
    purpose: strawberry.auto
    topics: strawberry.auto


@input_from(model=k.Scenario, description="An example, as steps.")
class ScenarioInput:
    key: strawberry.auto
    title: TextInput  # (a one-line `Line` in the model: the same input type)
    text: strawberry.auto
    steps: strawberry.auto


@input_from(model=k.Owner, all_fields=True, description="Who answers for a relationship.")
class OwnerInput:
    pass


@input_from(
    model=k.Relationship,
    description="A relationship between two departments, with its goals, roles and activities "
    "(its flows and examples are changed with their own mutations).",
)
class RelationshipInput:
    key: strawberry.auto
    departments: strawberry.auto
    title: TextInput
    summary: strawberry.auto
    goals: strawberry.auto
    roles: strawberry.auto
    activities: strawberry.auto
    owner: strawberry.auto  # left out, an update keeps the owner (graph.writes); never the verification


@input_from(model=k.Principle, description="A principle of cooperation.")
class PrincipleInput:
    key: strawberry.auto
    title: TextInput  # (a one-line `Line` in the model: the same input type)
    text: strawberry.auto


@input_from(model=k.Statement, description="A sentence of the introduction or conclusion.")
class StatementInput:
    key: strawberry.auto
    section: strawberry.auto
    text: strawberry.auto
    about: strawberry.auto


def _plain(value: Any) -> Any:
    """An input object as plain data, the shape the seed files have."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__") or hasattr(value, "__strawberry_definition__"):
        return {name: _plain(v) for name, v in vars(value).items() if v is not strawberry.UNSET}
    return value


def validated(model: type[M], value: Any, prefix: str = "input", **extra: Any) -> M:
    """Check `value` with the seed model; a failure names the field at fault."""
    try:
        return model.model_validate({**_plain(value), **extra})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        problems = [
            {"field": prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]),
             "message": friendly_message(e)}
            for e in exc.errors()
        ]  # fmt: skip
        raise api_error(
            f"{where}: {friendly_message(error)}", ErrorCode.BAD_USER_INPUT, field=where, problems=problems
        ) from exc
