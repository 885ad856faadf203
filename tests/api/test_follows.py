"""Following through the API: the page forms' service, idempotent, signed-in only."""
from __future__ import annotations

from forum.notifications import services as notifications


def test_follow_a_question_tag_and_category_twice_and_list_them(client, create_user, create_question, token_for):
    fan = create_user()
    q = create_question(tags=["退款"])
    auth = token_for(fan)
    for path in (f"/api/v1/questions/{q.id}/follow", "/api/v1/tags/退款/follow", "/api/v1/categories/payments/follow"):
        for _ in range(2):  # idempotent: the second PUT changes nothing and answers the same
            response = client.put(path, headers=auth)
            assert response.status_code == 204, response.get_json()
            assert response.get_data() == b""
    follows = client.get("/api/v1/me/follows", headers=auth).get_json()
    assert [f["id"] for f in follows["questions"]] == [q.id]
    assert follows["questions"][0]["title"] == q.title
    assert [f["name"] for f in follows["tags"]] == ["退款"]
    assert [f["name"] for f in follows["categories"]] == ["payments"]
    assert notifications.is_following(fan, question_id=q.id)
    # the question's asker and the follow from the page form see the same rows
    for path in (f"/api/v1/questions/{q.id}/follow", "/api/v1/tags/退款/follow", "/api/v1/categories/payments/follow"):
        for _ in range(2):
            assert client.delete(path, headers=auth).status_code == 204
    assert client.get("/api/v1/me/follows", headers=auth).get_json() == {"questions": [], "tags": [],
                                                                           "categories": []}
    assert not notifications.is_following(fan, question_id=q.id)


def test_follows_are_each_members_own(client, create_user, create_question, token_for):
    q = create_question()
    one, other = create_user(), create_user()
    assert client.put(f"/api/v1/questions/{q.id}/follow", headers=token_for(one)).status_code == 204
    assert client.get("/api/v1/me/follows", headers=token_for(other)).get_json()["questions"] == []


def test_unknown_targets_are_404_and_anonymous_is_401(client, create_user, create_question, token_for):
    q = create_question(tags=["退款"])
    auth = token_for(create_user())
    for path in ("/api/v1/questions/999999/follow", "/api/v1/tags/没有这个标签/follow",
                 "/api/v1/categories/bogus/follow"):
        for method in (client.put, client.delete):
            response = method(path, headers=auth)
            assert response.status_code == 404, path
            assert response.get_json()["error"]["code"] == "not_found"
    for path in (f"/api/v1/questions/{q.id}/follow", "/api/v1/tags/退款/follow", "/api/v1/categories/orders/follow"):
        assert client.put(path).status_code == 401
        assert client.delete(path).status_code == 401
    assert client.get("/api/v1/me/follows").status_code == 401


def test_a_deleted_question_is_404_to_follow(client, create_user, create_question, token_for):
    from forum.core.db import unit_of_work
    from forum.questions import services as questions

    asker = create_user()
    q = create_question(asker)
    with unit_of_work():
        questions.delete_question(asker, q.id)
    assert client.put(f"/api/v1/questions/{q.id}/follow", headers=token_for(create_user())).status_code == 404


def test_the_document_lists_the_follow_calls(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"put", "delete"} <= set(paths["/questions/{question_id}/follow"])
    assert {"put", "delete"} <= set(paths["/tags/{tag}/follow"])
    assert {"put", "delete"} <= set(paths["/categories/{category}/follow"])
    assert "get" in paths["/me/follows"]
