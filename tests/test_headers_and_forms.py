"""Headers and forms (issue 7): CSRF on every form, the security headers on every answer, cookie
flags, framing refused."""
import re

import pytest

from forum import settings as config
from tests.conftest import IsolatedClient, make_app, wipe

# Forms that take no CSRF token, on purpose: the API (bearer tokens, no cookies) and RFC 8058
# one-click unsubscribe (mail clients post without a token; the link itself is signed).
NO_TOKEN = re.compile(r"^/api/|^/unsubscribe/")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, WTF_CSRF_ENABLED=True)
    app.test_client_class = IsolatedClient
    yield app
    wipe(app)


def _sample_path(rule) -> str:
    values = {name: ("1" if rule._converters[name].__class__.__name__ == "IntegerConverter"
                     else "question" if name == "kind" else "close" if name == "action" else "someone")
              for name in rule.arguments}
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
        path = re.sub(rf"<any\([^)]*\):{name}>", value, path)
    return path


def test_every_form_refuses_a_post_without_its_csrf_token(guarded):
    from forum.auth.services import register_user

    with guarded.app_context():
        register_user("csrf_member", "csrf@example.com", "correct-horse-42")
    client = guarded.test_client()
    with guarded.app_context():
        posts = sorted({rule.rule: rule for rule in guarded.url_map.iter_rules()
                        if "POST" in rule.methods and not NO_TOKEN.match(rule.rule)}.values(), key=lambda r: r.rule)
        assert len(posts) >= 30  # every page form of the forum, not a sample
        for rule in posts:
            response = client.post(_sample_path(rule), data={"body": "x"})
            assert response.status_code == 400, (rule.rule, response.status_code)
            assert "CSRF" in response.get_data(as_text=True) or "表单" in response.get_data(as_text=True) \
                or "csrf" in response.get_data(as_text=True).lower(), rule.rule


def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", "/api/v1/questions", "/no-such-page", "/api/v1/no-such-call", "/static/css/forum.css"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        response.close()  # the static file's handle


def test_pages_have_no_inline_scripts(client, create_question):
    create_question()
    page = client.get("/").get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert re.search(r'\bsrc="/static/', tag), tag


def test_session_cookie_flags(tmp_path_factory):
    settings = {k: getattr(config.ProductionConfig, k) for k in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")}
    app = make_app("sqlite", tmp_path_factory, **settings)
    app.test_client_class = IsolatedClient
    try:
        from forum.auth.services import register_user

        with app.app_context():
            register_user("cookie_member", "cookie@example.com", "correct-horse-42")
            client = app.test_client()
            response = client.post("/login", data={"login": "cookie_member", "password": "correct-horse-42"},
                                   base_url="https://localhost")
            assert response.status_code == 302
            cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
            assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    finally:
        wipe(app)


def test_oversized_form_is_a_clean_413(client, create_user, login):
    login(create_user())
    response = client.post("/ask", data={"title": "x" * 20, "body": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
