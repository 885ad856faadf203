"""Issue 22: the staff dashboard on the demo (sixty days of history): the funnel, the deflection
rate and the content gaps, read in Chinese and English at 1280 and 390 px, with no horizontal
overflow; the period and category filters work without JavaScript. The screenshots are kept in
tests/browser/screenshots/insights/ for people to look at (no test compares their bytes)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.session import sign_in
from tests.browser.test_layout import (
    STAFF,
    STAFF_PASSWORD,
    assert_no_horizontal_overflow,
    new_page,
    use_language,
)

pytestmark = pytest.mark.browser

SHOTS = SCREENSHOTS / "insights"


@pytest.fixture
def demo(app, live_server):
    from forum.demo import content
    from forum.demo.loader import load_demo
    from forum.extensions import db

    load_demo(content)
    db.session.commit()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_on_the_demo(browser, live_server, demo, width):
    page = new_page(browser, live_server, width=width, javascript=False)
    sign_in(page, STAFF, STAFF_PASSWORD)
    for language, suffix in (("zh_CN", "zh"), ("en", "en")):
        if language == "en":
            use_language(page, "en")
        page.goto("/staff/dashboard")
        assert page.locator("html").get_attribute("lang").startswith(suffix)
        text = page.locator("main").inner_text()
        heading = page.locator("#funnel-title").inner_text().strip()
        assert heading == ("从提问到解决" if suffix == "zh" else "From question to solution"), heading
        assert ("From question to solution" in text) == (suffix == "en")
        assert "complaints" not in text and "payments" not in text  # names, never stored values
        assert page.locator(".insight-card svg").count() >= 3 and page.locator(".data-table").count() >= 4
        assert_no_horizontal_overflow(page, width)
        shoot(page, f"dashboard-{suffix}-{width}")
    # The filters are a plain form: 7 days of payments.
    page.select_option("select[name=days]", "7")
    page.select_option("select[name=category]", "payments")
    page.locator(".insight-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert "days=7" in page.url and "category=payments" in page.url
    assert page.locator("select[name=category] option[selected]").get_attribute("value") == "payments"
    assert_no_horizontal_overflow(page, width)
    shoot(page, f"dashboard-payments-7-en-{width}")
    page.context.close()
