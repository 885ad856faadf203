import pytest

QUESTION = {"title": "Refund has not arrived after 7 days", "category": "payments", "tags": ["refund", "退款"],
            "body": "I returned the parcel last week and the refund still has not reached my card."}


def test_question_lifecycle(client, create_user, token_for):
    asker = create_user("asker")
    helper = create_user("helper")
    response = client.post("/api/v1/questions", json=QUESTION, headers=token_for(asker))
    assert response.status_code == 201
    q = response.get_json()
    assert q["title"] == QUESTION["title"] and q["tags"] == ["refund", "退款"] and q["category"] == "payments"
    assert q["author"]["username"] == "asker" and q["status"] == "open" and q["answers"] == []
    assert q["has_verified_answer"] is False and q["accepted_answer_id"] is None and q["my_vote"] == 0
    assert q["url"].endswith(f"/questions/{q['id']}")
    for key in ("id", "title", "body", "body_html", "tags", "category", "author", "score", "my_vote",
                "answer_count", "accepted_answer_id", "has_verified_answer", "status", "created_at",
                "updated_at", "url"):
        assert key in q
    qid = q["id"]

    response = client.post(f"/api/v1/questions/{qid}/answers", headers=token_for(helper),
                           json={"body": "Refunds to cards take 3–7 working days; ask your bank for the ARN."})
    assert response.status_code == 201
    answer = response.get_json()
    for key in ("id", "question_id", "body", "body_html", "author", "score", "my_vote", "is_accepted",
                "verification", "created_at", "updated_at"):
        assert key in answer
    assert answer["verification"] is None and answer["is_accepted"] is False

    assert client.post(f"/api/v1/answers/{answer['id']}/comments", json={"body": "Which bank was it?"},
                       headers=token_for(asker)).status_code == 201
    assert client.post(f"/api/v1/questions/{qid}/comments", json={"body": "Same problem here."},
                       headers=token_for(helper)).status_code == 201

    response = client.patch(f"/api/v1/questions/{qid}", json={"title": "Refund has not arrived after 10 days",
                                                               "summary": "more days"}, headers=token_for(asker))
    assert response.status_code == 200 and response.get_json()["title"].endswith("10 days")
    response = client.patch(f"/api/v1/answers/{answer['id']}", headers=token_for(helper),
                            json={"body": "Refunds to cards take 3–7 working days; ask your bank."})
    assert response.status_code == 200

    detail = client.get(f"/api/v1/questions/{qid}").get_json()
    assert detail["answer_count"] == 1 and len(detail["answers"]) == 1 and len(detail["comments"]) == 1
    assert detail["answers"][0]["comments"][0]["body"] == "Which bank was it?"
    revisions = client.get(f"/api/v1/questions/{qid}/revisions").get_json()
    assert revisions["total"] == 2 and revisions["items"][1]["summary"] == "more days"
    assert client.get(f"/api/v1/answers/{answer['id']}/revisions").get_json()["total"] == 2

    listing = client.get("/api/v1/questions?sort=unanswered").get_json()
    assert listing["total"] == 0
    listing = client.get("/api/v1/questions?tag=退款&category=payments").get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == qid

    assert client.delete(f"/api/v1/answers/{answer['id']}", headers=token_for(helper)).status_code == 204
    assert client.delete(f"/api/v1/questions/{qid}", headers=token_for(asker)).status_code == 204
    assert client.get(f"/api/v1/questions/{qid}").status_code == 404


def test_error_format_and_status_codes(client, create_user, token_for, create_question):
    headers = token_for(create_user())
    response = client.post("/api/v1/questions", data="{not json", headers={**headers,
                                                                         "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert client.post("/api/v1/questions", json=[1, 2], headers=headers).status_code == 400
    response = client.post("/api/v1/questions", json={"title": 1, "body": None, "tags": "x", "category": 3},
                           headers=headers)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"title", "body", "tags", "category"} and error["message"]
    response = client.post("/api/v1/questions", json={**QUESTION, "title": "short"}, headers=headers)
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["title"]
    response = client.post("/api/v1/questions", json={**QUESTION, "tags": list("abcdef")}, headers=headers)
    assert response.status_code == 422
    response = client.post("/api/v1/questions", json={**QUESTION, "category": "refunds"}, headers=headers)
    assert response.status_code == 422
    assert client.post("/api/v1/questions", json=QUESTION).status_code == 401
    assert client.post("/api/v1/questions", json=QUESTION,
                       headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/questions/999999").status_code == 404
    assert client.get("/api/v1/questions/abc").status_code == 404
    assert client.get("/api/v1/questions?sort=bogus").status_code == 422
    q = create_question()
    response = client.patch(f"/api/v1/questions/{q.id}", json={"body": "someone else's edit of the body"},
                            headers=headers)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    response = client.post(f"/api/v1/questions/{q.id}/answers", json={"body": 12}, headers=headers)
    assert response.status_code == 422
    assert client.put("/api/v1/questions", json={}).status_code == 405


def test_oversized_body_is_413(client, create_user, token_for):
    headers = token_for(create_user())
    response = client.post("/api/v1/questions", json={**QUESTION, "body": "x" * 2_000_000}, headers=headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    response = client.post("/api/v1/questions", json={**QUESTION, "body": "x" * 30_001}, headers=headers)
    assert response.status_code == 422


def test_pagination(client, create_question):
    for _ in range(3):
        create_question()
    page = client.get("/api/v1/questions?per_page=2&page=2").get_json()
    assert page["page"] == 2 and page["per_page"] == 2 and page["total"] == 3 and len(page["items"]) == 1
    assert client.get("/api/v1/questions?per_page=1000").get_json()["per_page"] == 100
    assert client.get("/api/v1/questions?page=x").get_json()["page"] == 1


def test_my_vote_is_reported(client, create_user, create_question, token_for):
    from forum.votes.services import cast_vote

    q = create_question()
    voter = create_user()
    cast_vote(voter, value=1, question_id=q.id)
    assert client.get(f"/api/v1/questions/{q.id}", headers=token_for(voter)).get_json()["my_vote"] == 1
    assert client.get(f"/api/v1/questions/{q.id}").get_json()["my_vote"] == 0
    assert client.get("/api/v1/questions", headers=token_for(voter)).get_json()["items"][0]["my_vote"] == 1


@pytest.mark.parametrize("path", ["/questions", "/users", "/tokens", "/me", "/tokens/current",
                                  "/questions/{question_id}/answers", "/answers/{answer_id}/comments",
                                  "/questions/{question_id}/revisions", "/users/{username}"])
def test_openapi_document_describes_the_calls(client, path):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert doc["servers"][0]["url"].endswith("/api/v1")
    assert path in doc["paths"]
    schemas = doc["components"]["schemas"]
    assert {"QuestionOut", "AnswerOut", "ErrorOut", "QuestionIn"} <= set(schemas)
    assert schemas["QuestionIn"]["properties"]["category"]["enum"] == ["account", "orders", "payments",
                                                                       "complaints", "other"]


def test_openapi_document_names_503_with_retry_after_on_every_call(client):
    """A database that is down or busy answers 503 with Retry-After on any call (never 500)."""
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = [op for item in doc["paths"].values() for op in item.values()]
    assert operations and all("503" in op["responses"] for op in operations)
    assert all("Retry-After" in op["responses"]["503"]["headers"] for op in operations)
    assert not any("500" in op["responses"] for op in operations)
