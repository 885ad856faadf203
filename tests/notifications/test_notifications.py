import socket

import pytest
import sqlalchemy as sa

from forum.core.errors import NotFound
from forum.extensions import db
from forum.notifications import jobs, services
from forum.notifications.models import Notification, OutgoingEmail
from forum.questions import services as questions


def texts(user, *, badges: bool = False) -> list[str]:
    """The member's notifications as read in English (badges left out unless asked for)."""
    from flask_babel import force_locale

    with force_locale("en"):
        return [item["text"] for item in services.inbox(user).items if badges or item["kind"] != "badge"]


def test_answers_comments_accept_verify_reach_the_right_people(create_user, create_question, create_answer,
                                                                verify):
    asker, helper, bystander = create_user("提问者"), create_user("热心人"), create_user("路人")
    q = create_question(asker, title="退款七天了还没有到账怎么办")
    a = create_answer(q, helper)
    assert texts(asker) == ["热心人 answered “退款七天了还没有到账怎么办”"]
    assert texts(helper) == []  # never one's own action
    questions.post_comment(bystander, body="我也遇到了同样的问题", answer_id=a.id)
    assert len(texts(asker)) == 2 and len(texts(helper)) == 1  # asker and answerer follow the question
    assert texts(bystander) == []
    questions.accept_answer(asker, a.id)
    assert "提问者 accepted your answer to “退款七天了还没有到账怎么办”" in texts(helper)
    verify(a)
    assert "Staff verified an answer on “退款七天了还没有到账怎么办”" in texts(helper)
    assert "Staff verified an answer on “退款七天了还没有到账怎么办”" in texts(asker)
    assert any("You earned the badge “First answer”" == t for t in texts(helper, badges=True))


def test_mentions_chinese_names_once(create_user, create_question, create_answer):
    asker = create_user("提问者")
    q = create_question(asker)
    expert = create_user("老王")
    questions.post_comment(asker, body="@老王 能帮忙看看吗？", question_id=q.id)
    assert texts(expert) == ["提问者 mentioned you in “" + q.title + "”"]
    create_answer(q, expert)  # expert now follows; a mention must not also count as a comment
    questions.post_comment(asker, body="谢谢@老王！邮件 someone@老王.com 不算", question_id=q.id)
    assert len(texts(expert)) == 2


def test_follow_tags_and_categories(create_user, create_question):
    fan = create_user()
    create_question(tags=["退款"])
    services.set_following(fan, True, tag="退款")
    services.set_following(fan, True, category="account")
    create_question(tags=["退款"], title="第二个关于退款的问题标题")
    create_question(tags=["登录"], category="account", title="一个账号分类下的问题标题")
    create_question(tags=["发票"], category="other", title="一个无关分类下的问题标题")
    assert len(texts(fan)) == 2
    services.set_following(fan, False, tag="退款")
    create_question(tags=["退款"], title="第三个关于退款的问题标题")
    assert len(texts(fan)) == 2
    with pytest.raises(NotFound):  # a category that does not exist is absent, like a tag
        services.set_following(fan, True, category="bogus")


def test_deleted_questions_vanish_from_the_inbox(create_user, create_question, create_answer):
    asker = create_user()
    q = create_question(asker)
    a = create_answer(q)
    assert services.unread_count(asker) == 1
    questions.delete_answer(a.author, a.id)
    questions.delete_question(create_user(role="moderator"), q.id)
    # What was about the thread is gone; what is left is the moderator's notice to its author.
    assert services.unread_count(asker) == 1
    assert [i["url"] for i in services.inbox(asker).items] == ["/notifications"]


def test_inbox_pages_and_marking(client, create_user, create_question, create_answer, login):
    asker = create_user()
    q = create_question(asker)
    create_answer(q)
    create_answer(q)
    login(asker)
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'class="bell-count">2' in page
    inbox = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert inbox.count('class="notification is-unread"') == 2
    first = db.session.scalars(sa.select(Notification.id).where(Notification.user_id == asker.id)).first()
    client.post("/notifications/read", data={"id": str(first)})
    assert services.unread_count(asker) == 1
    client.post("/notifications/read", data={"all": "1"})
    assert services.unread_count(asker) == 0


