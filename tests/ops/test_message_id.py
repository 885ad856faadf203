"""Issue 18, item 7: every e-mail has a Message-ID derived from its outbox row, the same on every
re-send of that row (a crash after the SMTP server accepted it, then a retry after the lease), so
that the copies are recognisable as one message; different for two rows, and for two forums."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.db import utcnow
from forum.extensions import db
from forum.notifications import mail, services
from forum.notifications.models import OutgoingEmail


class Killed(BaseException):
    """The process dies (kill -9) right after the server accepted the message: nothing below runs."""


def _queue(user, n: int) -> int:
    row = OutgoingEmail(user_id=user.id, to_address=f"reader{n}@example.com", subject=f"第 {n} 封",
                        body_text="正文", body_html="<p>正文</p>", unsubscribe_url="", created_at=utcnow(),
                        next_attempt_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_resend_after_a_crash_carries_the_same_message_id(app, ctx, smtp_server, create_user, monkeypatch):
    email_id = _queue(create_user(), 1)
    real_send = mail.send

    def send_then_die(*args, **kwargs):
        real_send(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(mail, "send", send_then_die)
    with pytest.raises(Killed):
        services.deliver_pending()
    monkeypatch.setattr(mail, "send", real_send)
    row = db.session.get(OutgoingEmail, email_id)
    db.session.refresh(row)
    assert row.status == "sending" and len(smtp_server) == 1  # accepted, never marked sent
    # The lease runs out; the safety net sends it again.
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.deliver_pending() == 1
    assert len(smtp_server) == 2
    first, second = (m["Message-ID"] for m in smtp_server)
    assert first == second
    assert first.startswith(f"<forum-mail-{email_id}.") and first.endswith("@127.0.0.1>")


def test_each_row_and_each_forum_has_its_own_message_id(app, ctx, smtp_server, create_user):
    user = create_user()
    ids = [_queue(user, n) for n in range(3)]
    assert services.deliver_pending() == 3
    by_row = {m["To"]: m["Message-ID"] for m in smtp_server}
    assert len(set(by_row.values())) == 3
    assert by_row["reader0@example.com"] == mail.outbox_message_id(ids[0])
    # Another installation sharing the mail server (same row ids, same host name): another secret key.
    secret = app.config["SECRET_KEY"]
    try:
        app.config["SECRET_KEY"] = "another forum's secret"
        assert mail.outbox_message_id(ids[0]) != by_row["reader0@example.com"]
    finally:
        app.config["SECRET_KEY"] = secret
    assert mail.outbox_message_id(ids[0]) == by_row["reader0@example.com"]


def test_the_domain_is_the_forums_host_else_the_senders(app, ctx):
    base, sender = app.config["FORUM_BASE_URL"], app.config["FORUM_MAIL_SENDER"]
    try:
        app.config.update(FORUM_BASE_URL="https://support.example.com/forum",
                          FORUM_MAIL_SENDER="noreply@mail.example.org")
        assert mail.outbox_message_id(7).endswith("@support.example.com>")
        app.config["FORUM_BASE_URL"] = ""
        assert mail.outbox_message_id(7).endswith("@mail.example.org>")
    finally:
        app.config.update(FORUM_BASE_URL=base, FORUM_MAIL_SENDER=sender)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail)) == 0
