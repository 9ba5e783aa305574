"""Issue 17: editors edit the knowledge in the explorer — signed in with a token, with forms for
every kind, conflicts shown, deletes previewed, history at hand. Headless Chromium (Playwright)
against the real app (uvicorn) and Neo4j; screenshots in tests/artifacts/."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from graph.database import Database
from graph.tokens import create_token

from .conftest import PROJECT
from .test_explorer import ARTIFACTS, Visit, browser  # noqa: F401  (the module's browser fixture)

pytestmark = pytest.mark.browser

EDITOR_JS = PROJECT / "api" / "static" / "editor.js"
WAIT = 60_000  # a bound, not a speed target: on a busy 2-core machine the browser, the app and Neo4j share it


async def signed_in_context(browser: Browser, token: str | None = None) -> BrowserContext:  # noqa: F811
    """A browser in English; with `token`, signed in as GraphiQL and the explorer keep it."""
    context = await browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    await context.add_init_script("localStorage.setItem('deptgraph.lang', 'en')")
    if token:
        await context.add_init_script(f"sessionStorage.setItem('deptgraph.token', {token!r})")
    return context


@pytest_asyncio.fixture(loop_scope="session")
async def api(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        yield http


async def ask(http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                               headers={"authorization": f"Bearer {token}"})  # fmt: skip
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


RECORD = "query($kind: EditableKind!, $key: String!) { record(kind: $kind, key: $key) { version value } }"


async def record(http: httpx.AsyncClient, token: str, kind: str, key: str) -> Any:
    return (await ask(http, token, RECORD, {"kind": kind.upper(), "key": key}))["record"]


async def sign_in(page: Page, token: str) -> None:
    await page.get_by_role("button", name="Sign in").click()
    field = page.get_by_label("Token")
    await field.fill(token)
    await field.press("Enter")
    await page.wait_for_selector("#account-who:has-text('Signed in as')", timeout=WAIT)


def row(page: Page, kind: str, key: str) -> Locator:
    return page.locator(f"#editor li[data-kind='{kind}'][data-key='{key}']")


async def go(page: Page, hash_: str) -> None:
    await page.evaluate(f"location.hash = {hash_!r}")
    await page.wait_for_function(f"location.hash === {hash_!r}")


def form(page: Page) -> Locator:
    return page.locator("#editor-form form")


async def shoot_form(page: Page, name: str) -> None:
    """A screenshot of the editing area (the panel scrolls, so a full page would not show it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    assert size is not None
    await page.set_viewport_size({"width": size["width"], "height": 2400})  # the whole form, unscrolled
    await page.locator("#editor-form > *").first.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"))
    await page.set_viewport_size(size)


async def status(page: Page, text: str) -> None:
    """Wait until the status region announces `text` (on a timeout, say what it announced)."""
    try:
        await page.wait_for_function(
            f"document.getElementById('editor-status').textContent.includes({text!r})", timeout=WAIT
        )
    except PlaywrightTimeout:
        said = await page.inner_text("#editor-status")
        pytest.fail(f"waited for {text!r} in the status region, which says {said!r}")


async def test_an_editor_signs_in_and_edits_a_flows_purpose_in_both_languages(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
    api: httpx.AsyncClient,
) -> None:
    token = await create_token(seeded, "editor-thu", "editor")
    context = await signed_in_context(browser)
    page = await context.new_page()
    seen = Visit(page, live_server)
    consoled: list[str] = []
    page.on("console", lambda message: consoled.append(message.text))
    sent: list[tuple[str, str | None]] = []
    page.on("request", lambda request: sent.append((request.url, request.headers.get("authorization"))))
    await seen.open("/#/relationship/sales/accounting")
    assert await page.locator("#editor").is_hidden()  # nobody signed in: no edit controls
    await sign_in(page, token)
    assert await page.inner_text("#account-who") == "Signed in as editor-thu (editor)"
    await status(page, "Signed in as editor-thu (editor)")
    flow = "sales-to-accounting-revenue"
    await row(page, "Flow", flow).get_by_role("button", name="Edit").click()
    await form(page).get_by_label("Purpose (Vietnamese)", exact=True).wait_for(timeout=WAIT)
    assert await form(page).get_by_label("Key", exact=True).get_attribute("readonly") is not None
    assert await form(page).get_by_label("Purpose (Vietnamese)").input_value() == "Kế toán lập báo cáo tài chính"
    await form(page).get_by_label("Purpose (Vietnamese)").fill("Kế toán lập báo cáo tài chính hằng tháng")
    await form(page).get_by_label("Purpose (English)").fill("Accounting can prepare the monthly financial reports")
    await shoot_form(page, "flow-form")
    await form(page).get_by_role("button", name="Save").click()
    await status(page, f"Saved flow {flow}.")
    # The panel shows it without a reload.
    await page.wait_for_function(
        "document.getElementById('panel-body').innerText.includes('Accounting can prepare the monthly financial reports')",
        timeout=WAIT,
    )
    assert await page.evaluate("performance.getEntriesByType('navigation').length") == 1
    found = await record(api, token, "Flow", flow)
    assert found["version"] == 2
    assert found["value"]["purpose"] == {"vi": "Kế toán lập báo cáo tài chính hằng tháng",
                                         "en": "Accounting can prepare the monthly financial reports"}  # fmt: skip
    history_query = "query($k: String) { changes(target: $k) { actor operation before after } }"
    changes = (await ask(api, token, history_query, {"k": flow}))["changes"]
    assert changes[0]["actor"] == "editor-thu" and changes[0]["operation"] == "updateFlow"
    assert changes[0]["after"]["properties"]["purpose_en"] == "Accounting can prepare the monthly financial reports"
    assert changes[0]["before"]["properties"]["purpose_en"] == "Accounting can prepare the financial reports"
    # The panel says who changed it last, and opens its history with before and after.
    await page.wait_for_selector(f"#editor li[data-key='{flow}'] .last-change:has-text('Last changed by editor-thu')",
                                 timeout=WAIT)  # fmt: skip
    await row(page, "Flow", flow).get_by_role("button", name="History").click()
    history = page.locator("#editor-form .history")
    await history.wait_for(timeout=WAIT)
    text = await history.inner_text()
    assert "updateFlow" in text and "editor-thu" in text
    assert "Accounting can prepare the financial reports" in text and "Accounting can prepare the monthly" in text
    await shoot_form(page, "flow-history")
    # The token went only in the Authorization header of /graphql requests: no URL, cookie,
    # localStorage or console line holds it.
    assert not [url for url, _ in sent if token in url]
    assert {url for url, header in sent if header} == {live_server + "/graphql"}
    assert all(header == f"Bearer {token}" for _, header in sent if header)
    assert await context.cookies() == []
    assert token not in json.dumps(await page.evaluate("Object.entries(localStorage)"))
    assert await page.evaluate("sessionStorage.getItem('deptgraph.token')") == token
    assert not [line for line in consoled if token in line]
    assert token not in page.url
    # Signing out forgets the token and takes the controls away.
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_selector("body[data-editor='ready']", state="attached", timeout=WAIT)
    assert await page.evaluate("sessionStorage.getItem('deptgraph.token')") is None
    assert await page.locator("#editor").is_hidden()
    assert await page.get_by_role("button", name="Sign in").is_visible()
    assert seen.errors == []
    await context.close()


async def test_a_conflict_from_a_second_browser_is_shown_beside_the_users_values_and_reapplied(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
    api: httpx.AsyncClient,
) -> None:
    flow = "accounting-to-sales-financial-situation"
    first_token = await create_token(seeded, "editor-an", "editor")
    second_token = await create_token(seeded, "editor-binh", "editor")
    first, second = await signed_in_context(browser, first_token), await signed_in_context(browser, second_token)
    pages = []
    for context in (first, second):
        page = await context.new_page()
        visit = Visit(page, live_server)
        await visit.open("/#/relationship/sales/accounting")
        await row(page, "Flow", flow).get_by_role("button", name="Edit").click()
        await form(page).get_by_label("Text (English)").wait_for(timeout=WAIT)
        pages.append((page, visit))
    (mine, _), (theirs, _) = pages
    # Both read version 1; the second person saves first.
    await form(theirs).get_by_label("Text (English)").fill("The financial situation, weekly")
    await form(theirs).get_by_role("button", name="Save").click()
    await status(theirs, f"Saved flow {flow}.")
    await form(mine).get_by_label("Text (English)").fill("The financial situation, with cash flow")
    await form(mine).get_by_role("button", name="Save").click()
    note = mine.locator("#editor-form .conflict-note")
    await note.wait_for(timeout=WAIT)
    await status(mine, "Someone changed it while you were editing")
    assert "Last changed by editor-binh" in await note.inner_text()  # who changed it meanwhile
    table = await note.locator("table").inner_text()
    assert "text.en" in table and "The financial situation, weekly" in table
    assert "The financial situation, with cash flow" in table
    await shoot_form(mine, "conflict")
    # Nothing was overwritten: the graph holds the second person's text.
    now = await record(api, first_token, "Flow", flow)
    assert now["version"] == 2 and now["value"]["text"]["en"] == "The financial situation, weekly"
    await note.get_by_role("button", name="Reapply my changes").click()
    await status(mine, f"Saved flow {flow}.")
    now = await record(api, first_token, "Flow", flow)
    assert now["version"] == 3 and now["value"]["text"]["en"] == "The financial situation, with cash flow"
    # The other way out: discard, which shows the current values to start again from.
    await row(theirs, "Flow", flow).get_by_role("button", name="Edit").click()
    await form(theirs).get_by_label("Text (English)").wait_for(timeout=WAIT)
    update = "mutation($k: String!, $input: FlowInput!) { updateFlow(key: $k, expectedVersion: 3, input: $input) { version } }"
    await ask(
        api,
        first_token,
        update,
        {"k": flow, "input": {**now["value"], "text": {**now["value"]["text"], "en": "Finances"}}},
    )
    await form(theirs).get_by_label("Text (Vietnamese)").fill("tình hình tài chính (bản của Bình)")
    await form(theirs).get_by_role("button", name="Save").click()
    await theirs.locator("#editor-form .conflict-note").get_by_role("button", name="Discard my changes").click()
    await theirs.wait_for_function(
        "document.querySelector('#editor-form form') && [...document.querySelectorAll('#editor-form textarea')]"
        ".some(t => t.value === 'Finances') && !document.querySelector('#editor-form .conflict-note')",
        timeout=WAIT,
    )
    assert (await record(api, first_token, "Flow", flow))["version"] == 4
    await first.close()
    await second.close()


async def test_a_viewer_sees_no_edit_controls_and_a_bad_token_signs_nobody_in(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
) -> None:
    token = await create_token(seeded, "viewer-chi", "viewer")
    context = await signed_in_context(browser)
    page = await context.new_page()
    visit = Visit(page, live_server)
    await visit.open("/#/relationship/sales/accounting")
    await page.get_by_role("button", name="Sign in").focus()
    await page.keyboard.press("Enter")  # opens the field, focused
    await page.keyboard.type("dgt_" + "x" * 43)
    await page.keyboard.press("Enter")
    await status(page, "Could not sign in")
    assert await page.inner_text("#account-who") == ""
    assert await page.evaluate("sessionStorage.getItem('deptgraph.token')") is None
    # Again with the keyboard alone: the field keeps focus after a refusal, Enter signs in.
    assert await page.evaluate("document.activeElement.id") == "token-input"
    await page.keyboard.type(token)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#account-who:has-text('Signed in as viewer-chi (viewer)')", timeout=WAIT)
    await go(page, "#/department/accounting")
    await page.wait_for_function("document.getElementById('panel-heading').textContent === 'Accounting'")
    await go(page, "#/relationship/sales/accounting")
    await page.wait_for_selector("#panel .flows, #panel h3", timeout=WAIT)
    for name in ("Edit", "Delete", "Save", "History"):
        assert await page.get_by_role("button", name=name).count() == 0, name
    assert await page.locator("#editor").is_hidden()
    await visit.shoot("viewer")
    await context.close()


async def test_a_validation_error_shows_at_its_field(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
    api: httpx.AsyncClient,
) -> None:
    token = await create_token(seeded, "editor-dung", "editor")
    context = await signed_in_context(browser, token)
    page = await context.new_page()
    visit = Visit(page, live_server)
    await visit.open("/#/department/accounting")
    await row(page, "Department", "accounting").get_by_role("button", name="Edit").click()
    english = form(page).get_by_label("Name (English)")
    await english.wait_for(timeout=WAIT)
    await english.fill("   ")
    await form(page).get_by_role("button", name="Save").click()
    await page.wait_for_selector("#editor-form [aria-invalid='true']", timeout=WAIT)
    assert await english.get_attribute("aria-invalid") == "true"
    described = await english.get_attribute("aria-describedby")
    message = await page.locator(f"#{described}").inner_text()
    assert "empty" in message.lower() or "at least" in message.lower(), message
    # The message sits right after its field, and is announced.
    assert await page.evaluate(f"document.getElementById({described!r}).previousElementSibling.lang") == "en"
    await status(page, "Not saved:")
    assert (await record(api, token, "Department", "accounting"))["version"] == 1
    await shoot_form(page, "validation-error")
    await context.close()


async def test_a_cascade_delete_preview_lists_exactly_what_is_deleted(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
    api: httpx.AsyncClient,
) -> None:
    token = await create_token(seeded, "editor-giang", "editor")
    context = await signed_in_context(browser, token)
    page = await context.new_page()
    visit = Visit(page, live_server)
    await visit.open("/#/department/marketing")
    await row(page, "Department", "marketing").get_by_role("button", name="Delete").click()
    preview = page.locator("#editor-form .delete-preview")
    await preview.wait_for(timeout=WAIT)
    removed = await preview.locator("ul.removed li").evaluate_all("items => items.map(i => i.dataset.ident)")
    unlinked = await preview.locator("ul.unlinked li").evaluate_all("items => items.map(i => i.dataset.ident)")
    assert "Department:marketing" in removed and any(i.startswith("Relationship:") for i in removed)
    assert any(i.startswith("Flow:") for i in removed)
    await shoot_form(page, "delete-preview")
    assert (await record(api, token, "Department", "marketing"))["version"] == 1  # a preview writes nothing
    await preview.get_by_role("button", name="Confirm delete").click()
    await status(page, "Deleted")
    await page.wait_for_function("!window.deptgraph.state.cy.getElementById('marketing').length", timeout=WAIT)
    audit = (await ask(api, token, "{ changes(limit: 1000) { operation label key after } }"))["changes"]
    deleted = sorted(
        f"{c['label']}:{c['key']}" for c in audit if c["operation"] == "deleteDepartment" and not c["after"]
    )
    touched = sorted(f"{c['label']}:{c['key']}" for c in audit if c["operation"] == "deleteDepartment" and c["after"])
    assert deleted == sorted(removed)
    assert touched == sorted(unlinked)
    remaining = await seeded.read(
        "UNWIND $idents AS ident MATCH (n {key: split(ident, ':')[1]}) WHERE split(ident, ':')[0] IN labels(n) "
        "RETURN count(n) AS n",
        idents=removed,
    )
    assert remaining[0]["n"] == 0
    assert page.url.endswith("/#") or page.url.endswith("/")  # the deleted department's view is left
    await context.close()


# Each kind: where it is created, what its form is filled with, and where its row is shown.
KINDS: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("Department", "logistics", "#/", "New department",
     {"Key": "logistics", "Name (Vietnamese)": "Phòng Hậu cần", "Name (English)": "Logistics"}),
    ("Party", "supplier", "#/", "New outside party",
     {"Key": "supplier", "Name (Vietnamese)": "Nhà cung cấp", "Name (English)": "Supplier"}),
    ("Topic", "shipping", "#/", "New topic",
     {"Key": "shipping", "Name (Vietnamese)": "Giao hàng", "Name (English)": "Shipping"}),
    ("Principle", "plan-together", "#/", "New principle",
     {"Key": "plan-together", "Title (Vietnamese)": "Lập kế hoạch cùng nhau", "Title (English)": "Plan together",
      "Text (Vietnamese)": "Các phòng ban lập kế hoạch cùng nhau.", "Text (English)": "Departments plan together."}),
    ("Statement", "intro-logistics", "#/", "New statement",
     {"Key": "intro-logistics", "Text (Vietnamese)": "Phòng Hậu cần giao hàng.",
      "Text (English)": "Logistics delivers.", "About (keys, comma-separated)": "logistics"}),
    ("Relationship", "logistics-sales", "#/department/logistics", "New relationship",
     {"Key": "logistics-sales", "Departments (keys, comma-separated)": "logistics, sales",
      "Title (Vietnamese)": "Hậu cần và Kinh doanh", "Title (English)": "Logistics and Sales",
      "Summary (Vietnamese)": "Hai bên phối hợp giao hàng.", "Summary (English)": "They work on deliveries.",
      "Goal 1: Key": "deliver-on-time", "Goal 1: Text (Vietnamese)": "Giao hàng đúng hẹn",
      "Goal 1: Text (English)": "Deliver on time", "Role 1: Department": "logistics",
      "Role 1: Duty 1: Key": "logistics-sales-plan-routes", "Role 1: Duty 1: Text (Vietnamese)": "Lập tuyến giao hàng",
      "Role 1: Duty 1: Text (English)": "Plan delivery routes"}),
    ("Flow", "logistics-to-sales-schedule", "#/relationship/logistics/sales", "New flow",
     {"Key": "logistics-to-sales-schedule", "Text (Vietnamese)": "lịch giao hàng", "Text (English)": "Delivery schedule",
      "Topics (keys, comma-separated)": "shipping"}),
    ("Scenario", "logistics-late-delivery", "#/relationship/logistics/sales", "New example",
     {"Key": "logistics-late-delivery", "Title (Vietnamese)": "Giao hàng trễ", "Title (English)": "A late delivery",
      "Text (Vietnamese)": "Hậu cần báo Kinh doanh.", "Text (English)": "Logistics tells Sales.",
      "Step 1: Action (Vietnamese)": "báo lịch mới", "Step 1: Action (English)": "announces the new date"}),
]  # fmt: skip
PARTS = {"Relationship": ["Add goal", "Add role", "Add duty"]}
SHOWN = {"Party": "outside party", "Scenario": "example"}  # as the page names them
EDITED = {"Department": "Name (English)", "Party": "Name (English)", "Topic": "Name (English)",
          "Principle": "Title (English)", "Statement": "Text (English)", "Relationship": "Title (English)",
          "Flow": "Text (English)", "Scenario": "Title (English)"}  # fmt: skip


