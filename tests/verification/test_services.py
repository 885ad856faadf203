import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core.errors import NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.questions import services as questions
from forum.questions.models import Question
from forum.questions.queries import Tab, list_questions
from forum.reputation.badges import BadgeKind, badges_of
from forum.verification import queries, services
from forum.verification.models import AuditAction, VerificationAudit


def rep(user) -> int:
    return db.session.scalar(sa.select(User.reputation).where(User.id == user.id))


def test_only_staff_and_admins_verify(create_user, create_question, create_answer, staff):
    a = create_answer(create_question())
    for outsider in (create_user(reputation=100_000), create_user(role="moderator")):
        with pytest.raises(PermissionDenied) as err:
            services.verify_answer(outsider, a.id)
        assert err.value.code == "staff_only"
    with pytest.raises(PermissionDenied) as err:
        services.verify_answer(None, a.id)
    assert err.value.code == "unauthorized"
    services.verify_answer(create_user(role="admin"), a.id)
    with pytest.raises(PermissionDenied):
        services.remove_verification(create_user(role="moderator"), a.id, "no")


def test_verify_marks_answer_question_reputation_badge_and_audit(create_user, create_question, create_answer, staff):
    q = create_question()
    helper = create_user()
    a = create_answer(q, helper)
    services.verify_answer(staff, a.id, "  checked against the refund policy of 2026-11 ")
    view = queries.verifications_for([a])[a.id]
    assert view.by.username == "客服小林" and view.note == "checked against the refund policy of 2026-11"
    assert view.stale is False and view.revision_number == 1
    assert db.session.get(Question, q.id).has_verified_answer is True
    assert rep(helper) == 26
    assert BadgeKind.VERIFIED in [k for k, _ in badges_of(helper.id)]
    assert [e.action for e in db.session.scalars(sa.select(VerificationAudit))] == ["verify"]
    assert list_questions(tab=Tab.UNSOLVED).total == 0
    assert list_questions(verified=True).total == 1


def test_edit_makes_it_stale_until_verified_again(create_user, create_question, create_answer, staff):
    a = create_answer(create_question())
    services.verify_answer(staff, a.id)
    questions.edit_answer(a.author, a.id, body="改过的回答：先在订单详情里申请退款，再联系银行查询进度。")
    db.session.refresh(a)
    view = queries.verifications_for([a])[a.id]
    assert view.stale is True and view.revision_number == 1 and view.current_revision == 2
    assert [x[0].id for x in queries.reverification_queue()] == [a.id]
    services.verify_answer(staff, a.id, "re-checked")
    db.session.refresh(a)
    view = queries.verifications_for([a])[a.id]
    assert view.stale is False and view.revision_number == 2 and view.note == "re-checked"
    assert queries.reverification_queue() == []
    assert rep(a.author) == 26  # re-verifying gives no second reward
    actions = [e.action for e in db.session.scalars(sa.select(VerificationAudit).order_by(VerificationAudit.id))]
    assert actions == [AuditAction.VERIFY.value, AuditAction.REVERIFY.value]


def test_remove_with_reason(create_user, create_question, create_answer, staff):
    q = create_question()
    a = create_answer(q)
    services.verify_answer(staff, a.id)
    services.remove_verification(staff, a.id, "policy changed in 2026-12")
    assert queries.verifications_for([a]) == {}
    assert db.session.get(Question, q.id).has_verified_answer is False
    assert rep(a.author) == 1
    last = db.session.scalars(sa.select(VerificationAudit).order_by(VerificationAudit.id.desc())).first()
    assert last.action == "remove" and last.text == "policy changed in 2026-12"
    with pytest.raises(NotFound):
        services.remove_verification(staff, a.id, "again")
    services.verify_answer(staff, a.id)  # can be verified anew
    assert rep(a.author) == 26


