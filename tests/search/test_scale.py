"""What keeps search fast at 100,000 posts, on every backend: relevance ranks a bounded window of
matches and estimates the total past it, words no post contains cost nothing, a rebuild is built
beside and swapped in, and the indexer's small Whoosh segments are merged."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.search import services
from forum.search.backends import postgres_backend, whoosh_backend
from forum.search.backends.base import round_estimate
from forum.search.query import parse

pytestmark = pytest.mark.search_index  # every test here searches


def _window(monkeypatch, size: int) -> None:
    monkeypatch.setattr(whoosh_backend, "CANDIDATES", size)
    monkeypatch.setattr(postgres_backend, "CANDIDATES", size)


def _refund_questions(create_question, n: int) -> list[int]:
    return [create_question(title=f"退款一直没有到账怎么办 {i}", body=f"申请退款以后已经过了两个星期，钱一直没有退回到原来的银行卡，编号 {i}。",
                            tags=("退款",), category="payments").id for i in range(n)]


def test_total_is_exact_within_the_window(ctx, create_question, monkeypatch):
    ids = _refund_questions(create_question, 6)
    _window(monkeypatch, 50)
    results = services.search("退款")
    assert results.total_is_exact
    assert results.total == 6
    assert {h.question_id for h in results.hits} == set(ids)


def test_total_is_estimated_past_the_window(ctx, create_question, monkeypatch):
    _refund_questions(create_question, 8)
    _window(monkeypatch, 3)
    results = services.search("退款", per_page=3)
    assert not results.total_is_exact
    assert results.total >= 3
    assert len(results.hits) == 3
    # A deeper page widens the window rather than coming back empty.
    assert services.search("退款", page=2, per_page=3).hits


def test_words_no_post_contains_find_nothing_and_exist_is_false(ctx, create_question):
    _refund_questions(create_question, 2)
    backend = services.get_backend()
    # No post holds every word: the posts holding the meaningful one, said to be a looser match.
    loose = services.search("微信 退款")
    assert loose.relaxed and loose.total == 2
    assert services.search("微信 支付宝").total == 0  # no post shares a word: nothing
    assert not backend.exists(parse("微信"))
    assert backend.exists(parse("退款"))
    assert services.search("退款 -微信").total == 2  # an exclusion that matches nothing excludes nothing
    assert services.search("tag:没有这个标签 退款").total == 0


def test_long_queries_skip_unknown_words(ctx, create_question):
    ids = _refund_questions(create_question, 2)
    results = services.search("退款 微信 支付宝 花呗 余额 零钱")
    assert {h.question_id for h in results.hits} == set(ids)


def test_rebuild_swaps_in_a_complete_index(ctx, create_question):
    ids = _refund_questions(create_question, 3)
    count, _seconds = services.reindex()
    assert count == 3
    assert {h.question_id for h in services.search("退款").hits} == set(ids)
    if ctx.config.get("FORUM_SEARCH_BACKEND") == "postgresql":
        names = set(db.session.scalars(sa.text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'search_documents'")))
        assert names == {"pk_search_documents", "ix_search_documents_question_id", "ix_search_documents_terms"}
        assert not db.session.scalar(sa.text("SELECT to_regclass('search_documents_next')"))


def test_small_whoosh_segments_are_merged(ctx, create_question):
    backend = services.get_backend()
    if not isinstance(backend, whoosh_backend.WhooshBackend):
        return
    from forum.search.documents import thread_documents

    ids = _refund_questions(create_question, 30)
    services.reindex()
    with backend.writer_lock(blocking=True):
        for question_id in ids[:12]:  # one small segment per indexer batch
            backend.replace([question_id], thread_documents([question_id]))
    segments = backend._index()._segments()
    assert len(segments) <= 1 + whoosh_backend.MAX_SMALL_SEGMENTS + 1
    assert backend.document_count() == 30


def test_a_whoosh_search_reads_again_when_a_file_vanishes_under_it(ctx, create_question, monkeypatch):
    """The indexer's commit removes the table of contents a new reader has just listed: the
    search opens the newest one and answers, instead of failing (FileNotFoundError: a 500)."""
    backend = services.get_backend()
    if not isinstance(backend, whoosh_backend.WhooshBackend):
        return
    import whoosh.index

    ids = _refund_questions(create_question, 2)
    read = whoosh.index.TOC.read
    vanished = []

    def read_after_a_commit(*args, **kwargs):
        if len(vanished) < 2:  # twice: the retry opens the newest files each time
            vanished.append(args)
            raise FileNotFoundError(2, "No such file or directory", "_MAIN_4.toc")
        return read(*args, **kwargs)

    backend.close()  # a new request thread: nothing open yet
    monkeypatch.setattr(whoosh.index.TOC, "read", read_after_a_commit)
    assert {h.question_id for h in services.search("退款").hits} == set(ids)
    assert len(vanished) == 2
    monkeypatch.setattr(whoosh_backend, "VANISHED_RETRIES", 1)
    backend.close()
    vanished.clear()
    with pytest.raises(FileNotFoundError):  # the test can fail: without reading again, it does
        backend.document_count()


def test_round_estimate():
    assert [round_estimate(v) for v in (0, 87, 123, 9_876, 98_765)] == [0, 87, 120, 9_900, 99_000]


def test_page_and_api_say_about_when_the_total_is_estimated(client, create_question, monkeypatch):
    _refund_questions(create_question, 25)
    _window(monkeypatch, 3)  # a page of 20 widens it to 20: still fewer than the 25 matches
    data = client.get("/api/v1/search?q=退款&per_page=3").get_json()
    assert data["total_is_exact"] is False and len(data["items"]) == 3
    page = client.get("/search?q=退款").get_data(as_text=True)
    assert "约 " in page and "条结果" in page
    _window(monkeypatch, 50)
    assert client.get("/api/v1/search?q=退款").get_json()["total_is_exact"] is True
    assert "25 条结果" in client.get("/search?q=退款").get_data(as_text=True)
