"""Issue 25 in the explorer: the quote an item rests on, on demand, in the panels, the path view and
the Ask panel; who owns a relationship and when it was last verified; the overdue ones marked in
the drawing and the panel; an editor verifying one. Headless Chromium against the real app and
Neo4j; screenshots in tests/artifacts/ (explorer-source-*, explorer-review-*)."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Locator, Page

from domain.knowledge import Knowledge, Verification
from graph.database import Database
from graph.tokens import create_token
from seed.loader import load

from .document import SOURCE
from .test_explorer import ARTIFACTS, Visit, browser  # noqa: F401  (the module's browser fixture)
from .test_explorer_editing import sign_in, signed_in_context, status

pytestmark = pytest.mark.browser

TEXT = unicodedata.normalize("NFC", SOURCE.read_bytes().decode("utf-8"))
WAIT = 60_000  # a bound, not a speed target: on a busy 2-core machine the browser, the app and Neo4j share it
REVENUE_SENTENCE = (
    "Kế toán cung cấp thông tin về tình hình tài chính để Kinh doanh đưa ra quyết định bán hàng, "
    "Kinh doanh cung cấp thông tin về doanh thu để Kế toán lập báo cáo tài chính."
)


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, live_server: str, seeded: Database) -> AsyncIterator[Visit]:  # noqa: F811
    context = await browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    seen = Visit(await context.new_page(), live_server)
    yield seen
    assert seen.errors == [], seen.errors
    await context.close()


async def shoot(target: Page | Locator, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await target.screenshot(path=str(ARTIFACTS / f"explorer-{name}.png"))


async def open_source(item: Locator) -> Locator:
    """Open the item's "source" (Nguồn) and return what it shows."""
    details = item.locator("details.source").first
    assert not await details.locator("blockquote, .cite").first.is_visible()  # on demand: closed at first
    await details.locator("summary").click()
    await details.locator(".cite").wait_for(state="visible", timeout=WAIT)
    return details


async def test_a_flow_shows_the_sentence_it_rests_on_when_asked(page: Visit) -> None:
    await page.open("/#/relationship/sales/accounting")
    await page.page.wait_for_selector("#panel-heading:has-text('Phòng Kinh doanh và Phòng Kế toán')")
    revenue = page.page.locator("#panel li[data-key='sales-to-accounting-revenue']")
    shown = await open_source(revenue)
    assert (await shown.locator("blockquote").inner_text()).strip() == REVENUE_SENTENCE
    assert await shown.locator("blockquote").get_attribute("lang") == "vi"
    assert (await shown.locator(".cite").inner_text()).strip() == (
        "Mối quan hệ giữa phòng Kinh doanh và các phòng ban khác — 3. Phòng Kinh doanh và Phòng Kế toán"
    )
    # Every goal, duty, activity, flow and step of the panel can show its own.
    count = await page.page.locator("#panel-body details.source").count()
    assert count == 1 + 2 + 3 + 3 + 9 + 2  # summary, goals, duties, activities, flows, steps
    await revenue.scroll_into_view_if_needed()
    await shoot(page.page.locator("#panel"), "source-quote")


async def test_the_path_view_shows_the_quote_of_each_hop(page: Visit) -> None:
    await page.open("/#/paths/customer-care/engineering/phản hồi")
    await page.page.wait_for_selector("#panel .path")
    hop = page.page.locator("#panel .path li").first
    shown = await open_source(hop)
    quote = (await shown.locator("blockquote").inner_text()).strip()
    assert quote in TEXT and quote.startswith("Thông tin về lịch sử giao dịch của khách hàng")
    await shoot(page.page.locator("#panel"), "source-path")


async def test_the_ask_panel_shows_the_quotes_of_the_items_it_used(page: Visit) -> None:
    await page.open("/#/ask/Vì sao Phòng Kế toán cần thông tin về doanh thu?")
    await page.page.wait_for_selector("#panel .answer-items")
    item = page.page.locator("#panel .answer-items li[data-key='sales-to-accounting-revenue']")
    shown = await open_source(item)
    assert (await shown.locator("blockquote").inner_text()).strip() == REVENUE_SENTENCE
    await shoot(page.page.locator("#panel"), "source-ask")


