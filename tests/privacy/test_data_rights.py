"""Members' data rights (issue 20 part 4): the export, and erasure after a grace period."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth import services as auth
from forum.auth.models import ApiToken, ReservedUsername, User
from forum.core.db import unit_of_work, utcnow
from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.moderation.models import ModAction, ModerationLogEntry
from forum.notifications import services as notifications
from forum.notifications.models import Follow, Notification
from forum.privacy import services
from forum.questions import services as questions
from forum.tickets import attachments as ticket_attachments
from forum.tickets import services as tickets
from forum.tickets.models import Status, Ticket, TicketMessage
from tests.fixtures.auth import PASSWORD

ORDER_MINE, ORDER_THEIRS = "TP2026110811111", "TP2026110899999"
SECRET_NOTE = "内部备注：这位用户疑似刷单，先别退款"


@pytest.fixture
def community(create_user, create_question, create_answer, create_ticket, vote):
    """王小明 asks, answers, comments, votes, follows and escalates; 李雷 has private things of his own."""
    me = create_user("王小明", email="wang@example.com")
    other = create_user("李雷", email="lilei@example.com")
    staff = create_user("客服小林", role="staff")
    mine = create_question(me, title="积分什么时候过期，怎么查看到期时间", tags=["积分"])
    theirs = create_question(other, title="退款一直没有到账应该怎么办才好", tags=["退款"])
    answer = create_answer(theirs, me, body="我上次退款等了三个工作日才到账，可以先查看退款进度。")
    create_answer(mine, other, body="积分在“我的-积分”页面可以看到每一笔的到期时间。")
    with unit_of_work():
        questions.post_comment(me, question_id=theirs.id, body="请问是原路退回吗？")
        questions.edit_answer(me, answer.id, body="我上次退款等了三个工作日才到账，可以先在订单页查看退款进度。",
                              summary="补充在哪里查看")
        notifications.set_following(me, True, tag="退款")
    vote(theirs, voter=me)
    my_ticket = create_ticket(mine, me, order_number=ORDER_MINE)
    their_ticket = create_ticket(theirs, other, order_number=ORDER_THEIRS, contact_channel="phone",
                                 contact="139-0000-1111")
    with unit_of_work():
        tickets.add_message(staff, my_ticket.id, "您好，我们正在核实积分到期时间。")
        tickets.add_message(staff, my_ticket.id, SECRET_NOTE, internal=True)
        tickets.add_message(staff, their_ticket.id, "李先生您好，退款已经在处理。")
    return me, other, staff, mine, theirs, answer, my_ticket, their_ticket


def test_export_holds_own_posts_and_nothing_private_of_others(client, community, token_for):
    me, _other, _staff, mine, theirs, answer, my_ticket, their_ticket = community
    response = client.get("/api/v1/me/export", headers=token_for(me))
    assert response.status_code == 200
    data = response.get_json()
    assert data["format"] == "forum-export/1"
    assert data["profile"]["username"] == "王小明" and data["profile"]["email"] == "wang@example.com"
    assert [q["title"] for q in data["questions"]] == [mine.title]
    assert [a["id"] for a in data["answers"]] == [answer.id]
    assert len(data["answers"][0]["revisions"]) == 2  # with its revisions
    assert data["answers"][0]["revisions"][1]["summary"] == "补充在哪里查看"
    assert [c["body"] for c in data["comments"]] == ["请问是原路退回吗？"]
    assert [(v["question_id"], v["value"]) for v in data["votes"]] == [(theirs.id, 1)]
    assert [t["name"] for t in data["follows"]["tags"]] == ["退款"]
    assert data["notifications"]  # 李雷 answered my question
    assert [t["number"] for t in data["tickets"]] == [my_ticket.number]
    assert data["tickets"][0]["order_number"] == ORDER_MINE
    assert [m["from"] for m in data["tickets"][0]["messages"]] == ["support"]
    assert data["api_tokens"] and set(data["api_tokens"][0]) == {"name", "created_at", "last_used_at", "revoked_at",
                                                                  "expires_at"}
    text = response.get_data(as_text=True)
    for private in ("lilei@example.com", ORDER_THEIRS, "139-0000-1111", SECRET_NOTE, their_ticket.number,
                    "李先生您好", me.password_hash):
        assert private not in text, private
    token_hash = db.session.scalar(sa.select(ApiToken.token_hash).where(ApiToken.user_id == me.id))
    assert token_hash not in text
    assert client.get("/api/v1/me/export").status_code == 401


def test_export_names_the_files_of_public_messages_not_of_internal_notes(client, community, token_for):
    me, _other, staff, _mine, _theirs, _answer, my_ticket, _their_ticket = community
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with unit_of_work():
        mine = ticket_attachments.add_attachment(my_ticket, me, "我的账单.pdf", "application/pdf", pdf)
        tickets.add_message(me, my_ticket.id, "账单见附件，请核对。", attachments=[mine.id])
        public = ticket_attachments.add_attachment(my_ticket, staff, "积分明细.txt", "text/plain",
                                                  "积分明细".encode())
        tickets.add_message(staff, my_ticket.id, "这是您的积分明细。", attachments=[public.id])
        internal = ticket_attachments.add_attachment(my_ticket, staff, "风控截图.pdf", "application/pdf", pdf)
        tickets.add_message(staff, my_ticket.id, SECRET_NOTE, internal=True, attachments=[internal.id])
    data = client.get("/api/v1/me/export", headers=token_for(me)).get_json()
    assert sorted(data["tickets"][0]["attachments"]) == sorted(["我的账单.pdf", "积分明细.txt"])
    assert "风控截图" not in client.get("/api/v1/me/export", headers=token_for(me)).get_data(as_text=True)


def test_the_settings_page_downloads_the_same_export(client, community, login):
    me = community[0]
    login(me)
    page = client.get("/settings/data", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Download my data (JSON)" in page.get_data(as_text=True)
    response = client.get("/settings/data/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["profile"]["username"] == "王小明"
    assert "no-store" in response.headers["Cache-Control"]


def test_each_export_is_in_the_moderation_log(client, community, token_for, login, create_user):
    """Who exported and when, from the API or the settings page, nothing of the content; moderators
    read it in the log beside the erasure steps."""
    me = community[0]
    assert client.get("/api/v1/me/export").status_code == 401  # refused: nothing logged
    assert client.get("/api/v1/me/export", headers=token_for(me)).status_code == 200
    login(me)
    assert client.get("/settings/data/export").status_code == 200
    entries = list(db.session.scalars(sa.select(ModerationLogEntry).where(ModerationLogEntry.user_id == me.id)
                                      .order_by(ModerationLogEntry.id)))
    db.session.commit()
    assert [e.action for e in entries] == [ModAction.EXPORT, ModAction.EXPORT]
    assert all(e.actor_id == me.id and e.reason == "" and e.question_id is None for e in entries)
    login(create_user("版主老周", role="moderator"))
    zh = client.get("/review/log", query_string={"user": me.username}, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200 and zh.get_data(as_text=True).count("下载了自己的数据副本") == 2
    en = client.get("/review/log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert en.count("Downloaded a copy of their data") == 2 and "王小明" in en


def test_an_export_is_a_writing_request(app):
    """It writes the log entry: on SQLite its transaction takes the write lock when it begins, as a
    POST's does, instead of failing if another request wrote between its reads and its write."""
    from forum.web.boundary import read_only_request

    for path, read_only in (("/api/v1/me/export", False), ("/settings/data/export", False),
                            ("/settings/data", True), ("/api/v1/me", True)):
        with app.test_request_context(path):
            assert read_only_request() is read_only, path
    with app.test_request_context("/settings/data/delete", method="POST"):
        assert read_only_request() is False


