"""Voting updates the score in place, without reloading the page; the asker accepts an answer."""
import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.session import sign_out
from tests.fixtures.auth import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))


def test_vote_in_place_and_accept(page, app, create_user, create_question, create_answer):
    from forum.extensions import db

    asker = create_user("提问的小周")
    q = create_question(asker, title="退款申请通过了但是钱一直没到账怎么办")
    a = create_answer(q, create_user("热心的小吴", reputation=1200),
                      body="信用卡退款一般 3–7 个工作日到账，可以在订单详情里查看退款进度和银行受理编号。")
    qid, aid = q.id, a.id
    create_user("路过的网友")
    db.session.commit()

    sign_in(page, "路过的网友")
    page.goto(f"/questions/{qid}")
    marker = page.evaluate("window.__marker = Math.random()")
    answer = page.locator(f"#answer-{aid}")
    answer.get_by_role("button", name="投赞成票").click()
    answer.locator(".score-value", has_text="1").wait_for()
    assert answer.locator(".vote-up").get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.__marker") == marker  # no reload happened
    # A downvote needs 125 reputation: the reason is shown beside the buttons, the score stays.
    answer.get_by_role("button", name="投反对票").click()
    answer.locator(".vote-message", has_text="125").wait_for()
    assert answer.locator(".score-value").inner_text() == "1"
    # Voting on one's own question is refused with a reason.
    sign_out(page)
    sign_in(page, "提问的小周")
    page.goto(f"/questions/{qid}")
    page.locator("#question").get_by_role("button", name="投赞成票").click()
    page.locator("#question .vote-message", has_text="不能").wait_for()
    page.get_by_role("button", name="采纳：这个回答解决了我的问题").click()
    page.wait_for_url(re.compile(rf"/questions/{qid}.*#answer-{aid}"))
    assert page.locator(".post-answer.is-accepted").count() == 1
    assert "资深成员" in page.locator(f"#answer-{aid} .post-author").inner_text()
    screenshot(page, "thread-voted-accepted", app.config["TEST_BACKEND"])
    page.goto(f"/users/{'热心的小吴'}")
    assert page.locator("svg.rep-chart polyline").count() == 1
    screenshot(page, "profile", app.config["TEST_BACKEND"])


def test_mention_completion_and_bell(page, app, create_user, create_question):
    from forum.extensions import db

    create_user("老王专家")
    asker = create_user("提问的小周")
    q = create_question(asker, title="退款申请通过了但是钱一直没到账怎么办")
    qid = q.id
    create_user("路过的网友")
    db.session.commit()
    sign_in(page, "路过的网友")
    page.goto(f"/questions/{qid}")
    textarea = page.get_by_label("你的回答")
    textarea.click()
    textarea.type("请@老王")
    page.locator(".mention-menu li", has_text="@老王专家").click()
    assert textarea.input_value() == "请@老王专家 "
    textarea.type("帮忙看看这个退款问题，应该是银行处理慢了。")
    page.get_by_role("button", name="发布回答").click()
    page.wait_for_url(re.compile(r"#answer-\d+"))
    sign_out(page)
    sign_in(page, "老王专家")
    assert page.locator(".bell-count").inner_text().startswith("1")
    page.locator(".bell").click()
    assert "路过的网友 在“退款申请通过了但是钱一直没到账怎么办”中提到了你" in page.locator(".notification-list").inner_text()
    screenshot(page, "notifications", app.config["TEST_BACKEND"])
