"""The GraphQL types onboarding staff and internal tools see.

Each object wraps the plain map its root query returned (`data`): the node's own properties
(`name_vi`, `name_en`, …) and, under `_r_<response key>`, whatever related things the request
selected — already fetched by that one query. Resolvers here only pick from those maps; none of
them reaches the database.

Every text field takes `lang: VI | EN`; without it, the language of the request's
`Accept-Language` header is used (Vietnamese when the header names neither).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.context import Context, Lang
from seed import knowledge as k

Data = strawberry.Private[dict[str, Any]]
LangArg = strawberry.argument(description="The language: VI (Vietnamese) or EN (English).")


def _lang(info: Info[Context, None], lang: Lang | None) -> str:
    return (lang or info.context.lang).value


def _text(data: dict[str, Any], name: str, info: Info[Context, None], lang: Lang | None) -> str:
    return str(data.get(f"{name}_{_lang(info, lang)}") or "")


def _maybe_text(data: dict[str, Any], name: str, info: Info[Context, None], lang: Lang | None) -> str | None:
    value = data.get(f"{name}_{_lang(info, lang)}")
    return None if value is None else str(value)


def _related(data: dict[str, Any], info: Info[Context, None]) -> Any:
    """What the root query fetched for this field, stored under its response key."""
    return data.get(f"_r_{info.path.key}")


# The seed models' enums, so that output types and the inputs generated from those models agree.
strawberry.enum(
    k.FlowKind,
    description="How the source document phrases a flow: NEED (listed under 'Nhu cầu từ …', what the "
    "receiver needs) or CONTRIBUTION (listed under 'Đóng góp cho …', what the provider contributes).",
)
strawberry.enum(k.Section, description="Where a statement stands in the source document.")
FlowKind = k.FlowKind
Section = k.Section


@strawberry.enum(description="How a department takes part in what happens about a topic.")
class RecipientRole(Enum):
    HANDLES = strawberry.enum_value("HANDLES", description="It is handed the matter to act on it.")
    INFORMED = strawberry.enum_value("INFORMED", description="It receives information about it.")
    COOPERATES = strawberry.enum_value("COOPERATES", description="It works on it together with another department.")


@strawberry.enum(description="Whether a participant is one of the company's departments or an outside party.")
class ParticipantKind(Enum):
    DEPARTMENT = "Department"
    PARTY = "Party"


@strawberry.type(description="A department of the company, such as Sales (Phòng Kinh doanh) or Accounting.")
class Department:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `accounting`. Use it in links and tools.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="The department's name, e.g. 'Phòng Kế toán' / 'Accounting'.")
    def name(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "name", info, lang)

    @strawberry.field(description="Other names people use for it, e.g. 'CSKH' or 'Customer Service'.")
    def aliases(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> list[str]:
        return list(self.data.get(f"aliases_{_lang(info, lang)}") or [])

    @strawberry.field(description="The departments it works with, each as a relationship.")
    def relationships(self, info: Info[Context, None]) -> list[Relationship]:
        return [Relationship(data=d) for d in _related(self.data, info)]

    @strawberry.field(
        description="What flows INTO this department: what it needs or gets, from one department "
        "(`from`: key or any name) or from all. Answers from both sides: what Sales contributes "
        "to Accounting is also what Accounting gets from Sales."
    )
    def needs(
        self,
        info: Info[Context, None],
        from_: Annotated[
            str | None,
            strawberry.argument(name="from", description="Only from this department (key or any name)."),
        ] = None,
    ) -> list[Flow]:
        return [Flow(data=d) for d in _related(self.data, info)]

    @strawberry.field(
        description="What flows OUT of this department: what it provides or contributes, to one "
        "department (`to`) or to all."
    )
    def contributions(
        self,
        info: Info[Context, None],
        to: Annotated[str | None, strawberry.argument(description="Only to this department (key or any name).")] = None,
    ) -> list[Flow]:
        return [Flow(data=d) for d in _related(self.data, info)]


@strawberry.type(description="How two departments work together: shared goals, roles, cooperation, flows, examples.")
class Relationship:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `sales-accounting`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="The two departments.")
    def departments(self, info: Info[Context, None]) -> list[Department]:
        return [Department(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="The document's heading, e.g. 'Phòng Kinh doanh và Phòng Kế toán'.")
    def title(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "title", info, lang)

    @strawberry.field(description="How they cooperate, in one sentence (the document's 'Mối quan hệ').")
    def summary(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "summary", info, lang)

    @strawberry.field(description="The goals the two departments share (Mục tiêu chung).")
    def shared_goals(self, info: Info[Context, None]) -> list[Goal]:
        return [Goal(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="Each department's role in this relationship, as its duties (Vai trò).")
    def roles(self, info: Info[Context, None]) -> list[Role]:
        return [Role(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="What the two departments do together (from 'Phối hợp trong việc …').")
    def activities(self, info: Info[Context, None]) -> list[Activity]:
        return [Activity(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="Everything that passes between the two, in both directions.")
    def flows(self, info: Info[Context, None]) -> list[Flow]:
        return [Flow(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="The document's example (Ví dụ), told as steps.")
    def examples(self, info: Info[Context, None]) -> list[Scenario]:
        return [Scenario(data=d) for d in _related(self.data, info)]


@strawberry.type(
    description="One item of information or work passing from a provider to a receiver, e.g. "
    "'Thông tin về chính sách giá' from Accounting to Sales."
)
class Flow:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `accounting-to-sales-pricing-policy`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(
        description="How the document lists it: a NEED of the receiver or a CONTRIBUTION of the provider."
    )
    def kind(self) -> FlowKind:
        return FlowKind(self.data["kind"])

    @strawberry.field(description="What passes, in the document's words.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "text", info, lang)

    @strawberry.field(description="Why: the document's 'để …' (so that …), where it gives one.")
    def purpose(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str | None:
        return _maybe_text(self.data, "purpose", info, lang)

    @strawberry.field(description="The document's whole sentence, for flows taken from its cooperation text.")
    def statement(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str | None:
        return _maybe_text(self.data, "statement", info, lang)

    @strawberry.field(description="The department it comes from.")
    def provider(self, info: Info[Context, None]) -> Department:
        return Department(data=_related(self.data, info))

    @strawberry.field(description="The department it goes to.")
    def receiver(self, info: Info[Context, None]) -> Department:
        return Department(data=_related(self.data, info))

    @strawberry.field(description="What it is about (pricing, complaints, …).")
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="The relationship it belongs to.")
    def relationship(self, info: Info[Context, None]) -> Relationship:
        return Relationship(data=_related(self.data, info))


@strawberry.type(description="A goal two departments share (Mục tiêu chung).")
class Goal:
    data: Data

    @strawberry.field(description="Stable identifier.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="The goal, in the document's words.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "text", info, lang)

    @strawberry.field(description="What the goal is about.")
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic(data=d) for d in _related(self.data, info)]


@strawberry.type(description="Something two departments do together.")
class Activity:
    data: Data

    @strawberry.field(description="Stable identifier.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="The activity, in the document's words.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "text", info, lang)

    @strawberry.field(description="What it is about.")
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic(data=d) for d in _related(self.data, info)]


@strawberry.type(description="One duty of a department's role.")
class Duty:
    data: Data

    @strawberry.field(description="Stable identifier.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="The duty, in the document's words.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "text", info, lang)

    @strawberry.field(description="What it is about.")
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic(data=d) for d in _related(self.data, info)]


@strawberry.type(description="A department's role within one relationship (Vai trò).")
class Role:
    data: Data

    @strawberry.field(description="Stable identifier, e.g. `sales-accounting-sales-role`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="Whose role it is.")
    def department(self, info: Info[Context, None]) -> Department:
        return Department(data=_related(self.data, info))

    @strawberry.field(description="Its duties, in order, as text.")
    def duties(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> list[str]:
        return [_text(d, "text", info, lang) for d in _related(self.data, info)]

    @strawberry.field(description="Its duties as objects, with keys and topics.")
    def items(self, info: Info[Context, None]) -> list[Duty]:
        return [Duty(data=d) for d in _related(self.data, info)]


@strawberry.type(description="What things are about: complaints, pricing, customer feedback, …")
class Topic:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `complaints`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="The topic's name.")
    def name(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "name", info, lang)

    @strawberry.field(description="Other words for it, e.g. 'phàn nàn' for complaints.")
    def aliases(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> list[str]:
        return list(self.data.get(f"aliases_{_lang(info, lang)}") or [])

    @strawberry.field(description="The flows about this topic, optionally from or to one department.")
    def flows(
        self,
        info: Info[Context, None],
        from_: Annotated[
            str | None,
            strawberry.argument(name="from", description="Only flows from this department (key or any name)."),
        ] = None,
        to: Annotated[
            str | None, strawberry.argument(description="Only flows to this department (key or any name).")
        ] = None,
    ) -> list[Flow]:
        return [Flow(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="Who gets things about this topic, the department that handles it first.")
    def recipients(self, info: Info[Context, None]) -> list[Recipient]:
        return [Recipient(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="Examples in which this topic comes up.")
    def examples(self, info: Info[Context, None]) -> list[Scenario]:
        return [Scenario(data=d) for d in _related(self.data, info)]


@strawberry.type(description="An example from the document (Ví dụ), told as ordered steps.")
class Scenario:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `product-quality-complaint`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="A short title.")
    def title(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "title", info, lang)

    @strawberry.field(description="The example as the document tells it.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "text", info, lang)

    @strawberry.field(description="What happens, step by step.")
    def steps(self, info: Info[Context, None]) -> list[Step]:
        return [Step(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="The relationship it illustrates.")
    def relationship(self, info: Info[Context, None]) -> Relationship:
        return Relationship(data=_related(self.data, info))


@strawberry.type(description="One step of an example: who does what, for whom, and why.")
class Step:
    data: Data

    @strawberry.field(description="1 for the first step, 2 for the next, …")
    def position(self) -> int:
        return int(self.data["position"]) + 1

    @strawberry.field(description="Who acts: a department or the customer.")
    def actor(self, info: Info[Context, None]) -> Participant:
        return Participant(data=_related(self.data, info))

    @strawberry.field(description="What the actor does, e.g. 'chuyển thông tin này cho Chăm sóc khách hàng'.")
    def action(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "action", info, lang)

    @strawberry.field(description="Who receives it, if anyone.")
    def recipient(self, info: Info[Context, None]) -> Participant | None:
        found = _related(self.data, info)
        return None if found is None else Participant(data=found)

    @strawberry.field(description="Why, e.g. 'giải quyết' (to resolve it), if the document says.")
    def purpose(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str | None:
        return _maybe_text(self.data, "purpose", info, lang)

    @strawberry.field(description="The step as a sentence: actor, action and purpose.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        language = _lang(info, lang)
        return step_sentence(self.data, language)

    @strawberry.field(description="What the step is about.")
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic(data=d) for d in _related(self.data, info)]


def step_sentence(step: dict[str, Any], lang: str) -> str:
    actor = (step.get("_actor") or {}).get(f"name_{lang}", "")
    sentence = f"{actor} {step.get(f'action_{lang}', '')}".strip()
    purpose = step.get(f"purpose_{lang}")
    if purpose:
        sentence += f" {'để' if lang == 'vi' else 'to'} {purpose}"
    return sentence + "."


@strawberry.type(description="Someone who takes part in an example: a department, or the customer.")
class Participant:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `sales` or `customer`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="A department of the company, or an outside party.")
    def kind(self) -> ParticipantKind:
        return ParticipantKind(self.data["_label"])

    @strawberry.field(description="The participant's name.")
    def name(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "name", info, lang)

    @strawberry.field(description="Other names people use for it.")
    def aliases(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> list[str]:
        return list(self.data.get(f"aliases_{_lang(info, lang)}") or [])

    @strawberry.field(description="The department, when the participant is one.")
    def department(self, info: Info[Context, None]) -> Department | None:
        found = _related(self.data, info)
        return None if found is None else Department(data=found)

    @strawberry.field(
        description="For an outside party such as customers: the departments whose duties, goals, activities "
        "or examples involve it. For a department: itself."
    )
    def departments(self, info: Info[Context, None]) -> list[Department]:
        return [Department(data=d) for d in _related(self.data, info)]


@strawberry.type(description="A department that gets things about a topic, and how.")
class Recipient:
    data: Data

    @strawberry.field(description="The department.")
    def department(self, info: Info[Context, None]) -> Department:
        return Department(data=_related(self.data, info))

    @strawberry.field(description="HANDLES (acts on it), INFORMED (receives information) or COOPERATES.")
    def role(self) -> RecipientRole:
        return [RecipientRole.HANDLES, RecipientRole.INFORMED, RecipientRole.COOPERATES][int(self.data["rank"]) - 1]

    @strawberry.field(description="How it gets involved, in a sentence, e.g. 'handles it: Sales passes …'.")
    def how(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return recipient_how(self.data, _lang(info, lang))

    @strawberry.field(description="The flows through which it receives things about the topic.")
    def flows(self, info: Info[Context, None]) -> list[Flow]:
        return [Flow(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="The example steps in which it is handed the matter.")
    def steps(self, info: Info[Context, None]) -> list[Step]:
        return [Step(data=d) for d in _related(self.data, info)]

    @strawberry.field(description="What it does about the topic together with another department.")
    def activities(self, info: Info[Context, None]) -> list[Activity]:
        return [Activity(data=d) for d in _related(self.data, info)]


_HOW = {
    "vi": ("Xử lý", "Được thông tin", "Phối hợp", "từ", "cùng"),
    "en": ("Handles it", "Is informed", "Cooperates", "from", "with"),
}


def recipient_how(recipient: dict[str, Any], lang: str) -> str:
    """One sentence on how a department gets involved, from its strongest piece of evidence."""
    handles, informed, cooperates, source, together = _HOW[lang]
    rank = int(recipient["rank"])
    evidence = recipient.get("_evidence") or []
    steps = [e for e in evidence if e["_label"] == "Step"]
    if rank == 1:
        step = next(s for s in steps if s.get("purpose_vi"))
        return f"{handles}: {step_sentence(step, lang)}"
    if rank == 2:
        flow = next((e for e in evidence if e["_label"] == "Flow"), None)
        if flow is not None:
            provider = (flow.get("_provider") or {}).get(f"name_{lang}", "")
            return f"{informed}: {flow[f'text_{lang}']} ({source} {provider})"
        return f"{informed}: {step_sentence(steps[0], lang)}"
    activity = next(e for e in evidence if e["_label"] == "Activity")
    mine = recipient.get("_department_key")
    partners = [p[f"name_{lang}"] for p in activity.get("_partners", []) if p["key"] != mine]
    return f"{cooperates}: {activity[f'text_{lang}']} ({together} {', '.join(partners)})"


@strawberry.type(description="One thing full-text search found.")
class SearchHit:
    data: Data

    @strawberry.field(description="What it is: Department, Flow, Topic, Goal, Scenario, Step, Principle, …")
    def kind(self) -> str:
        return str(self.data["kind"])

    @strawberry.field(description="Its stable identifier.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="Its name or text.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return str(self.data.get(f"text_{_lang(info, lang)}") or "")

    @strawberry.field(description="Where it belongs, e.g. 'Phòng Kế toán → Phòng Kinh doanh' for a flow.")
    def context(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str | None:
        context = self.data.get("context")
        return None if context is None else str(context[_lang(info, lang)])

    @strawberry.field(description="How well it matches; higher is better.")
    def score(self) -> float:
        return float(self.data["score"])

    @strawberry.field(
        description="The departments it concerns, most relevant first: a flow's provider and receiver, a "
        "relationship's pair, a topic's recipients (the one that handles it first), …"
    )
    def departments(self) -> list[Department]:
        return [Department(data=d) for d in self.data.get("departments") or []]


@strawberry.type(description="One of the principles that make cooperation between departments work.")
class Principle:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `share-information`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="The principle in a few words, e.g. 'Chia sẻ thông tin'.")
    def title(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "title", info, lang)

    @strawberry.field(description="What it asks of departments.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "text", info, lang)


@strawberry.type(description="A sentence of the document's introduction or conclusion.")
class Statement:
    data: Data

    @strawberry.field(description="Its version: 1 when created, one more on each change. Pass it as "
                      "`expectedVersion` when you change or delete it.")  # fmt: skip
    def version(self) -> int:
        return int(self.data.get("version") or 0)

    @strawberry.field(description="Stable identifier, e.g. `sales-is-the-hub`.")
    def key(self) -> str:
        return str(self.data["key"])

    @strawberry.field(description="INTRODUCTION or CONCLUSION.")
    def section(self) -> Section:
        return Section(self.data["section"])

    @strawberry.field(description="The sentence.")
    def text(self, info: Info[Context, None], lang: Annotated[Lang | None, LangArg] = None) -> str:
        return _text(self.data, "text", info, lang)

    @strawberry.field(description="The departments it speaks of.")
    def about(self, info: Info[Context, None]) -> list[Participant]:
        return [Participant(data=d) for d in _related(self.data, info)]
