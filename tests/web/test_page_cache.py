"""Issue 15: the anonymous page cache (forum.core.page_cache, forum.web.page_cache, forum.web.csrf).

Each test runs on SQLite and PostgreSQL, with the embedded store (pages in this process's memory,
the generation in the instance folder) and with Redis. A cached page is recognised by the
X-Page-Cache header and by costing no SQL statement at all.
"""
from __future__ import annotations

import gzip

import re

import pytest
import sqlalchemy as sa

from forum import create_app
from forum import settings as config
from forum.core import page_cache, redis_client
from forum.core.db import unit_of_work
from forum.extensions import db
from forum.web.page_cache import private
from tests.conftest import BACKENDS, IsolatedClient, make_side_app
from tests.fixtures.auth import PASSWORD

STORES = ("local", "redis")


def _redis_url() -> str:
    from tests.ops._db_support import redis_url

    return redis_url()  # skips (fails under CI) when Redis does not answer


def _test_routes(app) -> None:
    """Views that do one thing a page must not do to be cached (added before the first request)."""
    from flask import make_response, render_template_string

    def sets_a_cookie():
        response = make_response("<p>cookie</p>")
        response.set_cookie("visitor", "someone")
        return response

    def marked_private():
        private()
        return "<p>private</p>"

    def renders_a_token():
        return render_template_string("<p>{{ csrf_token() }}</p>")

    def writes():
        from forum.auth.models import User

        db.session.execute(sa.update(User).values(failed_logins=0))  # a private column: no bump
        return "<p>wrote</p>"

    for view in (sets_a_cookie, marked_private, renders_a_token, writes):
        app.add_url_rule(f"/_cache-test/{view.__name__}", view_func=view)


def _build(backend: str, store: str, tmp_path_factory, **extra):
    """An application with the page cache on, on a database of its own (PostgreSQL: beside the
    session's), e-mail sent inline (no RQ queue in the test's Redis)."""
    overrides = dict(FORUM_PAGE_CACHE=True, FORUM_JOBS_INLINE=True, **extra)
    if store == "redis":
        overrides.setdefault("FORUM_REDIS_URL", _redis_url())
    app = make_side_app(backend, "page_cache", tmp_path_factory, **overrides)
    app.config["TEST_BACKEND"] = backend
    return app


def _ids(param) -> str:
    return "-".join(param)


