"""Issue 15: shared fragments of members' pages (forum.web.fragments), and the template helpers
that make every page cheaper (translations, dates and numbers formatted once per language).

On SQLite and PostgreSQL, with the embedded generation (a file) and with Redis: a fragment is
rendered once and reused, the page around it stays each member's own, and a write is seen by the
very next read.
"""
from __future__ import annotations

import contextvars
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import render_template_string

from tests.fixtures.auth import PASSWORD
from tests.web.test_page_cache import _fresh_cache, app  # noqa: F401 (this module's application: the page cache's, on each database and store)

LIST = re.compile(r'<ol class="question-list">.*?</ol>', re.S)


@pytest.fixture
def member(ctx, client, create_user):
    """A browser signed in as a new member (each request in a context of its own: `client`)."""
    def make(username=None, **kwargs):
        user = create_user(username, **kwargs)
        browser = ctx.test_client()
        response = browser.post("/login", data={"login": user.username, "password": PASSWORD})
        assert response.status_code == 302
        return browser

    return make


def _home(browser, path="/", **kwargs) -> str:
    response = browser.get(path, **kwargs)
    assert response.status_code == 200 and "X-Page-Cache" not in response.headers
    return response.get_data(as_text=True)


def _table(statement: str) -> str | None:
    """The table a statement reads first (its subqueries aside)."""
    found = re.search(r"^FROM (\w+)", statement, re.M)
    return found.group(1) if found else None


def _list(page: str) -> str:
    found = LIST.search(page)
    assert found, "no question list on the page"
    return found.group(0)


def test_a_members_list_is_rendered_once_and_costs_no_query_after(member, create_question, count_queries):
    for n in range(3):
        create_question(title=f"第{n}个问题：订单一直显示处理中怎么办")
    browser = member("wang_fang")
    first = _home(browser)
    with count_queries() as counted:
        second = _home(browser)
    listing = [s for s in counted.statements if _table(s) in {"questions", "question_tallies", "tags", "question_tags"}]
    assert listing == [], listing  # neither the list, nor its count, nor the popular tags
    assert _list(second) == _list(first) and "wang_fang" in second


def test_the_shared_parts_are_the_same_for_every_viewer_and_the_rest_is_each_ones_own(
        member, create_question, visitor_client):
    create_question(title="退款一直没有到账，应该找谁")
    first, second = member("li_lei"), member("han_meimei", role="moderator")
    pages = [_home(first), _home(second), _home(first)]
    anonymous = visitor_client.get("/").get_data(as_text=True)
    assert _list(pages[0]) == _list(pages[1]) == _list(pages[2]) == _list(anonymous)
    assert "li_lei" in pages[0] and "han_meimei" not in pages[0]
    assert "han_meimei" in pages[1] and "li_lei" not in pages[1]
    tokens = [re.search(r'name="csrf-token" content="([^"]+)"', p).group(1) for p in pages[:2]]
    assert tokens[0] != tokens[1]  # each page keeps its own member's token


@pytest.fixture
def visitor_client(client):
    return client


def test_a_write_is_in_the_very_next_members_page(member, create_question, create_answer):
    question = create_question(title="第一个问题：怎么修改收货地址")
    browser = member()
    before = _home(browser)
    assert "怎么修改收货地址" in _list(before)
    create_question(title="第二个问题：优惠券过期了还能用吗")
    after = _home(browser)
    assert "优惠券过期了还能用吗" in _list(after)
    create_answer(question)
    assert "1</strong>" in _list(_home(browser, "/?tab=active"))


def test_pages_tabs_and_languages_never_mix(member, create_question):
    for n in range(3):
        create_question(title=f"分页问题{n}：积分什么时候到账")
    chinese, english = member(locale="zh_CN"), member(locale="en")
    one = _home(chinese, "/?per_page=1")
    two = _home(chinese, "/?per_page=1&page=2")
    assert _list(one) != _list(two)
    assert "分页问题2" in _list(one) and "分页问题1" in _list(two)
    assert "3 questions" in _home(english) and "3 个问题" in _home(chinese)
    assert "3 questions" not in _home(chinese)


