"""Every onboarding question of domain.md, answered by one request, checked against the document.

Questions are asked the way people type them — keys, Vietnamese names with and without
diacritics, English names, aliases — and the answers are compared with the source document's
own words (tests/document.py), not with copies of the seed files.
"""

from __future__ import annotations

import httpx
import pytest

from domain.names import fold

from .conftest import data_of
from .document import PairSection, read_document

DOCUMENT = read_document()
PAIRS = {fold(p.other): p for p in DOCUMENT.pairs}
ACCOUNTING = PAIRS["phong ke toan"]
MARKETING = PAIRS["phong marketing"]
ENGINEERING = PAIRS["phong ky thuat hoac san xuat"]
CUSTOMER_CARE = PAIRS["phong cham soc khach hang"]

FLOW_FIELDS = (
    "key kind vi: text(lang: VI) en: text(lang: EN) purposeVi: purpose(lang: VI) provider { key } receiver { key }"
)


def cooperation_flows(pair: PairSection, provider: str) -> list[str]:
    """The flow texts of the pair's "X provides Y so that Z" clauses whose X is `provider`."""
    names = {"sales": "kinh doanh", "accounting": "ke toan", "marketing": "marketing",
             "engineering": "ky thuat", "customer-care": "cham soc khach hang"}  # fmt: skip
    return [clause for clause in pair.clauses if fold(clause).startswith(names[provider])]


@pytest.mark.parametrize(
    ("of", "from_"),
    [("sales", "accounting"), ("Kinh doanh", "Kế toán"), ("kinh doanh", "ke toan"),
     ("Sales", "Accounting"), ("PHÒNG KINH DOANH", "phong ke toan")],
)  # fmt: skip
async def test_what_sales_needs_from_accounting(api: httpx.AsyncClient, of: str, from_: str) -> None:
    data = await data_of(api, f"query($of: String!, $from: String) {{ needs(of: $of, from: $from) {{ {FLOW_FIELDS} }} }}",
                         {"of": of, "from": from_})  # fmt: skip
    flows = data["needs"]
    listed = [f["vi"] for f in flows if f["kind"] == "NEED"]
    assert listed[: len(ACCOUNTING.needs)] == ACCOUNTING.needs
    # The cooperation text adds one more: financial information, so that Sales can decide.
    assert [f["vi"] for f in flows][len(ACCOUNTING.needs) :] == ["thông tin về tình hình tài chính"]
    assert flows[-1]["purposeVi"] == "Kinh doanh đưa ra quyết định bán hàng"
    assert {(f["provider"]["key"], f["receiver"]["key"]) for f in flows} == {("accounting", "sales")}
    assert all(f["en"] and f["en"] != f["vi"] for f in flows if f["vi"] != "chiết khấu")


async def test_needs_from_all_departments_is_everything_flowing_in(api: httpx.AsyncClient) -> None:
    data = await data_of(api, f'{{ needs(of: "sales") {{ {FLOW_FIELDS} }} }}')
    providers = [f["provider"]["key"] for f in data["needs"]]
    assert set(providers) == {"marketing", "engineering", "accounting", "customer-care"}
    expected = sum(len(p.needs) for p in DOCUMENT.pairs) + 4  # + one cooperation clause per pair
    assert len(providers) == expected


async def test_what_sales_contributes_to_marketing_and_what_accounting_gets_from_sales(
    api: httpx.AsyncClient,
) -> None:
    data = await data_of(
        api,
        f'{{ toMarketing: contributions(of: "sales", to: "Marketing") {{ {FLOW_FIELDS} }} '
        f'   salesToAccounting: contributions(of: "sales", to: "accounting") {{ {FLOW_FIELDS} }} '
        f'   accountingGets: needs(of: "Kế toán", from: "Kinh doanh") {{ {FLOW_FIELDS} }} }}',
    )
    to_marketing = [f["vi"] for f in data["toMarketing"]]
    assert to_marketing[: len(MARKETING.contributions)] == MARKETING.contributions
    assert to_marketing[len(MARKETING.contributions) :] == ["thông tin thực tế từ thị trường"]
    # Stored once, answered from both sides.
    assert data["accountingGets"] == data["salesToAccounting"]
    gets = [f["vi"] for f in data["accountingGets"]]
    assert gets[: len(ACCOUNTING.contributions)] == ACCOUNTING.contributions
    assert "thông tin về doanh thu" in gets


