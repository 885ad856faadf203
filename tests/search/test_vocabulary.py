"""Staff's search vocabulary applies to searches at once, without a reindex, on every backend (Whoosh
over SQLite and PostgreSQL, PostgreSQL's own backend), in this application and in another one that
shares its database, and the anonymous page cache serves no results from before the change."""
from __future__ import annotations

import time

import pytest

from forum import create_app
from forum import settings as config
from forum.core.db import unit_of_work
from forum.extensions import db
from forum.search import indexer, services, synonyms, vocabulary

pytestmark = pytest.mark.search_index  # every test here searches


@pytest.fixture(autouse=True)
def _forget_vocabulary(app):
    yield
    vocabulary.reset(app)  # no staff group outlives its test (the database is wiped behind our back)


def qids(results):
    return [h.question_id for h in results.hits]


@pytest.fixture
def wallet_thread(create_user, create_question):
    author = create_user("提问的人")
    question = create_question(author, title="钱包余额提现到银行卡失败", body="点了提现一直转圈，钱包里的钱没有到账。",
                               tags=("钱包",), category="payments")
    other = create_question(author, title="订单一直显示待发货", body="下单三天了还是待发货。", tags=("订单",),
                            category="orders")
    return question, other


def _add(actor, words, kind="synonyms") -> int:
    with unit_of_work():
        return vocabulary.add_entry(actor, kind=kind, words=words).id


def _delete(actor, entry_id):
    with unit_of_work():
        vocabulary.delete_entry(actor, entry_id)


def _count_rebuilds(monkeypatch) -> list:
    """Every document written to the index from here on (a reindex would write them all)."""
    written: list = []
    original = indexer.process_all
    monkeypatch.setattr(indexer, "process_all", lambda *a, **k: written.append(1) or original(*a, **k))
    return written


def test_a_staff_group_finds_the_other_word_at_once_and_stops_when_removed(ctx, staff, wallet_thread,
                                                                           monkeypatch):
    question, other = wallet_thread
    assert services.search("小金库").hits == []  # 小金库 is written in no post
    written = _count_rebuilds(monkeypatch)
    entry_id = _add(staff, "小金库, 钱包")
    assert qids(services.search("小金库")) == [question.id]
    assert qids(services.search("小金库提现失败")) == [question.id]  # beside other words too
    assert other.id not in qids(services.search("小金库"))
    _delete(staff, entry_id)
    assert services.search("小金库").hits == []
    assert written == []  # nothing was indexed again


