"""A synthetic organisation of any size, for load tests and benchmarks.

`synthetic_org(1000, 20_000)` is a company of 1,000 departments that work in pairs (each with
its neighbours on a ring and a few steps further), with about 20,000 flows between them, goals,
roles, cooperation, examples and topics of their own — valid by the seed rules. With `base`, the
real knowledge is kept beside it, untouched: the synthetic departments relate only to each
other, so the answers about the real departments stay the same while the graph grows.
"""

from __future__ import annotations

import random

from domain.knowledge import (
    Activity,
    Department,
    Duty,
    Flow,
    FlowKind,
    Goal,
    Knowledge,
    Line,
    Relationship,
    Role,
    Scenario,
    Step,
    Text,
    Topic,
)

UNITS = [
    ("Hành chính", "Administration"), ("Nhân sự", "Human Resources"), ("Pháp chế", "Legal"),
    ("Mua hàng", "Purchasing"), ("Kho vận", "Logistics"), ("Công nghệ thông tin", "IT"),
    ("Đào tạo", "Training"), ("Kiểm soát chất lượng", "Quality Control"),
    ("Nghiên cứu", "Research"), ("Đối ngoại", "External Relations"),
]  # fmt: skip
THINGS = [
    ("báo cáo tiến độ", "progress reports"), ("kế hoạch ngân sách", "budget plans"),
    ("dữ liệu tồn kho", "inventory data"), ("hồ sơ hợp đồng", "contract files"),
    ("lịch đào tạo", "training schedules"), ("yêu cầu mua sắm", "purchase requests"),
    ("đánh giá rủi ro", "risk assessments"), ("số liệu vận hành", "operating figures"),
    ("quy trình nội bộ", "internal procedures"), ("phản hồi nội bộ", "internal feedback"),
]  # fmt: skip
PURPOSES = [
    ("lập kế hoạch kịp thời", "plan in good time"), ("giảm chi phí vận hành", "cut running costs"),
    ("ra quyết định nhanh hơn", "decide faster"), ("đáp ứng quy định", "meet the regulations"),
]  # fmt: skip


def _key(i: int) -> str:
    return f"unit-{i:04d}"


def synthetic_org(departments: int, flows: int, *, seed: int = 7, base: Knowledge | None = None) -> Knowledge:
    """A valid document with `departments` departments and about `flows` flows between them."""
    if departments < 2:
        raise ValueError("a synthetic organisation needs at least 2 departments")
    rng = random.Random(seed)
    units = [
        Department(
            key=_key(i),
            name=Line(vi=f"Phòng {UNITS[i % len(UNITS)][0]} {i}", en=f"{UNITS[i % len(UNITS)][1]} {i}"),
        )
        for i in range(departments)
    ]
    topics = [
        Topic(key=f"unit-topic-{n}", name=Line(vi=f"{vi} (chủ đề {n})", en=f"{en} (topic {n})"))
        for n, (vi, en) in enumerate(THINGS)
    ]
    steps_ahead = [1, 3, 7] if departments > 7 else [1]
    pairs = sorted(
        {tuple(sorted((i, (i + k) % departments))) for i in range(departments) for k in steps_ahead}
        - {(i, i) for i in range(departments)}
    )
    per_pair, extra = divmod(flows, len(pairs))
    relationships = []
    for n, (a, b) in enumerate(pairs):
        rel_key = f"{_key(a)}-{_key(b)}"
        rel_flows = []
        for m in range(per_pair + (1 if n < extra else 0)):
            provider, receiver = (a, b) if rng.random() < 0.5 else (b, a)
            thing = rng.randrange(len(THINGS))
            purpose = PURPOSES[m % len(PURPOSES)] if m % 3 == 0 else None
            rel_flows.append(
                Flow(
                    key=f"{rel_key}-flow-{m}",
                    kind=FlowKind.NEED if receiver == a else FlowKind.CONTRIBUTION,
                    provider=_key(provider),
                    receiver=_key(receiver),
                    text=Text(vi=f"{THINGS[thing][0]} số {m}", en=f"{THINGS[thing][1]} no. {m}"),
                    purpose=Text(vi=purpose[0], en=purpose[1]) if purpose else None,
                    topics=[topics[thing].key],
                )
            )
        examples = []
        if n % 5 == 0:
            examples.append(
                Scenario(
                    key=f"{rel_key}-example",
                    title=Line(vi=f"Ví dụ {n}", en=f"Example {n}"),
                    text=Text(
                        vi=f"{units[a].name.vi} gửi báo cáo.",
                        en=f"{units[a].name.en} sends a report.",
                    ),
                    steps=[
                        Step(
                            actor=_key(a),
                            action=Text(vi="gửi báo cáo", en="sends a report"),
                            recipient=_key(b),
                        ),
                        Step(
                            actor=_key(b),
                            action=Text(vi="xem xét báo cáo", en="reviews the report"),
                        ),
                    ],
                )
            )
        relationships.append(
            Relationship(
                key=rel_key,
                departments=[_key(a), _key(b)],
                title=Line(
                    vi=f"{units[a].name.vi} và {units[b].name.vi}",
                    en=f"{units[a].name.en} and {units[b].name.en}",
                ),
                summary=Text(vi="Phối hợp trong công việc hằng ngày.", en="They coordinate on daily work."),
                goals=[
                    Goal(
                        key=f"{rel_key}-goal",
                        text=Text(vi="Vận hành hiệu quả", en="Run efficiently"),
                    )
                ],
                roles=[
                    Role(
                        department=_key(a),
                        duties=[
                            Duty(
                                key=f"{rel_key}-duty-{d}",
                                text=Text(vi=f"nhiệm vụ {d}", en=f"duty {d}"),
                            )
                            for d in range(2)
                        ],
                    )
                ],
                activities=[
                    Activity(
                        key=f"{rel_key}-activity",
                        text=Text(vi="họp định kỳ", en="Regular meetings"),
                    )
                ],
                flows=rel_flows,
                examples=examples,
            )
        )
    base = base or Knowledge()
    return Knowledge(
        sources=base.sources,  # (what the base cites)
        departments=[*base.departments, *units],
        parties=base.parties,
        topics=[*base.topics, *topics],
        relationships=[*base.relationships, *relationships],
        principles=base.principles,
        statements=base.statements,
    )
