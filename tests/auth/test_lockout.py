"""Account lockout (per account) and the sign-in throttle (per address)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth import services
from forum.auth.models import User
from forum.core.db import utcnow
from forum.core.errors import AuthenticationFailed, Locked
from forum.extensions import db
from tests.fixtures.auth import PASSWORD


def test_five_wrong_passwords_lock_the_account(create_user):
    user = create_user("locked_out")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.authenticate("locked_out", "wrong-password")
    with pytest.raises(Locked) as err:
        services.authenticate("locked_out", "wrong-password")
    assert err.value.until is not None and "锁定" in err.value.message
    with pytest.raises(Locked):
        services.authenticate("locked_out", PASSWORD)  # even the right password waits
    db.session.execute(sa.update(User).where(User.id == user.id).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert services.authenticate("locked_out", PASSWORD).id == user.id


def test_failures_outside_the_window_do_not_add_up(create_user):
    user = create_user("slow_guesser")
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.authenticate("slow_guesser", "wrong-password")
    db.session.execute(sa.update(User).where(User.id == user.id)
                       .values(first_failed_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    with pytest.raises(AuthenticationFailed) as err:
        services.authenticate("slow_guesser", "wrong-password")
    assert not isinstance(err.value, Locked)
    db.session.refresh(user)
    assert user.failed_logins == 1


def test_lockout_in_the_page_and_the_api(client, create_user):
    create_user("api_user")
    for _ in range(4):
        assert client.post("/api/v1/tokens", json={"username": "api_user", "password": "nope-nope"}).status_code == 401
    response = client.post("/api/v1/tokens", json={"username": "api_user", "password": "nope-nope"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 423 and response.get_json()["error"]["code"] == "account_locked"
    page = client.post("/login", data={"login": "api_user", "password": PASSWORD}, headers={"Accept-Language": "en"})
    assert page.status_code == 423 and "locked until" in page.get_data(as_text=True)


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory):
    from tests.conftest import make_app

    return make_app("sqlite", tmp_path_factory, FORUM_RATE_LIMITS=True, FORUM_LOGIN_RATE_LIMIT="3 per minute")


def test_sign_in_is_throttled_per_address_before_hashing(limited_app):
    from tests.conftest import IsolatedClient

    limited_app.test_client_class = IsolatedClient
    with limited_app.app_context():
        client = limited_app.test_client()
        codes = [client.post("/api/v1/tokens", json={"username": "ghost", "password": "x" * 10}).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        response = client.post("/login", data={"login": "ghost", "password": "x" * 10})
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
        other = client.post("/api/v1/tokens", json={"username": "ghost", "password": "x"},
                            environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert other.status_code == 401  # another address has its own budget