def test_the_lists_tabs_and_filters_follow_the_address_and_language(member, create_question):
    """The tabs and category filter are one shared part, kept per address: each page marks its own."""
    create_question(title="标签页问题：退款多久到账")
    chinese, english = member(locale="zh_CN"), member(locale="en")

    def current(page: str) -> list[str]:
        filters = re.search(r'<nav class="tabs".*?<nav class="category-filter".*?</nav>', page, re.S).group(0)
        return re.findall(r'href="([^"]+)"[^>]*aria-current', filters)

    for _ in range(2):
        assert current(_home(chinese, "/?tab=votes")) == ["/?tab=votes", "/?tab=votes"]
        assert current(_home(chinese, "/?category=payments")) == ["/?category=payments&amp;tab=newest",
                                                                  "/?category=payments"]
        assert current(_home(chinese, "/")) == ["/?tab=newest", "/"]
        payments = _home(chinese, "/?category=payments")
        assert re.search(r'category=payments"[^>]*class="active" aria-current="true">支付与退款<', payments)
        assert not re.search(r'category=payments"[^>]*aria-current', _home(chinese, "/"))
        assert ">With a verified answer<" not in _home(chinese, "/") and "With a verified answer" in _home(english, "/")


def test_with_the_page_cache_off_nothing_is_kept(ctx, member, create_question, count_queries):
    ctx.extensions.pop("forum_fragments")
    try:
        create_question()
        browser = member()
        _home(browser)
        with count_queries() as counted:
            _home(browser)
        assert any(_table(s) == "questions" for s in counted.statements)
    finally:
        from forum.web import fragments

        fragments.init_app(ctx)


# --- the template helpers ------------------------------------------------------------------------

def _request(ctx, language: str, check) -> None:
    """Run `check()` in a request of its own (its own application context and `g`, as in
    production; the test's application context would share Flask-Babel's state between them)."""
    def run():
        with ctx.test_request_context("/", headers={"Accept-Language": language}):
            check()

    contextvars.Context().run(run)


def test_template_translations_escape_as_jinja_does(ctx):
    def english():
        assert render_template_string("{{ _('%(name)s asked', name=x) }}", x="<b>") == "&lt;b&gt; asked"
        assert render_template_string("{{ _('Vote up') }}") == "Vote up"
        plain = ctx.jinja_env.from_string("{% autoescape false %}{{ _('%(n)s', n=x) }}{% endautoescape %}")
        assert plain.render(x="a & b") == "a & b"
        assert render_template_string("{{ _('100%%') }}") == "100%"

    def chinese():
        assert render_template_string("{{ _('Vote up') }}") == "投赞成票"

    _request(ctx, "en", english)
    _request(ctx, "zh-CN", chinese)


def test_force_locale_changes_the_templates_language_too(ctx):
    from flask_babel import force_locale

    def check():
        assert render_template_string("{{ _('Vote up') }}") == "投赞成票"
        with force_locale("en"):
            assert render_template_string("{{ _('Vote up') }}") == "Vote up"
        assert render_template_string("{{ _('Vote up') }}") == "投赞成票"

    _request(ctx, "zh-CN", check)


@pytest.mark.parametrize("ago", [timedelta(seconds=5), timedelta(seconds=125), timedelta(minutes=59, seconds=40),
                                 timedelta(hours=2, minutes=31), timedelta(days=3), timedelta(days=40)])
def test_dates_and_numbers_read_as_babel_writes_them(ctx, ago):
    from flask_babel import format_datetime, format_decimal, format_timedelta

    when = datetime.now(timezone.utc) - ago

    def check(language):
        for _ in range(2):  # the second from memory
            html = render_template_string("{{ when | ago }}|{{ n | number }}|{{ when | datetime }}",
                                          when=when, n=1234567)
            relative, number, exact = html.split("|")
            assert number == format_decimal(1234567) and exact == format_datetime(when, "medium")
            assert f'title="{format_datetime(when, "medium")}"' in relative
            if ago < timedelta(minutes=1):
                expected = "刚刚" if language == "zh-CN" else "just now"
            elif ago.days > 30:
                expected = format_datetime(when, "yyyy-MM-dd") if language == "zh-CN" \
                    else format_datetime(when, "medium").rsplit(",", 1)[0]
            else:
                expected = format_timedelta(ago, threshold=1.0)
            assert expected in relative, (language, relative)

    for language in ("zh-CN", "en"):
        _request(ctx, language, lambda: check(language))


def test_incident_banners_are_shared_and_follow_every_incident_write(member, create_question, create_user,
                                                                    count_queries):
    from forum.core.db import unit_of_work
    from forum.incidents import services as incidents

    question = create_question(title="订单页面一直打不开，显示网络错误")
    staff = create_user(role="staff")
    browser = member()
    thread = f"/questions/{question.id}"
    assert "incident-banner" not in _home(browser) and "incident-banner" not in _home(browser, thread)
    with unit_of_work():
        incident = incidents.create_incident(staff, title="订单页面打不开", category="orders", keywords=["订单页面"])
        incidents.link_question(staff, incident.id, question_id=question.id)
    assert "订单页面打不开" in _home(browser) and "订单页面打不开" in _home(browser, thread)
    with count_queries() as counted:
        home, page = _home(browser), _home(browser, thread)
    assert "订单页面打不开" in home and "订单页面打不开" in page
    assert [s for s in counted.statements if _table(s) == "incidents"] == []  # both banners from the store
    with unit_of_work():
        incidents.unlink_question(staff, incident.id, question.id)
    assert "订单页面打不开" not in _home(browser, thread) and "订单页面打不开" in _home(browser)