def test_delete_needs_the_password(client, community, token_for):
    me = community[0]
    headers = token_for(me)
    wrong = client.delete("/api/v1/me", headers=headers, json={"password": "not-my-password"})
    assert wrong.status_code == 422 and "password" in wrong.get_json()["error"]["fields"]
    missing = client.delete("/api/v1/me", headers=headers, json={})
    assert missing.status_code == 422
    db.session.refresh(me)
    assert me.erasure_due_at is None
    assert client.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 401


def test_grace_period_then_signing_in_cancels(client, community, token_for):
    me = community[0]
    response = client.delete("/api/v1/me", headers=token_for(me), json={"password": PASSWORD})
    assert response.status_code == 202
    db.session.refresh(me)
    assert me.erasure_due_at is not None and me.erasure_due_at - me.erasure_requested_at == timedelta(days=7)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == me.id, ApiToken.revoked_at.is_(None))) == 0  # signed out everywhere
    # Signing in (the page) within the grace period cancels it, and says so.
    signed_in = client.post("/login", data={"login": "王小明", "password": PASSWORD}, headers={"Accept-Language": "en"})
    assert signed_in.status_code == 302
    page = client.get("/", headers={"Accept-Language": "en"})
    assert "Signing in cancelled that" in page.get_data(as_text=True)
    db.session.refresh(me)
    assert me.erasure_due_at is None
    with unit_of_work():
        assert services.erase_due(utcnow() + timedelta(days=8))["erased"] == 0
    assert db.session.get(User, me.id).erased_at is None
    actions = [e.action for e in db.session.scalars(sa.select(ModerationLogEntry).where(
        ModerationLogEntry.user_id == me.id).order_by(ModerationLogEntry.id))]
    assert actions == [ModAction.ERASURE_REQUEST, ModAction.ERASURE_CANCEL]