def test_api_lists_and_marks_only_ones_own(client, create_user, create_question, create_answer, token_for):
    asker, other = create_user(), create_user()
    q = create_question(asker)
    create_answer(q)
    create_answer(create_question(other))
    mine = client.get("/api/v1/notifications?unread=1", headers=token_for(asker)).get_json()
    assert mine["total"] == 1 and mine["items"][0]["kind"] == "new_answer"
    assert set(mine["items"][0]) == {"id", "kind", "text", "url", "created_at", "read"}
    theirs = client.get("/api/v1/notifications", headers=token_for(other)).get_json()["items"][0]["id"]
    response = client.post("/api/v1/notifications/read", json={"ids": [theirs]}, headers=token_for(asker))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    mixed = client.post("/api/v1/notifications/read", json={"ids": [mine["items"][0]["id"], theirs]},
                        headers=token_for(asker))
    assert mixed.status_code == 404
    assert services.unread_count(other) == 1 and services.unread_count(asker) == 1  # nothing changed
    assert client.post("/api/v1/notifications/read", json={"ids": "x"}, headers=token_for(asker)).status_code == 422
    assert client.post("/api/v1/notifications/read", json={}, headers=token_for(asker)).status_code == 422
    assert client.post("/api/v1/notifications/read", json={"all": True}, headers=token_for(asker)).status_code == 204
    assert client.get("/api/v1/notifications?unread=1", headers=token_for(asker)).get_json()["total"] == 0
    assert client.get("/api/v1/notifications").status_code == 401


def test_email_in_the_members_language_with_unsubscribe(smtp_server, create_user, create_question, create_answer):
    english = create_user("emma", locale="en", email="emma@example.com")
    chinese = create_user("小红", locale="zh_CN", email="hong@example.com")
    create_answer(create_question(english, title="Refund has not arrived after 7 days"))
    create_answer(create_question(chinese, title="退款七天了还没有到账"))
    jobs.drain()
    by_address = {m["To"]: m for m in smtp_server}
    assert {"emma@example.com", "hong@example.com"} <= set(by_address)  # the answerers get badge e-mails
    emma = by_address["emma@example.com"]
    assert "answered “Refund has not arrived after 7 days”" in emma["Subject"]
    assert emma["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert {part.get_content_type() for part in emma.walk()} >= {"text/plain", "text/html"}
    hong = by_address["hong@example.com"]
    assert "回答了" in hong["Subject"] and "退款七天了还没有到账" in hong["Subject"]
    assert "/unsubscribe/" in hong.get_body(("plain",)).get_content()


def test_failed_email_is_retried_and_the_notification_kept(app, create_user, create_question, create_answer,
                                                          smtp_server):
    from datetime import timedelta

    from forum.core.db import utcnow

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    good_port = app.config["FORUM_MAIL_PORT"]
    app.config["FORUM_MAIL_PORT"] = dead_port
    asker = create_user()
    helper = create_user()
    services.update_settings(helper, email_mode="off", muted_kinds=[])
    create_answer(create_question(asker), helper)
    jobs.drain()
    email = db.session.scalar(sa.select(OutgoingEmail))
    db.session.refresh(email)
    assert email.status == "pending" and email.attempts == 1 and email.last_error
    assert email.next_attempt_at > utcnow()
    assert services.unread_count(asker) == 1  # the in-app notification does not depend on e-mail
    assert services.deliver_pending() == 0  # not due yet: backoff
    app.config["FORUM_MAIL_PORT"] = good_port
    email.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.deliver_pending() == 1
    db.session.refresh(email)
    assert email.status == "sent" and email.attempts == 2 and len(smtp_server) == 1


def test_daily_digest_and_unsubscribe(client, smtp_server, runner, create_user, create_question, create_answer):
    reader = create_user(locale="en")
    services.update_settings(reader, email_mode="daily", muted_kinds=[])
    helpers = [create_user(), create_user()]
    for helper in helpers:
        services.update_settings(helper, email_mode="off", muted_kinds=[])
    q = create_question(reader)
    for helper in helpers:
        create_answer(q, helper)
    jobs.drain()
    assert smtp_server == []  # nothing instant
    result = runner.invoke(args=["notifications", "digest"])
    assert "1 digests queued, 1 e-mails sent" in result.output
    digest = smtp_server[0]
    assert "2 updates" in digest["Subject"]
    token = digest["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    assert "Unsubscribe" in client.get(f"/unsubscribe/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert services.settings_for(reader.id).email_mode == "off"
    assert client.post("/unsubscribe/forged-token").status_code == 404
    create_answer(q, helpers[0])
    jobs.drain()
    assert len(smtp_server) == 1


def test_settings_page_and_muted_kinds(client, create_user, create_question, create_answer, login):
    user = create_user()
    helper = create_user()
    services.update_settings(helper, email_mode="off", muted_kinds=[])
    login(user)
    assert client.post("/settings/notifications", data={"email_mode": "instant", "muted": ["new_answer"]}).status_code == 302
    assert services.settings_for(user.id).muted_kinds == "new_answer"
    create_answer(create_question(user), helper)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail)) == 0
    assert services.unread_count(user) == 1


