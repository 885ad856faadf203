"""Issue 15: the frame of every page (base.html's header and footer) is rendered in parts once per
language and variant (forum.web.frame) and reused; what is the reader's own stays theirs.

Each page below is read after the store already holds the parts from other readers' pages, so a
part that leaked a member's name, role, token or language would show here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from forum.web import frame
from tests.fixtures.auth import PASSWORD

TEMPLATES = Path(frame.__file__).resolve().parents[2] / "templates" / "_frame"
HEADER = re.compile(r'<header class="site-header">.*?</header>', re.S)
FOOTER = re.compile(r'<footer class="site-footer">.*?</footer>', re.S)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def browser(ctx, client, create_user):
    """A new browser, signed in as a new user of `role` (None: a visitor) in `locale`."""
    def make(role=None, username=None, locale="zh_CN"):
        client = ctx.test_client()  # an IsolatedClient (the `client` fixture): a context per request
        client.set_cookie("forum_lang", locale)
        if role is not None:
            user = create_user(username, role=role, locale=locale)
            response = client.post("/login", data={"login": user.username, "password": PASSWORD})
            assert response.status_code == 302
        return client

    return make


def _page(client, path="/") -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _header(page: str) -> str:
    return HEADER.search(page).group(0)


def _current(page: str) -> list[str]:
    """The header's links marked as the current page."""
    return re.findall(r'<a href="([^"]+)" aria-current="page"', _header(page))


def test_every_member_sees_their_own_name_menu_and_tokens(browser):
    first, second = browser("member", "wang_fang"), browser("member", "li_lei")
    for client, me, other in ((first, "wang_fang", "li_lei"), (second, "li_lei", "wang_fang"),
                              (first, "wang_fang", "li_lei")):
        page = _page(client)
        header = _header(page)
        assert f'title="{me}"' in header and f'href="/users/{me}"' in header and other not in page
        tokens = set(TOKEN.findall(page))
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
        assert tokens == {meta}, "the sign-out and language forms carry this reader's own token"
        response = client.post("/logout", data={"csrf_token": meta})
        assert response.status_code == 302
        client.post("/login", data={"login": me, "password": PASSWORD})


def test_roles_see_their_own_links(browser):
    pages = {role: _header(_page(browser(role))) for role in ("member", "moderator", "staff", "admin")}
    visitor = _header(_page(browser()))
    assert "/staff/tickets" not in pages["member"] + pages["moderator"] + visitor
    assert 'href="/staff/tickets"' in pages["staff"] and 'href="/staff/tickets"' in pages["admin"]
    assert "/admin/webhooks" in pages["admin"] and "/admin/webhooks" not in pages["staff"]
    assert "/review" in pages["moderator"] and "/review" not in pages["member"]
    assert 'class="nav-quiet" href="/login' in visitor and 'class="bell"' not in visitor
    assert 'class="bell"' in pages["member"] and "/login" not in pages["member"]
    nav = re.compile(r'<nav class="main-nav".*?</nav>', re.S)
    assert "/leaderboard" in nav.search(visitor).group(0), "a visitor's leaderboard link is in the header"
    assert "/leaderboard" not in nav.search(pages["member"]).group(0), "a member's is in their menu"


def test_the_current_section_is_marked_on_each_page(browser):
    staff, visitor = browser("staff"), browser()
    assert _current(_page(staff, "/")) == ["/"]
    assert _current(_page(staff, "/kb")) == ["/kb"]
    assert _current(_page(staff, "/staff/tickets")) == ["/staff/tickets"]
    assert _current(_page(staff, "/tickets")) == ["/tickets"]
    assert _current(_page(staff, "/leaderboard")) == ["/leaderboard"]
    assert _current(_page(staff, "/settings")) == []
    assert _current(_page(visitor, "/leaderboard")) == ["/leaderboard"]
    assert _current(_page(visitor, "/")) == ["/"]


