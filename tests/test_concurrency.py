"""Parallel requests against a real threaded server: none fails (no "database is locked", no 500)."""
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from forum.extensions import db
from forum.questions.models import Question


def _request(method: str, url: str, body: dict | None = None, token: str | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_parallel_writes_and_reads_all_succeed(live_server, create_user, create_question):
    from forum.auth.services import issue_token

    question = create_question()
    tokens = [issue_token(create_user()) for _ in range(20)]
    qid = question.id
    db.session.commit()

    def write(token):
        return _request("POST", f"{live_server}/api/v1/questions/{qid}/answers",
                        {"body": "并发测试：先确认订单状态，再联系客服处理。"}, token)

    def read(_):
        return _request("GET", f"{live_server}/api/v1/questions/{qid}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        writes = pool.map(write, tokens)
        reads = pool.map(read, range(20))
        write_codes, read_codes = list(writes), list(reads)
    assert write_codes == [201] * 20
    assert read_codes == [200] * 20
    db.session.expire_all()
    assert db.session.get(Question, qid).answer_count == 20


def test_twenty_members_voting_at_once_give_exactly_twenty(live_server, create_user, create_question,
                                                            create_answer):
    from forum.auth.models import User
    from forum.auth.services import issue_token
    from forum.questions.models import Answer

    answer = create_answer(create_question())
    tokens = [issue_token(create_user()) for _ in range(20)]
    aid, author_id = answer.id, answer.author_id
    db.session.commit()
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda t: _request("PUT", f"{live_server}/api/v1/answers/{aid}/vote", {"value": 1}, t),
                              tokens))
    assert codes == [200] * 20
    db.session.expire_all()
    assert db.session.get(Answer, aid).score == 20
    assert db.session.get(User, author_id).reputation == 1 + 200  # 20 × 10, exactly at the daily cap


def test_one_member_firing_the_same_vote_fifteen_times_counts_once(live_server, create_user, create_question,
                                                                   create_answer):
    from forum.auth.models import User
    from forum.auth.services import issue_token
    from forum.questions.models import Answer
    from forum.reputation.models import ReputationEvent
    from forum.votes.models import Vote

    answer = create_answer(create_question())
    token = issue_token(create_user())
    aid, author_id = answer.id, answer.author_id
    db.session.commit()
    with ThreadPoolExecutor(max_workers=15) as pool:
        codes = list(pool.map(lambda _: _request("PUT", f"{live_server}/api/v1/answers/{aid}/vote", {"value": 1},
                                                 token), range(15)))
    assert codes == [200] * 15
    db.session.expire_all()
    assert db.session.get(Answer, aid).score == 1
    assert db.session.query(Vote).count() == 1
    assert db.session.get(User, author_id).reputation == 11
    assert db.session.query(ReputationEvent).filter(ReputationEvent.answer_id == aid).count() == 1


def test_parallel_deletes_and_edits_keep_counters_right(live_server, create_user, create_question):
    from forum.auth.models import User
    from forum.auth.services import issue_token
    from forum.questions.models import Revision, Tag

    author = create_user()
    token = issue_token(author)
    doomed = create_question(author, tags=["并发"])
    edited = create_question(author, tags=["并发"])
    doomed_id, edited_id, author_id = doomed.id, edited.id, author.id
    db.session.commit()

    def delete(_):
        return _request("DELETE", f"{live_server}/api/v1/questions/{doomed_id}", token=token)

    def edit(i):
        return _request("PATCH", f"{live_server}/api/v1/questions/{edited_id}",
                        {"body": f"并发编辑第 {i} 次：补充更多细节，订单状态一直没有变化。"}, token)

    with ThreadPoolExecutor(max_workers=12) as pool:
        deletes = list(pool.map(delete, range(6)))
        edits = list(pool.map(edit, range(6)))
    assert sorted(deletes) == [204] + [404] * 5
    assert edits == [200] * 6
    db.session.expire_all()
    assert db.session.get(User, author_id).question_count == 1
    assert db.session.query(Tag).filter_by(name="并发").one().question_count == 1
    numbers = sorted(n for (n,) in db.session.query(Revision.number).filter(Revision.question_id == edited_id))
    assert numbers == list(range(1, 8))


def test_double_escalation_at_once_makes_one_ticket(live_server, create_user, create_question):
    from forum.auth.services import issue_token
    from forum.tickets.models import Ticket

    asker = create_user()
    token = issue_token(asker)
    qid = create_question(asker).id
    db.session.commit()
    body = {"category": "payments", "description": "扣款成功但订单显示未支付，请帮忙核实。"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda _: _request("POST", f"{live_server}/api/v1/questions/{qid}/escalations", body,
                                                 token), range(8)))
    assert sorted(codes) == [201] + [409] * 7
    db.session.expire_all()
    assert db.session.query(Ticket).count() == 1
