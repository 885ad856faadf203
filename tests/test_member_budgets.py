"""Rate-limit budgets belong to the member (every session and token of one member share one) and to
the address for anonymous calls, never to the value of a header (issue 14, finding 5)."""
import itertools
import secrets

import pytest

from tests.conftest import IsolatedClient, make_app, wipe

LIMIT = 2  # every per-member budget of this module's app
_names = itertools.count(1)


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    per_minute = f"{LIMIT} per minute"
    app = make_app("sqlite", tmp_path_factory, FORUM_RATE_LIMITS=True, FORUM_VOTE_RATE_LIMIT=per_minute,
                   FORUM_POST_RATE_LIMIT=per_minute, FORUM_EDIT_RATE_LIMIT=per_minute,
                   FORUM_ESCALATION_RATE_LIMIT=per_minute, FORUM_FLAG_RATE_LIMIT=per_minute,
                   FORUM_API_RATE_LIMIT="8 per minute", FORUM_LOGIN_RATE_LIMIT="100 per minute",
                   FORUM_NEW_MEMBER_REPUTATION=0)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
    wipe(app)


def _member(role: str = "member"):
    from forum.auth.models import Role
    from forum.auth.services import register_user

    n = next(_names)
    return register_user(f"budget{n}", f"budget{n}@example.com", "long-password-1", role=Role(role))


def _thread():
    """A question by someone else with an answer, and the member's own question."""
    from forum.questions.services import ask_question, post_answer

    other, member = _member(), _member()
    q = ask_question(other, title="限流测试用的问题标题，别人的", body="这个问题是用来测试速率限制的，作者是别人。",
                     tags=["测试"], category="other")
    a = post_answer(_member(), q.id, body="这是一个用来测试速率限制的回答内容，足够长。")
    own = ask_question(member, title="限流测试用的问题标题，自己的", body="这个问题是用来测试速率限制的，作者是自己。",
                       tags=["测试"], category="other")
    return member, q, a, own


