"""The GraphQL types onboarding staff and internal tools see, each field declared once.

Every field says, beside its name, type and documentation, what it reads from the graph (a
`graph.mapping` declaration, e.g. `Text("name")` or the `NEEDS` relation of `graph.vocabulary`).
`graph.compiler` turns any selection of these fields into one Cypher query whose answer already
has the response's shape; the resolvers here only pick a value by its response key.

Every text field takes `lang: VI | EN`; without it, the language of the request's
`Accept-Language` header is used (Vietnamese when the header names neither).
"""

from __future__ import annotations

from enum import Enum
from typing import Generic, TypeVar

import strawberry

from api.fields import graph_field
from domain import knowledge as k
from graph import search
from graph import vocabulary as v
from graph.mapping import Page, PagePart, Prop, Text, Texts

# The seed models' enums, so that output types and the inputs generated from those models agree.
strawberry.enum(
    k.FlowKind,
    description="How the source document phrases a flow: NEED (listed under 'Nhu cầu từ …', what the "
    "receiver needs) or CONTRIBUTION (listed under 'Đóng góp cho …', what the provider contributes).",
)
strawberry.enum(k.Section, description="Where a statement stands in the source document.")
FlowKind = k.FlowKind
Section = k.Section

VERSION_DOC = (
    "Its version: 1 when created, one more on each change. Pass it as `expectedVersion` when you change or delete it."
)


@strawberry.enum(description="How a department takes part in what happens about a topic.")
class RecipientRole(Enum):
    HANDLES = strawberry.enum_value("HANDLES", description="It is handed the matter to act on it.")
    INFORMED = strawberry.enum_value("INFORMED", description="It receives information about it.")
    COOPERATES = strawberry.enum_value("COOPERATES", description="It works on it together with another department.")


@strawberry.enum(description="Whether a participant is one of the company's departments or an outside party.")
class ParticipantKind(Enum):
    DEPARTMENT = "DEPARTMENT"
    PARTY = "PARTY"


T = TypeVar("T")


