"""Staff verify an answer; an edit turns the badge to "edited since verification"; the staff
queue shows the diff and verifying again clears it; the knowledge base lists it."""
import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.session import sign_out
from tests.browser.test_votes import sign_in

pytestmark = pytest.mark.browser


def test_verify_edit_reverify_and_knowledge_base(page, app, create_user, create_question, create_answer):
    from forum.extensions import db

    q = create_question(title="退款显示成功但是信用卡还没到账", category="payments", tags=["退款"])
    helper = create_user("老王")
    a = create_answer(q, helper, body="信用卡退款一般 1 到 7 个工作日到账，请以银行入账为准。")
    create_user("客服小林", role="staff")
    qid, aid = q.id, a.id
    db.session.commit()
    backend = app.config["TEST_BACKEND"]

    sign_in(page, "客服小林")
    page.goto(f"/questions/{qid}")
    answer = page.locator(f"#answer-{aid}")
    answer.get_by_text("验证", exact=True).click()
    answer.get_by_label("备注（可选）").fill("已对照 2026-11 退款规则核实")
    answer.get_by_role("button", name="验证此版本").click()
    page.wait_for_url(re.compile(rf"#answer-{aid}"))
    mark = page.locator(f"#answer-{aid} .verified-mark")
    assert "由 客服小林 于" in mark.inner_text() and "已对照 2026-11 退款规则核实" in mark.inner_text()
    screenshot(page, "verified-answer", backend)
    sign_out(page)

    sign_in(page, "老王")
    page.goto(f"/answers/{aid}/edit")
    page.get_by_label("你的回答").fill("信用卡退款一般 1 到 3 个工作日到账，请以银行入账为准。")
    page.get_by_role("button", name="保存修改").click()
    page.locator(f"#answer-{aid} .stale-mark", has_text="验证后已被编辑").wait_for()
    page.get_by_role("link", name="查看改动").click()
    assert page.locator("del", has_text="7").count() >= 1 and page.locator("ins", has_text="3").count() >= 1
    page.goto("/")
    sign_out(page)

    sign_in(page, "客服小林")
    page.get_by_role("link", name="客服工作台").click()
    page.get_by_role("link", name="待重新验证").click()
    page.locator(".queue-item", has_text="退款显示成功但是信用卡还没到账").wait_for()
    screenshot(page, "staff-queue", backend)
    page.locator(".queue-item").get_by_role("button", name="验证此版本").click()
    page.goto("/staff/verifications")
    page.get_by_text("没有需要重新验证的回答").wait_for()
    page.goto("/kb")
    assert "退款显示成功但是信用卡还没到账" in page.locator(".kb-group").inner_text()
    screenshot(page, "knowledge-base", backend)
