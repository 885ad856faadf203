"""What a ticket's readers see is words in their language: the history as sentences, the desk's
hint and tier names, the published resolution's note (stored as a kind, translated when shown)."""
import re

import pytest
import sqlalchemy as sa

from forum.core.db import unit_of_work
from forum.extensions import db
from forum.tickets import services
from forum.verification.models import NoteKind, Verification, VerificationAudit

EN = {"Accept-Language": "en"}


@pytest.fixture
def worked(create_user, create_question):
    """A ticket that went through a status change, a tier change with a reason, an assignment,
    a published resolution and a rating."""
    asker = create_user("小周")
    staff = create_user("客服小林", role="staff")
    q = create_question(asker, title="钱已经扣了订单却显示待支付怎么办", category="payments")
    with unit_of_work():
        ticket = services.escalate_question(asker, q.id, category="orders", description="扣款成功但订单显示未支付。")
    with unit_of_work():
        services.add_message(staff, ticket.id, "正在核实")
        services.update_ticket(staff, ticket.id, tier=2, reason="需要技术排查", priority="high", assignee=staff.username)
        answer = services.publish_resolution(staff, ticket.id, "支付网关延迟导致订单未同步，已补单并原路退款。")
        services.update_ticket(staff, ticket.id, status="solved")
    with unit_of_work():
        services.rate_ticket(asker, ticket.id, rating=5)
    return asker, staff, q, ticket, answer


def _history(page: str) -> str:
    section = page.split('class="ticket-history"', 1)[1].split("</ol>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", "", section).split())


def test_the_history_reads_as_sentences_in_each_language(client, login, worked):
    asker, staff, q, ticket, answer = worked
    login(staff)
    zh = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "工单记录" in zh and "编辑历史" not in zh
    history = _history(zh)
    for sentence in ("提交了工单", "状态：新建 → 处理中", "优先级：普通 → 高", "转到二线：“需要技术排查”",
                     f"指派给 {staff.username}", f"解决方案已发布到帖子《{q.title}》", "评价：5 星", "状态：处理中 → 已解决"):
        assert sentence in history, (sentence, history)
    assert f'href="/questions/{q.id}#answer-{answer.id}"' in zh
    assert not re.search(r"\b(new|open|solved|high|normal)\b", history)
    en = _history(client.get(f"/tickets/{ticket.id}", headers=EN).get_data(as_text=True))
    for sentence in ("Opened the ticket", "Status: New → In progress", "Moved to Tier 2", "Rated the support: 5 stars",
                     f"Resolution published on the thread “{q.title}”"):
        assert sentence in en, (sentence, en)
    # The requester does not see the staff's reasons nor the assignment.
    login(asker)
    mine = _history(client.get(f"/tickets/{ticket.id}").get_data(as_text=True))
    assert "需要技术排查" not in mine and "指派给" not in mine and "转到二线" in mine


def test_desk_and_dashboard_show_titles_and_take_translated_words(client, login, worked, create_user):
    asker, staff, q, ticket, answer = worked
    with unit_of_work():
        services.reopen_ticket(asker, ticket.id)
    login(staff)
    desk = client.get("/staff/tickets").get_data(as_text=True)
    assert 'placeholder="我 / 未分配 / 用户名"' in desk and re.search(r"<td[^>]*>二线</td>", desk)
    english = client.get("/staff/tickets", headers=EN).get_data(as_text=True)
    assert 'placeholder="me / unassigned / a username"' in english
    for word in ("me", "我", "ME"):
        assert ticket.number in client.get("/staff/tickets", query_string={"assignee": word}).get_data(as_text=True)
    for word in ("none", "未分配", "unassigned"):
        assert ticket.number not in client.get("/staff/tickets", query_string={"assignee": word}).get_data(as_text=True)
    by_name = client.get("/staff/tickets", query_string={"assignee": staff.username})
    assert ticket.number in by_name.get_data(as_text=True)
    dashboard = client.get("/staff/dashboard").get_data(as_text=True)
    assert ">订单<" in dashboard and ">orders<" not in dashboard


def test_the_resolution_note_is_a_kind_read_in_each_language(client, worked, token_for):
    asker, staff, q, ticket, answer = worked
    verification = db.session.scalar(sa.select(Verification).where(Verification.answer_id == answer.id))
    assert verification.note_kind is NoteKind.RESOLUTION and verification.note == ""
    audit = db.session.scalar(sa.select(VerificationAudit).where(VerificationAudit.answer_id == answer.id))
    assert audit.note_kind is NoteKind.RESOLUTION and audit.text == ""
    assert "官方客服的解决方案" in client.get(f"/questions/{q.id}").get_data(as_text=True)
    en = client.get(f"/questions/{q.id}", headers=EN).get_data(as_text=True)
    assert "Resolution from official support" in en and "官方客服的解决方案" not in en
    api = client.get(f"/api/v1/questions/{q.id}", headers=EN).get_json()
    notes = [a["verification"]["note"] for a in api["answers"] if a["verification"]]
    assert notes == ["Resolution from official support"]
    api = client.get(f"/api/v1/questions/{q.id}").get_json()
    assert [a["verification"]["note"] for a in api["answers"] if a["verification"]] == ["官方客服的解决方案"]
    # Verified again after an edit, without a note: still the resolution.
    from forum.questions import services as questions
    from forum.verification import services as verifying

    with unit_of_work():
        questions.edit_answer(staff, answer.id, body="支付网关延迟导致订单未同步，已补单并原路退款，请留意短信。")
        verifying.verify_answer(staff, answer.id, "")
    again = verifying.active_verification(answer.id)
    assert again.note_kind is NoteKind.RESOLUTION
    with unit_of_work():
        verifying.verify_answer(staff, answer.id, "核对了退款规则")
    assert verifying.active_verification(answer.id).shown_note == "核对了退款规则"
