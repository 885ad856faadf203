def test_verification_api(client, create_user, create_question, create_answer, token_for):
    q = create_question()
    a = create_answer(q)
    staff = token_for(create_user("support_api", role="staff"))
    response = client.post(f"/api/v1/answers/{a.id}/verification", json={"note": "checked"}, headers=staff)
    assert response.status_code == 201
    verification = response.get_json()["verification"]
    assert verification["by"] == "support_api" and verification["note"] == "checked"
    assert verification["stale"] is False and "+08:00" in verification["at"]
    detail = client.get(f"/api/v1/questions/{q.id}").get_json()
    assert detail["has_verified_answer"] is True and detail["answers"][0]["verification"]["by"] == "support_api"
    assert client.get("/api/v1/questions?has_verified_answer=1").get_json()["total"] == 1
    assert client.get("/api/v1/questions?has_verified_answer=0").get_json()["total"] == 0
    assert client.get("/api/v1/questions?has_verified_answer=maybe").status_code == 422
    client.patch(f"/api/v1/answers/{a.id}", json={"body": "edited after verification, now different"},
                 headers=token_for(a.author))
    assert client.get(f"/api/v1/answers/{a.id}").get_json()["verification"]["stale"] is True
    assert client.post(f"/api/v1/answers/{a.id}/verification", headers=staff).status_code == 201  # no body
    assert client.get(f"/api/v1/answers/{a.id}").get_json()["verification"]["stale"] is False
    assert client.delete(f"/api/v1/answers/{a.id}/verification", json={"reason": "outdated"},
                         headers=staff).status_code == 204
    assert client.get(f"/api/v1/answers/{a.id}").get_json()["verification"] is None
    assert client.delete(f"/api/v1/answers/{a.id}/verification", headers=staff).status_code == 404


def test_verification_api_permissions_and_bad_input(client, create_user, create_question, create_answer, token_for):
    a = create_answer(create_question())
    url = f"/api/v1/answers/{a.id}/verification"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=token_for(create_user(reputation=99_999))).status_code == 403
    assert client.post(url, json={}, headers=token_for(create_user(role="moderator"))).status_code == 403
    assert client.delete(url, headers=token_for(create_user())).status_code == 403
    staff = token_for(create_user(role="staff"))
    response = client.post(url, json={"note": "x" * 501}, headers=staff)
    assert response.status_code == 422 and "note" in response.get_json()["error"]["fields"]
    assert client.post(url, json={"note": 5}, headers=staff).status_code == 422
    assert client.post(url, data="{", headers={**staff, "Content-Type": "application/json"}).status_code == 400
    assert client.post("/api/v1/answers/999999/verification", json={}, headers=staff).status_code == 404
    client.delete(f"/api/v1/answers/{a.id}", headers=token_for(a.author))
    assert client.post(url, json={}, headers=staff).status_code == 404
