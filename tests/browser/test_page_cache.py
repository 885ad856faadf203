"""Issue 15: a visitor who gets a thread from the page cache (someone else's render, no CSRF token in
it) switches the language, votes and signs in, in a real browser, with CSRF protection on."""
import re

import pytest

from forum.core import page_cache
from tests.browser.conftest import screenshot
from tests.fixtures.auth import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def cached(app):
    """The session's application with the page cache and CSRF protection on, as in production."""
    app.config.update(FORUM_PAGE_CACHE=True, WTF_CSRF_ENABLED=True)
    page_cache.init_app(app)
    page_cache.invalidate(app)
    yield app
    app.config.update(FORUM_PAGE_CACHE=False, WTF_CSRF_ENABLED=False)
    page_cache.init_app(app)


def test_a_cached_thread_works_for_the_next_visitor(cached, browser, live_server, page, create_user,
                                                    create_question, create_answer):
    from forum.extensions import db

    question = create_question(title="退款申请通过了但是钱一直没到账怎么办")
    answer = create_answer(question, body="信用卡退款一般 3–7 个工作日到账，可以在订单详情里查看退款进度。")
    create_user("路过的网友")
    qid, aid = question.id, answer.id
    db.session.commit()

    first = browser.new_context(base_url=live_server, locale="zh-CN")
    try:
        assert first.new_page().goto(f"/questions/{qid}").headers["x-page-cache"] == "miss"
    finally:
        first.close()

    response = page.goto(f"/questions/{qid}")
    assert response.headers["x-page-cache"] == "hit"
    assert page.locator('meta[name="csrf-token"]').count() == 0
    assert page.locator('input[name="csrf_token"]').count() == 0

    page.get_by_role("button", name="English").click()
    page.wait_for_selector('html[lang="en"]')
    assert page.get_by_role("heading", name="Your answer").count() == 1

    page.locator(f"#answer-{aid}").get_by_role("button", name="Vote up").click()  # fetch: 401, to sign in
    page.wait_for_url(re.compile(r"/login\?next="))
    page.get_by_label("Username or e-mail").fill("路过的网友")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/questions/{qid}"))
    assert page.locator(".user-link-name").inner_text() == "路过的网友"
    page.locator(f"#answer-{aid}").get_by_role("button", name="Vote up").click()
    page.locator(f"#answer-{aid} .score-value", has_text="1").wait_for()
    screenshot(page, "cached-thread-signed-in", cached.config["TEST_BACKEND"])
