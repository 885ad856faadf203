import pytest
import sqlalchemy as sa

from forum.core.errors import NotFound, PermissionDenied, ValidationFailed
from forum.extensions import db
from forum.questions import queries, services
from forum.questions.models import Answer, Question, Revision, Tag

GOOD_BODY = "下单以后想修改收货地址，页面一直提示无法修改，请问怎么办？"


def test_ask_question_records_revision_tags_and_counts(create_user):
    user = create_user()
    q = services.ask_question(user, title="  我的订单无法修改收货地址  ", body=GOOD_BODY + "\n\n**急**",
                              tags="订单，收货地址 Refund", category="orders")
    assert q.title == "我的订单无法修改收货地址"
    assert q.tag_names == ["refund", "收货地址", "订单"]
    assert "<strong>急</strong>" in q.body_html
    rev = db.session.scalars(sa.select(Revision).where(Revision.question_id == q.id)).one()
    assert rev.number == 1 and rev.title == q.title
    db.session.refresh(user)
    assert user.question_count == 1
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "订单")) == 1


@pytest.mark.parametrize("fields, bad", [
    ({"title": "短标题"}, "title"),
    ({"title": "x" * 151}, "title"),
    ({"title": "   "}, "title"),
    ({"body": "太短了"}, "body"),
    ({"body": "x" * 30_001}, "body"),
    ({"tags": []}, "tags"),
    ({"tags": ["a", "b", "c", "d", "e", "f"]}, "tags"),
    ({"tags": ["bad tag!"]}, "tags"),
    ({"tags": [1, 2]}, "tags"),
    ({"category": "refunds"}, "category"),
    ({"title": 42}, "title"),
])
def test_ask_question_rejects_bad_fields_and_saves_nothing(create_user, fields, bad):
    user = create_user()
    data = {"title": "我的订单无法修改收货地址", "body": GOOD_BODY, "tags": ["订单"], "category": "orders"}
    data.update(fields)
    with pytest.raises(ValidationFailed) as err:
        services.ask_question(user, **data)
    assert list(err.value.fields) == [bad]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_limits_are_inclusive(create_user):
    user = create_user()
    q = services.ask_question(user, title="x" * 10, body="y" * 20, tags=["a", "b", "c", "d", "e"],
                              category="other")
    assert len(q.tags) == 5
    services.ask_question(user, title="x" * 150, body="y" * 30_000, tags=["a"], category="other")


def test_edit_makes_revisions_and_noop_edit_does_not(create_user, create_question):
    author = create_user()
    q = create_question(author)
    services.edit_question(author, q.id, title="我的订单无法修改收货地址（已补充）", tags=["订单", "物流"],
                           summary="补充标题")
    services.edit_question(author, q.id, title="我的订单无法修改收货地址（已补充）")  # no change
    revisions = queries.revisions_of(question_id=q.id).items
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].summary == "补充标题" and revisions[1].tags == "物流 订单"
    db.session.refresh(q)
    assert q.revision_count == 2
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "物流")) == 1


def test_editing_others_posts_needs_reputation(create_user, create_question, create_answer):
    q = create_question()
    a = create_answer(q)
    newcomer = create_user(reputation=999)
    trusted = create_user(reputation=1000)
    moderator = create_user(role="moderator")
    with pytest.raises(PermissionDenied):
        services.edit_question(newcomer, q.id, body=GOOD_BODY + " 补充")
    with pytest.raises(PermissionDenied):
        services.edit_answer(newcomer, a.id, body="改一下这个回答的内容，补充更多细节：先确认订单状态。")
    services.edit_question(trusted, q.id, body=GOOD_BODY + " 补充")
    services.edit_answer(moderator, a.id, body="改一下这个回答的内容，补充更多细节：先确认订单状态。")
    assert [r.editor_id for r in queries.revisions_of(answer_id=a.id).items] == [a.author_id, moderator.id]