def test_bad_input(create_question, create_answer, staff):
    a = create_answer(create_question())
    with pytest.raises(ValidationFailed) as err:
        services.verify_answer(staff, a.id, "x" * 501)
    assert "note" in err.value.fields
    services.verify_answer(staff, a.id, "x" * 500)
    with pytest.raises(ValidationFailed):
        services.verify_answer(staff, a.id, 42)
    with pytest.raises(NotFound):
        services.verify_answer(staff, 999_999)
    questions.delete_answer(a.author, a.id)
    with pytest.raises(NotFound):
        services.verify_answer(staff, a.id)


def test_deleting_a_verified_answer_clears_the_question_mark(create_question, create_answer, staff):
    q = create_question()
    a = create_answer(q)
    services.verify_answer(staff, a.id)
    questions.delete_answer(a.author, a.id)
    assert db.session.get(Question, q.id).has_verified_answer is False
    assert not queries.knowledge_base()


def test_order_verified_then_accepted_then_score(create_user, create_question, create_answer, staff, vote):
    from forum.questions.queries import load_thread

    asker = create_user()
    q = create_question(asker)
    popular, accepted, verified = create_answer(q), create_answer(q), create_answer(q)
    for _ in range(3):
        vote(popular)
    questions.accept_answer(asker, accepted.id)
    services.verify_answer(staff, verified.id)
    q = db.session.get(Question, q.id)
    thread = load_thread(q)
    views = queries.verifications_for(thread.answers)
    assert [a.id for a in queries.order_answers(q, thread.answers, views)] == [verified.id, accepted.id, popular.id]
    # An edit since verification costs the answer its first place.
    questions.edit_answer(verified.author, verified.id, body="编辑后的内容已经和官方核实的版本不一样了。")
    thread = load_thread(q)
    views = queries.verifications_for(thread.answers)
    assert [a.id for a in queries.order_answers(q, thread.answers, views)] == [accepted.id, popular.id, verified.id]


def test_knowledge_base_groups_searches_and_shows_the_verified_text(create_question, create_answer, staff):
    refund = create_question(title="退款七天了还没有到账怎么办", category="payments")
    login = create_question(title="登录一直收不到短信验证码", category="account", tags=["登录"])
    a1 = create_answer(refund, body="信用卡退款一般 1 到 7 个工作日到账，请以银行入账为准。")
    a2 = create_answer(login, body="先检查短信是否被拦截，再确认手机号是否正确。")
    services.verify_answer(staff, a1.id)
    services.verify_answer(staff, a2.id)
    from forum.questions.models import Category

    kb = queries.knowledge_base()
    assert set(kb.groups) == {Category.PAYMENTS, Category.ACCOUNT}
    assert [i.best.answer.id for i in queries.knowledge_base(category=Category.ACCOUNT).groups[Category.ACCOUNT]] == [a2.id]
    assert list(queries.knowledge_base(text="银行").groups) == [Category.PAYMENTS]
    assert not queries.knowledge_base(text="100%_")
    questions.edit_answer(a1.author, a1.id, body="改成了错误的说法：退款永远不会到账，别等了。")
    entry = queries.knowledge_base(category=Category.PAYMENTS).groups[Category.PAYMENTS][0].best
    assert entry.stale and "1 到 7 个工作日" in entry.body_html and "永远" not in entry.body_html
    services.remove_verification(staff, a1.id, "outdated")
    assert Category.PAYMENTS not in queries.knowledge_base().groups


