"""A person registers, asks in Chinese, another answers; both see the thread."""
import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.session import sign_out

pytestmark = pytest.mark.browser


def register(page, username: str, email: str, password: str = "browser-pass-1") -> None:
    page.goto("/register")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/$"))



def test_register_ask_answer_and_see_both(page, app):
    backend = app.config["TEST_BACKEND"]
    register(page, "浏览器小王", "wang@example.com")
    page.get_by_role("link", name="提问").first.click()
    page.get_by_label("标题").fill("我的订单已经发货了，还能修改收货地址吗？")
    page.get_by_label("分类").select_option("orders")
    body = page.get_by_label("详细描述")
    body.fill("昨天下的订单，今天显示**已发货**，但是我填错了收货地址。\n\n1. 订单详情里没有修改按钮\n2. 联系卖家没有回复")
    # The live preview renders Markdown on the server, sanitized, as it will be saved.
    page.locator("#question-preview strong", has_text="已发货").wait_for()
    assert page.locator("#question-preview ol li").count() == 2
    page.get_by_label("标签").fill("收货地址 订单")
    screenshot(page, "ask-form", backend)
    page.get_by_role("button", name="发布问题").click()
    page.wait_for_url(re.compile(r"/questions/\d+"))
    question_url = page.url
    assert page.get_by_role("heading", name="我的订单已经发货了，还能修改收货地址吗？").is_visible()
    sign_out(page)

    register(page, "热心的老李", "li@example.com")
    page.goto(question_url)
    page.get_by_label("你的回答").fill("已发货的订单不能在页面上改地址。可以联系快递公司修改派送地址，或者拒收后重新下单。")
    page.locator("#answer-preview p").wait_for()
    page.get_by_role("button", name="发布回答").click()
    page.wait_for_url(re.compile(r"/questions/\d+.*#answer-\d+"))

    answer = page.locator("article.post-answer")
    assert answer.count() == 1
    assert "联系快递公司修改派送地址" in answer.inner_text()
    assert "热心的老李" in answer.inner_text()
    assert "浏览器小王" in page.locator(".post-question").inner_text()
    path = screenshot(page, "thread-desktop", backend)
    assert path.stat().st_size > 10_000

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    screenshot(page, "thread-phone", backend)
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_english_interface_and_form_errors(browser, live_server, app):
    context = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/register")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Username").fill("x")
    page.get_by_label("E-mail").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Register").click()
    assert page.locator(".field-errors").count() == 3
    assert page.get_by_label("Username").input_value() == "x"
    screenshot(page, "register-errors-en", app.config["TEST_BACKEND"])
    context.close()


def test_the_editor_shows_the_weighted_length(page, app):
    """Issue 16: the hint under a post's field counts as the server does, a Chinese character as 2."""
    backend = app.config["TEST_BACKEND"]
    register(page, "数字数的小张", "zhang@example.com")
    page.goto("/ask")
    title = page.get_by_label("标题")
    hint = page.locator("#title + .length-hint")
    title.fill("积分过期")
    assert hint.inner_text() == "至少 10（中文每字计 2），当前 8 · 4 / 150"
    title.fill("积分什么时候过期？")
    assert hint.inner_text() == "当前 18（中文每字计 2） · 9 / 150"
    page.get_by_label("详细描述").fill("我的积分显示快过期了")
    assert page.locator("#body + .length-hint").inner_text() == "当前 20（中文每字计 2）"
    screenshot(page, "ask-length-hint", backend)
    page.get_by_label("分类").select_option("account")
    page.get_by_label("标签").fill("积分")
    page.get_by_role("button", name="发布问题").click()
    page.wait_for_url(re.compile(r"/questions/\d+"))
    assert page.get_by_role("heading", name="积分什么时候过期？").is_visible()
