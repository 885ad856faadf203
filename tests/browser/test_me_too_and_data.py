"""In the browser: the staff's side-by-side view of one thread's tickets (answer all selected), and
the settings' data section (download, delete with a confirmation step), at 1280 and 390 px."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.session import sign_in
from tests.fixtures.auth import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("FORUM_RIGHTS_SHOTS", "/tmp"))


def _context(browser, live_server, width: int):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_side_by_side_answer_all(browser, live_server, app, create_user, create_question, create_ticket):
    from forum.extensions import db
    from forum.tickets.models import TicketMessage

    asker = create_user("小周")
    create_user("客服小林", role="staff")
    q = create_question(asker, title="钱已经扣了订单却显示待支付怎么办", category="payments")
    tickets = [create_ticket(q, asker, order_number="TP2026110800001",
                             description="昨天用银行卡付款，银行显示已扣款，订单还是待支付。"),
               create_ticket(q, create_user("小王"), order_number="TP2026110800002", contact_channel="phone",
                             contact="139-0000-1111", description="我也遇到了，今天上午付款后一直显示待支付。"),
               create_ticket(q, create_user("小李"), description="同样的问题，用的是微信支付，扣款成功。")]
    qid, ids = q.id, [t.id for t in tickets]
    db.session.commit()
    for width in (1280, 390):
        context, page = _context(browser, live_server, width)
        sign_in(page, "客服小林", PASSWORD)
        page.goto("/staff/tickets")
        assert page.get_by_text("3 位用户从这个帖子联系了客服").count() or page.get_by_text(
            "3 members escalated this thread").count()
        page.goto(f"/staff/questions/{qid}/escalations")
        assert page.locator(".escalation-card").count() == 3
        _no_sideways_scroll(page)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / f"rights-side-by-side-{width}.png"), full_page=True)
        context.close()
    context, page = _context(browser, live_server, 1280)
    sign_in(page, "客服小林", PASSWORD)
    page.goto(f"/staff/questions/{qid}/escalations")
    page.locator(f"input[name=ticket_id][value='{ids[0]}']").uncheck()
    page.locator("#answer-all-body").fill("我们已核实支付网关的延迟，款项会在两小时内自动入账。")
    with page.expect_navigation():
        page.locator("#answer-all button[type=submit]").click()
    assert re.search(r"/staff/questions/\d+/escalations$", page.url)
    context.close()
    db.session.expire_all()
    assert sorted(m.ticket_id for m in TicketMessage.query.all()) == sorted(ids[1:])


def test_settings_data_section(browser, live_server, app, create_user):
    from forum.extensions import db

    create_user("王小明", email="wang@example.com")
    db.session.commit()
    for width in (1280, 390):
        context, page = _context(browser, live_server, width)
        sign_in(page, "王小明", PASSWORD)
        page.goto("/settings/data")
        _no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"rights-settings-data-{width}.png"), full_page=True)
        with page.expect_download() as download:
            page.locator("a[href='/settings/data/export']").first.click()
        assert download.value.suggested_filename.endswith(".json")
        page.locator("a[href='/settings/data/delete']").click()
        page.wait_for_url(re.compile(r"/settings/data/delete$"))
        _no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"rights-settings-delete-{width}.png"), full_page=True)
        context.close()
