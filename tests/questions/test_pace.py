"""Pacing: new members (below reputation 10) wait 30 s between posts, post at most 2 links and ask
at most 6 questions a day; members a moderator restricted ask one question per 40 minutes."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import User
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


QUESTION = {"body": "我的订单一直显示处理中，已经三天了，请问怎么办？", "tags": ["订单"], "category": "orders"}


def _back_in_time(user, **delta) -> None:
    """Move the member's posts into the past (committed, as if asked then)."""
    for model in (Question, Answer, Comment):
        for post in db.session.scalars(sa.select(model).where(model.author_id == user.id)):
            post.created_at = post.created_at - timedelta(**delta)
    db.session.commit()


def _ask_six(member) -> None:
    """Six questions, one every 31 seconds (the new-member gap), the first 23 hours ago."""
    for i in range(6):
        services.ask_question(member, title=f"今天的第 {i + 1} 个问题：积分和付款", **QUESTION)
        db.session.commit()
        _back_in_time(member, seconds=31)
    db.session.execute(sa.update(Question).where(Question.author_id == member.id, Question.title.like("%第 1 个%"))
                       .values(created_at=utcnow() - timedelta(hours=23)))
    db.session.commit()


def test_new_members_ask_six_questions_a_day(pacing, create_user):
    newcomer = create_user(reputation=1)
    _ask_six(newcomer)
    with pytest.raises(RateLimited) as err:
        services.ask_question(newcomer, title="今天的第七个问题：又是积分", **QUESTION)
    assert 3590 <= err.value.retry_after <= 3601  # the first of the six is a day old in an hour
    message = str(err.value.message)
    assert "6" in message and "10" in message
    assert len(_titles_by(newcomer)) == 6
    # An hour later the first one is more than a day old: one more fits, and then none again.
    db.session.execute(sa.update(Question).where(Question.author_id == newcomer.id, Question.title.like("%第 1 个%"))
                       .values(created_at=utcnow() - timedelta(hours=24, seconds=1)))
    db.session.commit()
    services.ask_question(newcomer, title="一小时以后的第七个问题", **QUESTION)
    db.session.commit()
    _back_in_time(newcomer, seconds=31)
    with pytest.raises(RateLimited):
        services.ask_question(newcomer, title="紧接着的第八个问题，还是积分", **QUESTION)
    # Deleting a question gives nothing back: it was asked.
    db.session.execute(sa.update(Question).where(Question.author_id == newcomer.id)
                       .values(deleted_at=utcnow()))
    db.session.commit()
    with pytest.raises(RateLimited):
        services.ask_question(newcomer, title="删掉以后再问也不行的问题", **QUESTION)


def test_from_reputation_ten_there_is_no_budget(pacing, create_user):
    member = create_user(reputation=10)
    for i in range(8):  # no gap between posts either
        services.ask_question(member, title=f"声望十的成员提的第 {i + 1} 个问题", **QUESTION)
    assert len(_titles_by(member)) == 8


def test_the_budget_is_configurable(pacing, app, monkeypatch, create_user):
    monkeypatch.setitem(app.config, "FORUM_NEW_MEMBER_QUESTIONS_PER_DAY", 1)
    newcomer = create_user(reputation=1)
    services.ask_question(newcomer, title="一天只能问一个问题的成员", **QUESTION)
    db.session.commit()
    _back_in_time(newcomer, minutes=5)
    with pytest.raises(RateLimited):
        services.ask_question(newcomer, title="一天里的第二个问题，不行", **QUESTION)
    monkeypatch.setitem(app.config, "FORUM_NEW_MEMBER_REPUTATION", 1)  # reputation 1 is no longer new
    services.ask_question(newcomer, title="门槛调低以后的第二个问题", **QUESTION)


