"""Search quality on the judged sets (tests/search/judged.py): recall@5 and MRR over distinct threads.

The figures are printed on every run; a test fails below its thresholds (the keyword set: recall@5
0.95; the natural set of sentences, colloquial words and variants: recall@5 0.9 and MRR 0.8) and
then lists each query that missed a relevant thread together with what came first instead.
"""
from __future__ import annotations

from collections import Counter

import pytest

from forum.extensions import db
from forum.questions import rules
from forum.questions import services as question_services
from forum.search import indexer as search_indexer
from forum.search import services as search_services
from tests.search import judged

pytestmark = pytest.mark.search_index  # every test here searches

MIN_RECALL_AT_5 = 0.95
NATURAL_MIN_RECALL_AT_5 = 0.9
NATURAL_MIN_MRR = 0.8
CATEGORIES = {"account", "orders", "payments", "complaints", "other"}


def test_judged_set_is_well_formed():
    keys = [post["key"] for post in judged.POSTS]
    assert len(judged.POSTS) >= 80
    assert len(judged.QUERIES) >= 45
    assert not [key for key, n in Counter(keys).items() if n > 1]
    for post in judged.POSTS:
        assert rules.TITLE_MIN <= rules.text_length(post["title"]) <= rules.TITLE_MAX, post["key"]
        assert rules.text_length(post["body"]) >= rules.BODY_MIN, post["key"]
        assert rules.TAGS_MIN <= len(post["tags"]) <= rules.TAGS_MAX, post["key"]
        assert post["category"] in CATEGORIES, post["key"]
        assert all(rules.text_length(a) >= rules.BODY_MIN for a in post["answers"]), post["key"]
    assert len(judged.NATURAL_QUERIES) >= 60
    queries = [query["q"] for query in judged.QUERIES + judged.NATURAL_QUERIES]
    assert not [q for q, n in Counter(queries).items() if n > 1]
    for query in judged.QUERIES + judged.NATURAL_QUERIES:
        assert 1 <= len(query["relevant"]) <= 5, query["q"]
        assert set(query["relevant"]) <= set(keys), query["q"]
        assert query["note"], query["q"]


@pytest.fixture
def judged_ids(ctx, create_user, monkeypatch):
    asker = create_user("judged-asker")
    helper = create_user("judged-helper")
    # Indexed in batches once seeded, not with one index commit per post: the same documents.
    monkeypatch.setitem(ctx.config, "FORUM_SEARCH_INDEXER", "manual")
    ids = judged.seed(question_services, asker, helper)
    db.session.commit()  # the seeding command's boundary
    search_indexer.process_all()
    return ids


def _evaluate(ctx, ids, queries, name, capsys):
    report = judged.evaluate(lambda q: search_services.search(q, per_page=50), ids, queries)
    misses = judged.format_misses(report)
    summary = (f"{name} ({ctx.config['TEST_BACKEND']}): {len(report['queries'])} queries, "
               f"recall@5 {report['recall_at_5']:.3f}, MRR {report['mrr']:.3f}")
    with capsys.disabled():
        print(f"\n{summary}")
        if misses:
            print(misses)
    return report, f"{summary}\n{misses}"


def test_recall_and_mrr_on_judged_set(ctx, judged_ids, capsys):
    report, summary = _evaluate(ctx, judged_ids, judged.QUERIES, "judged set", capsys)
    assert report["recall_at_5"] >= MIN_RECALL_AT_5, summary


def test_recall_and_mrr_on_natural_set(ctx, judged_ids, capsys):
    report, summary = _evaluate(ctx, judged_ids, judged.NATURAL_QUERIES, "natural set", capsys)
    assert report["recall_at_5"] >= NATURAL_MIN_RECALL_AT_5, summary
    assert report["mrr"] >= NATURAL_MIN_MRR, summary
