"""Incidents without HTTP: linking by keywords (through the real search index), by hand, the
affected count, and what resolving does (notifications once, in each member's language; the
resolution published as verified staff answers)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import unit_of_work, utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.incidents import services
from forum.incidents.models import Incident, IncidentLink, IncidentStatus
from forum.notifications import services as notifications
from forum.notifications.models import Notification, OutgoingEmail
from forum.questions.models import Answer, Question
from forum.search import indexer
from forum.verification.services import active_verification

pytestmark = pytest.mark.search_index  # linking goes through the search index


def _linked(incident) -> set[int]:
    return set(db.session.scalars(sa.select(IncidentLink.question_id).where(
        IncidentLink.incident_id == incident.id, IncidentLink.removed_at.is_(None))))


def _age(question, **delta) -> None:
    """Pretend the question was asked earlier (then index it again, as it would have been)."""
    with unit_of_work():
        db.session.execute(sa.update(Question).where(Question.id == question.id)
                           .values(created_at=utcnow() - timedelta(**delta)))
        indexer.enqueue(question.id)
    indexer.process_all()


def test_creating_links_matching_threads_in_category_and_window_only(create_question, create_incident):
    match = create_question(title="微信支付一直付款失败怎么办", body="今天用微信支付付款，页面提示失败，钱没扣。",
                            category="payments", tags=("支付",))
    english = create_question(title="Checkout with WeChat Pay keeps failing", category="payments", tags=("payment",),
                              body="Since this morning WeChat Pay says the payment failed, every time I try.")
    recent = create_question(title="付款的时候微信支付报错了", body="微信支付报错，提示系统繁忙，请问是什么原因？",
                             category="payments", tags=("支付",))
    _age(recent, hours=20)  # within the day before the incident: about it too
    old = create_question(title="上个月微信支付付款失败的问题", body="上个月用微信支付的时候也失败过一次，后来好了。",
                          category="payments", tags=("支付",))
    _age(old, hours=30)  # before the window
    other_category = create_question(title="微信支付绑定的账号怎么解绑", body="我想把微信支付从账号里解绑，在哪里操作？",
                                     category="account", tags=("账号",))
    no_keyword = create_question(title="银行卡付款失败怎么办", body="用银行卡付款一直失败，提示交易被拒绝。",
                                 category="payments", tags=("支付",))
    incident = create_incident()
    assert _linked(incident) == {match.id, english.id, recent.id}
    assert old.id not in _linked(incident) and other_category.id not in _linked(incident)
    assert no_keyword.id not in _linked(incident)


def test_a_question_asked_while_active_is_linked_and_after_resolution_is_not(create_question, create_incident,
                                                                             create_user):
    staff = create_user(role="staff")
    incident = create_incident(staff)
    assert _linked(incident) == set()
    new = create_question(title="刚才微信支付又失败了", body="刚才用微信支付付款又失败了，是不是系统出问题了？",
                          category="payments", tags=("支付",))
    unrelated = create_question(title="订单什么时候发货", body="下单三天了还没有发货，请问什么时候发？",
                                category="orders", tags=("订单",))
    assert _linked(incident) == {new.id}
    assert unrelated.id not in _linked(incident)
    with unit_of_work():
        services.update_incident(staff, incident.id, status="resolved", message="已修复。")
    later = create_question(title="微信支付现在可以用了吗", body="看到公告说微信支付修好了，现在可以付款了吗？",
                            category="payments", tags=("支付",))
    assert later.id not in _linked(incident)


def test_new_keywords_link_existing_threads(create_question, create_incident, create_user):
    staff = create_user(role="staff")
    question = create_question(title="支付宝付款一直转圈", body="用支付宝付款的时候一直转圈，最后提示超时。",
                               category="payments", tags=("支付",))
    incident = create_incident(staff)
    assert _linked(incident) == set()
    with unit_of_work():
        services.update_incident(staff, incident.id, keywords=["微信支付", "支付宝"])
    assert _linked(incident) == {question.id}


def test_manual_link_and_unlink_and_unlinked_threads_stay_unlinked(create_question, create_incident, create_user):
    staff = create_user(role="staff")
    incident = create_incident(staff)
    by_hand = create_question(title="付款以后订单状态没变", body="付款成功了但是订单还是待付款状态，怎么办？",
                              category="orders", tags=("订单",))
    with unit_of_work():
        link = services.link_question(staff, incident.id, question_id=by_hand.id)
    assert link.source.value == "manual" and _linked(incident) == {by_hand.id}
    with unit_of_work():
        services.unlink_question(staff, incident.id, by_hand.id)
    assert _linked(incident) == set()
    with pytest.raises(NotFound):
        services.unlink_question(staff, incident.id, by_hand.id)
    db.session.rollback()
    auto = create_question(title="微信支付付款失败", body="微信支付付款失败了好几次，请帮忙看看。", category="payments",
                           tags=("支付",))
    assert auto.id in _linked(incident)
    with unit_of_work():
        services.unlink_question(staff, incident.id, auto.id)
        services.update_incident(staff, incident.id, keywords=["微信支付", "付款失败"])  # matches it again
    assert auto.id not in _linked(incident)  # staff took it away: the matching leaves it off
    with pytest.raises(NotFound):
        services.link_question(staff, incident.id, question_id=999_999)
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        services.link_question(staff, incident.id, question_id="abc")


def test_affected_is_idempotent_and_can_be_undone(create_incident, create_user):
    incident = create_incident()
    member, other = create_user(), create_user()
    with unit_of_work():
        assert services.set_affected(member, incident.id, True) == 1
    with unit_of_work():
        assert services.set_affected(member, incident.id, True) == 1  # twice: counted once
        assert services.set_affected(other, incident.id, True) == 2
    with unit_of_work():
        assert services.set_affected(member, incident.id, False) == 1
        assert services.set_affected(member, incident.id, False) == 1  # undo twice: no change
    with pytest.raises(PermissionDenied):
        services.set_affected(None, incident.id, True)
    with pytest.raises(NotFound):
        services.set_affected(member, 999_999, True)


def test_resolving_notifies_everyone_concerned_exactly_once_in_their_language(create_question, create_incident,
                                                                              create_user, create_answer):
    staff = create_user(role="staff")
    asker = create_user(locale="zh_CN")
    follower = create_user(locale="en")
    affected_asker = create_user(locale="en")  # asked a linked thread and pressed "affected" too
    affected_only = create_user(locale="zh_CN")
    bystander = create_user()
    q1 = create_question(asker, title="微信支付付款失败了", body="用微信支付付款失败，提示网络错误，请问怎么办？",
                         category="payments", tags=("支付",))
    q2 = create_question(affected_asker, title="WeChat Pay payment failed twice", category="payments",
                         body="My WeChat Pay payment failed twice this morning, what is going on?", tags=("payment",))
    create_question(bystander, title="怎么修改收货地址", body="下单以后想改收货地址，在哪里改？", category="orders")
    incident = create_incident(staff, title="WeChat Pay outage")
    assert _linked(incident) == {q1.id, q2.id}
    with unit_of_work():
        notifications.set_following(follower, True, question_id=q1.id)
        services.set_affected(affected_asker, incident.id, True)
        services.set_affected(affected_only, incident.id, True)
    with unit_of_work():
        services.update_incident(staff, incident.id, status="monitoring", message="A fix is out; watching.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.kind == "incident_resolved")) == 0
    with unit_of_work():
        services.update_incident(staff, incident.id, status="resolved", message="Fixed: payments work again.")
    with unit_of_work():  # a later message on the resolved incident tells nobody again
        services.update_incident(staff, incident.id, status="resolved", message="Post-mortem: a bad certificate.")
    rows = db.session.execute(sa.select(Notification.user_id, sa.func.count()).where(
        Notification.kind == "incident_resolved").group_by(Notification.user_id)).all()
    assert dict(rows) == {asker.id: 1, follower.id: 1, affected_asker.id: 1, affected_only.id: 1}
    mails = {m.user_id: m for m in db.session.scalars(sa.select(OutgoingEmail).where(
        OutgoingEmail.subject.contains("WeChat Pay outage")))}
    assert set(mails) == {asker.id, follower.id, affected_asker.id, affected_only.id}
    assert mails[follower.id].body_text.startswith("Hello") and mails[affected_asker.id].body_text.startswith("Hello")
    assert not mails[asker.id].body_text.startswith("Hello")  # Chinese
    assert not mails[affected_only.id].body_text.startswith("Hello")
    assert f"/incidents/{incident.id}" in mails[follower.id].body_text
    with pytest.raises(Conflict):
        services.update_incident(staff, incident.id, status="investigating", message="back again")


def test_publishing_the_resolution_posts_verified_staff_answers_once(create_question, create_incident, create_user):
    staff = create_user(role="staff")
    q1 = create_question(title="微信支付付款失败了", body="用微信支付付款失败，提示网络错误，请问怎么办？",
                         category="payments", tags=("支付",))
    q2 = create_question(title="微信支付扣款了但订单没变", body="微信支付显示扣款成功，订单还是待付款，怎么处理？",
                         category="payments", tags=("支付",))
    incident = create_incident(staff)
    with pytest.raises(ValidationFailed):  # not resolved yet
        services.publish_resolution(staff, incident.id)
    db.session.rollback()
    with unit_of_work():
        services.update_incident(staff, incident.id, status="resolved", publish=True,
                                 message="微信支付已恢复正常。扣款未到账的订单会在 24 小时内自动补单或退款。")
    answers = db.session.scalars(sa.select(Answer).where(Answer.question_id.in_([q1.id, q2.id]))).all()
    assert sorted(a.question_id for a in answers) == sorted([q1.id, q2.id])
    for answer in answers:
        assert answer.author_id == staff.id and "自动补单" in answer.body
        verification = active_verification(answer.id)
        assert verification is not None and verification.verified_by_id == staff.id
    assert all(db.session.get(Question, q).has_verified_answer for q in (q1.id, q2.id))
    with unit_of_work():
        assert services.publish_resolution(staff, incident.id) == []  # each thread gets it once
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 2


def test_staff_only_and_bad_input(create_user, create_incident):
    member = create_user(reputation=99_999)
    with pytest.raises(PermissionDenied):
        services.create_incident(member, title="坏了", category="payments", keywords=["支付"])
    with pytest.raises(PermissionDenied):
        services.create_incident(create_user(role="moderator"), title="支付故障", category="payments",
                                 keywords=["支付"])
    staff = create_user(role="staff")
    for fields, field in [({"title": "", "category": "payments", "keywords": ["x"]}, "title"),
                          ({"title": "支付故障了", "category": "nope", "keywords": ["x"]}, "category"),
                          ({"title": "支付故障了", "category": "payments", "keywords": []}, "keywords"),
                          ({"title": "支付故障了", "category": "payments", "keywords": ["x" * 51]}, "keywords"),
                          ({"title": "支付故障了", "category": "payments", "keywords": ["x"], "status": "resolved"},
                           "status"),
                          ({"title": "支付故障了", "category": "payments", "keywords": ["x"], "status": "down"},
                           "status")]:
        with pytest.raises(ValidationFailed) as error:
            services.create_incident(staff, **fields)
        assert field in error.value.fields
    incident = create_incident(staff)
    with pytest.raises(ValidationFailed) as error:
        services.update_incident(staff, incident.id, status="identified")  # no message
    assert "message" in error.value.fields
    with pytest.raises(PermissionDenied):
        services.update_incident(member, incident.id, status="identified", message="x")
    with pytest.raises(NotFound):
        services.update_incident(staff, 999_999, status="identified", message="x")
    assert db.session.get(Incident, incident.id).status is IncidentStatus.INVESTIGATING


def test_the_indexer_hook_costs_one_statement_while_no_incident_is_active(create_question, create_incident,
                                                                          create_user, count_queries):
    question = create_question()
    staff = create_user(role="staff")
    incident = create_incident(staff)
    with unit_of_work():
        services.update_incident(staff, incident.id, status="resolved", message="已修复。")
    question_id = question.id
    with count_queries() as counter:
        assert services.link_new_questions([question_id]) == 0
    statements = [s for s in counter.statements if not s.startswith("BEGIN")]
    assert len(statements) == 1 and "FROM incidents" in statements[0], statements
