"""Moderation through the HTML pages: who sees /review, the privacy panel and its two ways out,
flags, closing and locking, suspensions, watched words and the log."""
from datetime import date, timedelta

import sqlalchemy as sa

from forum.extensions import db
from forum.moderation.models import Flag, ModerationLogEntry, ReviewItem
from forum.policy.models import WatchedWordEntry
from forum.questions.models import Comment, Question
from forum.tickets.models import Ticket

CARD = "6222021234567894"  # passes the Luhn check
QUESTION = {"title": "银行卡被重复扣款了两次怎么办", "category": "payments", "tags": "扣款",
            "body": f"我的卡号是 {CARD}，昨天买东西扣了两次钱，订单只有一个。"}


def _post_then_page(client, path: str, data: dict) -> str:
    """POST a form, then load where it redirects (follow_redirects does not fit IsolatedClient)."""
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_review_pages_are_for_moderators(client, create_user, login):
    for path in ("/review", "/review/log", "/review/watched-words"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(create_user(reputation=5000))
    for path in ("/review", "/review/log", "/review/watched-words"):
        assert client.get(path).status_code == 403
    login(create_user(role="moderator"))
    page = client.get("/review").get_data(as_text=True)
    assert "没有需要审核的内容" in page


def test_private_data_shows_the_panel_and_keeps_the_text(client, create_user, login):
    login(create_user(reputation=200))
    response = client.post("/ask", data=QUESTION)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "privacy-panel" in page and "6222 **** **** 7894" in page and "银行卡号" in page
    assert 'value="remove"' in page and "/ask/private" in page  # both ways out
    assert _count(Question) == 0


def test_remove_posts_without_the_data(client, create_user, login):
    login(create_user(reputation=200))
    response = client.post("/ask", data={**QUESTION, "private_data": "remove"})
    assert response.status_code == 302
    question = db.session.scalar(sa.select(Question))
    assert CARD not in question.body and "[已移除]" in question.body
    assert CARD not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_move_to_private_ticket(client, create_user, login):
    login(create_user(reputation=200))
    response = client.post("/ask/private", data={**QUESTION, "private_data": "ticket"})
    assert response.status_code == 302 and "/tickets/" in response.headers["Location"]
    question = db.session.scalar(sa.select(Question))
    ticket = db.session.scalar(sa.select(Ticket))
    assert CARD not in question.body and ticket.question_id == question.id and CARD in ticket.description
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "工单" in page


def test_comment_with_private_data_offers_removal(client, create_user, create_question, login):
    question = create_question()
    login(create_user(reputation=200))
    response = client.post(f"/questions/{question.id}/comments", data={"body": "我的手机 13812345678 可以联系我"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "手机号码" in page and "privacy-panel" in page
    # Kept in the author's own textarea (and its own preview), never in the masked list.
    masked = page.split("privacy-findings")[1].split("</ul>")[0]
    assert "13812345678" not in masked and "5678" in masked
    assert _count(Comment) == 0
    response = client.post(f"/questions/{question.id}/comments",
                           data={"body": "我的手机 13812345678 可以联系我", "private_data": "remove"})
    assert response.status_code == 302
    assert "13812345678" not in db.session.scalar(sa.select(Comment.body))


def test_scam_answer_is_held_and_its_author_told(client, create_user, create_question, login):
    question = create_question()
    login(create_user("骗子", reputation=200))
    page = _post_then_page(client, f"/questions/{question.id}/answers",
                           {"body": "加我微信 kefu2026，我是官方客服，帮你马上退款。"})
    assert "正在等待审核" in page and "held-note" in page
    login(create_user(reputation=200))
    assert "kefu2026" not in client.get(f"/questions/{question.id}").get_data(as_text=True)
    reasons = {r.value for r in db.session.scalars(sa.select(ReviewItem.reason))}
    assert reasons == {"held", "first_post"}  # the answer; the asker's first question


def test_flag_through_the_page(client, create_user, create_question, login):
    question = create_question()
    login(create_user(reputation=200))
    assert "版主会查看" in _post_then_page(client, f"/questions/{question.id}/flag", {"kind": "rude"})
    assert "你已经举报过这个帖子" in _post_then_page(client, f"/questions/{question.id}/flag", {"kind": "rude"})
    assert _count(Flag) == 1


def test_close_lock_and_log_through_pages(client, create_user, create_question, login):
    original = create_question(title="退款到账需要几天？原问题在这里")
    question = create_question()
    login(create_user("小周", role="moderator"))
    page = _post_then_page(client, f"/questions/{question.id}/close",
                           {"reason": "duplicate", "duplicate_of": f"/questions/{original.id}"})
    assert "已关闭: 重复问题" in page and "退款到账需要几天？原问题在这里" in page
    assert "这个问题已经关闭" in _post_then_page(client, f"/questions/{question.id}/close", {"reason": "off_topic"})
    client.post(f"/questions/{question.id}/lock")
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "badge-locked" in page
    log = client.get("/review/log").get_data(as_text=True)
    assert "小周" in log and "已锁定" in log and f"#{original.id}" in log


def test_suspension_form_errors_and_banner(client, create_user, login):
    member = create_user("被封的人", reputation=50)
    login(create_user(role="moderator"))
    past = (date.today() - timedelta(days=1)).isoformat()
    assert "封禁结束时间必须在将来" in _post_then_page(client, "/users/被封的人/suspension",
                                                 {"reason": "发广告", "until": past})
    until = (date.today() + timedelta(days=7)).isoformat()
    client.post("/users/被封的人/suspension", data={"reason": "多次发布广告链接", "until": until})
    login(member)
    page = client.get("/").get_data(as_text=True)
    assert "suspension-banner" in page and "多次发布广告链接" in page
    response = client.post("/ask", data={**QUESTION, "body": "一个普通的问题描述，已经足够二十个字了吧。"})
    assert response.status_code == 403


def test_watched_words_page(client, create_user, login):
    login(create_user(role="moderator"))
    response = client.post("/review/watched-words", data={"pattern": "(a+)+", "is_regex": "1", "action": "block"})
    assert response.status_code == 422 and "无法使用这个规则" in response.get_data(as_text=True)
    response = client.post("/review/watched-words", data={"pattern": "刷单", "action": "block"})
    assert response.status_code == 302
    word = db.session.scalar(sa.select(WatchedWordEntry))
    assert word.pattern == "刷单" and "刷单" in client.get("/review/watched-words").get_data(as_text=True)
    client.post(f"/review/watched-words/{word.id}/delete")
    assert _count(WatchedWordEntry) == 0
    actions = db.session.scalars(sa.select(ModerationLogEntry.action)).all()
    assert [a.value for a in actions] == ["watch_word", "unwatch_word"]


def test_undelete_from_the_log(client, create_user, create_question, login):
    question = create_question(title="被误删的问题标题在这里")
    login(create_user(role="moderator"))
    client.post(f"/questions/{question.id}/delete")
    assert client.get(f"/questions/{question.id}").status_code == 404
    log = client.get("/review/log").get_data(as_text=True)
    assert f"/questions/{question.id}/undelete" in log
    response = client.post(f"/questions/{question.id}/undelete")
    assert response.status_code == 302
    assert "被误删的问题标题在这里" in client.get(f"/questions/{question.id}").get_data(as_text=True)


def test_review_queue_query_count_is_fixed(client, create_user, create_question, create_answer, login,
                                           count_queries):
    from forum.moderation import services as moderation
    from forum.questions import services as posts

    flagger = create_user(reputation=200)

    def flag_threads(n: int) -> None:
        for i in range(n):
            q = create_question(title=f"审核队列查询次数测试问题 {i:02d}")
            answer = create_answer(q)
            comment = posts.post_comment(q.author, body=f"第 {i} 条评论，补充一点细节", answer_id=answer.id)
            for kind, post in (("question", q), ("answer", answer), ("comment", comment)):
                moderation.flag_post(flagger, kind, post.id, flag_kind="rude")

    moderator = create_user(role="moderator")
    flag_threads(1)
    login(moderator)
    with count_queries() as few:
        assert client.get("/review?reason=flagged").get_data(as_text=True).count('class="card review-item"') == 3
    flag_threads(11)
    with count_queries() as many:
        assert client.get("/review?reason=flagged").get_data(as_text=True).count('class="card review-item"') == 20
    assert many.count == few.count, many.statements
