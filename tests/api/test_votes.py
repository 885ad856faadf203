def test_vote_calls(client, create_user, create_question, create_answer, token_for):
    q = create_question()
    a = create_answer(q)
    voter = create_user()
    headers = token_for(voter)
    response = client.put(f"/api/v1/answers/{a.id}/vote", json={"value": 1}, headers=headers)
    assert response.status_code == 200 and response.get_json() == {"score": 1, "my_vote": 1}
    assert client.put(f"/api/v1/answers/{a.id}/vote", json={"value": 1}, headers=headers).get_json() == {
        "score": 1, "my_vote": 1}
    assert client.put(f"/api/v1/answers/{a.id}/vote", json={"value": 0}, headers=headers).get_json() == {
        "score": 0, "my_vote": 0}
    assert client.put(f"/api/v1/questions/{q.id}/vote", json={"value": 1}, headers=headers).status_code == 200
    detail = client.get(f"/api/v1/questions/{q.id}", headers=headers).get_json()
    assert detail["score"] == 1 and detail["my_vote"] == 1 and detail["answers"][0]["my_vote"] == 0
    author = client.get(f"/api/v1/users/{q.author.username}").get_json()
    assert author["reputation"] == 6 and author["experienced"] is False


def test_vote_errors(client, create_user, create_question, token_for):
    q = create_question()
    own = token_for(q.author)
    response = client.put(f"/api/v1/questions/{q.id}/vote", json={"value": 1}, headers=own)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "own_post"
    newcomer = token_for(create_user())
    response = client.put(f"/api/v1/questions/{q.id}/vote", json={"value": -1}, headers=newcomer)
    assert response.status_code == 403 and "125" in response.get_json()["error"]["message"]
    for bad in ({"value": 2}, {"value": "1"}, {"value": True}, {}, {"value": None}):
        assert client.put(f"/api/v1/questions/{q.id}/vote", json=bad, headers=newcomer).status_code == 422, bad
    assert client.put(f"/api/v1/questions/{q.id}/vote", data="x", headers={**newcomer,
                      "Content-Type": "application/json"}).status_code == 400
    assert client.put(f"/api/v1/questions/{q.id}/vote", json={"value": 1}).status_code == 401
    assert client.put("/api/v1/questions/424242/vote", json={"value": 1}, headers=newcomer).status_code == 404
    assert client.put("/api/v1/answers/424242/vote", json={"value": 1}, headers=newcomer).status_code == 404


def test_accept_calls(client, create_user, create_question, create_answer, token_for):
    asker = create_user()
    q = create_question(asker)
    a = create_answer(q)
    assert client.post(f"/api/v1/answers/{a.id}/accept", headers=token_for(a.author)).status_code == 403
    response = client.post(f"/api/v1/answers/{a.id}/accept", headers=token_for(asker))
    assert response.status_code == 200 and response.get_json()["is_accepted"] is True
    detail = client.get(f"/api/v1/questions/{q.id}").get_json()
    assert detail["accepted_answer_id"] == a.id and detail["answers"][0]["is_accepted"] is True
    assert client.get("/api/v1/questions?sort=unsolved").get_json()["total"] == 0
    assert client.delete(f"/api/v1/answers/{a.id}/accept", headers=token_for(asker)).status_code == 204
    assert client.get(f"/api/v1/questions/{q.id}").get_json()["accepted_answer_id"] is None
    assert client.post("/api/v1/answers/999999/accept", headers=token_for(asker)).status_code == 404
    assert client.post(f"/api/v1/answers/{a.id}/accept").status_code == 401


def test_answers_are_ordered_accepted_then_score(client, create_user, create_question, create_answer, token_for,
                                                  vote):
    asker = create_user()
    q = create_question(asker)
    low, high, accepted = create_answer(q), create_answer(q), create_answer(q)
    vote(high)
    client.post(f"/api/v1/answers/{accepted.id}/accept", headers=token_for(asker))
    ids = [a["id"] for a in client.get(f"/api/v1/questions/{q.id}").get_json()["answers"]]
    assert ids == [accepted.id, high.id, low.id]
    votes = client.get("/api/v1/questions?sort=votes").get_json()
    assert votes["items"][0]["id"] == q.id
