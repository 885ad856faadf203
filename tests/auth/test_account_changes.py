import sqlalchemy as sa

from forum.auth.models import ApiToken
from forum.extensions import db
from tests.fixtures.auth import PASSWORD


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, create_user, login, token_for):
    user = create_user("changer")
    api = token_for(user)
    other_browser = app.test_client_class(app, app.response_class, use_cookies=True)
    other_browser.post("/login", data={"login": "changer", "password": PASSWORD})
    assert other_browser.get("/ask").status_code == 200
    login(user)
    bad = client.post("/settings/account", data={"action": "password", "pw-current_password": "wrong-one",
                                                 "pw-new_password": "another-password"}, headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "That is not your current password." in bad.get_data(as_text=True)
    ok = client.post("/settings/account", data={"action": "password", "pw-current_password": PASSWORD,
                                                "pw-new_password": "another-password"})
    assert ok.status_code == 302
    assert client.get("/ask").status_code == 200  # this browser stays signed in
    assert other_browser.get("/ask").status_code == 302  # the other one is signed out
    assert client.get("/api/v1/me", headers=api).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 0


def test_change_email_needs_the_current_password(client, create_user, login):
    user = create_user("mover", email="old@example.com")
    create_user("taken", email="taken@example.com")
    login(user)
    assert client.post("/settings/account", data={"action": "email", "em-current_password": "wrong-one",
                                                   "em-email": "new@example.com"}).status_code == 422
    assert client.post("/settings/account", data={"action": "email", "em-current_password": PASSWORD,
                                                   "em-email": "TAKEN@example.com"}).status_code == 422
    assert client.post("/settings/account", data={"action": "email", "em-current_password": PASSWORD,
                                                   "em-email": "new@example.com"}).status_code == 302
    db.session.refresh(user)
    assert user.email == "new@example.com"


def test_logout_ends_every_session_and_token(app, client, create_user, login, token_for):
    user = create_user("leaver")
    api = token_for(user)
    other_browser = app.test_client_class(app, app.response_class, use_cookies=True)
    other_browser.post("/login", data={"login": "leaver", "password": PASSWORD})
    login(user)
    assert other_browser.get("/ask").status_code == 200
    client.post("/logout")
    assert other_browser.get("/ask").status_code == 302
    assert client.get("/api/v1/me", headers=api).status_code == 401