@pytest.mark.parametrize("topic", ["khiếu nại", "khieu nai", "phàn nàn", "complaints", "Customer complaints"])
async def test_who_gets_customer_complaints_and_what_happens(api: httpx.AsyncClient, topic: str) -> None:
    data = await data_of(
        api,
        "query($t: String!) { recipients(topic: $t) { role vi: how(lang: VI) en: how(lang: EN) department { key } "
        "  steps { position text(lang: VI) } flows { key } } "
        "  topic(name: $t) { key examples { key steps { position actor { key kind } recipient { key } "
        "  purpose(lang: VI) } } } }",
        {"t": topic},
    )
    recipients = data["recipients"]
    assert recipients[0]["department"]["key"] == "customer-care"
    assert recipients[0]["role"] == "HANDLES"
    assert "giải quyết" in recipients[0]["vi"] and "resolve" in recipients[0]["en"]
    assert (
        recipients[0]["steps"][0]["text"]
        == "Phòng Kinh doanh chuyển thông tin này cho Chăm sóc khách hàng để giải quyết."
    )
    informed = {r["department"]["key"]: r for r in recipients[1:]}
    assert informed["sales"]["role"] == "INFORMED"
    assert informed["sales"]["flows"] == [{"key": "customer-care-to-sales-customer-feedback"}]
    example = data["topic"]["examples"][0]
    assert data["topic"]["key"] == "complaints"
    assert example["key"] == "product-quality-complaint"
    assert [s["actor"]["key"] for s in example["steps"]] == ["customer", "sales"]
    assert example["steps"][0]["actor"]["kind"] == "PARTY"
    assert example["steps"][1] == {"position": 2, "actor": {"key": "sales", "kind": "DEPARTMENT"},
                                   "recipient": {"key": "customer-care"}, "purpose": "giải quyết"}  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b"),
    [("sales", "engineering"), ("Kỹ thuật", "Kinh doanh"), ("san xuat", "sales"), ("Production", "Sales")],
)
async def test_which_goals_sales_and_engineering_share(api: httpx.AsyncClient, a: str, b: str) -> None:
    data = await data_of(
        api, "query($a: String!, $b: String!) { relationship(between: $a, and: $b) { key sharedGoals { text(lang: VI) en: text(lang: EN) } } }",
        {"a": a, "b": b},
    )  # fmt: skip
    relationship = data["relationship"]
    assert relationship["key"] == "sales-engineering"
    assert [g["text"] for g in relationship["sharedGoals"]] == ENGINEERING.goals
    assert [g["en"] for g in relationship["sharedGoals"]] == [
        "Deliver quality products/services",
        "Meet customers' needs",
    ]


async def test_sales_role_when_working_with_accounting(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        '{ relationship(between: "ke toan", and: "kinh doanh") { roles { department { key } duties(lang: VI) en: duties(lang: EN) } } }',
    )
    [role] = data["relationship"]["roles"]
    assert role["department"]["key"] == "sales"
    assert role["duties"] == ACCOUNTING.duties
    assert role["en"] == ["Generate revenue", "Manage receivables", "Collect receivables"]