def _signed_in(app, user):
    """A test client signed in by cookie, as a browser is."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _random_bearer() -> dict:
    return {"Authorization": f"Bearer fm_{secrets.token_urlsafe(32)}"}


# Every page route with a per-member budget: (name, method, url template, form data).
PAGE_ROUTES = [
    ("vote on a question", "/questions/{q}/vote", {"value": "1"}),
    ("vote on an answer", "/answers/{a}/vote", {"value": "1"}),
    ("ask", "/ask", {"title": "限流测试：又一个问题的标题", "body": "限流测试：又一个问题的正文内容。", "tags": "测试",
                     "category": "other"}),
    ("ask with private details", "/ask/private", {}),
    ("answer", "/questions/{q}/answers", {"body": "限流测试：一个新的回答，内容足够长。"}),
    ("comment on a question", "/questions/{q}/comments", {"body": "限流测试的评论"}),
    ("comment on an answer", "/answers/{a}/comments", {"body": "限流测试的评论"}),
    ("edit a question", "/questions/{own}/edit", {"title": "限流测试用的问题标题，改过的", "body": "改过的正文，用来测试限流。",
                                                  "tags": "测试", "category": "other"}),
    ("edit an answer", "/answers/{a}/edit", {"body": "改过的回答，用来测试编辑的速率限制。"}),
    ("flag", "/answers/{a}/flag", {"kind": "off_topic"}),
    ("escalate", "/questions/{own}/escalate", {"category": "other", "description": "需要官方客服帮忙处理这个问题。"}),
]


@pytest.mark.parametrize("url, data", [r[1:] for r in PAGE_ROUTES], ids=[r[0] for r in PAGE_ROUTES])
def test_a_bearer_header_on_a_page_buys_no_fresh_budget(limited, url, data):
    member, q, a, own = _thread()
    if "/edit" in url and "{a}" in url:
        member = _member("moderator")  # may edit anyone's answer
    url = url.format(q=q.id, a=a.id, own=own.id)
    client = _signed_in(limited, member)
    codes = [client.post(url, data=data, headers=_random_bearer()).status_code for _ in range(LIMIT + 1)]
    assert 429 not in codes[:LIMIT] and codes[LIMIT] == 429, codes


def test_every_session_and_token_of_a_member_shares_one_budget(limited):
    from forum.auth.services import issue_token

    member, q, a, _own = _thread()
    first, second = ({"Authorization": f"Bearer {issue_token(member)}"} for _ in range(2))
    api = limited.test_client()
    assert api.put(f"/api/v1/questions/{q.id}/vote", json={"value": 1}, headers=first).status_code == 200
    assert api.put(f"/api/v1/answers/{a.id}/vote", json={"value": 1}, headers=second).status_code == 200
    third = api.put(f"/api/v1/answers/{a.id}/vote", json={"value": 0}, headers=first)
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    # The same member in a browser: the same budget, spent.
    page = _signed_in(limited, member)
    assert page.post(f"/answers/{a.id}/vote", data={"value": "-1"}).status_code == 429
    # Another member still has a budget of their own.
    other = {"Authorization": f"Bearer {issue_token(_member())}"}
    assert api.put(f"/api/v1/answers/{a.id}/vote", json={"value": 1}, headers=other).status_code == 200


def test_api_writes_with_two_tokens_share_the_posting_budget(limited):
    from forum.auth.services import issue_token

    member, q, _a, own = _thread()
    tokens = [{"Authorization": f"Bearer {issue_token(member)}"} for _ in range(LIMIT + 1)]
    client = limited.test_client()
    codes = [client.post(f"/api/v1/questions/{q.id}/comments", json={"body": f"第 {i} 条评论内容"},
                         headers=tokens[i]).status_code for i in range(LIMIT + 1)]
    assert codes == [201] * LIMIT + [429]
    edits = [client.patch(f"/api/v1/questions/{own.id}", json={"body": f"第 {i} 次修改正文：这是用来测试编辑速率限制的内容。"},
                          headers=tokens[i]).status_code for i in range(LIMIT + 1)]
    assert edits == [200] * LIMIT + [429]


def test_unknown_tokens_are_anonymous_and_spend_the_address_budget(limited):
    addr = {"REMOTE_ADDR": "203.0.113.7"}
    client = limited.test_client()
    codes = [client.get("/api/v1/questions", headers=_random_bearer(), environ_base=addr).status_code
             for _ in range(9)]
    assert codes == [401] * 8 + [429]  # the API-wide budget: 8 a minute for this address
    assert client.get("/api/v1/questions", environ_base=addr).status_code == 429  # with no header too
    other = client.get("/api/v1/questions", headers=_random_bearer(), environ_base={"REMOTE_ADDR": "203.0.113.8"})
    assert other.status_code == 401
    # Sign-in attempts with made-up tokens are the address's too.
    assert client.post("/api/v1/tokens", json={"username": "nobody", "password": "x" * 10},
                       headers=_random_bearer(), environ_base=addr).status_code == 429


def test_a_revoked_token_is_anonymous(limited):
    from forum.auth.services import issue_token, revoke_token

    member, _q, a, _own = _thread()
    token = issue_token(member)
    revoke_token(token)
    addr = {"REMOTE_ADDR": "203.0.113.9"}
    client = limited.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    codes = [client.get("/api/v1/me", environ_base=addr, headers=headers).status_code for _ in range(9)]
    assert codes == [401] * 8 + [429]
    # ...on the routes' own budgets too: the address's (2 votes a minute), not the member's.
    votes = [client.put(f"/api/v1/answers/{a.id}/vote", json={"value": 1}, headers=headers,
                        environ_base={"REMOTE_ADDR": "203.0.113.10"}).status_code for _ in range(LIMIT + 1)]
    assert votes == [401] * LIMIT + [429]