def test_follow_buttons_and_mention_completion(client, create_user, create_question, login):
    create_user("老王")
    create_user("老李")
    reader = create_user()
    q = create_question()
    login(reader)
    assert client.post("/follow", data={"question_id": str(q.id), "next": f"/questions/{q.id}"}).status_code == 302
    assert services.is_following(reader, question_id=q.id)
    page = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "★ Following" in page
    client.post("/follow", data={"question_id": str(q.id), "action": "unfollow"})
    assert not services.is_following(reader, question_id=q.id)
    assert sorted(client.get("/users/complete?q=@老").get_json()) == ["老李", "老王"]
    assert client.get("/users/complete?q=").get_json() == []


def test_jobs_go_through_rq_when_redis_is_configured(app, create_user, create_question, create_answer, smtp_server):
    """With FORUM_REDIS_URL the e-mail job is queued on Redis and a worker sends it."""
    import os

    redis_url = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(redis_url)
    try:
        connection.ping()
    except RedisDown:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is not reachable at {redis_url}")
        pytest.skip(f"Redis is not reachable at {redis_url}")
    queue = Queue("forum", connection=connection)
    queue.empty()
    app.config["FORUM_REDIS_URL"] = redis_url
    try:
        helper = create_user()
        services.update_settings(helper, email_mode="off", muted_kinds=[])
        create_answer(create_question(create_user(email="rq@example.com")), helper)
        assert queue.count == 1 and smtp_server == []
        SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        app.config["FORUM_REDIS_URL"] = None
    assert [m["To"] for m in smtp_server] == ["rq@example.com"]


def test_two_workers_never_send_one_email_twice(app, smtp_server, create_user, create_question, create_answer):
    """The job thread and two more deliverers (think RQ and cron) race for one e-mail: sent once.
    The first send is held until both others have finished, so they run while it is in flight."""
    import threading

    from forum.notifications import mail

    helper = create_user()
    services.update_settings(helper, email_mode="off", muted_kinds=[])
    real_send = mail.send
    in_flight, release = threading.Event(), threading.Event()

    def held_send(*args, **kwargs):
        if not in_flight.is_set():
            in_flight.set()
            assert release.wait(30), "the other deliverers never finished"
        real_send(*args, **kwargs)

    mail.send = held_send
    try:
        create_answer(create_question(create_user()), helper)  # its job starts sending, and is held
        db.session.commit()  # the job runs after the commit (services only flush)
        assert in_flight.wait(30), "the job never started sending"

        def worker():
            with app.app_context():
                services.deliver_pending()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not any(thread.is_alive() for thread in threads)
        assert len(smtp_server) == 0  # neither worker sent the e-mail the job holds
        release.set()
        jobs.drain()
    finally:
        release.set()
        mail.send = real_send
    assert len(smtp_server) == 1
    assert db.session.scalar(sa.select(OutgoingEmail.status)) == "sent"


def test_notifications_about_deleted_answers_disappear(create_user, create_question, create_answer):
    asker = create_user("提问者")
    q = create_question(asker)
    answerer = create_user()
    a = create_answer(q, answerer, body="@提问者 你可以先在订单详情里申请退款，然后等待银行处理。")
    assert services.unread_count(asker) == 1
    questions.delete_answer(answerer, a.id)
    assert services.unread_count(asker) == 0
