"""The whole escalation path in the browser, both sides, in English: escalate, staff note and
reply, tier change, publish to the thread, solve, rate."""
import re

import pytest

from tests.browser.conftest import ARGS, screenshot  # noqa: F401
from tests.browser.session import sign_out
from tests.fixtures.auth import PASSWORD

pytestmark = pytest.mark.browser


def sign_in_en(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))



def test_escalate_reply_tier_publish_solve_rate(browser, live_server, app, create_user, create_question):
    from forum.extensions import db

    asker = create_user("zhou", locale="en")
    create_user("lin_staff", role="staff", locale="en")
    q = create_question(asker, title="Money was taken but the order still says unpaid", category="payments",
                        body="I paid with my card yesterday; the bank shows the charge but the order is unpaid.")
    qid = q.id
    db.session.commit()
    context = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    backend = app.config["TEST_BACKEND"]

    sign_in_en(page, "zhou")
    page.goto(f"/questions/{qid}")
    page.get_by_role("link", name="Escalate to official support").click()
    assert page.get_by_text("You will hear from us by").is_visible()
    page.get_by_label("Order number (private)").fill("TP2026112500001")
    page.get_by_label("How should we contact you? (private)").select_option("phone")
    page.get_by_label("E-mail address or phone number (private)").fill("139-0000-2222")
    screenshot(page, "escalate-form", backend)
    page.get_by_role("button", name="Send to official support").click()
    page.wait_for_url(re.compile(r"/tickets/\d+"))
    number = page.locator("h1").inner_text().split(" ")[0]
    assert number.startswith("TP-") and page.get_by_text("First reply expected by").is_visible()
    ticket_url = page.url
    page.goto(f"/questions/{qid}")
    mark = page.locator(".escalation-mark").inner_text()
    assert "Escalated to official support" in mark and "TP2026112500001" not in page.content()
    sign_out(page)

    sign_in_en(page, "lin_staff")
    page.get_by_role("link", name="Staff desk").click()
    page.get_by_role("link", name=re.compile(number)).click()
    page.get_by_label("Message").fill("Gateway delay suspected; checking with payments team.")
    page.get_by_role("button", name="Save as internal note").click()
    page.get_by_label("Canned reply").select_option(index=1)
    page.get_by_role("button", name="Send reply").click()
    page.get_by_label("Tier", exact=True).select_option("2")
    page.get_by_label("Reason (required when the tier changes)").fill("Payment gateway issue")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Tier 2" in page.locator(".thread-badges").inner_text()
    page.locator("#publish-body").fill("A payment gateway delay left the order unpaid; staff re-synced it. "
                                       "If this happens, the money is returned within 1–3 working days.")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(rf"/questions/{qid}.*#answer-\d+"))
    assert page.locator(".post-answer.is-verified .badge-official").count() == 1
    page.goto(ticket_url)
    page.get_by_label("Status", exact=True).select_option("solved")
    page.get_by_role("button", name="Save", exact=True).click()
    screenshot(page, "ticket-staff", backend)
    sign_out(page)

    sign_in_en(page, "zhou")
    page.goto(ticket_url)
    content = page.locator("main").inner_text()
    assert "Gateway delay suspected" not in content  # the internal note stays with staff
    page.get_by_label("Rating").select_option("5")
    page.get_by_role("button", name="Send rating").click()
    page.get_by_text("★★★★★").wait_for()
    screenshot(page, "ticket-requester", backend)
    context.close()
