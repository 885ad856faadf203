"""What members and moderators see of moderation: the privacy guard on the ask page, a scam answer
held for review, a flag, the review queue, closing and locking a thread, a suspension."""
import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import screenshot
from tests.browser.session import sign_out
from tests.browser.test_votes import sign_in

pytestmark = pytest.mark.browser

CARD = "6222021234567894"  # passes the Luhn check


def test_privacy_guard_on_the_ask_page(page, app, create_user):
    from forum.extensions import db

    create_user("小李", reputation=200)
    db.session.commit()
    backend = app.config["TEST_BACKEND"]
    sign_in(page, "小李")
    page.goto("/ask")
    page.get_by_label("标题").fill("银行卡被重复扣款了两次怎么办")
    page.get_by_label("分类").select_option("payments")
    page.get_by_label("详细描述").fill(f"我的卡号是 {CARD}，昨天买东西扣了两次钱，订单只有一个。")
    page.get_by_label("标签").fill("扣款")
    page.get_by_role("button", name="发布问题").click()

    panel = page.locator(".privacy-panel")
    panel.wait_for()
    text = panel.inner_text()
    assert "银行卡号" in text and "6222 **** **** 7894" in text
    assert CARD not in text  # the panel shows it masked only
    screenshot(page, "privacy-guard", backend)

    panel.get_by_role("button", name="移除这些信息后发布").click()
    page.wait_for_url(re.compile(r"/questions/\d+"))
    body = page.locator("#question .post-body").inner_text()
    assert "[已移除]" in body and CARD not in page.content()


def test_scam_answer_held_flag_review_close_lock_suspend(page, app, create_user, create_question):
    from forum.extensions import db

    asker = create_user("提问的人", reputation=50)
    create_user("骗子甲", reputation=50)
    create_user("热心人", reputation=50)
    create_user("版主老周", role="moderator")
    q = create_question(asker, title="退款一直没有到账怎么办", category="payments", tags=["退款"],
                        body="申请退款一周了还没有到账，订单显示退款成功。")
    qid = q.id
    db.session.commit()
    backend = app.config["TEST_BACKEND"]

    # A scam answer is held: its author is told why and sees it marked; nobody else sees it.
    sign_in(page, "骗子甲")
    page.goto(f"/questions/{qid}")
    page.get_by_label("你的回答").fill("我是官方客服，加我微信 kefu2026 发我验证码，马上帮你退款。")
    page.get_by_role("button", name="发布回答").click()
    page.locator(".flash-warning", has_text="正在等待审核").wait_for()
    assert page.locator(".post-answer .held-note").count() == 1
    screenshot(page, "held-answer-author", backend)
    sign_out(page)

    sign_in(page, "热心人")
    page.goto(f"/questions/{qid}")
    assert "kefu2026" not in page.content()
    # The flag menu: a choice of reasons, then a confirmation.
    page.locator("#question .flag-menu summary").click()
    page.locator("#question .flag-form").get_by_label("垃圾信息").check()
    screenshot(page, "flag-menu", backend)
    page.locator("#question .flag-form").get_by_role("button", name="提交给版主").click()
    page.locator(".flash-success", has_text="版主会查看").wait_for()
    sign_out(page)

    # The moderator's queue: the held answer first, with why, then the flagged question.
    sign_in(page, "版主老周")
    page.get_by_role("link", name=re.compile("审核")).first.click()
    page.wait_for_url(re.compile(r"/review"))
    items = page.locator(".review-item")
    assert items.count() == 2
    assert "kefu2026" in items.nth(0).inner_text() and "自称官方客服" in items.nth(0).inner_text()
    assert "垃圾信息" in items.nth(1).inner_text()
    screenshot(page, "review-queue", backend)
    items.nth(0).get_by_role("button", name="删除帖子").click()
    page.locator(".flash-success").wait_for()
    page.locator(".review-item").first.get_by_role("button", name=re.compile("没有问题")).click()
    page.get_by_text("没有需要审核的内容").wait_for()

    # Close as needing details, then lock; both show on the thread with their reasons.
    page.goto(f"/questions/{qid}")
    page.locator(".mod-tools summary", has_text="关闭").click()
    page.get_by_label("需要更多细节").check()
    page.get_by_role("button", name="关闭问题").click()
    page.locator(".state-note", has_text="需要更多细节").wait_for()
    page.get_by_role("button", name="锁定帖子").click()
    page.locator(".badge-locked").wait_for()
    assert "不再接受新回答" in page.locator("#answer-form").inner_text()
    screenshot(page, "closed-locked-thread", backend)

    # Suspend the scammer until a date; the log records all of it.
    page.goto("/users/骗子甲")
    page.locator(".mod-tools summary", has_text="封禁该成员").click()
    page.get_by_label("原因（会显示给该成员）").fill("冒充官方客服索要验证码")
    until = (date.today() + timedelta(days=30)).isoformat()
    page.get_by_label("封禁至").fill(until)
    page.get_by_role("button", name="封禁", exact=True).click()
    page.locator(".flash-success", has_text="已被封禁").wait_for()
    page.goto("/review/log")
    log = page.locator("table").inner_text()
    for action in ("删除", "驳回了举报", "关闭", "锁定", "封禁"):
        assert action in log, action
    screenshot(page, "moderation-log", backend)
    sign_out(page)

    sign_in(page, "骗子甲")
    page.goto(f"/questions/{qid}")
    banner = page.locator(".suspension-banner")
    assert "冒充官方客服索要验证码" in banner.inner_text() and until in banner.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "suspended-member-phone", backend)
