"""Moderation rules through the services, no HTTP: the screening every post passes (privacy guard,
scam guard, watched words), held posts, flags, the review queue, close/reopen, lock, undelete,
suspensions and the moderator log."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext

from forum.auth.models import User
from forum.core.db import utcnow
from forum.core.errors import Conflict, NotFound, PermissionDenied, PrivateDataFound, ValidationFailed
from forum.extensions import db
from forum.moderation import services as mod
from forum.moderation.models import (
    Flag,
    FlagStatus,
    ModAction,
    ModerationLogEntry,
    ReviewItem,
    ReviewReason,
    ReviewStatus,
)
from forum.notifications import services as notifications
from forum.notifications.models import Notification
from forum.questions import queries
from forum.questions import services as posts
from forum.questions.models import Answer, Comment, HoldReason, Question, QuestionStatus, Revision, Tag
from forum.search import services as search
from forum.search.models import SearchOutbox
from forum.votes.services import cast_vote
from tests.moderation.private_data import luhn_check_digit, resident_id

# --- test data ---------------------------------------------------------------------------------------

CARD = "622202123456789" + luhn_check_digit("622202123456789")  # a UnionPay-shaped card, Luhn-valid
MOBILE = "13812345678"
RESIDENT_ID = resident_id("11010519900307123")
EMAIL = "zhang.san@example.com"

BODY = "下单以后想修改收货地址，页面一直提示无法修改，请问怎么办？"
TITLE = "我的订单无法修改收货地址"
ANSWER = "在“我的订单”里找到这个订单，点“修改地址”，发货前都可以改。"
SCAM_CONTACT = "这个问题我能处理，加我微信 kefu8888 详细聊，马上帮你退款。"
SCAM_SECRET = "请把你收到的短信验证码告诉我，我帮你解冻账户，很快就好。"
SCAM_OFFICIAL = "我是平台官方客服，你的订单异常需要处理，请按我说的操作。"


def placeholders() -> set[str]:
    out = {"[removed]"}
    for locale in ("zh_CN", "en"):
        with force_locale(locale):
            out.add(gettext("[removed]"))
    return out


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def refreshed(*objects):
    db.session.expire_all()
    for obj in objects:
        db.session.refresh(obj)
    return objects[0] if len(objects) == 1 else objects


def pending_items(post) -> list[ReviewItem]:
    column = {Question: ReviewItem.question_id, Answer: ReviewItem.answer_id, Comment: ReviewItem.comment_id}[type(post)]
    return list(db.session.scalars(sa.select(ReviewItem).where(column == post.id,
                                                               ReviewItem.status == ReviewStatus.PENDING)))


def log_actions(**where) -> list[str]:
    query = sa.select(ModerationLogEntry).order_by(ModerationLogEntry.id)
    for name, value in where.items():
        query = query.where(getattr(ModerationLogEntry, name) == value)
    return [e.action.value for e in db.session.scalars(query)]


def notified(user, **where) -> int:
    return count(Notification, Notification.user_id == user.id,
                 *[getattr(Notification, k) == v for k, v in where.items()])


@pytest.fixture
def category_follower(create_user):
    """A member who follows the "orders" category: told of every new public question in it."""
    user = create_user("follower")
    notifications.set_following(user, True, category="orders")
    return user


# --- the privacy guard ------------------------------------------------------------------------------


SPACED_CARD = f"{CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}"


@pytest.mark.parametrize("raw, text, kind, masked", [
    (CARD, f"我的卡号是 {CARD}，扣款失败了", "card", f"{CARD[:4]} **** **** {CARD[-4:]}"),
    (SPACED_CARD, f"我的卡号是 {SPACED_CARD}，扣款失败了", "card", f"{CARD[:4]} **** **** {CARD[-4:]}"),
    (MOBILE, f"手机 {MOBILE} 一直收不到短信", "mobile", "138****5678"),
    (RESIDENT_ID, f"身份证号 {RESIDENT_ID} 实名认证失败", "resident_id",
     RESIDENT_ID[:4] + "*" * 10 + RESIDENT_ID[14:]),
    (EMAIL, f"请发到我的邮箱 {EMAIL} 谢谢", "email", "z***@example.com"),
    ("abc12345", "我的登录密码: abc12345 登不上去", "secret", None),
    ("123456", "刚收到的验证码 123456 输入后提示错误", "secret", None),
])
def test_private_data_in_a_question_is_refused_with_masked_findings(create_user, category_follower, raw, text,
                                                                    kind, masked):
    author = create_user()
    with pytest.raises(PrivateDataFound) as err:
        posts.ask_question(author, title=TITLE, body=BODY + "\n\n" + text, tags=["订单"], category="orders")
    error = err.value
    assert error.code == "private_data" and list(error.fields) == ["body"]
    assert [f["kind"] for f in error.findings] == [kind]
    assert error.findings[0]["field"] == "body" and error.findings[0]["label"]
    if masked:
        assert error.findings[0]["masked"] == masked
    # The raw data is nowhere in what the author is told.
    told = repr(error.findings) + repr(error.fields) + str(error.message)
    assert raw not in told and raw.replace(" ", "") not in told
    # Nothing was saved: no question, revision, tag, notification, search entry.
    db.session.rollback()
    assert count(Question) == count(Revision) == count(Tag) == count(SearchOutbox) == 0
    assert count(Notification) == 0
    refreshed(author)
    assert author.question_count == 0
    # The same question without the data goes through, and its follower hears of it: the checks
    # above would have seen a leak.
    posts.ask_question(author, title=TITLE, body=BODY, tags=["订单"], category="orders")
    assert count(Question) == 1 and notified(category_follower) == 1


def test_private_data_in_the_title_is_refused(create_user):
    with pytest.raises(PrivateDataFound) as err:
        posts.ask_question(create_user(), title=f"手机号 {MOBILE} 收不到验证短信", body=BODY, tags=["订单"],
                           category="orders")
    assert list(err.value.fields) == ["title"] and err.value.findings[0]["masked"] == "138****5678"
    db.session.rollback()
    assert count(Question) == 0


@pytest.mark.search_index
def test_remove_posts_with_the_data_cut_out_everywhere(create_user):
    author = create_user()
    q = posts.ask_question(author, title=f"手机号 {MOBILE} 收不到验证短信", body=f"{BODY}\n卡号 {CARD}，邮箱 {EMAIL}",
                           tags=["订单"], category="orders", private_data="remove")
    marks = placeholders()
    for text in (q.title, q.body, q.body_html):
        assert MOBILE not in text and CARD not in text and EMAIL not in text
        assert any(m in text for m in marks)
    assert q.title.count(next(m for m in marks if m in q.title)) == 1
    revision = db.session.scalars(sa.select(Revision).where(Revision.question_id == q.id)).one()
    assert CARD not in revision.body and MOBILE not in revision.title and EMAIL not in revision.body
    assert not q.is_held
    db.session.commit()  # the command's boundary: indexing runs after the commit
    # Not in the search index either.
    assert search.search(CARD).hits == [] and search.search(MOBILE).hits == []
    assert q.id in [h.question_id for h in search.search("收货地址").hits]


def test_answers_comments_and_edits_are_screened_too(create_user, create_question, create_answer):
    author = create_user()
    q = create_question(author)
    a = create_answer(q)
    for call in (
        lambda: posts.post_answer(author, q.id, body=f"{ANSWER} 有事打我电话 {MOBILE}"),
        lambda: posts.post_comment(author, question_id=q.id, body=f"我的卡号 {CARD}"),
        lambda: posts.post_comment(author, answer_id=a.id, body=f"身份证 {RESIDENT_ID}"),
        lambda: posts.edit_question(author, q.id, body=f"{BODY} 我的邮箱 {EMAIL}"),
        lambda: posts.edit_answer(a.author, a.id, body=f"{ANSWER} 验证码 654321"),
    ):
        with pytest.raises(PrivateDataFound):
            call()
        db.session.rollback()
    assert count(Answer) == 1 and count(Comment) == 0
    assert count(Revision) == 2  # the question's first and the answer's first
    refreshed(q, a)
    assert EMAIL not in q.body and "654321" not in a.body and q.revision_count == 1
    comment = posts.post_comment(author, question_id=q.id, body=f"我的卡号 {CARD}", private_data="remove")
    assert CARD not in comment.body and any(m in comment.body for m in placeholders())


def test_staff_may_post_email_addresses_but_no_other_private_data(create_user, create_question):
    staff = create_user(role="staff")
    q = create_question()
    answer = posts.post_answer(staff, q.id, body=f"请把订单截图发到官方邮箱 {EMAIL}，我们会尽快处理。")
    assert EMAIL in answer.body and not answer.is_held
    with pytest.raises(PrivateDataFound) as err:
        posts.post_answer(staff, q.id, body=f"请拨打 {MOBILE} 联系我们，我们会尽快处理。")
    assert err.value.findings[0]["kind"] == "mobile"
    db.session.rollback()
    moderator = create_user(role="moderator")
    with pytest.raises(PrivateDataFound):
        posts.post_answer(moderator, q.id, body=f"请把订单截图发到邮箱 {EMAIL}，我们会尽快处理。")


def test_ask_with_private_details_opens_a_private_ticket(create_user):
    from forum.tickets import services as tickets
    from forum.tickets.models import Ticket

    author = create_user()
    ticket = tickets.ask_with_private_details(author, title=TITLE, body=f"{BODY}\n我的卡号是 {CARD}，扣款两次。",
                                              tags=["订单"], category="orders")
    question = db.session.get(Question, ticket.question_id)
    assert question.author_id == author.id and CARD not in question.body
    assert any(m in question.body for m in placeholders())
    assert CARD in ticket.description and ticket.requester_id == author.id
    assert count(Ticket) == 1
    # The ticket is the requester's and staff's only.
    assert tickets.get_ticket(author, ticket.id).id == ticket.id
    with pytest.raises(NotFound):
        tickets.get_ticket(create_user(), ticket.id)


# --- the scam guard and held posts ------------------------------------------------------------------


@pytest.mark.parametrize("text", [SCAM_CONTACT, SCAM_SECRET, SCAM_OFFICIAL])
def test_scam_signals_hold_a_members_answer_until_approved(create_user, create_question, moderator, text):
    asker = create_user()
    q = create_question(asker)
    scammer = create_user()
    answer = posts.post_answer(scammer, q.id, body=text)
    assert answer.is_held and answer.held_reason is HoldReason.SCAM
    refreshed(q, scammer)
    # Counted nowhere, announced to nobody, seen by its author and moderators only.
    assert q.answer_count == 0 and scammer.answer_count == 0
    assert notified(asker) == 0
    assert queries.load_thread(q, None).answers == []
    assert queries.load_thread(q, asker).answers == []
    assert [a.id for a in queries.load_thread(q, scammer).answers] == [answer.id]
    assert [a.id for a in queries.load_thread(q, moderator).answers] == [answer.id]
    with pytest.raises(NotFound):
        posts.get_answer(answer.id, viewer=asker)
    assert posts.get_answer(answer.id, viewer=scammer).id == answer.id
    # In the review queue, with why (never the text itself).
    [item] = pending_items(answer)
    assert item.reason is ReviewReason.HELD and item.held_on_create and item.detail
    assert "kefu8888" not in item.detail
    # Approved: now public, counted and announced.
    mod.resolve_review(moderator, item.id, action="approve")
    refreshed(q, scammer, answer)
    assert not answer.is_held and q.answer_count == 1 and scammer.answer_count == 1
    assert notified(asker, answer_id=answer.id) == 1
    assert [a.id for a in queries.load_thread(q, None).answers] == [answer.id]
    assert log_actions(answer_id=answer.id) == ["approve"]


@pytest.mark.search_index
def test_held_question_is_invisible_and_counted_nowhere(create_user, category_follower, moderator):
    author = create_user()
    q = posts.ask_question(author, title="退款问题可以找我处理", body=SCAM_CONTACT, tags=["退款"], category="orders")
    assert q.is_held and q.held_reason is HoldReason.SCAM
    refreshed(author)
    assert author.question_count == 0
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "退款")) == 0
    assert notified(category_follower) == 0
    assert queries.list_questions().total == 0
    assert search.search("退款").hits == []
    for viewer in (None, category_follower):
        with pytest.raises(NotFound):
            posts.get_question(q.id, viewer=viewer)
    assert posts.get_question(q.id, viewer=author).id == q.id
    assert posts.get_question(q.id, viewer=moderator).id == q.id
    # Others cannot answer, comment on or flag it: for them it does not exist.
    other = create_user()
    with pytest.raises(NotFound):
        posts.post_answer(other, q.id, body=ANSWER)
    with pytest.raises(NotFound):
        mod.flag_post(other, "question", q.id, flag_kind="spam")
    [item] = pending_items(q)
    mod.resolve_review(moderator, item.id, action="approve", reason="看过了，没问题")
    db.session.commit()  # the command's boundary: indexing and notices run after the commit
    refreshed(author, q)
    assert not q.is_held and author.question_count == 1
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "退款")) == 1
    assert notified(category_follower, question_id=q.id) == 1
    assert [x.id for x in queries.list_questions().items] == [q.id]
    assert q.id in [h.question_id for h in search.search("退款").hits]


def test_held_comment_is_not_announced_until_approved(create_user, create_question, moderator):
    asker = create_user()
    q = create_question(asker)
    comment = posts.post_comment(create_user(), question_id=q.id, body=SCAM_OFFICIAL)
    assert comment.is_held
    refreshed(q)
    assert q.comment_count == 0 and notified(asker) == 0
    assert queries.load_thread(q, asker).question_comments == []
    mod.resolve_review(moderator, pending_items(comment)[0].id, action="approve")
    refreshed(q)
    assert q.comment_count == 1 and notified(asker, comment_id=comment.id) == 1


def test_staff_are_not_held_for_the_same_text(create_user, create_question):
    q = create_question()
    staff = create_user(role="staff")
    answer = posts.post_answer(staff, q.id, body=SCAM_OFFICIAL)
    assert not answer.is_held and pending_items(answer) == []
    refreshed(q)
    assert q.answer_count == 1


def test_an_edit_with_scam_signals_hides_a_public_answer(create_user, create_question):
    q = create_question()
    answer = posts.post_answer(create_user(), q.id, body=ANSWER)
    refreshed(q)
    assert q.answer_count == 1
    posts.edit_answer(answer.author, answer.id, body=SCAM_CONTACT)
    refreshed(q, answer)
    assert answer.is_held and q.answer_count == 0
    assert [i.reason for i in pending_items(answer)] == [ReviewReason.HELD]


def test_deleting_a_held_post_from_the_queue(create_user, create_question, moderator):
    q = create_question()
    scammer = create_user()
    answer = posts.post_answer(scammer, q.id, body=SCAM_SECRET)
    item = pending_items(answer)[0]
    mod.resolve_review(moderator, item.id, action="delete", reason="诈骗")
    refreshed(q, answer, item, scammer)
    assert answer.deleted_at is not None and item.status is ReviewStatus.REMOVED
    assert q.answer_count == 0 and scammer.answer_count == 0  # never counted, so nothing to take back
    assert notified(q.author) == 0
    assert log_actions(answer_id=answer.id) == ["delete"]
    with pytest.raises(Conflict):
        mod.resolve_review(moderator, item.id, action="approve")


# --- watched words ----------------------------------------------------------------------------------


def test_watched_words_block_hold_and_censor(create_user, create_question, moderator):
    mod.add_watched_word(moderator, pattern="赌博网站", action="block")
    mod.add_watched_word(moderator, pattern=r"刷\s*单", action="hold", is_regex=True)
    mod.add_watched_word(moderator, pattern="笨蛋", action="censor")
    author = create_user()
    q = create_question()

    with pytest.raises(ValidationFailed) as err:
        posts.post_answer(author, q.id, body="推荐一个赌博网站，包你回本，比什么都快。")
    assert "赌博网站" in err.value.fields["body"][0]
    db.session.rollback()
    assert count(Answer) == 0
    with pytest.raises(ValidationFailed) as err:
        posts.ask_question(author, title="赌博网站的钱能退回来吗", body=BODY, tags=["订单"], category="orders")
    assert list(err.value.fields) == ["title"]
    db.session.rollback()

    held = posts.post_answer(author, q.id, body="想赚钱可以来刷 单，每天结算，非常靠谱的兼职。")
    assert held.is_held and held.held_reason is HoldReason.WATCHED
    [item] = pending_items(held)
    assert item.reason is ReviewReason.HELD and "刷" in item.detail

    censored = posts.post_answer(create_user(), q.id, body="别听那个笨蛋的，发货前在订单页面就能改地址。")
    assert "笨蛋" not in censored.body and "■■" in censored.body and not censored.is_held
    assert "笨蛋" not in censored.body_html

    # Staff are not above the watched words (only the scam guard spares them).
    with pytest.raises(ValidationFailed):
        posts.post_answer(create_user(role="staff"), q.id, body="这里不讨论赌博网站，请大家注意安全。")


def test_watched_words_are_managed_by_moderators_only(create_user, moderator):
    member = create_user()
    for call in (lambda: mod.add_watched_word(member, pattern="x广告", action="block"),
                 lambda: mod.watched_words(member)):
        with pytest.raises(PermissionDenied):
            call()
    word = mod.add_watched_word(moderator, pattern="广告", action="censor")
    with pytest.raises(Conflict):
        mod.add_watched_word(moderator, pattern="广告", action="block")
    with pytest.raises(PermissionDenied):
        mod.remove_watched_word(member, word.id)
    assert [w.pattern for w in mod.watched_words(moderator)] == ["广告"]
    mod.remove_watched_word(moderator, word.id)
    assert mod.watched_words(moderator) == []
    with pytest.raises(NotFound):
        mod.remove_watched_word(moderator, word.id)
    assert log_actions() == ["watch_word", "unwatch_word"]


@pytest.mark.parametrize("pattern, is_regex, action", [
    ("(a+)+", True, "block"),       # catastrophic backtracking
    ("([a-z]*)*$", True, "hold"),
    ("[未闭合", True, "block"),        # does not compile
    ("", False, "block"),
    ("x" * 500, False, "block"),
    ("广告", False, "delete"),        # unknown action
    ("广告", "yes", "block"),          # is_regex not a boolean
])
def test_bad_watched_patterns_are_refused(moderator, pattern, is_regex, action):
    with pytest.raises(ValidationFailed):
        mod.add_watched_word(moderator, pattern=pattern, action=action, is_regex=is_regex)
    db.session.rollback()
    assert mod.watched_words(moderator) == []


# --- flags ------------------------------------------------------------------------------------------


def test_flag_rules(create_user, create_question):
    author = create_user()
    q = create_question(author)
    member = create_user()
    flag = mod.flag_post(member, "question", q.id, flag_kind="rude", note="骂人")
    assert flag.status is FlagStatus.PENDING and flag.question_id == q.id
    with pytest.raises(Conflict):
        mod.flag_post(member, "question", q.id, flag_kind="spam")
    with pytest.raises(PermissionDenied) as err:
        mod.flag_post(author, "question", q.id, flag_kind="spam")
    assert err.value.code == "own_post"
    with pytest.raises(ValidationFailed) as err:
        mod.flag_post(create_user(), "question", q.id, flag_kind="needs_moderator")
    assert list(err.value.fields) == ["note"]
    with pytest.raises(ValidationFailed) as err:
        mod.flag_post(create_user(), "question", q.id, flag_kind="needs_moderator", note="太短")
    assert list(err.value.fields) == ["note"]
    mod.flag_post(create_user(), "question", q.id, flag_kind="needs_moderator",
                  note="这个提问里的截图露出了别人的订单信息")
    with pytest.raises(ValidationFailed) as err:
        mod.flag_post(create_user(), "question", q.id, flag_kind="boring")
    assert list(err.value.fields) == ["kind"]
    with pytest.raises(PermissionDenied) as err:
        mod.flag_post(None, "question", q.id, flag_kind="spam")
    assert err.value.code == "unauthorized"
    with pytest.raises(NotFound):
        mod.flag_post(member, "question", 999_999, flag_kind="spam")
    with pytest.raises(NotFound):
        mod.flag_post(member, "question", "1; DROP TABLE flags", flag_kind="spam")
    assert count(Flag) == 2
    [item] = pending_items(q)
    assert item.reason is ReviewReason.FLAGGED


def test_enough_spam_flags_hide_a_post_until_reviewed(ctx, monkeypatch, create_user, create_question,
                                                       create_answer, moderator, flag):
    monkeypatch.setitem(ctx.config, "FORUM_SPAM_FLAGS_TO_HIDE", 3)
    asker = create_user()
    q = create_question(asker)
    spammer = create_user()
    answer = create_answer(q, spammer, body="便宜代购，全场一折，点我的主页看看，保证正品。")
    refreshed(q)
    assert q.answer_count == 1
    flaggers = [create_user() for _ in range(3)]
    mod.flag_post(flaggers[0], "answer", answer.id, flag_kind="spam")
    mod.flag_post(flaggers[1], "answer", answer.id, flag_kind="rude")  # not a spam flag
    mod.flag_post(flaggers[2], "answer", answer.id, flag_kind="scam")
    refreshed(answer)
    assert not answer.is_held
    flag(answer, "spam")
    refreshed(q, answer, spammer)
    assert answer.is_held and answer.held_reason is HoldReason.SPAM
    assert q.answer_count == 0 and spammer.answer_count == 0
    assert queries.load_thread(q, asker).answers == []
    assert log_actions(answer_id=answer.id) == ["hide"]
    [item] = pending_items(answer)
    assert item.reason is ReviewReason.HELD and not item.held_on_create
    # Approving brings it back, declines the flags, and tells nobody a second time.
    before = notified(asker)
    mod.resolve_review(moderator, item.id, action="approve")
    refreshed(q, answer, spammer)
    assert not answer.is_held and q.answer_count == 1 and spammer.answer_count == 1
    assert notified(asker) == before
    assert {f.status for f in db.session.scalars(sa.select(Flag).where(Flag.answer_id == answer.id))} == {
        FlagStatus.DECLINED}


def test_flag_threshold_is_configurable(ctx, monkeypatch, create_user, create_question, flag):
    monkeypatch.setitem(ctx.config, "FORUM_SPAM_FLAGS_TO_HIDE", 2)
    q = create_question()
    flag(q, "spam")
    refreshed(q)
    assert not q.is_held
    flag(q, "spam")
    refreshed(q)
    assert q.is_held and queries.list_questions().total == 0


def test_a_moderators_spam_flag_hides_at_once(create_user, create_question, moderator):
    q = create_question()
    comment = posts.post_comment(create_user(), question_id=q.id, body="买粉丝找我，价格便宜")
    mod.flag_post(moderator, "comment", comment.id, flag_kind="spam")
    refreshed(comment, q)
    assert comment.is_held and q.comment_count == 0
    assert log_actions(comment_id=comment.id) == ["hide"]


def test_delete_from_the_queue_marks_flags_helpful(create_user, create_question, moderator, flag):
    q = create_question()
    comment = posts.post_comment(create_user(), question_id=q.id, body="这个回答的作者是骗子")
    flag(comment, "rude")
    [item] = pending_items(comment)
    mod.resolve_review(moderator, item.id, action="delete")
    refreshed(comment, q)
    assert comment.deleted_at is not None and q.comment_count == 0
    assert db.session.scalar(sa.select(Flag.status).where(Flag.comment_id == comment.id)) is FlagStatus.HELPFUL
    assert log_actions(comment_id=comment.id) == ["delete"]


def test_approving_flags_declines_them(create_user, create_question, moderator, flag):
    q = create_question()
    flag(q, "off_topic")
    [item] = pending_items(q)
    mod.resolve_review(moderator, item.id, action="approve", reason="是正常的提问")
    refreshed(item)
    assert item.status is ReviewStatus.APPROVED and item.resolved_by_id == moderator.id
    assert db.session.scalar(sa.select(Flag.status).where(Flag.question_id == q.id)) is FlagStatus.DECLINED
    assert log_actions(question_id=q.id) == ["decline_flags"]
    assert posts.get_question(q.id).deleted_at is None
    with pytest.raises(Conflict):
        mod.resolve_review(moderator, item.id, action="delete")
    refreshed(q)
    assert q.deleted_at is None


# --- the review queue -------------------------------------------------------------------------------


def test_first_post_of_a_new_member_is_queued_once(create_user, create_question, moderator):
    newcomer = create_user()
    first = create_question(newcomer)
    second = create_question(newcomer)
    assert [i.reason for i in pending_items(first)] == [ReviewReason.FIRST_POST]
    assert pending_items(second) == []
    answerer = create_user()
    first_answer = posts.post_answer(answerer, first.id, body=ANSWER)
    assert [i.reason for i in pending_items(first_answer)] == [ReviewReason.FIRST_POST]
    # Moderators' posts are not reviewed.
    assert pending_items(create_question(create_user(role="moderator"))) == []
    queue = mod.review_queue(moderator)
    assert queue.total == 2 and {e.post.id for e in queue.items} == {first.id, first_answer.id}
    assert {e.kind for e in queue.items} == {"question", "answer"}
    assert mod.review_queue(moderator, reason="first_post").total == 2
    assert mod.review_queue(moderator, reason="held").total == 0


def test_review_queue_order_filters_and_permissions(create_user, create_question, moderator, flag):
    q = create_question()                                     # first post
    flagged = create_question(create_user(role="moderator"))  # a moderator's post: not a first post
    flag(flagged, "off_topic")
    held = posts.post_answer(create_user(), q.id, body=SCAM_CONTACT)
    queue = mod.review_queue(moderator)
    assert [e.item.reason for e in queue.items] == [ReviewReason.HELD, ReviewReason.FLAGGED, ReviewReason.FIRST_POST]
    assert [e.post.id for e in queue.items] == [held.id, flagged.id, q.id]
    assert [e.post.id for e in mod.review_queue(moderator, reason="flagged").items] == [flagged.id]
    assert len(queue.items[1].flags) == 1
    with pytest.raises(ValidationFailed):
        mod.review_queue(moderator, reason="everything")
    for actor in (create_user(), create_user(reputation=100_000), None):
        with pytest.raises(PermissionDenied):
            mod.review_queue(actor)
    with pytest.raises(PermissionDenied):
        mod.resolve_review(create_user(), queue.items[0].item.id, action="approve")
    with pytest.raises(ValidationFailed):
        mod.resolve_review(moderator, queue.items[0].item.id, action="ignore")
    with pytest.raises(NotFound):
        mod.resolve_review(moderator, 999_999, action="approve")


def test_a_flag_on_a_first_post_raises_the_items_reason(create_user, create_question, moderator, flag):
    q = create_question()
    flag(q, "rude")
    assert [i.reason for i in pending_items(q)] == [ReviewReason.FLAGGED]
    assert count(ReviewItem) == 1


# --- close, reopen, lock ----------------------------------------------------------------------------


@pytest.mark.search_index
def test_close_and_reopen(create_user, create_question, moderator):
    original = create_question()
    q = create_question()
    with pytest.raises(PermissionDenied):
        mod.close_question(create_user(reputation=100_000), q.id, reason="off_topic")
    with pytest.raises(ValidationFailed) as err:
        mod.close_question(moderator, q.id, reason="boring")
    assert list(err.value.fields) == ["reason"]
    for bad in (None, "", "abc", True, 999_999, "99999999999999", "/questions/99999999999999", -1, 0, q.id,
                f"/questions/{q.id}", [original.id]):
        with pytest.raises(ValidationFailed) as err:
            mod.close_question(moderator, q.id, reason="duplicate", duplicate_of=bad)
        assert list(err.value.fields) == ["duplicate_of"]
    refreshed(q)
    assert q.status is QuestionStatus.OPEN

    mod.close_question(moderator, q.id, reason="duplicate", duplicate_of=f"/questions/{original.id}",
                       note="同一个问题")
    refreshed(q)
    assert q.status is QuestionStatus.CLOSED and q.duplicate_of_id == original.id and q.closed_at
    with pytest.raises(PermissionDenied) as err:
        posts.post_answer(create_user(), q.id, body=ANSWER)
    assert err.value.code == "closed"
    with pytest.raises(Conflict):
        mod.close_question(moderator, q.id, reason="off_topic")
    # is:open in search follows.
    db.session.commit()
    assert q.id not in [h.question_id for h in search.search("is:open 收货地址").hits]
    assert original.id in [h.question_id for h in search.search("is:open 收货地址").hits]

    with pytest.raises(PermissionDenied):
        mod.reopen_question(create_user(), q.id)
    mod.reopen_question(moderator, q.id, note="不是重复")
    refreshed(q)
    assert q.status is QuestionStatus.OPEN and q.duplicate_of_id is None and q.closed_reason is None
    with pytest.raises(Conflict):
        mod.reopen_question(moderator, q.id)
    assert posts.post_answer(create_user(), q.id, body=ANSWER).id
    assert q.id in [h.question_id for h in search.search("is:open 收货地址").hits]
    assert log_actions(question_id=q.id) == ["close", "reopen"]


@pytest.mark.parametrize("link", ["{id}", "/questions/{id}", "/questions/{id}/slug-of-it",
                                  "https://forum.example.com/questions/{id}",
                                  "http://127.0.0.1:5000/questions/{id}?tab=votes",
                                  "http://10.0.0.7/questions/{id}#answer-3"])
def test_duplicate_accepts_a_number_or_a_link(create_question, moderator, link):
    original = create_question()
    # More questions, so that a number inside the host or port would point at a real question.
    others = [create_question() for _ in range(6)]
    q = others[-1]
    mod.close_question(moderator, q.id, reason="duplicate", duplicate_of=link.format(id=original.id))
    refreshed(q)
    assert q.duplicate_of_id == original.id


def test_duplicate_of_a_deleted_or_held_question_is_refused(create_user, create_question, moderator):
    deleted = create_question()
    posts.delete_question(deleted.author, deleted.id)
    held = posts.ask_question(create_user(), title="退款问题可以找我处理", body=SCAM_CONTACT, tags=["退款"],
                              category="orders")
    q = create_question()
    for target in (deleted, held):
        with pytest.raises(ValidationFailed):
            mod.close_question(moderator, q.id, reason="duplicate", duplicate_of=target.id)


def test_locked_threads_take_nothing_from_members(create_user, create_question, create_answer, moderator):
    asker = create_user()
    q = create_question(asker)
    answer = create_answer(q)
    with pytest.raises(PermissionDenied):
        mod.set_locked(create_user(), q.id, True)
    mod.set_locked(moderator, q.id, True, note="争吵太多")
    refreshed(q)
    assert q.is_locked
    with pytest.raises(Conflict):
        mod.set_locked(moderator, q.id, True)
    member = create_user()
    attempts = [
        lambda: posts.post_answer(member, q.id, body=ANSWER),
        lambda: posts.post_comment(member, question_id=q.id, body="我也遇到了同样的问题"),
        lambda: posts.post_comment(asker, answer_id=answer.id, body="谢谢你的回答"),
        lambda: posts.edit_question(asker, q.id, body=BODY + " 补充一下细节。"),
        lambda: posts.edit_answer(answer.author, answer.id, body=ANSWER + " 补充一下。"),
        lambda: cast_vote(member, value=1, answer_id=answer.id),
        lambda: cast_vote(member, value=1, question_id=q.id),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as err:
            attempt()
        assert err.value.code == "locked"
        db.session.rollback()
    refreshed(q, answer)
    assert q.answer_count == 1 and q.comment_count == 0 and answer.score == 0 and q.revision_count == 1
    # Moderators still can.
    posts.post_comment(moderator, question_id=q.id, body="本帖已锁定，请勿继续争吵。")
    posts.edit_question(moderator, q.id, body=BODY + " （版主整理）")
    posts.post_answer(moderator, q.id, body="版主回复：发货前可以在订单页面修改地址。")
    assert cast_vote(moderator, value=1, answer_id=answer.id)[0] == 1
    refreshed(q)
    assert q.comment_count == 1 and q.answer_count == 2 and q.revision_count == 2

    mod.set_locked(moderator, q.id, False)
    refreshed(q)
    assert not q.is_locked
    with pytest.raises(Conflict):
        mod.set_locked(moderator, q.id, False)
    posts.post_comment(member, question_id=q.id, body="我也遇到了同样的问题")
    assert log_actions(question_id=q.id) == ["lock", "unlock"]


# --- undelete ---------------------------------------------------------------------------------------


@pytest.mark.search_index
def test_undelete_answer_restores_counts_reputation_and_search(create_user, create_question, moderator, vote):
    asker = create_user()
    q = create_question(asker, title="退款一直没有到账怎么办", body="退货已经签收一周了，退款还没有到账，请问去哪里查？")
    author = create_user()
    answer = posts.post_answer(author, q.id, body="退款原路返回银行卡，一般三到七个工作日，可以向银行查询退款编号。")
    vote(answer)
    db.session.commit()
    refreshed(author, q)
    before = author.reputation
    assert before == 11 and author.answer_count == 1 and q.answer_count == 1
    assert ("answer", q.id, answer.id) in [(h.type, h.question_id, h.answer_id) for h in search.search("退款编号").hits]

    posts.delete_answer(moderator, answer.id, reason="重复")
    db.session.commit()
    refreshed(author, q)
    assert author.reputation == 1 and author.answer_count == 0 and q.answer_count == 0
    assert ("answer", q.id, answer.id) not in [(h.type, h.question_id, h.answer_id)
                                               for h in search.search("退款编号").hits]
    # Reputation moves elsewhere after the deletion: the undeletion must still find its reversals.
    elsewhere = posts.post_answer(create_user(), create_question().id, body=ANSWER)
    vote(elsewhere)

    with pytest.raises(PermissionDenied):
        mod.undelete_post(create_user(), "answer", answer.id)
    mod.undelete_post(moderator, "answer", answer.id, note="误删")
    db.session.commit()
    refreshed(author, q, answer)
    assert answer.deleted_at is None
    assert author.reputation == before and author.answer_count == 1 and q.answer_count == 1
    assert ("answer", q.id, answer.id) in [(h.type, h.question_id, h.answer_id) for h in search.search("退款编号").hits]
    with pytest.raises(Conflict):
        mod.undelete_post(moderator, "answer", answer.id)
    assert log_actions(answer_id=answer.id) == ["delete", "undelete"]

    # The ledger stays consistent: deleting again takes it back again, and a recompute agrees.
    posts.delete_answer(moderator, answer.id)
    refreshed(author)
    assert author.reputation == 1
    mod.undelete_post(moderator, "answer", answer.id)
    refreshed(author)
    assert author.reputation == before
    from forum.reputation.services import recompute

    assert recompute(fix=False) == []


@pytest.mark.search_index
def test_undelete_question_restores_its_thread(create_user, create_question, moderator, vote):
    asker = create_user()
    q = create_question(asker, tags=("退款",), title="退款一直没有到账怎么办",
                        body="退货已经签收一周了，退款还没有到账，请问去哪里查？")
    author = create_user()
    answer = posts.post_answer(author, q.id, body="退款原路返回银行卡，一般三到七个工作日，可以向银行查询退款编号。")
    vote(q)
    vote(answer)
    refreshed(asker, author)
    asker_before, author_before = asker.reputation, author.reputation
    assert asker_before == 6 and author_before == 11

    posts.delete_question(moderator, q.id)
    refreshed(asker, author)
    assert asker.reputation == 1 and author.reputation == 1 and asker.question_count == 0
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "退款")) == 0
    assert search.search("退款").hits == []
    with pytest.raises(Conflict) as err:
        mod.undelete_post(moderator, "answer", answer.id)  # its question is deleted
    assert err.value.code == "question_deleted"

    mod.undelete_post(moderator, "question", q.id)
    refreshed(asker, author)
    assert asker.reputation == asker_before and author.reputation == author_before
    assert asker.question_count == 1 and author.answer_count == 1
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "退款")) == 1
    assert posts.get_question(q.id).id == q.id
    assert {h.question_id for h in search.search("退款").hits} == {q.id}
    with pytest.raises(NotFound):
        mod.undelete_post(moderator, "comment", 1)
    with pytest.raises(NotFound):
        mod.undelete_post(moderator, "question", 999_999)


# --- suspensions ------------------------------------------------------------------------------------


def test_suspended_member_can_read_and_use_tickets_but_not_post(create_user, create_question, create_answer,
                                                                moderator):
    from forum.tickets import services as tickets

    member = create_user("suspendee")
    own = create_question(member)
    q = create_question()
    answer = create_answer(q)
    until = (utcnow() + timedelta(days=7)).date().isoformat()
    mod.suspend_member(moderator, "suspendee", reason="多次发广告", until=until)
    db.session.commit()  # the command's boundary: the attempts below are rolled back one by one
    refreshed(member)
    assert member.is_suspended and member.suspension_reason == "多次发广告"
    # A date ends at the end of that day where the forum is.
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    assert member.suspended_until == datetime.fromisoformat(until).replace(hour=23, minute=59, second=59,
                                                                           tzinfo=zone)
    attempts = [
        lambda: posts.ask_question(member, title=TITLE, body=BODY, tags=["订单"], category="orders"),
        lambda: posts.post_answer(member, q.id, body=ANSWER),
        lambda: posts.post_comment(member, question_id=q.id, body="我也遇到了同样的问题"),
        lambda: posts.edit_question(member, own.id, body=BODY + " 补充。"),
        lambda: cast_vote(member, value=1, answer_id=answer.id),
        lambda: mod.flag_post(member, "answer", answer.id, flag_kind="spam"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as err:
            attempt()
        assert err.value.code == "suspended"
        assert "多次发广告" in err.value.message
        db.session.rollback()
    assert count(Question) == 2 and count(Flag) == 0
    # Reading, and official support, still work.
    assert posts.get_question(q.id, viewer=member).id == q.id
    ticket = tickets.escalate_question(member, own.id, category="orders", description="账号被封了，订单还没处理完。")
    tickets.add_message(member, ticket.id, "补充一下订单的情况。")

    mod.lift_suspension(moderator, "suspendee", note="已申诉")
    refreshed(member)
    assert not member.is_suspended
    posts.post_comment(member, question_id=q.id, body="我也遇到了同样的问题")
    with pytest.raises(Conflict):
        mod.lift_suspension(moderator, "suspendee")
    assert log_actions(user_id=member.id)[-2:] == ["suspend", "unsuspend"]


def test_a_suspension_ends_by_itself(create_user, moderator):
    member = create_user("brief")
    mod.suspend_member(moderator, "brief", reason="请先冷静一下再发帖", until=(utcnow() + timedelta(hours=1)).isoformat())
    refreshed(member)
    assert member.is_suspended
    db.session.execute(sa.update(User).where(User.id == member.id)
                       .values(suspended_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    refreshed(member)
    assert not member.is_suspended
    posts.ask_question(member, title=TITLE, body=BODY, tags=["订单"], category="orders")


@pytest.mark.parametrize("until", [
    "", None, "next week", "2020-01-01", "2026-02-30",
    "{past}", "{far}",
])
def test_suspension_end_must_be_a_future_date_within_ten_years(create_user, moderator, until):
    create_user("target")
    now = utcnow()
    until = {"{past}": (now - timedelta(minutes=1)).isoformat(),
             "{far}": (now + timedelta(days=3651)).date().isoformat()}.get(until, until)
    with pytest.raises(ValidationFailed) as err:
        mod.suspend_member(moderator, "target", reason="多次发广告", until=until)
    assert list(err.value.fields) == ["until"]


def test_suspension_limits(create_user, moderator):
    create_user("member")
    create_user("other_mod", role="moderator")
    create_user("staffer", role="staff")
    admin = create_user("boss", role="admin")
    later = (utcnow() + timedelta(days=3650)).isoformat()
    with pytest.raises(ValidationFailed) as err:
        mod.suspend_member(moderator, "member", reason="短", until=later)
    assert list(err.value.fields) == ["reason"]
    with pytest.raises(PermissionDenied):
        mod.suspend_member(create_user(), "member", reason="多次发广告", until=later)
    for name in ("other_mod", "staffer"):
        with pytest.raises(PermissionDenied):
            mod.suspend_member(moderator, name, reason="多次发广告", until=later)
    with pytest.raises(PermissionDenied) as err:
        mod.suspend_member(moderator, moderator.username, reason="多次发广告", until=later)
    assert err.value.code == "self"
    with pytest.raises(PermissionDenied):
        mod.suspend_member(admin, "boss", reason="多次发广告", until=later)
    with pytest.raises(NotFound):
        mod.suspend_member(moderator, "nobody-here", reason="多次发广告", until=later)
    assert mod.suspend_member(admin, "staffer", reason="账号被盗用", until=later).is_suspended
    assert mod.suspend_member(moderator, "member", reason="多次发广告", until=later).is_suspended


# --- the log ----------------------------------------------------------------------------------------


def test_log_records_every_action_newest_first_and_filters_by_member(create_user, create_question, moderator):
    alice = create_user("alice")
    bob = create_user("bob")
    q = create_question(alice)
    a = posts.post_answer(bob, q.id, body=ANSWER)
    mod.close_question(moderator, q.id, reason="needs_details")
    mod.set_locked(moderator, q.id, True)
    posts.delete_answer(moderator, a.id)
    mod.suspend_member(moderator, "bob", reason="多次发广告", until=(utcnow() + timedelta(days=1)).isoformat())
    page = mod.action_log(moderator)
    assert [e.action for e in page.items] == [ModAction.SUSPEND, ModAction.DELETE, ModAction.LOCK, ModAction.CLOSE]
    assert all(e.actor_id == moderator.id for e in page.items) and page.total == 4
    assert [e.action for e in mod.action_log(moderator, username="bob").items] == [ModAction.SUSPEND,
                                                                                   ModAction.DELETE]
    assert [e.action for e in mod.action_log(moderator, username="alice").items] == [ModAction.LOCK,
                                                                                     ModAction.CLOSE]
    assert mod.action_log(moderator, per_page=1, page=2).items[0].action is ModAction.DELETE
    with pytest.raises(NotFound):
        mod.action_log(moderator, username="nobody-here")
    with pytest.raises(PermissionDenied):
        mod.action_log(alice)


def test_authors_deleting_their_own_posts_are_not_logged(create_user, create_question):
    author = create_user()
    q = create_question(author)
    posts.delete_question(author, q.id)
    assert count(ModerationLogEntry) == 0


def test_a_suspended_moderator_cannot_moderate(create_user, create_question):
    admin = create_user("boss2", role="admin")
    rogue = create_user("rogue_mod", role="moderator")
    victim = create_user("victim")
    q = create_question(victim)
    answer = posts.post_answer(create_user(), q.id, body=ANSWER)
    comment = posts.post_comment(create_user(), question_id=q.id, body="我也遇到了同样的问题")
    mod.suspend_member(admin, "rogue_mod", reason="滥用版主权限", until=(utcnow() + timedelta(days=7)).isoformat())
    db.session.commit()  # the command's boundary: the attempts below are rolled back one by one
    refreshed(rogue)
    attempts = [
        lambda: posts.delete_question(rogue, q.id),
        lambda: posts.delete_answer(rogue, answer.id),
        lambda: posts.delete_comment(rogue, comment.id),
        lambda: mod.lift_suspension(rogue, "rogue_mod"),
        lambda: mod.suspend_member(rogue, "victim", reason="报复一下你", until=(utcnow() + timedelta(days=7)).isoformat()),
        lambda: mod.close_question(rogue, q.id, reason="off_topic"),
        lambda: mod.set_locked(rogue, q.id, True),
        lambda: mod.review_queue(rogue),
        lambda: mod.add_watched_word(rogue, pattern="订单", action="block"),
        lambda: mod.action_log(rogue),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as err:
            attempt()
        assert err.value.code == "suspended"
        db.session.rollback()
    refreshed(rogue, victim, q, answer, comment)
    assert rogue.is_suspended and not victim.is_suspended and not q.is_closed and not q.is_locked
    assert q.deleted_at is None and answer.deleted_at is None and comment.deleted_at is None
    assert log_actions() == ["suspend"]
    # Once the suspension is lifted, the moderator moderates again.
    mod.lift_suspension(admin, "rogue_mod")
    refreshed(rogue)
    mod.close_question(rogue, q.id, reason="off_topic")


def test_first_post_review_is_for_new_members_only(ctx, create_user, create_question):
    experienced = create_user(reputation=ctx.config.get("FORUM_NEW_MEMBER_REPUTATION", 10))
    assert pending_items(create_question(experienced)) == []
    newcomer = create_user(reputation=1)
    assert [i.reason for i in pending_items(create_question(newcomer))] == [ReviewReason.FIRST_POST]


def test_edit_summaries_are_screened_like_the_post(create_user, create_question, create_answer):
    """The summary is public (revision history, page and API) just like the body it describes."""
    author = create_user()
    q = create_question(author)
    a = create_answer(q)
    with pytest.raises(PrivateDataFound) as err:
        posts.edit_question(author, q.id, body=BODY + " 补充一下。", summary=f"补充手机号 {MOBILE}")
    assert list(err.value.fields) == ["summary"]
    db.session.rollback()
    with pytest.raises(PrivateDataFound):
        posts.edit_answer(a.author, a.id, body=ANSWER + " 补充一下。", summary=f"卡号 {CARD}")
    db.session.rollback()
    assert count(Revision) == 2
    posts.edit_question(author, q.id, body=BODY + " 补充一下。", summary=f"补充手机号 {MOBILE}",
                        private_data="remove")
    summaries = list(db.session.scalars(sa.select(Revision.summary).where(Revision.question_id == q.id)))
    assert len(summaries) == 2 and MOBILE not in "".join(summaries)


def test_posts_in_a_hidden_or_deleted_thread_cannot_be_flagged(create_user, create_question, create_answer,
                                                              moderator):
    q = create_question()
    answer = create_answer(q)
    comment = posts.post_comment(create_user(), answer_id=answer.id, body="我也遇到了同样的问题")
    mod.flag_post(moderator, "question", q.id, flag_kind="spam")  # hides the question, and so its thread
    member = create_user()
    for kind, post_id in (("answer", answer.id), ("comment", comment.id)):
        with pytest.raises(NotFound):
            mod.flag_post(member, kind, post_id, flag_kind="rude")
    other = create_question()
    gone = create_answer(other)
    posts.delete_question(moderator, other.id)
    with pytest.raises(NotFound):
        mod.flag_post(member, "answer", gone.id, flag_kind="rude")
    assert count(Flag, Flag.flagger_id == member.id) == 0


@pytest.mark.parametrize("tag", ["13812345678", "订单2026112512345", "６２２２０２１２"])
def test_tags_cannot_carry_long_numbers(create_user, tag):
    with pytest.raises(ValidationFailed) as err:
        posts.ask_question(create_user(), title="退款一直没有到账怎么办呢", body=BODY, tags=["退款", tag],
                           category="payments")
    assert "tags" in err.value.fields


def test_authors_hear_of_moderators_decisions(create_user, create_question, create_answer, moderator):
    """Approved, removed (with the reason) and closed: each reaches the author's inbox, in words."""
    asker = create_user()
    q = create_question(asker, title=TITLE, body=BODY)
    scammer = create_user()
    held = posts.post_answer(scammer, q.id, body=SCAM_CONTACT + " 补充一些文字。")
    item = pending_items(held)[0]
    mod.resolve_review(moderator, item.id, action="approve")
    helper = create_user()
    answer = create_answer(q, helper)
    posts.delete_answer(moderator, answer.id, reason="广告链接")
    mod.close_question(moderator, q.id, reason="off_topic")

    def texts(user):
        with force_locale("zh_CN"):
            return [i["text"] for i in notifications.inbox(user).items]

    assert any("版主通过了你在“我的订单无法修改收货地址”中的帖子" in t for t in texts(scammer))
    assert any("版主删除了你在“我的订单无法修改收货地址”中的帖子" in t and "广告链接" in t for t in texts(helper))
    assert any("版主关闭了你的问题“我的订单无法修改收货地址”：偏离主题" in t for t in texts(asker))
    # The author deleting their own post hears nothing.
    own = create_answer(create_question(create_user()), helper)
    before = len(texts(helper))
    posts.delete_answer(helper, own.id)
    assert len(texts(helper)) == before


def test_removed_question_notice_keeps_its_title(create_user, create_question, moderator):
    asker = create_user()
    q = create_question(asker, title="这个问题会被版主删除掉", body=BODY)
    posts.delete_question(moderator, q.id, reason="重复发帖")
    with force_locale("zh_CN"):
        items = notifications.inbox(asker).items
    assert any("这个问题会被版主删除掉" in i["text"] and "重复发帖" in i["text"] for i in items)
    assert all(i["url"] == "/notifications" for i in items if "重复发帖" in i["text"])
