"""Per-member budgets for votes, posts and escalations (Flask-Limiter), on a limited app."""
import pytest

from tests.conftest import IsolatedClient, make_app, wipe


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, FORUM_RATE_LIMITS=True, FORUM_VOTE_RATE_LIMIT="2 per minute",
                   FORUM_POST_RATE_LIMIT="2 per minute", FORUM_ESCALATION_RATE_LIMIT="1 per hour",
                   FORUM_NEW_MEMBER_REPUTATION=0)
    app.test_client_class = IsolatedClient
    yield app
    wipe(app)


def test_votes_posts_and_escalations_have_budgets(limited):
    from forum.auth.services import issue_token, register_user
    from forum.questions.services import ask_question, post_answer

    with limited.app_context():
        asker = register_user("limit_asker", "asker@example.com", "long-password")
        voter = register_user("limit_voter", "voter@example.com", "long-password")
        other = register_user("limit_other", "other@example.com", "long-password")
        q = ask_question(asker, title="限流测试用的问题标题", body="这个问题是用来测试投票和发帖的速率限制的。", tags=["测试"],
                         category="other")
        answers = [post_answer(other, q.id, body=f"第 {i} 个回答：这是用来测试投票速率限制的内容。") for i in range(3)]
        voter_h = {"Authorization": f"Bearer {issue_token(voter)}"}
        asker_h = {"Authorization": f"Bearer {issue_token(asker)}"}
        other_h = {"Authorization": f"Bearer {issue_token(other)}"}
        client = limited.test_client()
        codes = [client.put(f"/api/v1/answers/{a.id}/vote", json={"value": 1}, headers=voter_h).status_code
                 for a in answers]
        assert codes == [200, 200, 429]
        third = client.put(f"/api/v1/answers/{answers[2].id}/vote", json={"value": 1}, headers=voter_h)
        assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
        assert client.put(f"/api/v1/questions/{q.id}/vote", json={"value": 1}, headers=other_h).status_code == 200
        posts = [client.post(f"/api/v1/questions/{q.id}/comments", json={"body": f"第 {i} 条评论内容"},
                             headers=voter_h).status_code for i in range(3)]
        assert posts == [201, 201, 429]
        body = {"category": "other", "description": "需要官方客服帮忙处理这个问题。"}
        assert client.post(f"/api/v1/questions/{q.id}/escalations", json=body, headers=asker_h).status_code == 201
        assert client.post(f"/api/v1/questions/{q.id}/escalations", json=body, headers=asker_h).status_code == 429