def test_the_seventh_question_is_refused_in_the_members_language(pacing, client, create_user, token_for, login):
    newcomer = create_user(reputation=1)
    _ask_six(newcomer)
    headers = token_for(newcomer)
    body = {"title": "第七个问题：付款失败了怎么办", **QUESTION}
    response = client.post("/api/v1/questions", json=body, headers={**headers, "Accept-Language": "zh-CN"})
    assert response.status_code == 429 and 3590 <= int(response.headers["Retry-After"]) <= 3601
    message = response.get_json()["error"]["message"]
    assert "声望达到 10 之前，24 小时内最多可以提 6 个问题" in message, message
    assert re.search(r"下一个问题可以在 \d{4}-\d\d-\d\d \d\d:\d\d（(60分钟|1小时)后）提出", message), message
    response = client.post("/api/v1/questions", json=body, headers={**headers, "Accept-Language": "en"})
    message = response.get_json()["error"]["message"]
    assert "you can ask 6 questions in 24 hours" in message, message
    assert re.search(r"next one at \d{4}-\d\d-\d\d \d\d:\d\d \(in (60 minutes|1 hour)\)", message), message
    login(newcomer)
    response = client.post("/ask", data={**body, "tags": "订单"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422  # the page keeps the text and says when
    page = response.get_data(as_text=True)
    assert "第七个问题：付款失败了怎么办" in page and "6 questions in 24 hours" in page
    assert len(_titles_by(newcomer)) == 6


def test_the_post_gap_still_holds_for_questions(pacing, create_user):
    newcomer = create_user(reputation=1)
    services.ask_question(newcomer, title="新成员的第一个问题：积分过期", **QUESTION)
    db.session.commit()
    with pytest.raises(RateLimited) as err:
        services.ask_question(newcomer, title="新成员马上又问的第二个问题", **QUESTION)
    assert "seconds between posts" in err.value.message or "秒" in err.value.message
    assert 1 <= err.value.retry_after <= 31


def test_restricted_members_get_the_interval(pacing, create_user, moderator):
    from forum.moderation import services as moderation

    member = create_user(reputation=50)  # no budget, no gap: only a restriction paces them
    services.ask_question(member, title="受限成员的第一个问题标题", **QUESTION)
    services.ask_question(member, title="未受限时紧接着的第二个问题", **QUESTION)
    db.session.commit()
    until = (utcnow() + timedelta(days=30)).date().isoformat()
    moderation.restrict_posting(moderator, member.username, reason="短时间内重复发帖", until=until)
    db.session.commit()
    _back_in_time(member, minutes=1)
    with pytest.raises(RateLimited) as err:
        services.ask_question(member, title="受限以后的第三个问题标题", **QUESTION)
    assert 38 * 60 <= err.value.retry_after <= 39 * 60 + 1  # 40 minutes less the one gone by
    assert "短时间内重复发帖" in err.value.message
    _back_in_time(member, minutes=40)
    services.ask_question(member, title="四十分钟以后的第三个问题", **QUESTION)
    db.session.commit()
    with pytest.raises(RateLimited):
        services.ask_question(member, title="又紧接着的第四个问题标题", **QUESTION)
    # Answers and comments are not paced by it.
    q = services.ask_question(create_user(reputation=50), title="别人提的问题，用来回答", **QUESTION)
    services.post_answer(member, q.id, body="先在订单详情里申请退款，再联系银行确认到账时间。")
    moderation.lift_posting_restriction(moderator, member.username, note="已改正")
    db.session.commit()
    services.ask_question(member, title="解除限制以后的第四个问题", **QUESTION)
    assert len(_titles_by(member)) == 4


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
    monkeypatch.setattr(services, "render_markdown", lambda source, *args, **kwargs: rendered.append(source) or render(source, *args, **kwargs))
    q = create_question()
    newcomer, asker = create_user(reputation=1), create_user(reputation=50)
    db.session.execute(sa.update(User).where(User.id == asker.id).values(  # restricted by a moderator
        posting_restricted_until=utcnow() + timedelta(days=1), posting_restriction_reason="刷屏"))
    db.session.commit()
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
