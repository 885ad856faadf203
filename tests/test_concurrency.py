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
