"""A member searches from the header, narrows the results with the filters, meets "did you mean"
on a typo, and sees similar questions while typing a title on the ask page."""
import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_votes import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.search_index
def test_search_filters_did_you_mean_and_similar_questions(page, app, create_user, create_question,
                                                           create_answer):
    from forum.extensions import db
    from forum.verification import services as verification

    pay = create_question(title="银行卡支付失败，钱扣了订单还是未付款", category="payments", tags=["支付"],
                          body="用招商银行卡付款，提示支付失败，但是短信显示已经扣款。")
    other = create_question(title="微信支付失败提示“交易异常”怎么办", category="payments", tags=["支付"],
                            body="微信付款的时候一直提示交易异常，换了网络也不行。")
    create_question(title="How do I get a refund for a cancelled order?", category="payments", tags=["refund"],
                    body="I cancelled the order yesterday and the refund has not arrived yet.")
    answer = create_answer(pay, create_user("老王"), body="扣款未成功的钱一般 10 分钟内原路退回，超过 24 小时请联系客服。")
    staff = create_user("客服小林", role="staff")
    verification.verify_answer(staff, answer.id, note="已核实")
    create_user("小明")
    pay_id, other_id = pay.id, other.id
    db.session.commit()
    backend = app.config["TEST_BACKEND"]

    page.goto("/")
    page.get_by_placeholder("搜索问题…").fill("支付失败")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    hits = page.locator(".search-hit")
    assert hits.count() == 2
    assert page.locator(".search-hit mark").first.inner_text() in ("支付", "失败", "支付失败")
    first = hits.first.inner_text()
    assert "已验证" in first and "银行卡支付失败" in first  # the verified thread is boosted to the top
    screenshot(page, "search-results", backend)

    page.locator(".search-filters a[data-filter='verified']:not(.active)").click()
    page.wait_for_url(re.compile(r"is(%3A|:)verified"))
    assert page.locator(".search-hit").count() == 1
    assert all(str(pay_id) in href for href in
               page.locator(".search-hit-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))"))
    assert f"/questions/{other_id}" not in page.content()

    page.goto("/search?q=refnud")
    page.get_by_text("没有找到结果").wait_for()
    page.locator(".did-you-mean a", has_text="refund").click()
    page.locator(".search-hit", has_text="How do I get a refund").wait_for()
    page.goto("/search?q=完全不存在的问题xyz")
    assert page.locator(".empty-state a", has_text="提问").count() == 1
    assert page.locator(".empty-state a[href='/support']").count() == 1
    screenshot(page, "search-empty", backend)

    sign_in(page, "小明")
    page.goto("/ask")
    page.get_by_label("标题").fill("支付失败了怎么办")
    similar = page.locator("#similar-questions")
    similar.locator("li", has_text="银行卡支付失败").wait_for()
    assert similar.locator(".badge-verified").count() == 1
    screenshot(page, "ask-similar", backend)