def test_two_languages_never_mix(browser):
    for _ in range(2):
        for role in (None, "member"):
            zh, en = _page(browser(role, locale="zh_CN")), _page(browser(role, locale="en"))
            assert "知识库" in _header(zh) and "Knowledge base" not in _header(zh)
            assert "Knowledge base" in _header(en) and "知识库" not in _header(en)
            assert "用户互帮互助" in FOOTER.search(zh).group(0) and "A community" not in FOOTER.search(zh).group(0)
            assert "A community of members" in FOOTER.search(en).group(0)
            assert re.search(r'value="zh_CN"[^>]*aria-pressed="true"', zh)
            assert re.search(r'value="en"[^>]*aria-pressed="true"', en)
            assert not re.search(r'value="en"[^>]*aria-pressed', zh)


def test_the_search_box_shows_this_pages_query_only(app, browser):
    client = browser("member")
    hostile = '"><script>alert(1)</script>'
    page = _page(client, "/search?q=" + "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    box = re.search(r'<input id="header-q"[^>]*>', page, re.S).group(0)
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in box and hostile not in page
    assert re.search(r'<input id="header-q"[^>]*value="">', _page(client, "/"), re.S)
    assert re.search(r'<input id="header-q"[^>]*value="退款">', _page(client, "/search?q=退款"), re.S)
    assert re.search(r'<input id="header-q"[^>]*value="">', _page(client, "/kb"), re.S)
    store = app.extensions[frame._EXTENSION][1]
    kept = [key for key in store if key[0] == "search"]
    assert kept and all(key[3:] == (("query", ""),) for key in kept), "a query's box is not kept"


def test_a_part_is_rendered_once_and_then_reused(app, browser, monkeypatch):
    app.extensions.pop(frame._EXTENSION, None)  # as in a new process
    client = browser("member")
    _page(client)
    rendered = []
    real = app.jinja_env.get_template

    def spy(name, *args, **kwargs):
        if name.startswith("_frame/"):
            rendered.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "get_template", spy)
    _page(client)
    _page(browser("member"))
    assert rendered == [], "the same variant's parts come from the store"
    _page(client, "/kb")
    assert rendered == ["_frame/head.html", "_frame/menu.html"], "another section: its own parts"
    monkeypatch.setattr(app, "debug", True)
    rendered.clear()
    _page(client)
    assert "_frame/head.html" in rendered, "in debug mode an edited part shows at once"


@pytest.mark.parametrize("use", ["{{ request.path }}", "{{ unread_notifications() }}", "{{ url_with(page=2) }}",
                                 "{% if nav_section() == 'kb' %}x{% endif %}", "{{ csrf_token() }}",
                                 "{{ session.get('x') }}", "{{ g.user }}", "{{ html_lang() }}"])
def test_a_part_that_reads_the_request_or_the_member_fails(app, browser, monkeypatch, use):
    from jinja2 import UndefinedError

    client = browser("member")
    _page(client)  # every global is in place (features add theirs as the application starts)
    app.extensions.pop(frame._EXTENSION, None)
    real = app.jinja_env.get_template
    monkeypatch.setattr(app.jinja_env, "get_template", lambda name, *a, **k: app.jinja_env.from_string(
        "<p>{{ _('Questions') }} {{ url_for('questions.index') }} " + use + "</p>")
        if name == "_frame/footer.html" else real(name, *a, **k))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", True)
    with pytest.raises(UndefinedError, match="may not use|is undefined"):
        client.get("/")


def test_the_parts_use_only_what_they_are_given():
    """A part is kept under its variables and language only: it may not read the request, the
    session, the member or a form token (base.html adds those around it)."""
    forbidden = re.compile(r"\b(request|session|current_user|csrf_token|g|config|get_flashed_messages)\b")
    parts = sorted(TEMPLATES.glob("*.html"))
    assert {p.stem for p in parts} == {"head", "search", "bell", "menu", "footer", "languages"}
    for part in parts:
        code = " ".join(re.findall(r"{[{%](.*?)[%}]}", part.read_text(), re.S))
        assert not forbidden.search(code), f"{part.name}: {forbidden.search(code).group(0)}"