def test_the_api_sign_in_cancels_too(client, community, token_for):
    me = community[0]
    client.delete("/api/v1/me", headers=token_for(me), json={"password": PASSWORD})
    response = client.post("/api/v1/tokens", json={"username": "王小明", "password": PASSWORD})
    assert response.status_code == 201 and response.get_json()["erasure_cancelled"] is True
    db.session.refresh(me)
    assert me.erasure_due_at is None


def test_erasure_after_the_grace_period(client, community, token_for):
    me, _other, _staff, _mine, theirs, answer, my_ticket, _their_ticket = community
    client.delete("/api/v1/me", headers=token_for(me), json={"password": PASSWORD})
    with unit_of_work():
        assert services.erase_due(utcnow() + timedelta(days=6))["erased"] == 0  # still in the grace period
    with unit_of_work():
        assert services.erase_due(utcnow() + timedelta(days=7, minutes=1))["erased"] == 1
    user = db.session.get(User, me.id)
    assert user.erased_at is not None and not user.active
    assert "wang@example.com" not in (user.email, user.email_key) and user.stored_username == f"#erased-{me.id}"
    assert user.totp_secret is None and user.recovery_codes == ""
    for model in (ApiToken, Notification, Follow):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.user_id == me.id)) == 0
    # The ticket was closed; its private fields wait for the retention period.
    ticket = db.session.get(Ticket, my_ticket.id)
    assert ticket.status is Status.CLOSED and ticket.order_number == ORDER_MINE
    # Cannot sign in, by the old name or the old address, on the page or the API.
    for login_name in ("王小明", "wang@example.com"):
        assert client.post("/api/v1/tokens", json={"username": login_name, "password": PASSWORD}).status_code == 401
        page = client.post("/login", data={"login": login_name, "password": PASSWORD})
        assert page.status_code == 401
    # Posts stay, under "deleted member #n" in the reader's language.
    zh = client.get(f"/questions/{theirs.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    en = client.get(f"/questions/{theirs.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert answer.body.split("，")[0] in zh
    assert f"已注销用户 #{me.id}" in zh and f"deleted member #{me.id}" not in zh
    assert f"deleted member #{me.id}" in en and f"已注销用户 #{me.id}" not in en
    assert "王小明" not in en and "王小明" not in zh
    api = client.get(f"/api/v1/questions/{theirs.id}", headers={"Accept-Language": "en"}).get_json()
    assert [a["author"]["username"] for a in api["answers"] if a["id"] == answer.id] == [f"deleted member #{me.id}"]
    api = client.get(f"/api/v1/questions/{theirs.id}", headers={"Accept-Language": "zh-CN"}).get_json()
    assert [a["author"]["username"] for a in api["answers"] if a["id"] == answer.id] == [f"已注销用户 #{me.id}"]
    # Both steps in the moderation log: who and when, no content.
    entries = list(db.session.scalars(sa.select(ModerationLogEntry).where(ModerationLogEntry.user_id == me.id)
                                      .order_by(ModerationLogEntry.id)))
    assert [e.action for e in entries] == [ModAction.ERASURE_REQUEST, ModAction.ERASE]
    assert entries[0].actor_id == me.id and entries[1].actor_id is None
    assert all(e.reason == "" and e.question_id is None for e in entries)


def test_erased_name_reads_in_chinese(app, community):
    from flask_babel import force_locale

    me = community[0]
    with unit_of_work():
        services.erase_account(me)
    user = db.session.get(User, me.id)
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert user.username == f"已注销用户 #{me.id}"
    with app.test_request_context(), force_locale("en"):
        assert user.username == f"deleted member #{me.id}"


def test_the_username_is_reserved_for_180_days(client, community, create_user):
    me = community[0]
    lily = create_user("lily_w")
    with unit_of_work():
        services.erase_account(me)
        services.erase_account(lily)
    # The same name, in another case, or a look-alike (compared by skeleton, as migration 0014's column).
    for name in ("王小明", "LILY_W", "lily.w"):
        with pytest.raises(ValidationFailed) as error, unit_of_work():
            auth.register_user(name, "new@example.com", "another-password-1")
        assert "username" in error.value.fields
    response = client.post("/api/v1/users", json={"username": "王小明", "email": "new@example.com",
                                                   "password": "another-password-1"})
    assert response.status_code == 422 and "username" in response.get_json()["error"]["fields"]
    row = db.session.scalar(sa.select(ReservedUsername))
    assert row.reserved_until - utcnow() > timedelta(days=179)
    with unit_of_work():
        row.reserved_until = utcnow() - timedelta(seconds=1)  # 180 days later
    with unit_of_work():
        assert auth.register_user("王小明", "new@example.com", "another-password-1").username == "王小明"


def test_private_ticket_fields_go_after_the_retention_period(client, community, token_for):
    me, _other, _staff, _mine, _theirs, _answer, my_ticket, their_ticket = community
    with unit_of_work():
        services.erase_account(me)
    with unit_of_work():
        assert services.erase_due(utcnow() + timedelta(days=179))["tickets"] == 0
    assert db.session.get(Ticket, my_ticket.id).order_number == ORDER_MINE
    with unit_of_work():
        assert services.erase_due(utcnow() + timedelta(days=181))["tickets"] == 1
    ticket = db.session.get(Ticket, my_ticket.id)
    assert ticket.order_number == "" and ticket.description == "" and ticket.private_erased_at is not None
    assert all(m.body == "" for m in db.session.scalars(sa.select(TicketMessage).where(
        TicketMessage.ticket_id == ticket.id)))
    kept = db.session.get(Ticket, their_ticket.id)  # 李雷's, untouched
    assert kept.order_number == ORDER_THEIRS


def test_ticket_attachments_go_with_the_private_fields(client, community, token_for):
    """The retention clean-up removes the attachments of an erased member's tickets (theirs and
    staff's, internal notes' too): names and rows, and the files in storage once it commits."""
    from forum.tickets.models import TicketAttachment
    from forum.uploads import storage

    me, other, staff, _mine, _theirs, _answer, my_ticket, their_ticket = community
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with unit_of_work():
        statement = ticket_attachments.add_attachment(my_ticket, me, "我的银行流水.pdf", "application/pdf", pdf)
        tickets.add_message(me, my_ticket.id, "流水见附件。", attachments=[statement.id])
        note = ticket_attachments.add_attachment(my_ticket, staff, "风控截图.pdf", "application/pdf", pdf)
        tickets.add_message(staff, my_ticket.id, SECRET_NOTE, internal=True, attachments=[note.id])
        unsent = ticket_attachments.add_attachment(my_ticket, me, "还没发送.txt", "text/plain", "草稿".encode())
        kept = ticket_attachments.add_attachment(their_ticket, other, "李雷的收据.pdf", "application/pdf", pdf)
    mine = [(a.id, a.key) for a in (statement, note, unsent)]
    with unit_of_work():
        services.erase_account(me)
    with unit_of_work():
        services.erase_due(utcnow() + timedelta(days=179))
    assert all(storage.read(ticket_attachments.AREA, key) == pdf for key in (statement.key, note.key))

    with unit_of_work():
        assert services.erase_due(utcnow() + timedelta(days=181))["tickets"] == 1
    for _id, key in mine:
        assert storage.read(ticket_attachments.AREA, key) is None
        assert not storage.path_for(ticket_attachments.AREA, key).exists()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TicketAttachment)
                             .where(TicketAttachment.ticket_id == my_ticket.id)) == 0
    db.session.commit()
    headers = token_for(staff)
    detail = client.get(f"/api/v1/tickets/{my_ticket.id}", headers=headers)
    assert detail.status_code == 200
    assert detail.get_json()["attachments"] == [] and all(m["attachments"] == [] for m in detail.get_json()["messages"])
    assert "银行流水" not in detail.get_data(as_text=True) and "风控截图" not in detail.get_data(as_text=True)
    for attachment_id, _key in mine:
        assert client.get(f"/api/v1/tickets/{my_ticket.id}/attachments/{attachment_id}",
                          headers=headers).status_code == 404
    # 李雷's ticket keeps its file.
    assert storage.read(ticket_attachments.AREA, kept.key) == pdf
    assert client.get(f"/api/v1/tickets/{their_ticket.id}/attachments/{kept.id}", headers=headers).status_code == 200


def test_the_settings_delete_flow_has_a_confirmation_step(client, community, login):
    me = community[0]
    login(me)
    page = client.get("/settings/data/delete", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "I understand" in page
    unticked = client.post("/settings/data/delete", data={"password": PASSWORD})
    assert unticked.status_code == 422
    wrong = client.post("/settings/data/delete", data={"password": "nope-nope-nope", "confirm": "y"})
    assert wrong.status_code == 422
    db.session.refresh(me)
    assert me.erasure_due_at is None
    done = client.post("/settings/data/delete", data={"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 302
    db.session.refresh(me)
    assert me.erasure_due_at is not None
    assert client.get("/settings/data").status_code == 302  # signed out


def test_the_erase_command(runner, community, token_for, client):
    me = community[0]
    client.delete("/api/v1/me", headers=token_for(me), json={"password": PASSWORD})
    with unit_of_work():
        db.session.get(User, me.id).erasure_due_at = utcnow() - timedelta(seconds=1)
    result = runner.invoke(args=["privacy", "erase"])
    assert result.exit_code == 0 and "1 accounts erased" in result.output
    db.session.expire_all()
    assert db.session.get(User, me.id).erased_at is not None