async def test_how_sales_and_customer_care_cooperate_with_the_example(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        '{ relationship(between: "CSKH", and: "sales") { summary(lang: VI) activities { text(lang: VI) } '
        "  flows { statement(lang: VI) } examples { text(lang: VI) steps { position action(lang: VI) } } } }",
    )
    relationship = data["relationship"]
    assert relationship["summary"] == CUSTOMER_CARE.cooperation_summary
    assert [a["text"] for a in relationship["activities"]] == CUSTOMER_CARE.activities
    assert [f["statement"] for f in relationship["flows"] if f["statement"]] == CUSTOMER_CARE.clauses
    [example] = relationship["examples"]
    assert example["text"] == CUSTOMER_CARE.example
    assert [s["position"] for s in example["steps"]] == [1, 2]


async def test_which_departments_sales_works_with_and_what_flows_each_way(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        '{ department(key: "Phòng Kinh doanh") { key relationships { departments { key } '
        "  flows { text(lang: VI) provider { key } receiver { key } } } } }",
    )
    department = data["department"]
    assert department["key"] == "sales"
    partners = {}
    for relationship in department["relationships"]:
        keys = [d["key"] for d in relationship["departments"]]
        assert "sales" in keys
        other = next(k for k in keys if k != "sales")
        partners[other] = relationship["flows"]
    assert set(partners) == {"marketing", "engineering", "accounting", "customer-care"}
    for other, flows in partners.items():
        incoming = [f["text"] for f in flows if f["receiver"]["key"] == "sales"]
        outgoing = [f["text"] for f in flows if f["provider"]["key"] == "sales"]
        pair = next(p for p in DOCUMENT.pairs if p.contributions and outgoing[0] == p.contributions[0])
        assert incoming[: len(pair.needs)] == pair.needs, other
        assert outgoing[: len(pair.contributions)] == pair.contributions, other


async def test_who_provides_pricing_and_discounts_and_where_feedback_goes(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        '{ pricing: topic(name: "chinh sach gia") { flows { text(lang: VI) provider { key } } } '
        '  discounts: topic(name: "Discount policy") { flows { text(lang: VI) provider { key } receiver { key } } } '
        '  feedback: recipients(topic: "phản hồi") { role department { key } how(lang: EN) } }',
    )
    assert {f["provider"]["key"] for f in data["pricing"]["flows"]} == {"accounting"}
    assert "Thông tin về chính sách giá" in [f["text"] for f in data["pricing"]["flows"]]
    assert data["discounts"]["flows"] == [
        {"text": "chiết khấu", "provider": {"key": "accounting"}, "receiver": {"key": "sales"}}
    ]
    feedback = {r["department"]["key"]: r for r in data["feedback"]}
    assert {"marketing", "engineering", "sales"} <= set(feedback)
    assert all(r["role"] == "INFORMED" for r in feedback.values())
    assert "Feedback from customers on products/services" in feedback["marketing"]["how"]


async def test_why_accounting_needs_revenue_figures(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        '{ topic(name: "doanh thu") { flows(to: "Kế toán", from: "sales") { text(lang: VI) purpose(lang: VI) en: purpose(lang: EN) } } }',
    )
    flows = data["topic"]["flows"]
    assert {"text": "thông tin về doanh thu", "purpose": "Kế toán lập báo cáo tài chính",
            "en": "Accounting can prepare the financial reports"} in flows  # fmt: skip
    assert {f["text"] for f in flows} == {"Thông tin về doanh số bán hàng", "thông tin về doanh thu"}


async def test_the_principles_of_cooperation(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api,
        "{ principles { title(lang: VI) text(lang: VI) en: text(lang: EN) } statements(section: CONCLUSION) { text(lang: VI) } }",
    )
    assert [(p["title"], p["text"]) for p in data["principles"]] == DOCUMENT.principles
    assert all(p["en"].startswith(("All departments", "Departments")) for p in data["principles"])
    assert [s["text"] for s in data["statements"]] == DOCUMENT.conclusion + DOCUMENT.closing


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [("kế toán", "Department", "accounting"), ("ke toan", "Department", "accounting"),
     ("accounting", "Department", "accounting"), ("Kế Toán", "Department", "accounting"),
     ("brochure", "Topic", "marketing-materials"), ("khiếu nại", "Topic", "complaints"),
     ("khieu nai", "Topic", "complaints"), ("feature X", "Scenario", "feature-x-campaign"),
     ("CSKH", "Department", "customer-care")],
)  # fmt: skip
async def test_free_text_search(api: httpx.AsyncClient, text: str, kind: str, key: str) -> None:
    data = await data_of(api, "query($t: String!) { search(text: $t) { kind key text(lang: VI) score } }", {"t": text})
    hits = data["search"]
    assert (hits[0]["kind"], hits[0]["key"]) == (kind, key), hits[:3]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