async def test_owners_last_verifications_and_what_is_overdue_are_shown(
    page: Visit, seeded: Database, seed_knowledge: Knowledge
) -> None:
    # Sales–Engineering was verified long ago (overdue), Sales–Accounting today (up to date); the
    # other two never were (overdue).
    today = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    verified = {
        "sales-engineering": ("2025-01-15T08:00:00Z", "minh@example.com"),
        "sales-accounting": (today, "lan@example.com"),
    }
    relationships = [
        r.model_copy(update={"verified": Verification(at=verified[r.key][0], by=verified[r.key][1])})
        if r.key in verified else r
        for r in seed_knowledge.relationships
    ]  # fmt: skip
    await load(seeded, seed_knowledge.model_copy(update={"relationships": relationships}))

    await page.open("/")
    stale = await page.js(
        "() => window.deptgraph.state.cy.edges('[kind = \"flows\"]').map(e => [e.id(), e.data('stale')])"
    )
    assert dict(stale) == {
        "marketing->sales": "yes", "sales->marketing": "yes", "engineering->sales": "yes", "sales->engineering": "yes",
        "customer-care->sales": "yes", "sales->customer-care": "yes", "accounting->sales": "no", "sales->accounting": "no",
    }  # fmt: skip
    listed = await page.page.locator("#edge-list button").all_inner_texts()  # the same, for keyboards and readers
    assert sum(text.endswith("— Cần xem lại") for text in listed) == 6
    await shoot(page.page, "review-diagram")

    await page.page.evaluate("location.hash = '#/relationship/sales/engineering'")
    await page.page.wait_for_selector("#panel .review[data-stale='true']")
    review = (await page.page.inner_text("#panel .review")).strip()
    assert review.startswith("Cần xem lại")
    assert "Phụ trách: Phòng Kinh doanh." in review and "minh@example.com" in review
    assert "Xác nhận lần cuối: 15 thg 1, 2025" in review or "Xác nhận lần cuối: 15 thg 01, 2025" in review
    await shoot(page.page.locator("#panel"), "review-stale")

    await page.page.evaluate("location.hash = '#/relationship/sales/accounting'")
    await page.page.wait_for_selector("#panel .review[data-stale='false']")
    review = (await page.page.inner_text("#panel .review")).strip()
    assert "Cần xem lại" not in review and "lan@example.com" in review and "Phụ trách: Phòng Kinh doanh." in review

    # In a department's panel, each relationship says the same.
    await page.page.evaluate("location.hash = '#/department/sales'")
    await page.page.wait_for_selector("#panel .relationship .review")
    marks = await page.page.eval_on_selector_all(
        "#panel .relationship", "els => els.map(e => [e.dataset.key, e.querySelector('.review').dataset.stale])"
    )
    assert dict(marks) == {"sales-marketing": "true", "sales-engineering": "true", "sales-accounting": "false",
                           "sales-customer-care": "true"}  # fmt: skip


async def test_an_editor_verifies_a_relationship_and_its_mark_goes(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
) -> None:
    token = await create_token(seeded, "editor-ha", "editor")
    context = await signed_in_context(browser)
    tab = await context.new_page()
    seen = Visit(tab, live_server)
    await seen.open("/#/relationship/sales/marketing")
    await sign_in(tab, token)
    await tab.wait_for_selector("#panel .review[data-stale='true']")
    assert "Review overdue" in await tab.inner_text("#panel .review")
    await tab.locator("#editor button[data-verify='sales-marketing']").click()
    await status(tab, "Recorded: Sales and Marketing still holds.")
    await tab.wait_for_selector("#panel .review[data-stale='false']", timeout=WAIT)
    review = (await tab.inner_text("#panel .review")).strip()
    assert "Review overdue" not in review and "Last verified" in review and "editor-ha" in review
    edges = await seen.js(
        "() => window.deptgraph.state.cy.edges('[kind = \"flows\"]').map(e => [e.id(), e.data('stale')])"
    )
    assert dict(edges)["sales->marketing"] == "no" and dict(edges)["sales->engineering"] == "yes"
    rows = await seeded.read("MATCH (c:Change {key: 'sales-marketing'}) RETURN c.operation AS op, c.actor AS actor")
    assert rows == [{"op": "verifyRelationship", "actor": "editor-ha"}]
    await tab.evaluate("document.getElementById('panel').scrollTop = 0")
    await shoot(tab.locator("#panel"), "review-verified")
    assert seen.errors == []
    await context.close()
