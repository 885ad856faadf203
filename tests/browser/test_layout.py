"""Layout (issue 16): a one-row header from 1024 px with the member's links in a menu that opens
without JavaScript, the staff desk as cards on a phone, /support with no dead ends; and the
screenshots of the ticket page, the desk and /support in Chinese and English at 1280 and 390 px.

The screenshots are kept in the repository (tests/browser/screenshots/layout/); each run writes them
again. They are for people to look at: no test compares their bytes (fonts differ between machines)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

LAYOUT_SHOTS = SCREENSHOTS / "layout"
STAFF, STAFF_PASSWORD = "support_lin", "demo-staff-2026"  # forum/demo/content.py
MEMBER, MEMBER_PASSWORD = "emma_w", "demo-member-2026"  # English
MODERATOR, MODERATOR_PASSWORD = "橘子君", "demo-mod-2026"

# The header's own items, and whether they share one row: every item's vertical span overlaps every
# other's, and the header is no taller than one row of them.
HEADER_ROW = """() => {
  const header = document.querySelector('.site-header');
  const items = [...document.querySelectorAll(
      '.brand, .main-nav > a, .header-search, .header-actions > a, .header-actions > .user-menu > summary')]
    .filter(e => e.getClientRects().length)
    .map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent.trim().slice(0, 20), top: r.top, bottom: r.bottom}; });
  return {height: header.getBoundingClientRect().height, items,
          overflow: header.scrollWidth > document.documentElement.clientWidth,
          maxTop: Math.max(...items.map(i => i.top)), minBottom: Math.min(...items.map(i => i.bottom))};
}"""


@pytest.fixture
def demo(app, live_server, create_ticket, create_question):
    """The demo community (forum/demo), with a few more tickets for the desk."""
    from forum.auth import services as auth_services
    from forum.core.db import unit_of_work
    from forum.demo import content
    from forum.demo.loader import load_demo
    from forum.tickets import services as ticket_services

    load_demo(content)
    emma = auth_services.get_user_by_name(MEMBER)
    staff = auth_services.get_user_by_name(STAFF)
    ticket = create_ticket(create_question(emma, title="The refund for my cancelled order never arrived",
                                           category="payments"),
                           description="I cancelled order 2026112100042 on Friday; the refund is not on my card yet.",
                           order_number="TP2026112100042")
    with unit_of_work():
        ticket_services.update_ticket(staff, ticket.id, priority="high", tier=2, assignee=STAFF,
                                      reason="Payment gateway team")
    create_ticket(create_question(auth_services.get_user_by_name("david.k"),
                                  title="My account is locked after too many wrong passwords", category="account"),
                  category="account", description="I typed the wrong password a few times and now I cannot sign in.")
    ticket_id = ticket.id
    from forum.extensions import db

    db.session.commit()  # end this thread's transaction: the server's requests write
    return {"ticket": ticket_id}


def new_page(browser, live_server, *, width: int, locale: str = "zh-CN", javascript: bool = True):
    context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": width, "height": 900},
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def use_language(page, language: str) -> None:
    """The footer's language switch (stored on the member)."""
    page.locator(f'.language-form button[value="{language}"]').click()
    page.wait_for_load_state()


def shoot(page, name: str) -> None:
    LAYOUT_SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(LAYOUT_SHOTS / f"{name}.png"), full_page=True)