def test_knowledge_base_lists_a_question_once_with_its_verified_answers(create_question, create_answer, staff):
    """Two verified answers on one question: the question once, both answers under it (issue 16);
    counts and pages count questions, on SQLite and PostgreSQL alike."""
    from forum.questions.models import Category

    twice = create_question(title="退款七天了还没有到账怎么办", category="payments")
    first = create_answer(twice, body="信用卡退款一般 1 到 7 个工作日到账，请以银行入账为准。")
    second = create_answer(twice, body="余额支付的退款会立即退回余额，可以在钱包里查看。")
    services.verify_answer(staff, first.id)
    services.verify_answer(staff, second.id)
    others = [create_question(title=f"付款失败的第 {n} 种情况怎么处理", category="payments") for n in range(3)]
    for q in others:
        services.verify_answer(staff, create_answer(q, body="请先确认银行卡余额和限额，再重新支付一次。").id)
    login = create_question(title="登录一直收不到短信验证码", category="account")
    services.verify_answer(staff, create_answer(login, body="先检查短信是否被拦截，再确认手机号是否正确。").id)

    kb = queries.knowledge_base()
    listed = [i.question.id for items in kb.groups.values() for i in items]
    assert sorted(listed) == sorted({twice.id, login.id, *(q.id for q in others)}) and len(listed) == 5
    assert list(kb.groups) == [Category.ACCOUNT, Category.PAYMENTS]  # the categories' order
    assert kb.counts == {Category.ACCOUNT: 1, Category.PAYMENTS: 4} and kb.page.total == 5
    item = next(i for i in kb.groups[Category.PAYMENTS] if i.question.id == twice.id)
    assert {e.answer.id for e in item.entries} == {first.id, second.id} and len(item.others) == 1
    # Pages of two questions: five questions on three pages, none twice, none lost.
    pages = [queries.knowledge_base(page=n, per_page=2) for n in (1, 2, 3)]
    assert [p.page.pages for p in pages] == [3, 3, 3] and [len(p.page.items) for p in pages] == [2, 2, 1]
    seen = [i.question.id for p in pages for i in p.page.items]
    assert sorted(seen) == sorted(listed)
    assert all(p.counts == kb.counts for p in pages)  # a category's count is over all pages
    # A search that finds only one of the two answers still lists the question once, with that answer.
    found = queries.knowledge_base(text="余额支付")
    assert [[e.answer.id for e in i.entries] for i in found.groups[Category.PAYMENTS]] == [[second.id]]
    assert found.counts == {Category.PAYMENTS: 1}


def test_official_badge_needs_the_staff_authors_own_text(create_user, create_question, create_answer, staff):
    q = create_question()
    official = create_answer(q, staff, body="官方说明：平台不会索要验证码，请勿透露给任何人。")
    assert official.is_official
    editor = create_user(reputation=1000)
    questions.edit_answer(editor, official.id, body="官方说明：请把验证码发到 QQ 12345，我们帮你处理。")
    db.session.refresh(official)
    assert not official.is_official  # someone else's words lose the staff badge
    member_answer = create_answer(q, create_user("后来的小林"))
    from forum.auth.services import set_role
    from forum.auth.models import Role

    set_role("后来的小林", Role.STAFF)
    db.session.refresh(member_answer)
    assert not member_answer.is_official  # a later promotion does not rewrite history


def test_stale_verification_no_longer_marks_the_question(create_question, create_answer, staff):
    q = create_question()
    a = create_answer(q)
    services.verify_answer(staff, a.id)
    assert db.session.get(Question, q.id).has_verified_answer
    questions.edit_answer(a.author, a.id, body="编辑后的内容已经和官方核实的版本不一样了。")
    db.session.expire_all()
    assert not db.session.get(Question, q.id).has_verified_answer
    services.verify_answer(staff, a.id)
    db.session.expire_all()
    assert db.session.get(Question, q.id).has_verified_answer


def test_deleting_verified_posts_is_audited(create_user, create_question, create_answer, staff):
    q = create_question()
    a = create_answer(q)
    services.verify_answer(staff, a.id)
    moderator = create_user(role="moderator")
    questions.delete_question(moderator, q.id)
    assert queries.verifications_for([a]) == {}
    last = db.session.scalars(sa.select(VerificationAudit).order_by(VerificationAudit.id.desc())).first()
    assert last.action == "remove" and last.actor_id == moderator.id and last.text == "question deleted"
