"""Issue 15, lean writes: a search document is written again only when what it says changed. A vote
changes one document's score (in place on PostgreSQL; Whoosh re-writes that one document), an
answer writes itself and its question, an acceptance the posts it marks, a comment nothing; a change
to what the whole thread shares (title, tags, state) still rebuilds the thread. Checked on what the
indexer asks of the backend, and on what searches then find."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from forum.core.db import unit_of_work
from forum.extensions import db
from forum.questions import services as questions
from forum.search import services
from forum.search.backends import get_backend
from forum.search.indexer import Plan
from forum.votes.services import cast_vote

pytestmark = pytest.mark.search_index  # the outbox is applied after every commit


@pytest.fixture
def written(ctx, monkeypatch):
    """What the indexer asks the backend to write, call by call: ("replace", threads rebuilt,
    documents written, single documents replaced) or ("scores", {key: score})."""
    backend = get_backend()
    calls: list[tuple] = []
    replace, update_scores = backend.replace, backend.update_scores

    def spy_replace(question_ids, docs, *, keys=()):
        calls.append(("replace", sorted(question_ids), sorted(d.key for d in docs), sorted(keys)))
        return replace(question_ids, docs, keys=keys)

    def spy_scores(scores):
        calls.append(("scores", dict(scores)))
        return update_scores(scores)

    monkeypatch.setattr(backend, "replace", spy_replace)
    monkeypatch.setattr(backend, "update_scores", spy_scores)
    return calls


@pytest.fixture
def thread(create_user, create_question, create_answer):
    asker = create_user()
    q = create_question(asker, title="退款一直没有到账怎么办", body="申请退款已经一周了，银行卡还没有收到钱，怎么查？")
    bodies = ["退款会原路退回银行卡，一般三到五个工作日就会到账。", "如果超过七天还没到，请联系银行查询退款流水。",
              "用支付宝付款的话，退款通常当天就能到账。"]
    answers = [create_answer(q, body=body) for body in bodies]
    return SimpleNamespace(asker=asker, q=q, answers=answers, ids=[a.id for a in answers])


def answer_hits(query: str, sort: str = "relevance") -> list[int]:
    return [h.answer_id for h in services.search(query, sort=sort).hits if h.answer_id is not None]


def test_a_vote_writes_one_score_and_never_the_thread_text(thread, written, create_user):
    voter = create_user(reputation=200)
    written.clear()
    with unit_of_work():
        cast_vote(voter, value=1, answer_id=thread.ids[2])
    key = f"a{thread.ids[2]}"
    if get_backend().scores_in_place:
        assert written == [("scores", {key: 1})]  # one column of one row: no text analysed, no terms written
    else:
        assert written == [("replace", [], [key], [key])]  # that document alone, not the thread's four
    # The score is what sorting by votes sees, and the document still says what it said.
    assert answer_hits("退款 到账", sort="votes")[0] == thread.ids[2]
    assert answer_hits("支付宝") == [thread.ids[2]]
    assert thread.q.id in [h.question_id for h in services.search("退款一直没有到账").hits]


def test_a_question_vote_writes_the_question_score_only(thread, written, create_user):
    written.clear()
    with unit_of_work():
        cast_vote(create_user(reputation=200), value=1, question_id=thread.q.id)
    key = f"q{thread.q.id}"
    assert written == ([("scores", {key: 1})] if get_backend().scores_in_place else [("replace", [], [key], [key])])


def test_an_answer_writes_itself_and_its_question(create_user, create_question, create_answer, written):
    q = create_question(title="发票抬头写错了可以改吗", body="开发票的时候抬头写错了，请问能不能重新开一张？")
    assert q.id in [h.question_id for h in services.search("is:unanswered 发票").hits]
    create_answer(q, body="可以，在订单详情页里点申请重开发票就行。")
    answer_id = db.session.scalar(db.text("SELECT max(id) FROM answers"))
    assert written[-1] == ("replace", [], sorted([f"q{q.id}", f"a{answer_id}"]), sorted([f"q{q.id}", f"a{answer_id}"]))
    assert q.id not in [h.question_id for h in services.search("is:unanswered 发票").hits]
    assert answer_hits("重开发票") == [answer_id]


def test_an_acceptance_writes_the_posts_it_marks(thread, written):
    q, (first, second, third) = thread.q, thread.ids
    written.clear()
    with unit_of_work():
        questions.accept_answer(thread.asker, second)
    assert written == [("replace", [], sorted([f"q{q.id}", f"a{second}"]), sorted([f"q{q.id}", f"a{second}"]))]
    written.clear()
    with unit_of_work():
        questions.accept_answer(thread.asker, third)  # moved: the answer that had the mark loses it
    keys = sorted([f"q{q.id}", f"a{second}", f"a{third}"])
    assert written == [("replace", [], keys, keys)]
    assert answer_hits("is:accepted 退款") == [third]
    assert first not in answer_hits("is:accepted 退款")


def test_a_comment_writes_nothing(thread, written, create_user):
    written.clear()
    with unit_of_work():
        questions.post_comment(create_user(), answer_id=thread.ids[0], body="谢谢，我再等两天看看。")
    assert written == []


def test_what_the_thread_shares_still_rebuilds_the_thread(thread, written):
    written.clear()
    with unit_of_work():
        questions.edit_question(thread.asker, thread.q.id, title="退款一直没有到账，已经一周了",
                                body="申请退款已经一周了，银行卡还没有收到钱，怎么查？", tags=["退款"], category="payments")
    threads = [call[1] for call in written if call[0] == "replace"]
    assert threads == [[thread.q.id]]
    assert set(answer_hits("tag:退款 退款")) == set(thread.ids)  # every answer carries the new tag


def test_a_batch_does_each_change_once_and_nothing_a_wider_one_covers():
    rows = [SimpleNamespace(question_id=q, answer_id=a, scope=s) for q, a, s in [
        (1, 10, "score"), (1, None, "thread"), (2, 20, "score"), (2, 20, "post"), (2, 21, "score"),
        (2, 21, "score"), (3, None, "score"), (3, 30, "post"),
    ]]
    plan = Plan.of(rows)
    assert (plan.threads, plan.posts, plan.scores) == ([1], ["a20", "a30"], ["a21", "q3"])
