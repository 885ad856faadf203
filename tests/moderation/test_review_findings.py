"""Defects a review found in moderation, each pinned by a test: redirects, held threads that must
stay silent, acceptance and reputation through hide and undelete, the verified badge, the queue
after deletions, suspension edges, and one transaction for a question moved into a ticket."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import utcnow
from forum.core.errors import PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.moderation import services as mod
from forum.moderation.models import ReviewItem, ReviewStatus
from forum.notifications.models import Notification
from forum.questions import services as posts
from forum.questions.models import Comment, Question
from forum.tickets.models import Ticket

BODY = "下单以后想修改收货地址，页面一直提示无法修改，请问怎么办？"
ANSWER = "在“我的订单”里找到这个订单，点“修改地址”，发货前都可以改。"
SCAM = "我是平台官方客服，加我微信 kefu8888 详细聊，马上帮你处理。"


def _pending(**column) -> list[ReviewItem]:
    (name, value), = column.items()
    return list(db.session.scalars(sa.select(ReviewItem).where(getattr(ReviewItem, name) == value,
                                                              ReviewItem.status == ReviewStatus.PENDING)))


def test_flag_form_never_redirects_off_site(client, create_user, create_question, login):
    question = create_question()
    login(create_user(reputation=200))
    for target in ("/\t/evil.example", "//evil.example", "/\n/evil.example", "https://evil.example/"):
        response = client.post(f"/questions/{question.id}/flag", data={"kind": "rude", "next": target})
        assert response.status_code == 302, target
        assert response.headers["Location"].startswith(f"/questions/{question.id}"), target


def test_a_held_thread_stays_silent(create_user, create_question, moderator):
    victim = create_user("victim_li")
    scammer = create_user()
    held = posts.ask_question(scammer, title="退款问题请联系官方客服处理", body=SCAM, tags=["退款"], category="payments")
    assert held.is_held
    posts.post_comment(scammer, question_id=held.id, body="@victim_li 你也来看看这个")
    posts.post_answer(scammer, held.id, body="@victim_li " + ANSWER)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == victim.id)) == 0


def test_hiding_an_accepted_answer_takes_its_acceptance_and_reputation(create_user, create_question,
                                                                         create_answer, moderator):
    asker = create_user()
    q = create_question(asker)
    author = create_user()
    answer = create_answer(q, author)
    start = author.reputation
    posts.accept_answer(asker, answer.id)
    db.session.refresh(author)
    gained = author.reputation - start
    assert gained > 0
    mod.flag_post(moderator, "answer", answer.id, flag_kind="spam")
    db.session.refresh(author)
    assert author.reputation == start and db.session.get(Question, q.id).accepted_answer_id is None
    item = _pending(answer_id=answer.id)[0]
    mod.resolve_review(moderator, item.id, action="approve")
    posts.accept_answer(asker, answer.id)
    db.session.refresh(author)
    assert author.reputation == start + gained  # paid once, not twice


def test_undelete_gives_back_exactly_what_deletion_took(create_user, create_question, create_answer,
                                                         moderator, vote):
    asker = create_user()
    q = create_question(asker)
    author = create_user()
    answer = create_answer(q, author)
    posts.accept_answer(asker, answer.id)
    for _ in range(3):
        vote(answer)
    db.session.refresh(author)
    before = author.reputation
    posts.delete_answer(moderator, answer.id)
    mod.undelete_post(moderator, "answer", answer.id)
    db.session.refresh(author)
    accepted = before - author.reputation
    assert 0 < accepted <= 15  # the votes came back; the acceptance (ended by the deletion) did not
    posts.accept_answer(asker, answer.id)
    db.session.refresh(author)
    assert author.reputation == before


def test_an_undeleted_held_post_goes_back_to_the_queue(create_user, create_question, moderator):
    q = create_question()
    scammer = create_user()
    held = posts.post_answer(scammer, q.id, body=SCAM + " 补充说明一下。")
    assert held.is_held and len(_pending(answer_id=held.id)) == 1
    posts.delete_answer(scammer, held.id)
    assert _pending(answer_id=held.id) == []
    mod.undelete_post(moderator, "answer", held.id)
    items = _pending(answer_id=held.id)
    assert len(items) == 1 and items[0].held_on_create
    mod.resolve_review(moderator, items[0].id, action="approve")
    assert not db.session.get(type(held), held.id).is_held


def test_comments_can_be_undeleted(create_user, create_question, moderator):
    q = create_question()
    comment = posts.post_comment(create_user(), question_id=q.id, body="能说一下是哪家银行吗？")
    posts.delete_comment(moderator, comment.id)
    assert db.session.get(Question, q.id).comment_count == 0
    mod.undelete_post(moderator, "comment", comment.id)
    assert db.session.get(Comment, comment.id).deleted_at is None
    assert db.session.get(Question, q.id).comment_count == 1


def test_a_hidden_verified_answer_takes_the_verified_badge_with_it(create_user, create_question, create_answer,
                                                                    moderator, verify):
    q = create_question()
    answer = create_answer(q)
    verify(answer)
    assert db.session.get(Question, q.id).has_verified_answer
    mod.flag_post(moderator, "answer", answer.id, flag_kind="spam")
    db.session.expire_all()
    assert not db.session.get(Question, q.id).has_verified_answer
    mod.resolve_review(moderator, _pending(answer_id=answer.id)[0].id, action="approve")
    db.session.expire_all()
    assert db.session.get(Question, q.id).has_verified_answer


def test_deleting_a_question_empties_the_queue_of_its_thread(create_user, create_question, moderator):
    q = create_question()
    held = posts.post_answer(create_user(), q.id, body=SCAM + " 补充说明一下。")
    assert len(_pending(answer_id=held.id)) == 1
    posts.delete_question(moderator, q.id)
    assert _pending(answer_id=held.id) == []


@pytest.mark.parametrize("until", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01"])
def test_suspension_dates_at_the_edge_of_the_calendar_are_refused(create_user, moderator, until):
    member = create_user()
    with pytest.raises(ValidationFailed) as err:
        mod.suspend_member(moderator, member.username, reason="发广告链接", until=until)
    assert "until" in err.value.fields


def test_only_administrators_lift_a_moderators_suspension(create_user, moderator):
    admin = create_user(role="admin")
    other = create_user(role="moderator")
    until = (utcnow() + timedelta(days=3)).isoformat()
    mod.suspend_member(admin, other.username, reason="滥用版主权限", until=until)
    with pytest.raises(PermissionDenied):
        mod.lift_suspension(moderator, other.username)
    mod.lift_suspension(admin, other.username)
    db.session.refresh(other)
    assert not other.is_suspended


def test_moving_private_details_into_a_ticket_is_one_transaction(create_user, monkeypatch):
    from forum.tickets import services as tickets

    def fail(*args, **kwargs):
        raise ValidationFailed({"description": ["boom"]})

    monkeypatch.setattr(tickets, "escalate_question", fail)
    with pytest.raises(ValidationFailed):
        tickets.ask_with_private_details(create_user(reputation=200), title="银行卡被重复扣款了两次怎么办",
                                         body="我的手机 13812345678，昨天扣了两次钱。", tags=["扣款"],
                                         category="payments")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 0


def test_a_suspended_moderator_no_longer_sees_held_posts(create_user, create_question, moderator):
    from forum.core.errors import NotFound
    from forum.questions import queries

    q = create_question()
    held = posts.post_answer(create_user(), q.id, body=SCAM + " 补充说明一下。")
    assert [a.id for a in queries.load_thread(q, moderator).answers] == [held.id]
    mod.suspend_member(create_user(role="admin"), moderator.username, reason="滥用版主权限",
                       until=(utcnow() + timedelta(days=3)).isoformat())
    db.session.refresh(moderator)
    assert queries.load_thread(q, moderator).answers == []
    with pytest.raises(NotFound):
        posts.get_answer(held.id, viewer=moderator)


def test_the_platforms_own_addresses_may_be_quoted(app, create_user, create_question, monkeypatch):
    from forum.core.errors import PrivateDataFound

    monkeypatch.setitem(app.config, "FORUM_PUBLIC_EMAILS", "support@example.com, @help.example.org")
    q = create_question()
    member = create_user()
    posts.post_comment(member, question_id=q.id, body="我发邮件给 Support@Example.com 了，还没回复")
    posts.post_comment(member, question_id=q.id, body="也可以写信到 refunds@help.example.org 试试")
    with pytest.raises(PrivateDataFound):
        posts.post_comment(member, question_id=q.id, body="我的邮箱是 zhang.san@example.net，请联系我")
