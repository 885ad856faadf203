"""Forgot password: an e-mailed single-use link, valid 30 minutes, that ends every session."""
import re
from datetime import timedelta

import sqlalchemy as sa

from forum.auth import services
from forum.auth.models import ApiToken, PasswordReset
from forum.core.db import utcnow
from forum.extensions import db
from forum.notifications import jobs
from forum.notifications.models import OutgoingEmail
from tests.fixtures.auth import PASSWORD


def _link() -> str:
    jobs.drain()
    body = db.session.scalars(sa.select(OutgoingEmail.body_text).order_by(OutgoingEmail.id.desc())).first()
    return re.search(r"/reset-password/\S+", body).group(0)


def test_same_answer_for_known_and_unknown_addresses(client, create_user):
    create_user("known", email="known@example.com")
    known = client.post("/reset-password", data={"email": "known@example.com"}, headers={"Accept-Language": "en"})
    unknown = client.post("/reset-password", data={"email": "nobody@example.com"}, headers={"Accept-Language": "en"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'(value|content)="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert "If an account uses this address" in known.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail)) == 1
    token_row = db.session.scalar(sa.select(PasswordReset))
    assert len(token_row.token_hash) == 64 and token_row.token_hash not in _link()


def test_reset_ends_sessions_and_tokens_and_works_once(client, create_user, login, token_for):
    user = create_user("forgetful", email="forgetful@example.com")
    api = token_for(user)
    login(user)
    assert client.get("/ask").status_code == 200
    services.request_password_reset("forgetful@example.com")
    link = _link()
    assert client.post(link, data={"password": "short"}).status_code == 422
    assert client.post(link, data={"password": "brand-new-password"}).status_code == 302
    assert client.get("/ask").status_code == 302  # the old session cookie no longer works
    assert client.get("/api/v1/me", headers=api).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 0
    assert client.get(link).status_code == 404  # single use
    assert client.post("/login", data={"login": "forgetful", "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"login": "forgetful", "password": "brand-new-password"}).status_code == 302


def test_links_expire_after_thirty_minutes(client, create_user):
    create_user("late", email="late@example.com")
    services.request_password_reset("late@example.com")
    link = _link()
    db.session.execute(sa.update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(link, headers={"Accept-Language": "en"}).status_code == 404
    assert client.get("/reset-password/not-a-token").status_code == 404