def test_answer_and_comment_update_counters(create_user, create_question):
    q = create_question()
    helper = create_user()
    a = services.post_answer(helper, q.id, body="在“我的订单”里点“修改地址”，发货前都能改。")
    services.post_comment(helper, body="补充：已发货的要联系快递。", question_id=q.id)
    services.post_comment(q.author, body="谢谢，已经改好了！", answer_id=a.id)
    db.session.refresh(q)
    db.session.refresh(a)
    assert q.answer_count == 1 and q.comment_count == 1 and a.comment_count == 1
    thread = queries.load_thread(q)
    assert [x.id for x in thread.answers] == [a.id]
    assert len(thread.question_comments) == 1 and len(thread.answer_comments[a.id]) == 1


def test_comment_length_rules(create_user, create_question):
    q = create_question()
    with pytest.raises(ValidationFailed):
        services.post_comment(create_user(), body="好", question_id=q.id)
    with pytest.raises(ValidationFailed):
        services.post_comment(create_user(), body="好" * 601, question_id=q.id)


def test_delete_rules(create_user, create_question, create_answer):
    author = create_user()
    q = create_question(author)
    a = create_answer(q)
    with pytest.raises(PermissionDenied):
        services.delete_question(author, q.id)  # it has an answer
    with pytest.raises(PermissionDenied):
        services.delete_answer(author, a.id)  # not the answer's author
    services.delete_answer(a.author, a.id)
    services.delete_question(author, q.id)
    with pytest.raises(NotFound):
        services.get_question(q.id)
    assert queries.list_questions().total == 0
    q2 = create_question(author)
    create_answer(q2)
    services.delete_question(create_user(role="moderator"), q2.id)
    assert db.session.scalar(sa.select(Tag.question_count).where(Tag.name == "订单")) == 0


def test_unknown_and_malformed_ids_are_not_found(ctx):
    for bad in (0, -1, "1", None, 2**70, True, 99999):
        with pytest.raises(NotFound):
            services.get_question(bad)
        with pytest.raises(NotFound):
            services.get_answer(bad)


def test_anonymous_cannot_write(create_question):
    q = create_question()
    with pytest.raises(PermissionDenied):
        services.post_answer(None, q.id, body="匿名用户不能回答这个问题的。")
    with pytest.raises(PermissionDenied):
        services.ask_question(None, title="x" * 12, body="y" * 25, tags=["a"], category="other")


def test_tabs_and_filters(create_user, create_question, create_answer):
    from forum.questions.queries import Tab

    q1 = create_question(tags=["退款"], category="payments")
    q2 = create_question(tags=["登录"], category="account")
    create_answer(q2)
    db.session.execute(sa.update(Question).where(Question.id == q1.id).values(score=5))
    db.session.commit()
    assert [q.id for q in queries.list_questions(tab=Tab.UNANSWERED).items] == [q1.id]
    assert [q.id for q in queries.list_questions(tab=Tab.VOTES).items][0] == q1.id
    assert [q.id for q in queries.list_questions(tag="登录").items] == [q2.id]
    from forum.questions.models import Category

    assert [q.id for q in queries.list_questions(category=Category.PAYMENTS).items] == [q1.id]
    db.session.execute(sa.update(Question).where(Question.id == q2.id)
                       .values(accepted_answer_id=sa.select(Answer.id).where(Answer.question_id == q2.id)
                               .scalar_subquery()))
    db.session.commit()
    assert [q.id for q in queries.list_questions(tab=Tab.UNSOLVED).items] == [q1.id]
    page = queries.list_questions(page=2, per_page=1)
    assert page.total == 2 and len(page.items) == 1 and page.pages == 2


def test_rerender_all(create_question):
    q = create_question()
    db.session.execute(sa.update(Question).where(Question.id == q.id).values(body_html="stale"))
    db.session.commit()
    assert services.rerender_all() >= 1
    db.session.refresh(q)
    assert q.body_html.startswith("<p>")
