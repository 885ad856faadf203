"""New-member pacing: 30 s between posts, at most 2 links, 40 minutes between questions below 125."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import utcnow
from forum.core.errors import RateLimited, ValidationFailed
from forum.extensions import db
from forum.questions import services
from forum.questions.models import Answer, Comment, Question


def _comments_by(user) -> list[str]:
    return list(db.session.scalars(sa.select(Comment.body).where(Comment.author_id == user.id).order_by(Comment.id)))


def _answer_bodies(question) -> list[str]:
    return list(db.session.scalars(sa.select(Answer.body).where(Answer.question_id == question.id)))


def _titles_by(user) -> list[str]:
    return list(db.session.scalars(sa.select(Question.title).where(Question.author_id == user.id)))


@pytest.fixture
def pacing(app):
    app.config["FORUM_RATE_LIMITS"] = True
    yield
    app.config["FORUM_RATE_LIMITS"] = False


def test_new_members_wait_between_posts(pacing, client, create_user, create_question, token_for):
    q = create_question()
    newcomer = create_user(reputation=1)
    services.post_answer(newcomer, q.id, body="第一条回答：先在订单详情里申请退款，再联系银行。")
    with pytest.raises(RateLimited) as err:
        services.post_comment(newcomer, body="再补充一句评论", question_id=q.id)
    assert 1 <= err.value.retry_after <= 31
    response = client.post(f"/api/v1/questions/{q.id}/comments", json={"body": "再补充一句评论"},
                           headers=token_for(newcomer))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert _comments_by(newcomer) == []  # neither way in left a comment behind
    db.session.execute(sa.update(Answer).values(created_at=utcnow() - timedelta(seconds=31)))
    db.session.commit()
    services.post_comment(newcomer, body="三十秒后可以评论了", question_id=q.id)
    assert _comments_by(newcomer) == ["三十秒后可以评论了"]


def test_new_members_post_at_most_two_links(pacing, create_user, create_question):
    q = create_question()
    newcomer = create_user(reputation=1)
    three = "看 https://a.example https://b.example https://c.example 这三个链接"
    with pytest.raises(ValidationFailed) as err:
        services.post_answer(newcomer, q.id, body=three)
    assert list(err.value.fields) == ["body"] and "2" in err.value.fields["body"][0]
    assert _answer_bodies(q) == []
    two = services.post_answer(newcomer, q.id, body="看 https://a.example 和 https://b.example 这两个链接就够了")
    assert two.body_html.count("<a ") == 2
    member = create_user(reputation=50)
    posted = services.post_answer(member, q.id, body=three)
    assert posted.body_html.count("<a ") == 3
    assert sorted(_answer_bodies(q)) == sorted([two.body, three])


def test_questions_are_paced_below_125(pacing, create_user):
    member = create_user(reputation=50)
    data = {"body": "我的订单一直显示处理中，已经三天了，请问怎么办？", "tags": ["订单"], "category": "orders"}
    services.ask_question(member, title="第一个关于订单的问题标题", **data)
    db.session.execute(sa.update(Question).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    with pytest.raises(RateLimited) as err:
        services.ask_question(member, title="第二个关于订单的问题标题", **data)
    assert 38 * 60 <= err.value.retry_after <= 39 * 60 + 1  # 40 minutes less the one gone by
    assert _titles_by(member) == ["第一个关于订单的问题标题"]
    db.session.execute(sa.update(Question).values(created_at=utcnow() - timedelta(minutes=41)))
    db.session.commit()
    services.ask_question(member, title="四十分钟以后的第二个问题", **data)
    assert sorted(_titles_by(member)) == sorted(["第一个关于订单的问题标题", "四十分钟以后的第二个问题"])
    for exempt in (create_user(reputation=200), create_user(role="moderator")):
        services.ask_question(exempt, title="不受提问间隔限制的第一个问题", **data)
        services.ask_question(exempt, title="不受提问间隔限制的第二个问题", **data)
        assert len(_titles_by(exempt)) == 2


def test_off_when_rate_limits_are_off(app, create_user, create_question):
    assert app.config["FORUM_RATE_LIMITS"] is False
    q = create_question()
    newcomer = create_user(reputation=1)
    services.post_answer(newcomer, q.id, body="第一条回答：先在订单详情里申请退款，再联系银行。")
    services.post_comment(newcomer, body="马上再评论也可以", question_id=q.id)
    services.post_answer(newcomer, q.id, body="看 https://a.example https://b.example https://c.example 这三个链接")
    data = {"body": "我的订单一直显示处理中，已经三天了，请问怎么办？", "tags": ["订单"], "category": "orders"}
    services.ask_question(newcomer, title="新成员的第一个问题标题", **data)
    services.ask_question(newcomer, title="新成员紧接着的第二个问题", **data)
    assert _comments_by(newcomer) == ["马上再评论也可以"]
    assert len(_answer_bodies(q)) == 2 and len(_titles_by(newcomer)) == 2


def test_pages_keep_the_text_when_paced(pacing, client, create_user, create_question, login):
    q = create_question()
    newcomer = create_user(reputation=1)
    services.post_answer(newcomer, q.id, body="第一条回答：先在订单详情里申请退款，再联系银行。")
    login(newcomer)
    response = client.post(f"/questions/{q.id}/answers", data={"body": "第二条回答的内容，这次写得更详细一些，也更完整。"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "第二条回答的内容" in page and "seconds between posts" in page


def test_the_pace_is_checked_before_anything_is_rendered(pacing, monkeypatch, client, create_user, create_question,
                                                         token_for):
    """A refused post costs no Markdown rendering (issue 14: the API rendered first, then checked)."""
    rendered: list[str] = []
    render = services.render_markdown
    monkeypatch.setattr(services, "render_markdown", lambda source: rendered.append(source) or render(source))
    q = create_question()
    newcomer, asker = create_user(reputation=1), create_user(reputation=50)
    services.post_answer(newcomer, q.id, body="第一条回答：先在订单详情里申请退款，再联系银行。")
    services.ask_question(asker, title="第一个关于订单的问题标题", body="我的订单一直显示处理中，已经三天了，请问怎么办？",
                          tags=["订单"], category="orders")
    assert len(rendered) == 3  # the question, the answer and the asker's question: posted, rendered
    rendered.clear()
    long_body = "很长的正文 http://a.example " * 1000
    with pytest.raises(RateLimited):
        services.post_answer(newcomer, q.id, body=long_body)
    with pytest.raises(RateLimited):
        services.post_comment(newcomer, body="再补充一句评论", question_id=q.id)
    with pytest.raises(RateLimited):
        services.ask_question(newcomer, title="新成员马上又提一个问题", body=long_body, tags=["订单"], category="orders")
    with pytest.raises(RateLimited):
        services.ask_question(asker, title="第二个关于订单的问题标题", body=long_body, tags=["订单"], category="orders")
    headers = token_for(newcomer)
    assert client.post(f"/api/v1/questions/{q.id}/answers", json={"body": long_body}, headers=headers).status_code == 429
    assert client.post(f"/api/v1/questions/{q.id}/comments", json={"body": "再补充一句评论"},
                       headers=headers).status_code == 429
    assert rendered == []
