"""Issue 14, finding 11: API tokens expire FORUM_TOKEN_DAYS after their last use (sliding), record
their last use (at most once a minute), carry a name, and are listed and revoked in the settings."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth import services
from forum.auth.models import ApiToken
from forum.core.db import utcnow
from forum.core.errors import NotFound, ValidationFailed
from forum.extensions import db
from tests.fixtures.auth import PASSWORD


def _row(token: str) -> ApiToken:
    db.session.expire_all()
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == services._token_digest(token)))


def _age(token: str, *, created_days: float, used_days: float | None) -> None:
    now = utcnow()
    db.session.execute(sa.update(ApiToken).where(ApiToken.token_hash == services._token_digest(token)).values(
        created_at=now - timedelta(days=created_days),
        last_used_at=None if used_days is None else now - timedelta(days=used_days)))
    db.session.commit()


def test_a_token_expires_ninety_days_after_its_last_use(create_user):
    from forum.settings import Config

    assert Config.FORUM_TOKEN_DAYS == 90
    user = create_user()
    token = services.issue_token(user)
    _age(token, created_days=91, used_days=None)
    assert services.user_for_token(token) is None  # never used, created 91 days ago
    _age(token, created_days=200, used_days=89)
    assert services.user_for_token(token).id == user.id  # used 89 days ago: alive, and the use slides it
    assert _row(token).last_used_at > utcnow() - timedelta(minutes=1)
    _age(token, created_days=200, used_days=91)
    assert services.user_for_token(token) is None


def test_the_lifetime_is_configurable(app, create_user):
    user = create_user()
    token = services.issue_token(user)
    _age(token, created_days=3, used_days=2)
    assert services.user_for_token(token) is not None
    _age(token, created_days=3, used_days=2)
    app.config["FORUM_TOKEN_DAYS"] = 1
    try:
        assert services.user_for_token(token) is None
    finally:
        app.config["FORUM_TOKEN_DAYS"] = 90


def test_last_use_is_written_at_most_once_a_minute(create_user, count_queries):
    token = services.issue_token(create_user())
    assert _row(token).last_used_at is None
    with count_queries() as first:
        services.user_for_token(token)
    used = _row(token).last_used_at
    assert used is not None
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in first.statements) == 1
    with count_queries() as again:
        for _ in range(5):
            services.user_for_token(token)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in again.statements)
    assert _row(token).last_used_at == used
    _age(token, created_days=1, used_days=61 / 86400)  # 61 seconds ago
    services.user_for_token(token)
    assert _row(token).last_used_at > used


@pytest.mark.parametrize("name", ["x" * 65, "bad\nname", "bad\u202ename", 42, ["a"]])
def test_token_names_are_checked(create_user, name):
    with pytest.raises(ValidationFailed) as err:
        services.issue_token(create_user(), name)
    assert "name" in err.value.fields


def test_the_api_names_a_token_and_says_when_it_expires(client, create_user):
    create_user("scripter")
    response = client.post("/api/v1/tokens", json={"username": "scripter", "password": PASSWORD,
                                                   "name": "  nightly export  "})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "nightly export" and body["expires_at"]
    assert _row(body["token"]).name == "nightly export"
    plain = client.post("/api/v1/tokens", json={"username": "scripter", "password": PASSWORD}).get_json()
    assert plain["name"] == "api"
    for bad in ("x" * 65, "a\x07b", 5):
        response = client.post("/api/v1/tokens", json={"username": "scripter", "password": PASSWORD, "name": bad})
        assert response.status_code == 422 and "name" in response.get_json()["error"]["fields"]


def test_an_expired_token_is_refused_by_the_api(client, create_user):
    user = create_user()
    token = services.issue_token(user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _row(token).last_used_at is not None  # the API records the use
    _age(token, created_days=100, used_days=90.01)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_the_settings_list_the_tokens_and_revoke_them(client, create_user, login):
    user, other = create_user("lister"), create_user("other")
    keep = services.issue_token(user, "phone app")
    gone = services.issue_token(user, "old laptop")
    foreign = services.issue_token(other, "not yours")
    services.user_for_token(keep)
    login(user)
    assert "/settings/tokens" in client.get("/settings").get_data(as_text=True)
    page = client.get("/settings/tokens", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<td>phone app</td>" in text and "<td>old laptop</td>" in text and "not yours" not in text
    assert "Never" in text and "just now" in text  # last used: one never, one now
    gone_id, foreign_id = _row(gone).id, _row(foreign).id
    assert client.post("/settings/tokens", data={"token_id": str(gone_id)}).status_code == 302
    assert services.user_for_token(gone) is None and services.user_for_token(keep) is not None
    assert "<td>old laptop</td>" not in client.get("/settings/tokens").get_data(as_text=True)
    for bad in (str(foreign_id), "nope", "", "99999999999"):
        assert client.post("/settings/tokens", data={"token_id": bad}).status_code == 404
    assert services.user_for_token(foreign) is not None  # someone else's token is untouched
    with pytest.raises(NotFound):
        services.revoke_token_of(user, foreign_id)


def test_the_settings_page_leaves_out_expired_tokens(client, create_user, login):
    user = create_user()
    old = services.issue_token(user, "forgotten script")
    _age(old, created_days=120, used_days=95)
    login(user)
    assert "forgotten script" not in client.get("/settings/tokens").get_data(as_text=True)
    assert client.get("/settings/tokens").status_code == 200