@strawberry.type(description="Where a page of a long list ends, and whether more follows.")
class PageInfo:
    has_next_page: bool = graph_field(PagePart.HAS_NEXT_PAGE, "True when more items follow this page.")
    end_cursor: str | None = graph_field(
        PagePart.END_CURSOR, "The cursor of the page's last item: pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    cursor: str = graph_field(PagePart.CURSOR, "Pass it as `after` to continue after this item.")
    node: T = graph_field(PagePart.NODE, "The item.")


@strawberry.type(
    description="A page of a long list: `first` items after the cursor `after`, the total count, and "
    "where to continue. Read everything by passing each page's `pageInfo.endCursor` as the next `after`."
)
class Connection(Generic[T]):
    total_count: int = graph_field(PagePart.TOTAL_COUNT, "How many items the whole list has.")
    page_info: PageInfo = graph_field(PagePart.PAGE_INFO, "Whether more items follow, and the cursor to go on.")
    edges: list[Edge[T]] = graph_field(PagePart.EDGES, "The items of this page, each with its cursor.")
    nodes: list[T] = graph_field(PagePart.NODES, "The items of this page.")


@strawberry.type(
    description="A document the knowledge comes from: the company's own text, quoted sentence by sentence by the "
    "items taken from it."
)
class Source:
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `sales-and-other-departments`.")
    title: str = graph_field(Text("title"), "The document's title.")
    language: str = graph_field(Prop("language"), "The language it is written in (and its quotes): e.g. `vi`.")
    version: str = graph_field(
        Prop("document_version"), "Which version of the document this is, as the company names it (e.g. `1`)."
    )
    date: str | None = graph_field(Prop("date"), "The date of that version (YYYY-MM-DD), when known.")
    file: str = graph_field(Prop("file"), "Its file, relative to the server's documents folder.")


@strawberry.type(
    description="Where an item comes from: the sentence of a source document it rests on (in the document's own "
    "words, with its section and its place in the file) — or, for what was added through the API, who added it "
    "and when, from the audit trail."
)
class Citation:
    document: Source | None = graph_field(
        v.CITED_DOCUMENT, "The source document it is taken from; null when it comes from none (added through the API)."
    )
    section: str | None = graph_field(
        Prop("source_section"),
        "The heading of the section it is in, e.g. '3. Phòng Kinh doanh và Phòng Kế toán' (null for the opening "
        "paragraph, or without a document).",
    )
    quote: str | None = graph_field(
        Prop("source_quote"),
        "The sentence it rests on, exactly as the document writes it (in the document's language).",
    )
    start: int | None = graph_field(
        Prop("source_start"), "Where the quote starts in the document's file (characters, the file read as NFC text)."
    )
    end: int | None = graph_field(Prop("source_end"), "Where the quote ends in the file (characters, exclusive).")
    added_by: str | None = graph_field(
        v.ADDED_BY,
        "Who added it through the API (the token's name, from the audit trail); null for what the first seed loaded.",
    )
    added_at: str | None = graph_field(v.ADDED_AT, "When it was added (UTC, ISO 8601), from the audit trail.")


SOURCE_DOC = (
    "Where it comes from: the sentence of the source document it rests on (`document`, `section`, `quote`), or who "
    "added it through the API."
)


@strawberry.type(description="Who answers for a relationship: a department, and optionally a person to ask.")
class Owner:
    department: Department = graph_field(v.OWNER_DEPARTMENT, "The department that owns it.")
    contact: str | None = graph_field(Prop("owner_contact"), "A person to ask, when one is named.")


@strawberry.type(description="A department of the company, such as Sales (Phòng Kinh doanh) or Accounting.")
class Department:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `accounting`. Use it in links and tools.")
    name: str = graph_field(Text("name"), "The department's name, e.g. 'Phòng Kế toán' / 'Accounting'.")
    aliases: list[str] = graph_field(
        Texts("aliases"), "Other names people use for it, e.g. 'CSKH' or 'Customer Service'."
    )
    relationships: list[Relationship] = graph_field(
        v.RELATIONSHIPS_OF, "The departments it works with, each as a relationship."
    )
    needs: list[Flow] = graph_field(
        v.NEEDS,
        "What flows INTO this department: what it needs or gets, from one department (`from`: key or any name) "
        "or from all. Answers from both sides: what Sales contributes to Accounting is also what Accounting "
        "gets from Sales.",
    )
    needs_connection: Connection[Flow] = graph_field(Page(v.NEEDS), "`needs`, a page at a time, with the total count.")
    contributions: list[Flow] = graph_field(
        v.CONTRIBUTIONS,
        "What flows OUT of this department: what it provides or contributes, to one department (`to`) or to all.",
    )
    contributions_connection: Connection[Flow] = graph_field(
        Page(v.CONTRIBUTIONS), "`contributions`, a page at a time, with the total count."
    )
    relationships_connection: Connection[Relationship] = graph_field(
        Page(v.RELATIONSHIPS_OF), "`relationships`, a page at a time, with the total count."
    )


@strawberry.type(description="How two departments work together: shared goals, roles, cooperation, flows, examples.")
class Relationship:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `sales-accounting`.")
    departments: list[Department] = graph_field(v.PAIR, "The two departments.")
    title: str = graph_field(Text("title"), "The document's heading, e.g. 'Phòng Kinh doanh và Phòng Kế toán'.")
    summary: str = graph_field(Text("summary"), "How they cooperate, in one sentence (the document's 'Mối quan hệ').")
    shared_goals: list[Goal] = graph_field(v.GOALS, "The goals the two departments share (Mục tiêu chung).")
    roles: list[Role] = graph_field(v.ROLES, "Each department's role in this relationship, as its duties (Vai trò).")
    activities: list[Activity] = graph_field(
        v.ACTIVITIES, "What the two departments do together (from 'Phối hợp trong việc …')."
    )
    flows: list[Flow] = graph_field(v.FLOWS, "Everything that passes between the two, in both directions.")
    flows_connection: Connection[Flow] = graph_field(Page(v.FLOWS), "`flows`, a page at a time, with the total count.")
    examples: list[Scenario] = graph_field(v.EXAMPLES, "The document's example (Ví dụ), told as steps.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC + " For a relationship: its summary's sentence.")
    owner: Owner | None = graph_field(
        v.OWNER, "Who answers for it (keeps it true, and verifies it): null while nobody does."
    )
    verified_at: str | None = graph_field(
        Prop("verified_at"),
        "When someone last confirmed that it still says how the two work together (UTC, ISO 8601); null when never. "
        "It is due again DEPTGRAPH_REVIEW_INTERVAL_DAYS later (see `stale`).",
    )
    verified_by: str | None = graph_field(Prop("verified_by"), "Who confirmed it last (the token's name).")


@strawberry.type(
    description="One item of information or work passing from a provider to a receiver, e.g. "
    "'Thông tin về chính sách giá' from Accounting to Sales."
)
class Flow:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `accounting-to-sales-pricing-policy`.")
    kind: FlowKind = graph_field(
        Prop("kind"), "How the document lists it: a NEED of the receiver or a CONTRIBUTION of the provider."
    )
    text: str = graph_field(Text("text"), "What passes, in the document's words.")
    purpose: str | None = graph_field(Text("purpose"), "Why: the document's 'để …' (so that …), where it gives one.")
    statement: str | None = graph_field(
        Text("statement"),
        "The document's whole sentence, for flows taken from its cooperation text ('Mối quan hệ').",
    )
    provider: Department = graph_field(v.PROVIDER, "The department it comes from.")
    receiver: Department = graph_field(v.RECEIVER, "The department it goes to.")
    topics: list[Topic] = graph_field(v.TOPICS, "What it is about (pricing, complaints, …).")
    relationship: Relationship = graph_field(v.RELATIONSHIP_OF_FLOW, "The relationship it belongs to.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)


@strawberry.type(
    description="A chain of flows that carries something from one department to another: `flows[i]` goes from "
    "`departments[i]` to `departments[i + 1]`."
)
class Path:
    hops: int = graph_field(v.PATH_HOPS, "How many flows the chain has (one fewer than its departments).")
    departments: list[Department] = graph_field(
        v.PATH_DEPARTMENTS, "The departments along the way, from the first to the last."
    )
    flows: list[Flow] = graph_field(
        v.PATH_FLOWS,
        "One flow per hop, in order: what passes from each department to the next (about the topic asked, when one "
        "is).",
    )


@strawberry.type(description="A goal two departments share (Mục tiêu chung).")
class Goal:
    key: str = graph_field(Prop("key"), "Stable identifier.")
    text: str = graph_field(Text("text"), "The goal, in the document's words.")
    topics: list[Topic] = graph_field(v.TOPICS, "What the goal is about.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)


@strawberry.type(description="Something two departments do together.")
class Activity:
    key: str = graph_field(Prop("key"), "Stable identifier.")
    text: str = graph_field(Text("text"), "The activity, in the document's words.")
    topics: list[Topic] = graph_field(v.TOPICS, "What it is about.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)


@strawberry.type(description="One duty of a department's role.")
class Duty:
    key: str = graph_field(Prop("key"), "Stable identifier.")
    text: str = graph_field(Text("text"), "The duty, in the document's words.")
    topics: list[Topic] = graph_field(v.TOPICS, "What it is about.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)


@strawberry.type(description="A department's role within one relationship (Vai trò).")
class Role:
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `sales-accounting-sales-role`.")
    department: Department = graph_field(v.ROLE_DEPARTMENT, "Whose role it is.")
    duties: list[str] = graph_field(v.ROLE_DUTY_TEXTS, "Its duties, in order, as text.")
    items: list[Duty] = graph_field(v.DUTIES, "Its duties as objects, with keys and topics.")


@strawberry.type(description="What things are about: complaints, pricing, customer feedback, …")
class Topic:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `complaints`.")
    name: str = graph_field(Text("name"), "The topic's name.")
    aliases: list[str] = graph_field(Texts("aliases"), "Other words for it, e.g. 'phàn nàn' for complaints.")
    flows: list[Flow] = graph_field(v.TOPIC_FLOWS, "The flows about this topic, optionally from or to one department.")
    flows_connection: Connection[Flow] = graph_field(
        Page(v.TOPIC_FLOWS), "`flows`, a page at a time, with the total count."
    )
    recipients: list[Recipient] = graph_field(
        v.TOPIC_RECIPIENTS, "Who gets things about this topic, the department that handles it first."
    )
    examples: list[Scenario] = graph_field(v.TOPIC_EXAMPLES, "Examples in which this topic comes up.")


@strawberry.type(description="An example from the document (Ví dụ), told as ordered steps.")
class Scenario:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `product-quality-complaint`.")
    title: str = graph_field(Text("title"), "A short title.")
    text: str = graph_field(Text("text"), "The example as the document tells it.")
    steps: list[Step] = graph_field(v.STEPS, "What happens, step by step.")
    relationship: Relationship = graph_field(v.RELATIONSHIP_OF_SCENARIO, "The relationship it illustrates.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)


@strawberry.type(description="One step of an example: who does what, for whom, and why.")
class Step:
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `product-quality-complaint-step-1`.")
    position: int = graph_field(v.STEP_NUMBER, "1 for the first step, 2 for the next, …")
    actor: Participant = graph_field(v.ACTOR_OF, "Who acts: a department or the customer.")
    action: str = graph_field(
        Text("action"), "What the actor does, e.g. 'chuyển thông tin này cho Chăm sóc khách hàng'."
    )
    recipient: Participant | None = graph_field(v.RECIPIENT_OF, "Who receives it, if anyone.")
    purpose: str | None = graph_field(Text("purpose"), "Why, e.g. 'giải quyết' (to resolve it), if the document says.")
    text: str = graph_field(v.STEP_SENTENCE, "The step as a sentence: actor, action and purpose.")
    topics: list[Topic] = graph_field(v.TOPICS, "What the step is about.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)


@strawberry.type(description="Someone who takes part in an example: a department, or the customer.")
class Participant:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `sales` or `customer`.")
    kind: ParticipantKind = graph_field(v.PARTICIPANT_KIND, "A department of the company, or an outside party.")
    name: str = graph_field(Text("name"), "The participant's name.")
    aliases: list[str] = graph_field(Texts("aliases"), "Other names people use for it.")
    department: Department | None = graph_field(
        v.PARTICIPANT_DEPARTMENT, "The department, when the participant is one."
    )
    departments: list[Department] = graph_field(
        v.PARTICIPANT_DEPARTMENTS,
        "For an outside party such as customers: the departments whose duties, goals, activities or examples "
        "involve it. For a department: itself.",
    )


@strawberry.type(description="A department that gets things about a topic, and how.")
class Recipient:
    department: Department = graph_field(v.RECIPIENT_DEPARTMENT, "The department.")
    role: RecipientRole = graph_field(
        v.RECIPIENT_ROLE, "HANDLES (acts on it), INFORMED (receives information) or COOPERATES."
    )
    how: str = graph_field(v.RECIPIENT_HOW, "How it gets involved, in a sentence, e.g. 'handles it: Sales passes …'.")
    flows: list[Flow] = graph_field(v.RECIPIENT_FLOWS, "The flows through which it receives things about the topic.")
    steps: list[Step] = graph_field(v.RECIPIENT_STEPS, "The example steps in which it is handed the matter.")
    activities: list[Activity] = graph_field(
        v.RECIPIENT_ACTIVITIES, "What it does about the topic together with another department."
    )


@strawberry.type(description="One thing full-text search found.")
class SearchHit:
    kind: str = graph_field(search.HIT_KIND, "What it is: Department, Flow, Topic, Goal, Scenario, Step, Principle, …")
    key: str = graph_field(search.HIT_KEY, "Its stable identifier.")
    text: str = graph_field(search.HIT_TEXT, "Its name or text.")
    context: str | None = graph_field(
        search.HIT_CONTEXT, "Where it belongs, e.g. 'Phòng Kế toán → Phòng Kinh doanh' for a flow."
    )
    score: float = graph_field(search.HIT_SCORE, "How well it matches; higher is better.")
    departments: list[Department] = graph_field(
        search.HIT_DEPARTMENTS,
        "The departments it concerns, most relevant first: a flow's provider and receiver, a relationship's pair, "
        "a topic's recipients (the one that handles it first), …",
    )
    source: Citation = graph_field(v.CITATION, SOURCE_DOC + " (No document for departments, topics and parties.)")


@strawberry.type(description="One of the principles that make cooperation between departments work.")
class Principle:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `share-information`.")
    title: str = graph_field(Text("title"), "The principle in a few words, e.g. 'Chia sẻ thông tin'.")
    text: str = graph_field(Text("text"), "What it asks of departments.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)


@strawberry.type(description="A sentence of the document's introduction or conclusion.")
class Statement:
    version: int = graph_field(v.VERSION, VERSION_DOC)
    key: str = graph_field(Prop("key"), "Stable identifier, e.g. `sales-is-the-hub`.")
    section: Section = graph_field(Prop("section"), "INTRODUCTION or CONCLUSION.")
    text: str = graph_field(Text("text"), "The sentence.")
    about: list[Participant] = graph_field(v.MENTIONED, "The departments it speaks of.")
    source: Citation = graph_field(v.CITATION, SOURCE_DOC)