# --- a member's thread page ------------------------------------------------------------------------
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"')
THREAD = re.compile(r'<div class="layout">.*</aside>\s*</div>', re.S)


def _tokens(page: str) -> set[str]:
    return {a or b for a, b in TOKEN.findall(page)}


def _thread(page: str) -> str:
    found = THREAD.search(page)
    assert found, "no thread on the page"
    return found.group(0)


@pytest.fixture
def csrf_on(app):  # noqa: F811 (the fixture imported above)
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def _member_with_token(ctx, user):
    browser = ctx.test_client()
    token = _tokens(browser.get("/login").get_data(as_text=True)).pop()  # the sign-in form's own
    response = browser.post("/login", data={"login": user.username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return browser


def test_members_with_nothing_of_their_own_share_the_thread_and_keep_their_own_tokens(
        ctx, client, create_user, create_question, create_answer, count_queries, csrf_on, monkeypatch):
    from forum.questions.forms import AnswerForm
    from forum.web.fragments import TOKEN_MARK

    built = []
    real_init = AnswerForm.__init__
    monkeypatch.setattr(AnswerForm, "__init__", lambda self, *a, **k: built.append(1) or real_init(self, *a, **k))

    question = create_question(title="快递显示已签收但是我没收到，怎么办")
    answer = create_answer(question)
    first, second = (_member_with_token(ctx, create_user(name)) for name in ("zhao_lei", "qian_li"))
    thread = f"/questions/{question.id}"
    one = _home(first, thread)
    with count_queries() as counted:
        two = _home(second, thread)
    assert len(_tokens(one)) == 1 and len(_tokens(two)) == 1 and _tokens(one) != _tokens(two)
    assert len(built) == 1, "the answer form is built only to render the part, not for a page that reuses it"
    assert 'name="body"' in _thread(two) and 'id="answer-form"' in _thread(two)
    strip = lambda page: TOKEN.sub("T", _thread(page))  # noqa: E731
    assert strip(one) == strip(two) and TOKEN_MARK not in one + two
    # The thread part is kept: no answer, comment, verification or escalation is read for it (one
    # query asks whether the member has anything of their own in the thread).
    read = [_table(s) for s in counted.statements]
    assert not {"comments", "verifications", "tickets", "votes"} & set(read), read
    assert not any("answers.body_html" in s for s in counted.statements)
    # Two reads in all: the member with their unread count; the question (neither its author nor
    # its tags: the shared part shows them) with whether the member has a stake in the thread or
    # follows it.
    selects = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2 and re.search(r"\nFROM questions\s*\nWHERE questions.id = ", selects[1]), selects
    assert selects[0].startswith("SELECT users.id") and "FROM notifications" in selects[0]
    assert "FROM follows" in selects[1] and "FROM votes" in selects[1]
    assert "question_tags" not in " ".join(selects) and "JOIN users" not in selects[1]
    # The token put in the shared part is the reader's own: a comment from it goes through.
    token = _tokens(two).pop()
    posted = second.post(f"/questions/{question.id}/comments", data={
        "csrf_token": token, "body": "我也遇到了同样的情况，快递员说放在门口了。"})
    assert posted.status_code == 302, posted.get_data(as_text=True)[:500]
    # ... and the comment is in the very next page of every member (the thread part was kept under
    # the generation its write ended).
    assert "快递员说放在门口了" in _home(first, thread)
    assert "快递员说放在门口了" in _home(second, thread)
    assert f'action="/answers/{answer.id}/vote"' in _home(first, thread)


def test_a_member_with_something_of_their_own_gets_their_own_thread(member, create_user, create_question,
                                                                   create_answer):
    from forum.core.db import unit_of_work
    from forum.votes import services as votes

    asker, voter = create_user("sun_li"), create_user("wu_gang", reputation=50)
    question = create_question(asker, title="积分什么时候过期？在哪里可以看到")
    answer = create_answer(question)
    thread = f"/questions/{question.id}"
    # Every browser first: a new member is a write, and each write starts the shared parts afresh.
    plain, other, asking, voting = member("zhou_min"), member("zheng_hao"), _signed_in_as(asker), _signed_in_as(voter)
    moderating = member("chen_mod", role="moderator")
    with unit_of_work():
        votes.cast_vote(voter, value=1, answer_id=answer.id)
    # The voter's page, rendered first, shows their vote; the next member's shows none.
    assert "vote-up is-on" in _thread(_home(voting, thread))
    assert "vote-up is-on" not in _thread(_home(other, thread))
    # The asker's (accepting an answer) and a moderator's (their tools) are theirs alone.
    assert f"/answers/{answer.id}/accept" in _thread(_home(asking, thread))
    assert "mod-tools" in _thread(_home(moderating, thread))
    page = _thread(_home(plain, thread))
    assert f"/answers/{answer.id}/accept" not in page and "mod-tools" not in page and "vote-up is-on" not in page


def test_a_stake_is_in_this_thread_only(ctx, create_user, create_question, create_answer, vote):
    """What a member did in another thread (answered, commented on an answer, voted on an answer or
    the question there) leaves this one shared; the same in this thread makes it their own."""
    from forum.core.db import unit_of_work
    from forum.extensions import db
    from forum.notifications import services as notifications
    from forum.pages import queries
    from forum.questions import services as questions

    here, elsewhere = create_question(title="发票抬头写错了能改吗"), create_question(title="退款多久到账")
    answer_here, answer_elsewhere = create_answer(here), create_answer(elsewhere)
    answerer, commenter, voter, asker_voter, follower, idle = (create_user() for _ in range(6))
    create_answer(elsewhere, answerer)
    with unit_of_work():
        questions.post_comment(commenter, answer_id=answer_elsewhere.id, body="我也是这样，等了三天才到账。")
        notifications.follow(follower.id, question_id=here.id)
    vote(answer_elsewhere, voter=voter)
    vote(elsewhere, voter=asker_voter)

    def stake(user, question):
        db.session.rollback()
        return questions.get_question_with(question.id, queries.stake_columns(), {"viewer_id": user.id},
                                           viewer=user, author=False)[1]

    for user in (answerer, commenter, voter, asker_voter, idle):
        assert tuple(map(bool, stake(user, here))) == (False, False), user.username
        assert bool(stake(user, elsewhere)[0]) is (user is not idle), user.username
    assert tuple(map(bool, stake(follower, here))) == (False, True)
    with unit_of_work():
        questions.post_comment(idle, answer_id=answer_here.id, body="这个办法我试过了，确实可以改。")
    assert bool(stake(idle, here)[0]) is True


def _signed_in_as(user):
    from flask import current_app

    browser = current_app.test_client()
    assert browser.post("/login", data={"login": user.username, "password": PASSWORD}).status_code == 302
    return browser


def test_following_and_privileges_are_part_of_the_shared_threads_key(member, create_user, create_question,
                                                                     create_answer):
    from forum.core.db import unit_of_work
    from forum.notifications import services as notifications

    question = create_question(title="优惠券过期了还能用吗，能不能延期")
    create_answer(question)
    thread = f"/questions/{question.id}"
    follower = create_user("jiang_tao")
    following, plain, editing = _signed_in_as(follower), member("lu_yan"), member("xu_editor", reputation=5000)
    with unit_of_work():  # following is a member's own row: it leaves the shared parts as they are
        notifications.follow(follower.id, question_id=question.id)
    assert 'aria-pressed="false">☆' in _home(plain, thread)
    assert 'aria-pressed="true">★' in _home(following, thread)
    assert f"/questions/{question.id}/edit" in _thread(_home(editing, thread))
    assert f"/questions/{question.id}/edit" not in _thread(_home(plain, thread))
    assert 'aria-pressed="false">☆' in _home(plain, thread)


@pytest.mark.parametrize("signed_in", [False, True])
def test_links_follow_the_applications_root_path(ctx, client, member, signed_in):
    """Served under a path prefix (SCRIPT_NAME, set by the server in front), every link of the page
    is under it, and the same process serving the root keeps its own: the page cache, the shared
    parts and the frame's parts are kept per root path."""
    browser = member() if signed_in else ctx.test_client()
    for _ in range(2):
        for root in ("/forum", ""):
            response = browser.get("/", base_url=f"http://localhost{root}/")
            assert response.status_code == 200
            assert ("X-Page-Cache" in response.headers) is not signed_in
            page = response.get_data(as_text=True)
            assert f'<a href="{root}/kb"' in page and f'<a href="{root}/?tab=votes"' in page, root
            assert f'<a class="brand" href="{root}/">' in page
            if root == "":
                assert "/forum/" not in page