async def test_every_kind_is_created_edited_and_deleted_from_the_explorer(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
    api: httpx.AsyncClient,
) -> None:
    token = await create_token(seeded, "editor-hoa", "editor")
    context = await signed_in_context(browser, token)
    page = await context.new_page()
    visit = Visit(page, live_server)
    await visit.open("/")
    for kind, key, where, create, fields in KINDS:
        await go(page, where)
        await page.get_by_role("button", name=create).click()
        for name in PARTS.get(kind, []):  # goals, roles and duties are added inside the form
            await form(page).get_by_role("button", name=name, exact=True).click()
        for label, value in fields.items():
            await form(page).get_by_label(label, exact=True).fill(value)
        if kind == "Relationship":
            await shoot_form(page, "new-relationship")
        await form(page).get_by_role("button", name="Save").click()
        await status(page, f"Saved {SHOWN.get(kind, kind.lower())} {key}.")
        await row(page, kind, key).wait_for(timeout=WAIT)
        assert (await record(api, token, kind, key))["version"] == 1, kind
    made = (await record(api, token, "Relationship", "logistics-sales"))["value"]
    assert made["goals"] == [{"key": "deliver-on-time", "text": {"vi": "Giao hàng đúng hẹn", "en": "Deliver on time"},
                              "topics": [], "concerns": []}]  # fmt: skip
    assert made["roles"][0]["duties"][0]["text"]["en"] == "Plan delivery routes"
    await page.wait_for_function("window.deptgraph.state.cy.getElementById('logistics->sales').length", timeout=WAIT)
    await visit.shoot("created-every-kind")
    for kind, key, where, _, _ in KINDS:
        await go(page, where)
        await row(page, kind, key).get_by_role("button", name="Edit").click()
        field = form(page).get_by_label(EDITED[kind], exact=True)
        await field.wait_for(timeout=WAIT)
        await field.fill(f"{kind} (edited)")
        await form(page).get_by_role("button", name="Save").click()
        await status(page, f"Saved {SHOWN.get(kind, kind.lower())} {key}.")
        await row(page, kind, key).locator(".last-change:has-text('Last changed by editor-hoa')").wait_for(timeout=WAIT)
        found = await record(api, token, kind, key)
        assert found["version"] == 2, kind
        assert f"{kind} (edited)" in json.dumps(found["value"]), kind
    for kind, key, where, _, _ in reversed(KINDS):
        await go(page, where)
        await row(page, kind, key).get_by_role("button", name="Delete").click()
        preview = page.locator("#editor-form .delete-preview")
        await preview.wait_for(timeout=WAIT)
        assert await preview.locator("ul.removed li").first.get_attribute("data-ident") == f"{kind}:{key}"
        await preview.get_by_role("button", name="Confirm delete").click()
        await status(page, "Deleted")
        await row(page, kind, key).wait_for(state="detached", timeout=WAIT)
        assert (await ask(api, token, RECORD, {"kind": kind.upper(), "key": key}))["record"] is None, kind
    assert visit.errors == []
    await context.close()


