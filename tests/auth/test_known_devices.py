"""Issue 14, finding 10: anyone could keep any account locked with 5 wrong passwords every 15
minutes. Strangers' failures now lock out strangers only: a browser where the member signed in
before (a signed device cookie) and a member who passes two-step verification get past the lock,
within a budget of their own that parallel guesses cannot overdraw."""
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from forum.auth import devices, services
from forum.auth.models import User
from forum.core.db import utcnow
from forum.core.errors import AuthenticationFailed, Locked
from forum.extensions import db
from tests.fixtures.auth import PASSWORD

WRONG = "not-the-password"


def lock(username: str) -> None:
    """What a stranger can do: five wrong passwords lock the account."""
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.authenticate(username, WRONG)
    with pytest.raises(Locked):
        services.authenticate(username, WRONG)


def enrol(user) -> pyotp.TOTP:
    secret, _uri = services.start_totp(user)
    totp = pyotp.TOTP(secret)
    services.confirm_totp(user, totp.now())
    return totp


def next_code(totp: pyotp.TOTP, ahead: int = 1) -> str:
    return totp.generate_otp(totp.timecode(utcnow()) + ahead)


def attempts_left(user) -> int:
    db.session.expire_all()
    return 5 - db.session.get(User, user.id).trusted_attempts


# --- the service -------------------------------------------------------------------------------

def test_a_known_device_signs_in_while_strangers_have_locked_the_account(create_user):
    user = create_user("target")
    cookie = devices.remember(None, user)
    lock("target")
    with pytest.raises(Locked):
        services.authenticate("target", PASSWORD)  # a stranger with the right password still waits
    assert services.authenticate("target", PASSWORD, device=cookie).id == user.id
    with pytest.raises(Locked):
        services.authenticate("target", PASSWORD)  # the member's success does not unlock it for strangers
    assert services.authenticate(user.email, PASSWORD, device=cookie).id == user.id  # by e-mail too


@pytest.mark.parametrize("forge", ["other account", "tampered", "garbage", "old password", "too old", "empty"])
def test_only_a_genuine_cookie_for_this_account_and_password_counts(create_user, forge):
    user, other = create_user("victim"), create_user("someone")
    if forge == "other account":
        cookie = devices.remember(None, other)
    elif forge == "tampered":
        good = devices.remember(None, user)
        cookie = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    elif forge == "garbage":
        cookie = "x" * 50
    elif forge == "old password":
        cookie = devices.remember(None, user)
        services.change_password(user, PASSWORD, "a-brand-new-password")
    elif forge == "too old":
        from unittest import mock

        with mock.patch.object(devices, "_today", return_value=devices._today() - devices.MAX_AGE_DAYS - 1):
            cookie = devices.remember(None, user)
    else:
        cookie = ""
    password = "a-brand-new-password" if forge == "old password" else PASSWORD
    lock("victim")
    with pytest.raises(Locked):
        services.authenticate("victim", password, device=cookie)


def test_one_browser_remembers_several_accounts(create_user):
    users = [create_user(f"family{n}") for n in range(6)]
    cookie = None
    for user in users:
        cookie = devices.remember(cookie, user)
    assert [devices.is_known(cookie, u) for u in users] == [False] + [True] * 5  # the last five


def test_wrong_passwords_from_a_known_device_spend_its_own_budget(create_user):
    user = create_user("typo")
    cookie = devices.remember(None, user)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed) as err:
            services.authenticate("typo", WRONG, device=cookie)
        assert not isinstance(err.value, Locked)
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None  # strangers' count untouched
    assert attempts_left(user) == 0
    # The budget is spent: the device is a stranger now (a stolen cookie cannot guess on).
    lock("typo")
    with pytest.raises(Locked):
        services.authenticate("typo", PASSWORD, device=cookie)


def test_a_complete_sign_in_renews_the_budget(create_user):
    user = create_user("renewed")
    cookie = devices.remember(None, user)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.authenticate("renewed", WRONG, device=cookie)
    services.authenticate("renewed", PASSWORD, device=cookie)
    assert attempts_left(user) == 5


