def test_register_then_token_then_me(client):
    response = client.post("/api/v1/users", json={"username": "陈小红", "email": "chen@example.com",
                                                   "password": "long-password"})
    assert response.status_code == 201
    user = response.get_json()
    assert user["username"] == "陈小红" and user["role"] == "member" and user["reputation"] == 1
    assert "email" not in user and "+08:00" in user["created_at"]
    response = client.post("/api/v1/tokens", json={"username": "陈小红", "password": "long-password"})
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["email"] == "chen@example.com"
    assert client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_wrong_credentials_are_401_alike(client, create_user):
    create_user("zhou")
    wrong = client.post("/api/v1/tokens", json={"username": "zhou", "password": "nope-nope"})
    unknown = client.post("/api/v1/tokens", json={"username": "ghost", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_register_validation_errors(client, create_user):
    create_user("taken")
    response = client.post("/api/v1/users", json={"username": "TAKEN", "email": "bad", "password": "x"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"username", "email", "password"}
    response = client.post("/api/v1/users", json={"username": 5, "email": ["x"]})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"username", "email", "password"}


def test_public_profile_hides_email_except_to_owner_and_staff(client, create_user, token_for):
    user = create_user("sun")
    assert "email" not in client.get("/api/v1/users/SUN").get_json()
    assert "email" in client.get("/api/v1/users/sun", headers=token_for(user)).get_json()
    assert "email" in client.get("/api/v1/users/sun", headers=token_for(create_user(role="staff"))).get_json()
    assert "email" not in client.get("/api/v1/users/sun", headers=token_for(create_user())).get_json()
    assert client.get("/api/v1/users/nobody").status_code == 404


def test_me_needs_a_token_and_ignores_cookies(client, create_user, login):
    user = create_user()
    login(user)  # a session cookie must not authenticate the API
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