async def test_an_editor_sees_the_questions_nobody_could_answer_and_asks_one_again(
    browser: Browser,  # noqa: F811
    live_server: str,
    seeded: Database,
    api: httpx.AsyncClient,
) -> None:
    """Issue 22: declined questions are listed, the most asked first, each with 'Ask again'."""
    from graph import unanswered

    await unanswered.forget(seeded)
    asked = "What does Sales need from the IT department?"
    for _ in range(2):
        response = await api.post("/graphql", json={"query": "query($q: String!) { ask(question: $q) { understood } }",
                                                    "variables": {"q": asked}})  # fmt: skip
        assert response.json()["data"]["ask"]["understood"] is False
    token = await create_token(seeded, "editor-unanswered", "editor")
    context = await signed_in_context(browser, token)
    page = await context.new_page()
    visit = Visit(page, live_server)
    await visit.open("/")
    section = page.locator("#unanswered")
    try:
        await section.wait_for(timeout=WAIT)
    except PlaywrightTimeout:  # say what the page showed instead
        shown = await page.evaluate(
            "() => ({editor: document.body.dataset.editor, hidden: document.getElementById('editor')?.hidden,"
            " account: document.getElementById('account-who')?.textContent,"
            " status: document.getElementById('editor-status')?.textContent,"
            " items: document.getElementById('editor-items')?.innerText.slice(0, 300)})"
        )
        pytest.fail(f"no list of unanswered questions; the page showed {shown}, page errors {visit.errors}")
    listed = section.locator("li")
    assert await listed.count() == 1
    assert "what does sales need from the it department" in await listed.first.inner_text()
    assert "2 times" in await listed.first.inner_text()
    await visit.shoot("unanswered")
    await listed.first.get_by_role("button", name="Ask again").click()
    await page.wait_for_function("location.hash.startsWith('#/ask/')", timeout=WAIT)
    await page.wait_for_selector("#panel .not-understood", timeout=WAIT)
    assert "does not cover" in await page.inner_text("#panel .answer")
    await context.close()
    await unanswered.forget(seeded)