def test_two_step_verification_signs_in_past_the_lock(create_user):
    user = create_user("careful")
    totp = enrol(user)
    lock("careful")
    assert services.authenticate("careful", PASSWORD, otp=next_code(totp)).id == user.id
    with pytest.raises(Locked):
        services.authenticate("careful", PASSWORD)  # without a code: still locked


def test_past_the_lock_wrong_password_and_wrong_code_look_alike(create_user):
    user = create_user("secretive")
    totp = enrol(user)
    lock("secretive")
    answers = []
    for password, code in [(WRONG, next_code(totp)), (PASSWORD, "000000"), (WRONG, "000000")]:
        with pytest.raises(AuthenticationFailed) as err:
            services.authenticate("secretive", password, otp=code)
        answers.append((type(err.value), err.value.code, err.value.message))
    assert len(set(answers)) == 1 and answers[0][0] is AuthenticationFailed


def test_strangers_cannot_spend_the_second_factor_budget(create_user):
    user = create_user("popular")
    totp = enrol(user)
    lock("popular")
    for _ in range(20):  # strangers do not know the password: their tries cost the member nothing
        with pytest.raises(AuthenticationFailed):
            services.authenticate("popular", WRONG, otp="123456")
    assert attempts_left(user) == 5
    assert services.authenticate("popular", PASSWORD, otp=next_code(totp)).id == user.id


def test_someone_with_the_password_gets_five_codes_past_the_lock(create_user):
    user = create_user("phished")
    totp = enrol(user)
    lock("phished")
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            services.authenticate("phished", PASSWORD, otp="000000")
    with pytest.raises(AuthenticationFailed):  # the budget is spent: even the right code is refused now,
        services.authenticate("phished", PASSWORD, otp=next_code(totp))  # with the same answer as before
    assert attempts_left(user) == 0


def test_the_api_takes_the_code_past_the_lock(client, create_user):
    user = create_user("api_member")
    totp = enrol(user)
    lock("api_member")
    locked = client.post("/api/v1/tokens", json={"username": "api_member", "password": PASSWORD})
    assert locked.status_code == 423
    response = client.post("/api/v1/tokens", json={"username": "api_member", "password": PASSWORD,
                                                   "otp": next_code(totp)})
    assert response.status_code == 201, response.get_json()


def test_the_second_step_is_not_blocked_by_a_lock_that_came_meanwhile(client, create_user):
    user = create_user("slow_phone")
    totp = enrol(user)
    assert client.post("/login", data={"login": "slow_phone", "password": PASSWORD}).status_code == 302
    lock("slow_phone")  # strangers lock it while the member looks for the phone
    response = client.post("/login/2fa", data={"code": next_code(totp)})
    assert response.status_code == 302 and client.get("/ask").status_code == 200


# --- the pages ---------------------------------------------------------------------------------

