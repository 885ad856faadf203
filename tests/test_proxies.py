"""Issue 14, finding 11: behind a reverse proxy the client's address comes from X-Forwarded-For
only when FORUM_TRUSTED_PROXIES says how many proxies added it (werkzeug's ProxyFix)."""
import pytest

from tests.conftest import IsolatedClient, make_app


def _limited(tmp_path_factory, proxies: int):
    app = make_app("sqlite", tmp_path_factory, FORUM_RATE_LIMITS=True, FORUM_LOGIN_RATE_LIMIT="2 per minute",
                   FORUM_TRUSTED_PROXIES=proxies)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="module")
def direct_app(tmp_path_factory):
    return _limited(tmp_path_factory, 0)


@pytest.fixture(scope="module")
def proxied_app(tmp_path_factory):
    return _limited(tmp_path_factory, 1)


def _sign_in(client, forwarded_for: str | None, addr: str = "10.0.0.1") -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/api/v1/tokens", json={"username": "ghost", "password": "x" * 10}, headers=headers,
                       environ_base={"REMOTE_ADDR": addr}).status_code


def test_no_proxy_is_trusted_by_default():
    from forum.settings import Config

    assert Config.FORUM_TRUSTED_PROXIES == 0


def test_without_trusted_proxies_the_header_is_ignored(direct_app):
    with direct_app.app_context():
        client = direct_app.test_client()
        # A client cannot buy itself a fresh budget by writing X-Forwarded-For.
        codes = [_sign_in(client, f"203.0.113.{n}") for n in range(3)]
        assert codes == [401, 401, 429]


def test_behind_one_proxy_each_client_has_its_own_budget(proxied_app):
    with proxied_app.app_context():
        client = proxied_app.test_client()
        assert [_sign_in(client, "198.51.100.7") for _ in range(3)] == [401, 401, 429]
        assert _sign_in(client, "198.51.100.8") == 401  # another client behind the same proxy


def test_behind_one_proxy_entries_a_client_wrote_itself_do_not_count(proxied_app):
    with proxied_app.app_context():
        client = proxied_app.test_client()
        # The proxy appends the real address; the client's own prefix changes nothing.
        codes = [_sign_in(client, f"192.0.2.{n}, 198.51.100.9") for n in range(3)]
        assert codes == [401, 401, 429]


def test_the_middleware_trusts_exactly_the_configured_proxies(direct_app, proxied_app):
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert not isinstance(direct_app.wsgi_app, ProxyFix)
    assert isinstance(proxied_app.wsgi_app, ProxyFix)
    assert (proxied_app.wsgi_app.x_for, proxied_app.wsgi_app.x_proto, proxied_app.wsgi_app.x_host) == (1, 1, 0)


@pytest.mark.parametrize("value", [-1, "2", True])
def test_a_bad_setting_stops_start_up_with_its_name(tmp_path, value):
    from forum import create_app

    with pytest.raises(RuntimeError, match="FORUM_TRUSTED_PROXIES"):
        create_app({"FORUM_TRUSTED_PROXIES": value, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                    "FORUM_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