@pytest.fixture(scope="module", params=[(b, s) for b in BACKENDS for s in STORES], ids=_ids)
def app(request, tmp_path_factory):
    """This module's application, with the page cache on (the fixtures ctx, client... use it)."""
    backend, store = request.param
    app = _build(backend, store, tmp_path_factory)
    _test_routes(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_cache(app):
    """The previous test's rows were wiped with plain SQL, behind the cache's back."""
    page_cache.invalidate(app)


@pytest.fixture
def visitor(ctx):
    """Another browser, not signed in."""
    return ctx.test_client()


@pytest.fixture
def signed_in(ctx):
    def make(user):
        browser = ctx.test_client()
        response = browser.post("/login", data={"login": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return make


def _besides_the_search_log(path: str, statements: list[str]) -> list[str]:
    """The statements a cached page cost, besides the search log's: a search served from the cache
    is still counted (issue 22, forum.insights.logging), by one INSERT in a transaction of its own
    after the page; any other statement is one too many."""
    logged = [s for s in statements if s.startswith("INSERT INTO search_events")]
    assert len(logged) == (1 if "search?" in path else 0), (path, statements)
    return [s for s in statements if s not in logged and not (logged and s.split()[0] in ("BEGIN", "COMMIT"))]


def _cached(browser, path: str, **kwargs) -> str:
    """Fetch the page until it comes from the cache; its text."""
    first = browser.get(path, **kwargs)
    assert first.status_code == 200, (path, first.status_code)
    assert first.headers.get("X-Page-Cache") == "miss", (path, first.headers.get("X-Page-Cache"))
    second = browser.get(path, **kwargs)
    assert second.headers.get("X-Page-Cache") == "hit", path
    assert second.get_data() == first.get_data()
    return second.get_data(as_text=True)


def _warm(browser, path: str) -> None:
    """Make sure the page is cached (with Redis another process may have cached it already)."""
    _page(browser, path)
    assert _page(browser, path).headers["X-Page-Cache"] == "hit"


def _page(browser, path: str, **kwargs):
    response = browser.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response


def _unescape(href: str) -> str:
    return href.replace("&amp;", "&")


# --- what is cached -----------------------------------------------------------------------------

def test_anonymous_pages_come_from_the_cache_without_a_query(client, create_question, create_answer,
                                                           count_queries, csrf_on):
    """With CSRF protection on, as in production: a page that built a form would hold a token."""
    question = create_question(title="支付失败以后订单还在吗", tags=("支付",))
    answer = create_answer(question)
    author = question.author.username
    paths = ["/", "/?tab=unanswered&page=1", f"/questions/{question.id}", "/tags/支付", "/search?q=支付失败",
             f"/users/{author}", f"/users/{author}?tab=answers", "/kb", "/leaderboard",
             f"/questions/{question.id}/revisions", f"/answers/{answer.id}/revisions",
             f"/answers/{answer.id}/verification"]
    for path in paths:
        page = _cached(client, path)
        assert 'name="csrf_token"' not in page and "csrf-token" not in page, path
        with count_queries() as counted:
            response = client.get(path)
        assert response.headers["X-Page-Cache"] == "hit", path
        assert _besides_the_search_log(path, counted.statements) == [], (path, counted.statements)
        assert "Set-Cookie" not in response.headers, path  # a visitor gets no session at all


def test_a_head_request_is_served_too(client, create_question):
    _cached(client, "/")
    response = client.head("/")
    assert response.status_code == 200 and response.headers["X-Page-Cache"] == "hit" and response.data == b""


@pytest.mark.parametrize("path", ["/support", "/questions/999999", "/tags/nosuchtag"])
def test_pages_that_follow_the_clock_and_errors_are_not_cached(client, path):
    for _ in range(2):
        response = client.get(path)
        assert "X-Page-Cache" not in response.headers and "ETag" not in response.headers, path


@pytest.mark.parametrize("view", ["sets_a_cookie", "marked_private", "renders_a_token", "writes"])
def test_a_page_with_something_of_its_visitor_is_not_cached(client, create_user, view):
    create_user()
    for _ in range(2):
        response = client.get(f"/_cache-test/{view}")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response.headers, view


# --- a write is visible to the very next anonymous read -------------------------------------------

def _vote(member, question, answer, staff, moderator):
    assert member.post(f"/answers/{answer.id}/vote", data={"value": "1"}).status_code == 302
    return '<span class="score-value">1</span>'


def _answer(member, question, answer, staff, moderator):
    text = "清除浏览器缓存以后重新登录，再到订单详情里点“重新支付”就可以了。"
    assert member.post(f"/questions/{question.id}/answers", data={"body": text}).status_code == 302
    return text


def _edit(member, question, answer, staff, moderator):
    text = "在“我的订单”里找到这个订单，点“修改地址”；发货以后就只能联系客服了。"
    response = staff.post(f"/answers/{answer.id}/edit", data={"body": text, "summary": "补充发货以后的情况"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return "发货以后就只能联系客服了"


def _verify(member, question, answer, staff, moderator):
    assert staff.post(f"/answers/{answer.id}/verify", data={"note": "已与客服流程核对"}).status_code == 302
    return "已与客服流程核对"


def _close(member, question, answer, staff, moderator):
    response = moderator.post(f"/questions/{question.id}/close", data={"reason": "off_topic"})
    assert response.status_code == 302
    return "badge-closed"


def _pin(member, question, answer, staff, moderator):
    assert moderator.post(f"/questions/{question.id}/pin").status_code == 302
    return "badge-pinned"


@pytest.mark.parametrize("write", [_vote, _answer, _edit, _verify, _close, _pin], ids=lambda w: w.__name__[1:])
def test_a_write_is_visible_to_the_next_anonymous_read(client, create_question, create_answer, create_user,
                                                       signed_in, write):
    question = create_question()
    answer = create_answer(question)
    member = signed_in(create_user())
    staff, moderator = signed_in(create_user(role="staff")), signed_in(create_user(role="moderator"))
    thread = f"/questions/{question.id}"
    before = _cached(client, thread)
    _cached(client, "/")
    expected = write(member, question, answer, staff, moderator)
    assert expected not in before
    after = _page(client, thread)
    assert after.headers["X-Page-Cache"] == "miss" and expected in after.get_data(as_text=True)
    assert _page(client, "/").headers["X-Page-Cache"] == "miss"  # every page: one generation


def _first_title(html: str) -> str:
    return re.search(r'<h3 class="question-title">.*?<a href="/questions/\d+[^"]*">([^<]+)</a>', html, re.S).group(1)


def test_a_pin_and_an_unpin_reorder_the_home_list_at_the_next_read(client, create_question, create_user, signed_in):
    """The home list and its count are a cached page for visitors and shared fragments for members:
    a pin moves the generation on like any other write, so both show it at once."""
    old = create_question(title="置顶：退款多久到账", category="payments")
    create_question(title="最新：订单地址怎么改", category="orders")
    member = signed_in(create_user())
    for path in ("/", "/?category=payments"):
        _cached(client, path)
    assert _first_title(_page(member, "/").get_data(as_text=True)) == "最新：订单地址怎么改"
    moderator = signed_in(create_user(role="moderator"))
    assert moderator.post(f"/questions/{old.id}/pin").status_code == 302
    for browser in (client, member):
        page = _page(browser, "/")
        assert _first_title(page.get_data(as_text=True)) == "置顶：退款多久到账"
        assert "badge-pinned" in page.get_data(as_text=True)
    assert _page(client, "/?category=payments").headers["X-Page-Cache"] == "miss"
    _warm(client, "/")
    assert moderator.post(f"/questions/{old.id}/unpin").status_code == 302
    for browser in (client, member):
        assert _first_title(_page(browser, "/").get_data(as_text=True)) == "最新：订单地址怎么改"


def test_a_write_outside_a_request_is_visible_too(client, create_question, create_answer):
    """CLI commands and jobs commit in a unit of work of their own, as the factories here do."""
    question = create_question()
    _cached(client, f"/questions/{question.id}")
    create_answer(question, body="命令行里写入的回答，也要马上出现在缓存的页面上。")
    assert "命令行里写入的回答" in _page(client, f"/questions/{question.id}").get_data(as_text=True)


def test_bulk_and_raw_sql_writes_invalidate_too(client, create_question):
    """Statements that bypass the flush: an ORM UPDATE (scores are moved so) and raw SQL."""
    from forum.questions.models import Question

    question = create_question()
    thread = f"/questions/{question.id}"
    _cached(client, thread)
    with unit_of_work():
        db.session.execute(sa.update(Question).where(Question.id == question.id)
                           .values(score=Question.score + 7))
    assert '<span class="score-value">7</span>' in _page(client, thread).get_data(as_text=True)
    _warm(client, thread)
    with unit_of_work():
        db.session.execute(sa.text("WITH q AS (SELECT 1) SELECT * FROM q"))  # a read: nothing to invalidate
    assert _page(client, thread).headers["X-Page-Cache"] == "hit"
    with unit_of_work():
        db.session.execute(sa.text("UPDATE questions SET title = :t WHERE id = :id"),
                           {"t": "用原始 SQL 改过的问题标题", "id": question.id})
    assert "用原始 SQL 改过的问题标题" in _page(client, thread).get_data(as_text=True)


@pytest.mark.search_index
def test_the_indexer_invalidates_the_search_pages(client, create_question):
    """The index changes after the write's commit: applying the outbox invalidates again."""
    assert "迟迟不到账" not in _cached(client, "/search?q=退款")
    create_question(title="退款迟迟不到账怎么办才好", tags=("退款",))
    assert "迟迟不到账" in _page(client, "/search?q=退款").get_data(as_text=True)  # (退款 is highlighted)


def test_private_writes_leave_the_cache_alone(client, create_question, create_user, signed_in):
    """Signing in, reading notifications: nothing a visitor sees changes, the pages stay cached."""
    create_question()
    user = create_user()
    _cached(client, "/")
    member = signed_in(user)
    assert member.post("/notifications/read", data={"all": "1"}).status_code in (302, 303)
    assert _page(client, "/").headers["X-Page-Cache"] == "hit"


def test_a_rolled_back_write_changes_nothing(client, create_question):
    question = create_question()
    _cached(client, "/")
    with pytest.raises(RuntimeError):
        with unit_of_work():
            db.session.get(type(question), question.id).title = "这个标题不会被保存下来的哦"
            db.session.flush()
            raise RuntimeError
    assert _page(client, "/").headers["X-Page-Cache"] == "hit"


# --- never one visitor's page for another --------------------------------------------------------

def test_signed_in_pages_are_never_cached_nor_served_from_the_cache(client, create_question, create_user,
                                                                    signed_in):
    create_question()
    member = signed_in(create_user("zhang_wei"))
    anonymous = _cached(client, "/")
    for _ in range(2):
        response = _page(member, "/")
        assert "X-Page-Cache" not in response.headers and "ETag" not in response.headers
        page = response.get_data(as_text=True)
        assert "zhang_wei" in page and 'name="csrf-token"' in page
    again = _page(client, "/")
    assert again.headers["X-Page-Cache"] == "hit" and again.get_data(as_text=True) == anonymous
    assert "zhang_wei" not in anonymous


def test_an_etag_of_the_anonymous_page_gets_a_member_the_full_page(client, create_question, create_user,
                                                                   signed_in):
    create_question()
    etag = _page(client, "/").headers["ETag"]
    response = signed_in(create_user("li_na")).get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "li_na" in response.get_data(as_text=True)


def test_two_languages_never_mix(client, visitor, create_question):
    question = create_question()
    path = f"/questions/{question.id}"
    chinese = _cached(client, path, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    english = _cached(visitor, path, headers={"Accept-Language": "en-US,en;q=0.8"})
    assert "你的回答" in chinese and "Your answer" not in chinese
    assert "Your answer" in english and "你的回答" not in english
    visitor.set_cookie("forum_lang", "zh_CN")  # the visitor's choice wins over the browser's
    chosen = _page(visitor, path, headers={"Accept-Language": "en-US,en;q=0.8"})
    assert chosen.headers["X-Page-Cache"] == "hit" and chosen.get_data(as_text=True) == chinese


def test_a_page_with_a_flash_message_is_neither_cached_nor_served_from_the_cache(client, visitor,
                                                                                create_question):
    create_question()
    _cached(visitor, "/")
    assert client.get("/ask").status_code == 302  # "Sign in to continue." waits in the session
    login_page = client.get("/login")
    assert "X-Page-Cache" not in login_page.headers
    assert "flash" in login_page.get_data(as_text=True)
    assert "flash" not in _page(visitor, "/login").get_data(as_text=True)
    flashed = client.get("/ask")  # again, and this time the flash waits over the home page
    assert flashed.status_code == 302
    home = _page(client, "/")
    assert "X-Page-Cache" not in home.headers and 'class="flash' in home.get_data(as_text=True)
    for browser in (visitor, client):  # shown once, then gone; never kept for others
        assert 'class="flash' not in _page(browser, "/").get_data(as_text=True)


def test_a_held_post_is_never_cached(client, create_question, create_held_answer, signed_in):
    question = create_question()
    held = create_held_answer(question)
    thread = f"/questions/{question.id}"
    author_page = _page(signed_in(held.author), thread)
    assert "held-note" in author_page.get_data(as_text=True) and "X-Page-Cache" not in author_page.headers
    page = _cached(client, thread)
    assert "held-note" not in page and "kefu8888" not in page


# --- the forms of a cached page work for whoever gets it -----------------------------------------

@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_visitor_with_a_cached_page_can_switch_language_sign_in_and_vote(client, visitor, create_question,
                                                                          create_answer, create_user,
                                                                          csrf_on):
    question = create_question()
    answer = create_answer(question)
    create_user("wang_fang")
    thread = f"/questions/{question.id}"
    _cached(client, thread)
    page = _page(visitor, thread)
    assert page.headers["X-Page-Cache"] == "hit"
    html = page.get_data(as_text=True)
    assert "csrf" not in html

    # The language switch in the footer, as a browser posts it.
    form = re.search(r'<form method="post" action="([^"]+)" class="language-form">', html)
    action = _unescape(form.group(1))
    switched = visitor.post(action, data={"locale": "en"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert switched.status_code == 302 and thread in switched.headers["Location"]
    assert "Your answer" in _page(visitor, thread).get_data(as_text=True)
    for headers in ({"Origin": "http://localhost"}, {"Referer": f"http://localhost{thread}"}):  # older ones
        assert visitor.post(action, data={"locale": "zh_CN"}, headers=headers).status_code == 302
    # From another site, or with nothing to say where from: refused.
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"},
                    {"Referer": "https://evil.example/x"}, {}):
        refused = visitor.post(action, data={"locale": "en"}, headers=headers)
        assert refused.status_code == 400 and "Set-Cookie" not in refused.headers, headers

    # A vote from the cached page sends the visitor to sign in (fetch: 401; plain form: redirect).
    vote = f"/answers/{answer.id}/vote"
    fetched = visitor.post(vote, data={"value": "1"},
                           headers={"Sec-Fetch-Site": "same-origin", "Accept": "application/json"})
    assert fetched.status_code == 401
    posted = visitor.post(vote, data={"value": "1"}, headers={"Origin": "http://localhost"})
    assert posted.status_code == 302 and "/login" in posted.headers["Location"]

    # Signing in: the link of the cached page, the form behind it (with a token of its own).
    link = _unescape(re.search(r'href="(/login\?next=[^"]+)"', html).group(1))
    login_page = _page(visitor, link)
    assert "X-Page-Cache" not in login_page.headers  # it carries this visitor's token
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      login_page.get_data(as_text=True)).group(1)
    signed = visitor.post(link, data={"login": "wang_fang", "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 302 and thread in signed.headers["Location"]
    mine = _page(visitor, thread)
    assert "wang_fang" in mine.get_data(as_text=True) and "X-Page-Cache" not in mine.headers

    # A member's posts still need the token, wherever they come from.
    same_site = {"Sec-Fetch-Site": "same-origin"}
    assert visitor.post(action, data={"locale": "en"}, headers=same_site).status_code == 400
    member_token = re.search(r'name="csrf-token" content="([^"]+)"', mine.get_data(as_text=True)).group(1)
    assert visitor.post(action, data={"locale": "en", "csrf_token": member_token}).status_code == 302


def test_signing_in_still_needs_the_form_token(client, create_user, csrf_on):
    """Login CSRF: a post from this site but without the sign-in form's token signs nobody in."""
    create_user("zhao_lei")
    response = client.post("/login", data={"login": "zhao_lei", "password": PASSWORD},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code != 302
    assert "zhao_lei" not in _page(client, "/").get_data(as_text=True)


# --- HTTP validators -----------------------------------------------------------------------------

def test_304_when_the_browser_has_the_page(client, create_question):
    question = create_question()
    first = _page(client, "/")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in first.headers["Vary"].split(",")}
    for tag in (etag, f"W/{etag}", f'"other", {etag}', etag[:-1] + '-gzip"'):
        unchanged = client.get("/", headers={"If-None-Match": tag})
        assert unchanged.status_code == 304 and unchanged.data == b"", tag
        assert unchanged.headers["ETag"] == etag and unchanged.headers["X-Page-Cache"] == "hit", tag
    assert client.get("/", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/", headers={"If-None-Match": '"something-else"'}).status_code == 200
    with unit_of_work():
        db.session.get(type(question), question.id).title = "修改以后的标题：订单地址怎么改"
    changed = client.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "修改以后的标题" in changed.get_data(as_text=True)


def test_a_cached_page_is_kept_and_sent_gzip_compressed(client, create_question):
    """Issue 15: a page is compressed once, when it is kept; a browser that accepts gzip is sent
    those bytes (no compression per hit), any other client the page itself, with one validator."""
    create_question(title="退款到账以后订单状态没有变")
    plain = _cached(client, "/")
    identity = client.get("/", headers={"Accept-Encoding": "identity"})
    assert identity.headers["X-Page-Cache"] == "hit" and "Content-Encoding" not in identity.headers
    assert identity.get_data(as_text=True) == plain
    for accepted in ("gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8"):
        compressed = client.get("/", headers={"Accept-Encoding": accepted})
        assert compressed.headers["X-Page-Cache"] == "hit", accepted
        assert compressed.headers["Content-Encoding"] == "gzip", accepted
        assert gzip.decompress(compressed.get_data()).decode() == plain, accepted
        assert "Accept-Encoding" in compressed.headers["Vary"] and "Cookie" in compressed.headers["Vary"]
        assert compressed.headers["ETag"] == identity.headers["ETag"][:-1] + ':gzip"', accepted
        assert int(compressed.headers["Content-Length"]) * 2 < len(plain.encode())
    refused = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.get_data(as_text=True) == plain
    # The compressed representation's tag revalidates it (and the page's own tag does too); the
    # 304 names the representation the client would get.
    for tag in (compressed.headers["ETag"], identity.headers["ETag"]):
        unchanged = client.get("/", headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
        assert unchanged.status_code == 304 and unchanged.headers["ETag"] == compressed.headers["ETag"], tag
        plain_304 = client.get("/", headers={"If-None-Match": tag, "Accept-Encoding": "identity"})
        assert plain_304.status_code == 304 and plain_304.headers["ETag"] == identity.headers["ETag"], tag
    # What the process keeps is the compressed page.
    store = page_cache.store_of(client.application)
    kept = [page for page, _expires in store.memory._pages.values()]
    assert kept and all(page.encoding == "gzip" and page.size == len(page.data) < len(page.body()) for page in kept)
    # An API read is kept as it is, and compressed per answer for a client that asks.
    store.memory.clear(store.memory._generation)
    api = _cached(client, "/api/v1/questions")
    [(kept_api, _expires)] = store.memory._pages.values()
    assert kept_api.encoding == "" and kept_api.body() == kept_api.data == api.encode()
    compressed_api = client.get("/api/v1/questions", headers={"Accept-Encoding": "gzip"})
    assert compressed_api.headers["X-Page-Cache"] == "hit" and compressed_api.headers["Content-Encoding"] == "gzip"


# --- API reads ----------------------------------------------------------------------------------

def test_api_reads_of_visitors_come_from_the_cache_without_a_query(client, create_question, create_answer,
                                                                 count_queries):
    question = create_question(title="支付失败以后订单还在吗", tags=("支付",))
    answer = create_answer(question)
    paths = [f"/api/v1/questions/{question.id}", "/api/v1/questions?sort=votes", f"/api/v1/answers/{answer.id}",
             "/api/v1/search?q=" + "支付失败", f"/api/v1/questions/{question.id}/revisions"]
    for path in paths:
        first = _page(client, path)
        assert first.headers["X-Page-Cache"] == "miss" and first.is_json, path
        with count_queries() as counted:
            second = _page(client, path)
        assert second.headers["X-Page-Cache"] == "hit", path
        assert _besides_the_search_log(path, counted.statements) == [], (path, counted.statements)
        assert second.get_json() == first.get_json() and second.mimetype == "application/json"
        assert second.headers["ETag"] == first.headers["ETag"] and second.headers["ETag"].startswith('W/"')
        assert {"Authorization", "Accept-Language"} <= {v.strip() for v in second.headers["Vary"].split(",")}
        unchanged = client.get(path, headers={"If-None-Match": second.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.data == b"", path


def test_an_api_write_is_visible_to_the_next_anonymous_api_read(client, create_question, create_answer, create_user,
                                                                 token_for):
    question = create_question()
    answer = create_answer(question)
    path = f"/api/v1/answers/{answer.id}"
    _cached(client, path)
    before = _page(client, path).get_json()["score"]
    voter = token_for(create_user(reputation=500))
    assert client.put(f"{path}/vote", json={"value": 1}, headers=voter).status_code == 200
    after = _page(client, path)
    assert after.headers["X-Page-Cache"] == "miss" and after.get_json()["score"] == before + 1


def test_a_call_with_a_token_is_never_cached_nor_served_from_the_cache(client, create_question, create_answer,
                                                                       create_user, token_for):
    question = create_question()
    answer = create_answer(question)
    path = f"/api/v1/questions/{question.id}"
    voter = token_for(create_user(reputation=500))
    assert client.put(f"/api/v1/answers/{answer.id}/vote", json={"value": 1}, headers=voter).status_code == 200
    anonymous = _cached(client, path)
    for _ in range(2):
        mine = _page(client, path, headers=voter)
        assert "X-Page-Cache" not in mine.headers and mine.headers["Cache-Control"] == "private, no-cache"
        assert mine.get_json()["answers"][0]["my_vote"] == 1
    assert '"my_vote":1' not in anonymous.replace(" ", "")
    bad = client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and "X-Page-Cache" not in bad.headers


def test_an_api_read_from_the_cache_still_passes_the_rate_limit(tmp_path_factory):
    """The limits run before the view: a hit is counted, and carries its caller's own headers."""
    app = _build("sqlite", "local", tmp_path_factory, FORUM_RATE_LIMITS=True)
    try:
        caller, other = app.test_client(), app.test_client()
        first = _page(caller, "/api/v1/questions")
        second = _page(caller, "/api/v1/questions")
        assert (first.headers["X-Page-Cache"], second.headers["X-Page-Cache"]) == ("miss", "hit")
        assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1
        elsewhere = other.get("/api/v1/questions", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert elsewhere.headers["X-Page-Cache"] == "hit"  # another address, its own budget
        assert int(elsewhere.headers["X-RateLimit-Remaining"]) > int(second.headers["X-RateLimit-Remaining"])
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- several processes, Redis down ---------------------------------------------------------------

def test_a_write_in_one_process_invalidates_the_pages_of_another(app, client, create_question, create_answer):
    """Two applications on one database and instance folder (or one Redis): two worker processes."""
    settings = {k: app.config[k] for k in dir(config.TestConfig) if k.isupper()}
    settings.update({k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "FORUM_INSTANCE_PATH",
                                                "FORUM_SEARCH_INDEX", "FORUM_PAGE_CACHE", "FORUM_REDIS_URL",
                                                "FORUM_JOBS_INLINE")})
    other = create_app(settings)
    other.test_client_class = IsolatedClient
    try:
        question = create_question()
        question_id, thread = question.id, f"/questions/{question.id}"
        db.session.commit()  # (SQLite: this session holds no lock while the other writes)
        with other.app_context():
            elsewhere = other.test_client()
            _cached(elsewhere, thread)
        create_answer(question, body="另一个进程写入的回答：缓存必须马上失效。")
        db.session.commit()
        with other.app_context():
            assert "另一个进程写入的回答" in _page(elsewhere, thread).get_data(as_text=True)
        _warm(client, thread)
        with other.app_context():
            with unit_of_work():  # a write made by the other process
                db.session.get(type(question), question_id).title = "另一个进程修改了这个问题的标题"
        assert "另一个进程修改了这个问题的标题" in _page(client, thread).get_data(as_text=True)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_redis_down_still_answers(tmp_path_factory, backend):
    """Redis at a closed port: pages are rendered (never a 500), writes commit and show at once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = _build(backend, "redis", tmp_path_factory, FORUM_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    down.test_client_class = IsolatedClient
    try:
        with down.app_context():
            from forum.auth import services as auth
            from forum.questions import services as questions

            with unit_of_work():
                author = auth.register_user("redis_down", "down@example.com", PASSWORD)
            with unit_of_work():
                question = questions.ask_question(
                    author, title="Redis 挂了以后页面还能打开吗", body="想确认一下缓存服务不可用的时候，页面是否还能正常打开。",
                    tags=["订单"], category="orders")
            browser = down.test_client()
            for _ in range(2):
                response = browser.get(f"/questions/{question.id}")
                assert response.status_code == 200 and "X-Page-Cache" not in response.headers
            member = down.test_client()
            signed = member.post("/login", data={"login": "redis_down", "password": PASSWORD})
            assert signed.status_code == 302
            text = "Redis 不可用的时候写入也要成功，并且马上能看到。"
            assert member.post(f"/questions/{question.id}/answers", data={"body": text}).status_code == 302
            assert text in browser.get(f"/questions/{question.id}").get_data(as_text=True)
    finally:
        with down.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("app", [(b, "redis") for b in BACKENDS], indirect=True, ids=_ids)
def test_a_bump_missed_while_redis_was_unreachable_is_made_when_it_is_back(app, client, create_question,
                                                                          monkeypatch):
    question = create_question()
    _cached(client, "/")
    url = app.config["FORUM_REDIS_URL"]
    real = redis_client.client

    class Unreachable:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("Redis is unreachable")
            return fail

    monkeypatch.setattr(redis_client, "client", lambda _app: Unreachable())
    with unit_of_work():
        db.session.get(type(question), question.id).title = "Redis 断开时修改的标题也要生效"
    assert not redis_client.available(url)
    assert "X-Page-Cache" not in _page(client, "/").headers  # rendered meanwhile
    monkeypatch.setattr(redis_client, "client", real)
    redis_client.mark_up(url)  # the down window is over
    assert "Redis 断开时修改的标题也要生效" in _page(client, "/").get_data(as_text=True)


@pytest.mark.parametrize("app", [(b, "local") for b in BACKENDS], indirect=True, ids=_ids)
def test_a_generation_file_that_cannot_be_written_stops_the_cache(app, client, create_question, monkeypatch,
                                                                  tmp_path):
    """The embedded store's bump fails (a full disk, a read-only folder): this process stops serving
    cached pages rather than serve what the write changed."""
    question = create_question()
    _cached(client, "/")
    store = page_cache.store_of(app)
    monkeypatch.setattr(store, "path", tmp_path)  # a folder: it cannot be replaced by a file
    try:
        with unit_of_work():
            db.session.get(type(question), question.id).title = "写不进代次文件时也不能给出旧页面"
        assert store.broken
        response = _page(client, "/")
        assert "X-Page-Cache" not in response.headers and "写不进代次文件时" in response.get_data(as_text=True)
    finally:
        monkeypatch.undo()
        store.broken = False


def test_incident_writes_refresh_the_banners(client, create_question, create_user):
    """Issue 20: an incident's banner on the home page and on a linked thread, and its page's
    affected count, follow every incident write at once."""
    from forum.incidents import services as incidents

    question = create_question()
    staff, member = create_user(role="staff"), create_user()
    thread = f"/questions/{question.id}"
    assert "incident-banner" not in _cached(client, thread)
    _cached(client, "/")
    with unit_of_work():
        incident = incidents.create_incident(staff, title="订单页面打不开", category="orders", keywords=["订单页面"])
        incidents.link_question(staff, incident.id, question_id=question.id)
    after = _page(client, thread)
    assert after.headers["X-Page-Cache"] == "miss" and "订单页面打不开" in after.get_data(as_text=True)
    assert "订单页面打不开" in _page(client, "/").get_data(as_text=True)
    assert '<strong>0</strong>' in _cached(client, f"/incidents/{incident.id}")
    with unit_of_work():
        incidents.set_affected(member, incident.id, True)
    assert '<strong>1</strong>' in _page(client, f"/incidents/{incident.id}").get_data(as_text=True)
    _cached(client, thread)
    with unit_of_work():
        incidents.unlink_question(staff, incident.id, question.id)
    assert "订单页面打不开" not in _page(client, thread).get_data(as_text=True)