def assert_no_horizontal_overflow(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""", width)
        raise AssertionError(f"{page.url}: {scroll} px wide at {width} px: {wide}")


def assert_header_one_row(page) -> None:
    row = page.evaluate(HEADER_ROW)
    assert not row["overflow"], row
    assert row["maxTop"] < row["minBottom"], f"the header wraps: {row['items']}"
    assert row["height"] <= 72, row


@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize("who", ["staff-zh", "member-en", "moderator-zh"])
def test_header_is_one_row(browser, live_server, demo, width, who):
    username, password = {"staff-zh": (STAFF, STAFF_PASSWORD), "member-en": (MEMBER, MEMBER_PASSWORD),
                          "moderator-zh": (MODERATOR, MODERATOR_PASSWORD)}[who]
    page = new_page(browser, live_server, width=width, locale="en-US" if who.endswith("en") else "zh-CN")
    sign_in(page, username, password)
    for path in ("/", "/support", "/kb", "/tickets", "/staff/tickets" if who.startswith("staff") else "/leaderboard"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang").startswith("en" if who.endswith("en") else "zh")
        assert_header_one_row(page)
    if who.startswith("staff"):
        assert page.locator(".main-nav").get_by_role("link", name="客服工作台").is_visible()
    page.context.close()


def test_visitors_header_is_one_row(browser, live_server, demo):
    for locale in ("zh-CN", "en-US"):
        page = new_page(browser, live_server, width=1024, locale=locale)
        page.goto("/")
        assert_header_one_row(page)
        page.context.close()


def test_member_menu_opens_without_javascript(browser, live_server, demo):
    page = new_page(browser, live_server, width=1280, locale="en-US", javascript=False)
    sign_in(page, MEMBER, MEMBER_PASSWORD)
    summary = page.locator(".user-menu > summary")
    panel = page.locator(".user-menu-panel")
    assert not panel.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert panel.is_visible()
    page.keyboard.press("Enter")
    assert not panel.is_visible()
    summary.click()
    assert panel.is_visible()
    links = panel.locator("a")
    names = [links.nth(i).inner_text() for i in range(links.count())]
    assert names == ["Profile", "My tickets", "Leaderboard", "Settings"]
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        assert page.request.get(href).status == 200, href
    links.filter(has_text="My tickets").click()
    page.wait_for_url(re.compile(r"/tickets$"))
    assert page.locator("h1").inner_text() == "My tickets"
    page.locator(".user-menu > summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("link", name="Sign in").is_visible()
    page.context.close()


def test_desk_is_cards_on_a_phone(browser, live_server, demo):
    page = new_page(browser, live_server, width=390)
    sign_in(page, STAFF, STAFF_PASSWORD)
    for language in ("zh_CN", "en"):
        if language == "en":
            use_language(page, "en")
        page.goto("/staff/tickets")
        rows = page.locator(".desk-table tbody tr")
        assert rows.count() >= 3  # the fixture's two, the demo's own, and the active ones of its history
        assert_no_horizontal_overflow(page, 390)
        assert page.locator(".desk-table thead").bounding_box()["width"] <= 1  # its headers label each card
        for i in range(rows.count()):
            assert rows.nth(i).evaluate("r => getComputedStyle(r).display") == "grid"
            box = rows.nth(i).bounding_box()
            assert box["width"] >= 300 and box["x"] >= 0
        label = page.locator(".desk-table td[data-label]").first.evaluate(
            "td => getComputedStyle(td, '::before').content")
        assert label.strip('"') in ("状态", "Status")
        # No cell's text is squeezed to a character per line: each card's ticket cell is one wide column.
        ticket_cell = page.locator(".desk-table td.desk-ticket").first.bounding_box()
        assert ticket_cell["width"] >= 280
    page.context.close()


def test_support_links_all_lead_somewhere(browser, live_server, demo):
    for locale, signed_in in (("zh-CN", False), ("en-US", False), ("en-US", True)):
        page = new_page(browser, live_server, width=390, locale=locale)
        if signed_in:
            sign_in(page, MEMBER, MEMBER_PASSWORD)
        page.goto("/support")
        assert "/support/chat" not in page.content()
        hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert len(page.locator(".channel-link a").all()) == 4
        for href in hrefs:
            assert href, hrefs
            if href.startswith(("tel:", "mailto:", "https://")):
                continue
            assert page.request.get(href).status == 200, href
        kinds = page.locator(".channel-link a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert kinds[0] == "tel:4000000000" and kinds[1] == "mailto:support@example.com"
        assert kinds[2] == ("/tickets" if signed_in else "/login?next=/tickets")
        page.locator(".channel-online a").click()
        page.wait_for_url(re.compile(r"/(tickets|login)"))
        page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_ticket_the_desk_and_support(browser, live_server, demo, width):
    """The pages issue 16 asks to see, in both languages, each checked for overflow and a one-row header."""
    page = new_page(browser, live_server, width=width)
    sign_in(page, STAFF, STAFF_PASSWORD)
    for language, suffix in (("zh_CN", "zh"), ("en", "en")):
        if language == "en":
            use_language(page, "en")
        for name, path in (("ticket", f"/tickets/{demo['ticket']}"), ("desk", "/staff/tickets"), ("support", "/support"),
                           ("kb", "/kb")):
            page.goto(path)
            assert page.locator("html").get_attribute("lang").startswith(suffix)
            assert_no_horizontal_overflow(page, width)
            if width >= 1024:
                assert_header_one_row(page)
            shoot(page, f"{name}-{suffix}-{width}")
    page.context.close()
    visitor = new_page(browser, live_server, width=width, locale="en-US")
    visitor.goto("/support")
    assert_no_horizontal_overflow(visitor, width)
    shoot(visitor, f"support-visitor-en-{width}")
    visitor.context.close()


def test_member_menu_closes_on_escape_and_outside_clicks_with_javascript(browser, live_server, demo):
    page = new_page(browser, live_server, width=1280, locale="en-US")
    sign_in(page, MEMBER, MEMBER_PASSWORD)
    panel = page.locator(".user-menu-panel")
    page.locator(".user-menu > summary").click()
    assert panel.is_visible()
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.evaluate("document.activeElement.matches('.user-menu > summary')")
    page.locator(".user-menu > summary").click()
    page.locator("main h1, main h2").first.click()
    assert not panel.is_visible()
    page.context.close()
