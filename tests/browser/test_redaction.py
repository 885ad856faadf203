"""What a moderator and a member see of private details in the edit history (issue 14, finding 9):
a moderator redacts a revision on the history page; an author removes a warned-about order number
with one click."""
import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.session import sign_out
from tests.browser.test_votes import sign_in

pytestmark = pytest.mark.browser

ORDER = "202611251234567"
ADDRESS = "北京市朝阳区建国路88号5号楼1203室"


def test_moderator_redacts_a_revision_on_the_history_page(page, app, create_user):
    from forum.extensions import db
    from forum.questions import services as posts

    author = create_user("小陈", reputation=50)
    create_user("版主老周", role="moderator")
    question = posts.ask_question(author, title="订单一直没有发货怎么办", tags=["发货"], category="orders",
                                  body=f"下单一周了还没发货，订单号 {ORDER}，收货地址 {ADDRESS}，请帮忙看看。")
    posts.edit_question(author, question.id, body="下单一周了还没发货，订单号和地址已经发给官方客服了，请帮忙看看。",
                        summary="删掉了个人信息")
    qid = question.id
    db.session.commit()
    backend = app.config["TEST_BACKEND"]

    # Anyone could read the details in the history.
    page.goto(f"/questions/{qid}/revisions")
    assert ORDER in page.content()
    assert page.locator(".redact-form").count() == 0

    sign_in(page, "版主老周")
    page.goto(f"/questions/{qid}/revisions")
    first = page.locator("#revision-1")
    first.locator(".redact-menu summary").click()
    first.get_by_label("原因（公开显示，请不要重复个人信息）").fill("含有订单号和收货地址")
    screenshot(page, "redact-form", backend)
    first.get_by_role("button", name="删除修订版本 1 的内容").click()
    page.wait_for_url(re.compile(rf"/questions/{qid}/revisions"))
    page.locator(".flash-success").wait_for()
    notice = page.locator("#revision-1 .redaction-notice")
    assert "含有订单号和收货地址" in notice.inner_text()
    assert ORDER not in page.content() and "建国路" not in page.content()
    # The current revision still reads well: its diff is against the placeholder.
    assert "订单号和地址已经发给官方客服了" in page.locator("#revision-2").inner_text()
    screenshot(page, "redacted-revision", backend)

    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "redacted-revision-phone", backend)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    # The author is told, in the inbox, with a link to the history.
    sign_in(page, "小陈")
    page.goto("/notifications")
    page.get_by_text("含有订单号和收货地址").first.wait_for()
    assert ORDER not in page.content()


def test_author_removes_an_order_number_with_one_click(page, app, create_user):
    from forum.extensions import db

    create_user("小林", reputation=200)
    db.session.commit()
    backend = app.config["TEST_BACKEND"]
    sign_in(page, "小林")
    page.goto("/ask")
    page.get_by_label("标题").fill("京东订单一直没有发货怎么办")
    page.get_by_label("分类").select_option("orders")
    page.get_by_label("详细描述").fill(f"订单号 {ORDER}，寄到 {ADDRESS}，下单一周了还没有发货。")
    page.get_by_label("标签").fill("发货")
    page.get_by_role("button", name="发布问题").click()
    page.wait_for_url(re.compile(r"/questions/\d+"))

    notice = page.locator(".privacy-notice")
    notice.wait_for()
    assert "20*********4567" in notice.inner_text() and ORDER not in notice.inner_text()
    screenshot(page, "privacy-warning", backend)
    notice.get_by_role("button").click()
    page.locator(".flash-success").wait_for()
    body = page.locator("#question .post-body").inner_text()
    assert ORDER not in body and "建国路" not in body and ("[已移除]" in body or "[removed]" in body)
