"""Every action works from the keyboard alone, with a visible focus ring: voting (the new count is
in a live region), accepting, the flag menu, following, the language switch, the desk's filters."""
import re

import pytest

from forum.moderation.models import Flag
from tests.browser.session import sign_in, sign_out
from tests.fixtures.auth import PASSWORD

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, *, limit: int = 200, backwards: bool = False):
    """Press Tab (Shift+Tab) until the focus is on `selector`: the element is reachable from the
    keyboard in the page's order. Then check its focus ring is drawn."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            break
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    else:
        pytest.fail(f"{selector} is not reachable with Tab on {page.url}")
    assert_focus_ring(page)
    return page.locator(":focus")


def assert_focus_ring(page):
    """The focused element draws an outline at least 2px wide, with a contrast of 3:1 or more against
    the background behind it (WCAG 1.4.11)."""
    ring = page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
            .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        let behind = el.parentElement, back = [255, 255, 255];
        while (behind) {
            const c = rgb(getComputedStyle(behind).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0)) { back = c.slice(0, 3); break; }
            behind = behind.parentElement;
        }
        const [a, b] = [lum(rgb(style.outlineColor)), lum(back)];
        return {visible: el.matches(':focus-visible'), style: style.outlineStyle,
                width: parseFloat(style.outlineWidth), color: style.outlineColor,
                contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
    }""")
    assert ring["visible"] and ring["style"] not in ("none", "hidden") and ring["width"] >= 2, ring
    assert ring["contrast"] >= 3, ring


def test_vote_accept_flag_and_follow_from_the_keyboard(page, create_user, create_question, create_answer):
    from forum.extensions import db

    asker = create_user("提问的小周")
    question = create_question(asker, title="退款申请通过了但是钱一直没到账怎么办")
    answer = create_answer(question, create_user("热心的小吴"),
                           body="信用卡退款一般 3–7 个工作日到账，可以在订单详情里查看退款进度和银行受理编号。")
    create_user("路过的网友")
    qid, aid = question.id, answer.id
    db.session.commit()

    sign_in(page, "路过的网友", PASSWORD)
    page.goto(f"/questions/{qid}")
    box = page.locator(f"#answer-{aid} .vote-box")
    score = box.locator(".score")
    assert score.get_attribute("aria-live") == "polite"
    tab_to(page, f"#answer-{aid} .vote-up")
    page.keyboard.press("Enter")
    box.locator(".score-value", has_text="1").wait_for()
    assert box.locator(".vote-up").get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.matches('.vote-up')")  # the focus stays on the button
    page.keyboard.press("Space")  # a second press takes the vote back
    box.locator(".score-value", has_text="0").wait_for()
    assert box.locator(".vote-up").get_attribute("aria-pressed") == "false"
    # The script that updates the count keeps it in the live region.
    assert score.get_attribute("aria-live") == "polite" and score.get_attribute("aria-atomic") == "true"
    assert score.locator(".score-value").count() == 1

    # The flag menu: open with Enter, close with Escape (the focus goes back), open, choose, send.
    summary = tab_to(page, f"#answer-{aid} .flag-menu > summary")
    page.keyboard.press("Enter")
    menu = page.locator(f"#answer-{aid} .flag-menu")
    assert menu.get_attribute("open") is not None
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None
    assert page.evaluate("document.activeElement.matches('.flag-menu > summary')")
    summary.press("Space")
    assert menu.get_attribute("open") is not None
    tab_to(page, f"#answer-{aid} .flag-form input[type=radio]:checked")
    page.keyboard.press("ArrowDown")  # the next kind of flag
    chosen = page.evaluate("document.activeElement.value")
    tab_to(page, f"#answer-{aid} .flag-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".flash-success").wait_for()

    db.session.expire_all()
    assert [(f.answer_id, f.kind.value) for f in db.session.query(Flag)] == [(aid, chosen)]
    db.session.commit()  # a read opens a writing transaction on SQLite: end it before the next request

    # Follow the question.
    page.goto(f"/questions/{qid}")
    tab_to(page, ".follow-form button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".follow-form button").get_attribute("aria-pressed") == "true"

    # The asker accepts with the keyboard.
    sign_out(page)
    sign_in(page, "提问的小周", PASSWORD)
    page.goto(f"/questions/{qid}")
    tab_to(page, f"#answer-{aid} .button-accept")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(f"#answer-{aid}.is-accepted").count() == 1


def test_language_switch_from_the_keyboard(page, create_user):
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    tab_to(page, ".language-form button[value=en]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "en"
    tab_to(page, ".language-form button[value=zh_CN]", backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"


def test_desk_filters_from_the_keyboard(page, create_user, create_ticket):
    from forum.extensions import db

    create_user("客服小林", role="staff")
    create_ticket()
    db.session.commit()
    sign_in(page, "客服小林", PASSWORD)
    page.goto("/staff/tickets")
    assert page.locator(".desk-table tbody tr").count() == 1
    tab_to(page, ".desk-filters select[name=status]")
    before = page.locator(".desk-filters select[name=status]").input_value()
    page.keyboard.press("ArrowDown")  # a closed select changes its value with the arrow keys
    status = page.locator(".desk-filters select[name=status]").input_value()
    assert status != before
    tab_to(page, ".desk-filters button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(rf"[?&]status={status}(&|$)", page.url), page.url
