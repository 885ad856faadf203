"""Staff add a synonym group on /staff/search/vocabulary, in Chinese, try a query with it, and a
member's search finds the post that holds the other word; the page on a desktop and on a phone."""
import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.session import sign_in, sign_out
from tests.every_page import PASSWORD

pytestmark = pytest.mark.browser


def _shot(page, name: str, backend: str) -> Path:
    # FORUM_SCREENSHOTS, or beside the other browser tests' screenshots
    folder = Path(os.environ.get("FORUM_VOCABULARY_SCREENSHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{backend}.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.search_index
def test_staff_add_a_group_try_it_and_members_find_the_post(page, app, create_user, create_question):
    from forum.extensions import db
    from forum.search import vocabulary

    create_question(title="钱包余额提现到银行卡失败", category="payments", tags=["钱包"],
                    body="点了提现一直转圈，钱包里的钱没有到账。")
    staff = create_user("客服小林", role="staff").username
    db.session.commit()  # (and no attribute read after it: on SQLite that would begin a transaction)
    backend = app.config["TEST_BACKEND"]
    try:
        sign_in(page, staff, PASSWORD)
        page.goto("/staff/tickets")
        page.get_by_role("link", name="搜索词表").click()
        page.wait_for_url(re.compile(r"/staff/search/vocabulary"))
        assert page.locator(".empty-state").count() == 2  # no groups, no domain words yet
        page.set_viewport_size({"width": 390, "height": 844})
        _shot(page, "vocabulary-empty-zh-390", backend)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_label("词语").fill("小金库")  # one word: refused beside the field
        page.get_by_role("button", name="添加", exact=True).click()
        assert "至少需要 2 个" in page.locator("#vocab-words-error").inner_text()
        assert page.get_by_label("词语").input_value() == "小金库"

        page.get_by_label("词语").fill("小金库、钱包\n零钱袋")
        page.get_by_label("备注（可选）").fill("会员常把钱包叫小金库")
        page.get_by_role("button", name="添加", exact=True).click()
        page.wait_for_url(re.compile(r"/staff/search/vocabulary$"))
        assert "已添加" in page.locator(".flashes").inner_text()
        assert page.locator(".vocab-item .vocab-word").all_inner_texts() == ["小金库", "钱包", "零钱袋"]

        page.get_by_role("searchbox", name="查询").fill("小金库提现失败 -广告")
        page.get_by_role("button", name="查看搜索如何理解").click()
        expansion = page.locator(".expansion").inner_text()
        assert "小金库" in expansion and "钱包" in expansion and "零钱袋" in expansion and "已排除" in expansion
        _shot(page, "vocabulary-zh-1280", backend)
        page.set_viewport_size({"width": 390, "height": 844})
        _shot(page, "vocabulary-zh-390", backend)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone"
        page.set_viewport_size({"width": 1280, "height": 900})
        sign_out(page)

        page.goto("/search?q=小金库")
        assert "钱包余额提现到银行卡失败" in page.locator(".search-hit").first.inner_text()
    finally:
        vocabulary.reset(app)