def test_the_api_applies_a_group_added_through_the_api(client, staff, token_for, wallet_thread):
    question, _other = wallet_thread
    headers = token_for(staff)
    assert client.get("/api/v1/search", query_string={"q": "小金库"}).get_json()["items"] == []
    response = client.post("/api/v1/search/vocabulary", json={"kind": "synonyms", "words": ["小金库", "钱包"]},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    items = client.get("/api/v1/search", query_string={"q": "小金库"}).get_json()["items"]
    assert [i["question_id"] for i in items] == [question.id]
    assert client.delete(f"/api/v1/search/vocabulary/{response.get_json()['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/search", query_string={"q": "小金库"}).get_json()["items"] == []


def test_a_domain_word_is_kept_whole(ctx, staff, create_question):
    question = create_question(title="运费险理赔什么时候到账", body="退货以后运费险理赔一直没到。", tags=("退货",),
                               category="payments")
    words = [w.display for w in services.search("运费险理赔").parsed.words]
    assert "运费险理赔" not in words
    _add(staff, ["运费险理赔"], kind="domain")
    results = services.search("我的运费险理赔呢")
    assert [w.display for w in results.parsed.words] == ["运费险理赔"]
    assert qids(results) == [question.id]


def _second_app(app, **overrides):
    """Another application object on the same database and index, as another worker process has."""
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    for name in ("SQLALCHEMY_DATABASE_URI", "FORUM_SEARCH_INDEX", "FORUM_INSTANCE_PATH", "FORUM_SEARCH_BACKEND"):
        settings[name] = app.config[name]
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture
def other_apps():
    made = []

    def make(app, **overrides):
        made.append(_second_app(app, **overrides))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
        vocabulary.reset(other)


def test_another_application_sees_the_change_without_a_reindex(ctx, staff, wallet_thread, other_apps):
    question, _other = wallet_thread
    worker = other_apps(ctx, FORUM_SEARCH_VOCABULARY_SECONDS=0.2)
    browser = worker.test_client()
    assert b"/questions/%d" % question.id not in browser.get("/search?q=小金库").data
    entry_id = _add(staff, ["小金库", "钱包"])  # in this application, not in the worker
    time.sleep(0.25)  # the worker's interval (no page cache here)
    assert b"/questions/%d" % question.id in browser.get("/search?q=小金库").data
    items = browser.get("/api/v1/search", query_string={"q": "小金库"}).get_json()["items"]
    assert [i["question_id"] for i in items] == [question.id]
    _delete(staff, entry_id)
    time.sleep(0.25)
    assert browser.get("/api/v1/search", query_string={"q": "小金库"}).get_json()["items"] == []


def test_cached_anonymous_pages_follow_the_change_at_once(ctx, staff, wallet_thread, other_apps):
    """Two workers with the page cache (the generation file of their shared instance folder) that
    look at the vocabulary's token only every hour: the change, committed by one, moves the
    generation, so the other looks again before it renders, and serves no page from before it."""
    question, _other = wallet_thread
    writer = other_apps(ctx, FORUM_PAGE_CACHE=True, FORUM_SEARCH_VOCABULARY_SECONDS=3600)
    reader = other_apps(ctx, FORUM_PAGE_CACHE=True, FORUM_SEARCH_VOCABULARY_SECONDS=3600)
    link = b"/questions/%d" % question.id
    db.session.commit()  # (SQLite: this application's transaction would hold the write lock)
    browser = reader.test_client()
    first = browser.get("/search?q=小金库")
    assert link not in first.data
    assert browser.get("/search?q=小金库").headers.get("X-Page-Cache") == "hit"
    with writer.app_context(), unit_of_work():
        entry_id = vocabulary.add_entry(db.session.merge(staff), kind="synonyms", words="小金库、钱包").id
    after = browser.get("/search?q=小金库")
    assert after.headers.get("X-Page-Cache") == "miss"
    assert link in after.data
    assert link in browser.get("/search?q=小金库").data  # and kept so
    with writer.app_context(), unit_of_work():
        vocabulary.delete_entry(db.session.merge(staff), entry_id)
    assert link not in browser.get("/search?q=小金库").data


def test_synonyms_are_left_as_they_were_outside_an_application():
    vocabulary.reset()
    assert "小金库" not in synonyms.expand("钱包")
    assert synonyms.groups() == synonyms.GROUPS


_SEARCHER = """
import json, sys
from forum import create_app
from forum import settings as config
settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
settings.update(SQLALCHEMY_DATABASE_URI=sys.argv[1], FORUM_SEARCH_INDEX=sys.argv[2], FORUM_SEARCH_BACKEND=sys.argv[3],
                FORUM_INSTANCE_PATH=sys.argv[4], FORUM_SEARCH_VOCABULARY_SECONDS=0.2)
app = create_app(settings)
from forum.extensions import db
from forum.search import services
for line in sys.stdin:
    with app.app_context():
        print(json.dumps([h.question_id for h in services.search(line.strip()).hits]), flush=True)
        db.session.remove()
"""


def test_a_running_process_of_its_own_sees_the_change(ctx, staff, wallet_thread, tmp_path):
    """A searcher in another process, started before the change and kept running: it finds the post
    through the new group within its interval, and stops when the group is removed."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    question_id = wallet_thread[0].id
    db.session.commit()  # (SQLite: no transaction of ours in the other process's way)
    searcher = subprocess.Popen(
        [sys.executable, "-c", _SEARCHER, ctx.config["SQLALCHEMY_DATABASE_URI"], ctx.config["FORUM_SEARCH_INDEX"],
         ctx.config["FORUM_SEARCH_BACKEND"], str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=Path(__file__).resolve().parents[2])

    def search(q: str) -> list[int]:
        searcher.stdin.write(q + "\n")
        searcher.stdin.flush()
        return json.loads(searcher.stdout.readline())

    try:
        assert search("小金库") == []
        entry_id = _add(staff, "小金库, 钱包")
        time.sleep(0.3)
        assert search("小金库") == [question_id]
        _delete(staff, entry_id)
        time.sleep(0.3)
        assert search("小金库") == []
    finally:
        searcher.stdin.close()
        searcher.wait(30)
        searcher.stdout.close()