def _device_cookie(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(devices.COOKIE_NAME + "=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def test_signing_in_sets_a_long_lived_httponly_device_cookie(client, create_user):
    create_user("browser_user")
    response = client.post("/login", data={"login": "browser_user", "password": PASSWORD})
    header = _device_cookie(response)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    max_age = int(header.split("Max-Age=")[1].split(";")[0])
    assert max_age >= 300 * 86400


def test_the_device_cookie_is_secure_in_production(app, client, create_user):
    create_user("prod_user")
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = client.post("/login", data={"login": "prod_user", "password": PASSWORD})
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert "; Secure" in _device_cookie(response)


def test_strangers_cannot_lock_out_a_member_who_signed_in_here_before(app, client, create_user):
    create_user("regular")
    assert client.post("/login", data={"login": "regular", "password": PASSWORD}).status_code == 302
    client.post("/logout")
    stranger = app.test_client_class(app, app.response_class, use_cookies=True)
    for _ in range(5):
        stranger.post("/login", data={"login": "regular", "password": WRONG})
    assert stranger.post("/login", data={"login": "regular", "password": PASSWORD}).status_code == 423
    api = stranger.post("/api/v1/tokens", json={"username": "regular", "password": PASSWORD})
    assert api.status_code == 423
    response = client.post("/login", data={"login": "regular", "password": PASSWORD})
    assert response.status_code == 302 and client.get("/ask").status_code == 200


def test_the_locked_page_offers_the_code_and_takes_it(client, create_user):
    user = create_user("page_careful")
    totp = enrol(user)
    lock("page_careful")
    page = client.post("/login", data={"login": "page_careful", "password": PASSWORD},
                       headers={"Accept-Language": "en"})
    assert page.status_code == 423 and 'name="code"' in page.get_data(as_text=True)
    response = client.post("/login", data={"login": "page_careful", "password": PASSWORD, "code": next_code(totp)})
    assert response.status_code == 302 and "/login/2fa" not in response.headers["Location"]
    assert client.get("/ask").status_code == 200
    _device_cookie(response)


def test_a_code_on_the_first_page_skips_the_second_step(client, create_user):
    user = create_user("one_page")
    totp = enrol(user)
    response = client.post("/login", data={"login": "one_page", "password": PASSWORD, "code": next_code(totp)})
    assert response.status_code == 302 and "/login/2fa" not in response.headers["Location"]
    assert client.get("/ask").status_code == 200
    client.post("/logout")
    wrong = client.post("/login", data={"login": "one_page", "password": PASSWORD, "code": "000000"})
    assert wrong.status_code == 401


# --- in parallel -------------------------------------------------------------------------------

def test_parallel_guesses_with_a_stolen_device_cookie_get_five_checks_at_most(live_server, create_user,
                                                                              monkeypatch):
    user = create_user("stolen")
    cookie = devices.remember(None, user)
    db.session.commit()
    trusted = []
    lock_ = threading.Lock()
    real = services._known_device_attempt

    def counting(user_, device):
        result = real(user_, device)
        with lock_:
            trusted.append(result)
        return result

    monkeypatch.setattr(services, "_known_device_attempt", counting)

    def guess(n: int) -> int:
        body = urllib.parse.urlencode({"login": "stolen", "password": f"guess-{n}-wrong"}).encode()
        request = urllib.request.Request(f"{live_server}/login", data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Cookie", f"{devices.COOKIE_NAME}={cookie}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(guess, range(20)))
    assert set(codes) <= {401, 423}, codes
    assert sum(trusted) == 5, trusted  # five attempts past the lock, however many came at once
    db.session.expire_all()
    assert db.session.get(User, user.id).trusted_attempts == 5


def test_a_new_password_forgets_other_devices_but_not_this_browser(app, client, create_user, login):
    user = create_user("rotator")
    elsewhere = app.test_client_class(app, app.response_class, use_cookies=True)
    assert elsewhere.post("/login", data={"login": "rotator", "password": PASSWORD}).status_code == 302
    login(user)
    response = client.post("/settings/account", data={"action": "password", "pw-current_password": PASSWORD,
                                                       "pw-new_password": "rotated-password-1"})
    assert response.status_code == 302
    _device_cookie(response)  # renewed for the new password
    client.post("/logout")
    lock("rotator")
    assert client.post("/login", data={"login": "rotator", "password": "rotated-password-1"}).status_code == 302
    # The other browser's cookie was for the old password: it waits like a stranger.
    assert elsewhere.post("/login", data={"login": "rotator", "password": "rotated-password-1"}).status_code == 423


def test_a_password_reset_renews_the_budget_past_the_lock(create_user):
    import secrets
    from datetime import timedelta

    from forum.auth.models import PasswordReset

    user = create_user("renewed")
    totp = enrol(user)
    lock("renewed")
    for _ in range(5):  # someone with the password but not the phone spends the budget
        with pytest.raises(AuthenticationFailed):
            services.authenticate("renewed", PASSWORD, otp="000000")
    assert attempts_left(user) == 0
    token = secrets.token_urlsafe(16)  # the member resets the password by e-mail
    db.session.add(PasswordReset(user_id=user.id, token_hash=services._token_digest(token), created_at=utcnow(),
                                 expires_at=utcnow() + timedelta(minutes=30)))
    db.session.commit()
    services.reset_password(token, "another-long-password-1")
    assert attempts_left(user) == 5
    lock("renewed")  # strangers lock it again: the member still gets in with the new password and a code
    assert services.authenticate("renewed", "another-long-password-1", otp=next_code(totp)).id == user.id
