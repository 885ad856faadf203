"""The live preview (`POST /preview`): the same bounded renderer as saving, no longer a body than a
post may have, and a per-member budget."""
import pytest

from forum.core.markup import render_markdown
from forum.questions.rules import BODY_MAX
from tests.conftest import IsolatedClient, make_app, wipe

JSON = {"Accept": "application/json"}


def test_preview_takes_no_longer_a_body_than_a_post(client, create_user, login):
    login(create_user())
    at_limit = client.post("/preview", data={"body": "长" * BODY_MAX}, headers=JSON)
    assert at_limit.status_code == 200 and at_limit.get_json()["html"].startswith("<p>长")
    over = client.post("/preview", data={"body": "长" * (BODY_MAX + 1)}, headers=JSON)
    assert over.status_code == 422
    error = over.get_json()["error"]
    assert error["code"] == "invalid" and "30000" in error["fields"]["body"][0]
    # Twice the limit used to be accepted; a 2 MB form is still refused before it is read.
    assert client.post("/preview", data={"body": "x" * (2 * BODY_MAX)}, headers=JSON).status_code == 422


def test_preview_renders_hostile_bodies_through_the_bounded_renderer(client, create_user, login):
    login(create_user())
    issue_example = "http://a." * (BODY_MAX // 9)
    reference_bomb = "[a]: /" + "x" * (BODY_MAX // 2) + "\n\n" + "[a]" * (BODY_MAX // 6 - 3)
    for body in (issue_example, reference_bomb, "ple.org[ftp://s://"):
        response = client.post("/preview", data={"body": body}, headers=JSON)
        assert response.status_code == 200
        html = response.get_json()["html"]
        assert html == render_markdown(body)
        assert len(html) < 20 * len(body) + 1_000  # the bomb made 37 MB of HTML out of 30 KB


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    app = make_app("sqlite", tmp_path_factory, FORUM_RATE_LIMITS=True, FORUM_PREVIEW_RATE_LIMIT="2 per minute")
    app.test_client_class = IsolatedClient
    yield app
    wipe(app)


def test_previews_have_a_budget_per_member(limited):
    from forum.auth.services import register_user

    with limited.app_context():
        for name in ("preview_a", "preview_b"):
            register_user(name, f"{name}@example.com", "long-password")
        first, second = limited.test_client(), limited.test_client()
        for client, name in ((first, "preview_a"), (second, "preview_b")):
            assert client.post("/login", data={"login": name, "password": "long-password"}).status_code == 302
        codes = [first.post("/preview", data={"body": f"**第 {i} 次**预览"}, headers=JSON).status_code
                 for i in range(2)]
        assert codes == [200, 200]
        refused = first.post("/preview", data={"body": "再来一次"}, headers=JSON)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert refused.get_json()["error"]["code"] == "rate_limited"
        # Another member has a budget of their own.
        assert second.post("/preview", data={"body": "另一个人的预览"}, headers=JSON).status_code == 200
