"""Two-step verification with an authenticator app (TOTP)."""
import re

import pyotp
import pytest

from forum.auth import services
from forum.core.db import utcnow
from forum.core.errors import AuthenticationFailed, Locked
from forum.extensions import db
from tests.fixtures.auth import PASSWORD


def enrol(user) -> tuple[pyotp.TOTP, list[str]]:
    secret, uri = services.start_totp(user)
    assert uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    return totp, services.confirm_totp(user, totp.now())


def code_at(totp: pyotp.TOTP, offset_steps: int) -> str:
    return totp.generate_otp(totp.timecode(utcnow()) + offset_steps)


def test_codes_no_replay_one_step_of_drift_and_recovery_codes(create_user):
    user = create_user()
    totp, recovery = enrol(user)
    assert len(recovery) == 10 and user.totp_secret
    with pytest.raises(AuthenticationFailed):
        services.check_second_factor(user, code_at(totp, 0))  # the enrolment code was this step: no replay
    services.check_second_factor(user, code_at(totp, 1))  # one step ahead is accepted
    with pytest.raises(AuthenticationFailed):
        services.check_second_factor(user, code_at(totp, 1))  # ...once
    with pytest.raises(AuthenticationFailed):
        services.check_second_factor(user, code_at(totp, 3))  # too far off
    services.check_second_factor(user, recovery[0])
    with pytest.raises(AuthenticationFailed):
        services.check_second_factor(user, recovery[0])  # single use


def test_wrong_codes_lock_like_wrong_passwords(create_user):
    user = create_user()
    enrol(user)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.check_second_factor(user, "000000")
    with pytest.raises(Locked):
        services.check_second_factor(user, "000000")


def test_sign_in_asks_for_the_code(client, create_user):
    user = create_user("careful")
    totp, _codes = enrol(user)
    response = client.post("/login", data={"login": "careful", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/2fa")
    assert client.get("/ask").status_code == 302  # not signed in yet
    bad = client.post("/login/2fa", data={"code": "123456"}, headers={"Accept-Language": "en"})
    assert bad.status_code == 401 and "That code is not right" in bad.get_data(as_text=True)
    assert client.post("/login/2fa", data={"code": code_at(totp, 1)}).status_code == 302
    assert client.get("/ask").status_code == 200


def test_api_tokens_need_the_code(client, create_user):
    user = create_user("api_careful")
    totp, _codes = enrol(user)
    response = client.post("/api/v1/tokens", json={"username": "api_careful", "password": PASSWORD})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "otp_required"
    response = client.post("/api/v1/tokens", json={"username": "api_careful", "password": PASSWORD, "otp": "000000"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_otp"
    response = client.post("/api/v1/tokens", json={"username": "api_careful", "password": PASSWORD,
                                                   "otp": code_at(totp, 1)})
    assert response.status_code == 201


def test_enrol_and_turn_off_from_settings(client, create_user, login):
    user = create_user()
    login(user)
    page = client.get("/settings/2fa").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    assert client.post("/settings/2fa", data={"on-code": "000000"}).status_code == 422
    done = client.post("/settings/2fa", data={"on-code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and done.get_data(as_text=True).count("<li><code>") == 10
    db.session.refresh(user)
    assert user.totp_secret == secret
    assert client.post("/settings/2fa", data={"off-password": "wrong"}).status_code == 422
    assert client.post("/settings/2fa", data={"off-password": PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.totp_secret is None