async def test_search_for_brochure_finds_the_topic_and_the_flow_that_lists_it(api: httpx.AsyncClient) -> None:
    data = await data_of(api, '{ search(text: "brochure", limit: 5) { kind key context(lang: EN) } }')
    assert {
        "kind": "Flow",
        "key": "marketing-to-sales-marketing-materials",
        "context": "Marketing → Sales",
    } in data["search"]


async def test_search_for_feature_x_finds_the_example_and_the_topic(api: httpx.AsyncClient) -> None:
    data = await data_of(api, '{ search(text: "feature X", limit: 3) { kind key } }')
    assert data["search"][0] == {"kind": "Scenario", "key": "feature-x-campaign"}
    assert {"kind": "Step", "key": "feature-x-campaign-step-2"} in data["search"]


async def test_language_follows_accept_language_unless_asked(api: httpx.AsyncClient) -> None:
    query = '{ department(key: "accounting") { name  vi: name(lang: VI) } }'
    assert (await data_of(api, query))["department"] == {"name": "Phòng Kế toán", "vi": "Phòng Kế toán"}
    assert (await data_of(api, query, lang="en-GB,en;q=0.9"))["department"]["name"] == "Accounting"
    assert (await data_of(api, query, lang="fr-FR, en;q=0.5, vi;q=0.8"))["department"]["name"] == "Phòng Kế toán"
    assert (await data_of(api, query, lang="de"))["department"]["name"] == "Phòng Kế toán"
    english = await data_of(api, '{ department(key: "accounting") { name(lang: EN) } }', lang="vi")
    assert english["department"]["name"] == "Accounting"


async def test_unknown_department_by_key_is_null(api: httpx.AsyncClient) -> None:
    assert (await data_of(api, '{ department(key: "legal") { key } }')) == {"department": None}


async def test_departments_without_a_relationship_give_null(api: httpx.AsyncClient) -> None:
    data = await data_of(api, '{ relationship(between: "marketing", and: "accounting") { key } }')
    assert data == {"relationship": None}


async def test_recipients_can_be_asked_for_every_topic_at_once(api: httpx.AsyncClient) -> None:
    # Regression (found by fuzzing): nested under `topics`, recipients used to fail in Neo4j.
    data = await data_of(api, "{ topics { key recipients { role department { key } how(lang: EN) } } }")
    by_topic = {t["key"]: t["recipients"] for t in data["topics"]}
    assert by_topic["complaints"][0] == {"role": "HANDLES", "department": {"key": "customer-care"},
                                         "how": "Handles it: Sales passes this information on to Customer Care to resolve it."}  # fmt: skip
    assert all(r["how"] for recipients in by_topic.values() for r in recipients)


async def test_the_customers_deal_with_the_departments_whose_work_involves_them(api: httpx.AsyncClient) -> None:
    data = await data_of(
        api, "{ parties { key departments { key } } statements { key about { key departments { key } } } }"
    )
    assert data["parties"] == [
        {"key": "customer", "departments": [{"key": "sales"}, {"key": "engineering"}, {"key": "customer-care"}]}
    ]
    hub = next(s for s in data["statements"] if s["key"] == "sales-is-the-hub")
    assert hub["about"] == [{"key": "sales", "departments": [{"key": "sales"}]}]
