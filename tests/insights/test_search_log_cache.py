"""Issue 22: a search page served from the page cache (before the view runs) is logged too, with
its result count, and logging does not stop the page from being cached."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.core import page_cache
from forum.extensions import db
from forum.insights.models import SearchEvent
from tests.conftest import BACKENDS, make_side_app


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    app = make_side_app(request.param, "insights_cache", tmp_path_factory, FORUM_PAGE_CACHE=True,
                        FORUM_JOBS_INLINE=True)
    app.config["TEST_BACKEND"] = request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_cache(app):
    page_cache.invalidate(app)


@pytest.mark.search_index
def test_cached_search_pages_are_logged(client, create_question):
    create_question(title="验证码一直收不到怎么办", tags=["验证码"], category="account")
    visitor = client
    first = visitor.get("/search?q=%E9%AA%8C%E8%AF%81%E7%A0%81")  # 验证码
    second = visitor.get("/search?q=%E9%AA%8C%E8%AF%81%E7%A0%81")
    assert (first.headers.get("X-Page-Cache"), second.headers.get("X-Page-Cache")) == ("miss", "hit")
    empty = [visitor.get("/search?q=nothing+at+all") for _ in range(3)]
    assert [r.headers.get("X-Page-Cache") for r in empty] == ["miss", "hit", "hit"]
    api = [visitor.get("/api/v1/search?q=nothing+at+all") for _ in range(2)]
    assert [r.headers.get("X-Page-Cache") for r in api] == ["miss", "hit"]
    db.session.expire_all()
    rows = db.session.execute(sa.select(SearchEvent.query, SearchEvent.result_count, SearchEvent.source)
                              .order_by(SearchEvent.id)).all()
    assert [tuple(r) for r in rows] == [("验证码", 1, "page")] * 2 + [("nothing at all", 0, "page")] * 3 + [
        ("nothing at all", 0, "api")] * 2
