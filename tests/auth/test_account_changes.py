import pytest
import sqlalchemy as sa

from forum.auth import services
from forum.auth.models import ApiToken
from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.notifications import jobs
from forum.notifications.models import OutgoingEmail
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


def test_changing_the_email_tells_the_old_address_and_ends_other_sessions(app, client, create_user, login,
                                                                         token_for):
    user = create_user("relocator", email="old-home@example.com", locale="en")
    api = token_for(user)
    other_browser = app.test_client_class(app, app.response_class, use_cookies=True)
    other_browser.post("/login", data={"login": "relocator", "password": PASSWORD})
    assert other_browser.get("/ask").status_code == 200
    login(user)
    response = client.post("/settings/account", data={"action": "email", "em-current_password": PASSWORD,
                                                       "em-email": "new-home@example.com"})
    assert response.status_code == 302
    assert client.get("/ask").status_code == 200  # this browser stays signed in
    assert other_browser.get("/ask").status_code == 302  # every other session ended
    assert client.get("/api/v1/me", headers=api).status_code == 200  # tokens stay (listed in the settings)
    jobs.drain()
    mails = db.session.scalars(sa.select(OutgoingEmail).order_by(OutgoingEmail.id)).all()
    assert [m.to_address for m in mails] == ["old-home@example.com"]
    assert "n***@example.com" in mails[0].body_text and "new-home@example.com" not in mails[0].body_text
    assert "/support" in mails[0].body_text


def test_the_service_tells_the_old_address_only_once_it_changed(create_user):
    user = create_user("careful_mover", email="first@example.com")
    version = user.session_version
    with pytest.raises(ValidationFailed):
        services.change_email(user, "wrong-password", "second@example.com")
    with pytest.raises(ValidationFailed):
        services.change_email(user, PASSWORD, "FIRST@example.com")  # the same address again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingEmail)) == 0
    services.change_email(user, PASSWORD, "second@example.com")
    assert user.session_version == version + 1
    assert db.session.scalar(sa.select(OutgoingEmail.to_address)) == "first@example.com"


def test_changing_the_address_says_it_is_taken_only_after_the_right_password(client, create_user, login):
    user = create_user("mover", email="mover@example.com")
    create_user("owner", email="owner@example.com")
    with pytest.raises(ValidationFailed) as err:
        services.change_email(user, "not-my-password", "owner@example.com")
    assert list(err.value.fields) == ["current_password"]
    login(user)
    page = client.post("/settings/account", data={"action": "email", "em-current_password": "wrong-one",
                                                   "em-email": "owner@example.com"}, headers={"Accept-Language": "en"})
    assert page.status_code == 422 and "already exists" not in page.get_data(as_text=True)
    with pytest.raises(ValidationFailed) as err:
        services.change_email(user, PASSWORD, "owner@example.com")
    assert list(err.value.fields) == ["email"]


def test_guessing_the_current_password_on_the_settings_pages_is_bounded(ctx, create_user, monkeypatch):
    """A stolen session cannot guess the password without end: settings count like sign-in
    attempts (5 in the window, then the lockout exemption's 5), and answer 422, never 500."""
    import pytest as _pytest

    from forum.auth import services as auth_services
    from forum.core.errors import ValidationFailed

    user = create_user("stolen_session")
    checks = []
    real = auth_services.check_password
    monkeypatch.setattr(auth_services, "check_password", lambda *a: checks.append(1) or real(*a))
    for i in range(30):
        with _pytest.raises(ValidationFailed) as err:
            auth_services.change_password(user, f"guess-{i}", "a-brand-new-password-1")
        assert list(err.value.fields) == ["current_password"]
    assert len(checks) <= 10
