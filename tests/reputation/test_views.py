from forum.questions import services as questions


def test_vote_by_plain_form_and_by_script(client, create_user, create_question, create_answer, login):
    q = create_question()
    a = create_answer(q)
    login(create_user())
    response = client.post(f"/answers/{a.id}/vote", data={"value": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#answer-{a.id}")
    page = client.get(f"/questions/{q.id}").get_data(as_text=True)
    assert 'class="vote-button vote-up is-on"' in page
    response = client.post(f"/answers/{a.id}/vote", data={"value": "0"}, headers={"Accept": "application/json"})
    assert response.get_json() == {"score": 0, "my_vote": 0}
    response = client.post(f"/questions/{q.id}/vote", data={"value": "-1"},
                           headers={"Accept": "application/json", "Accept-Language": "en"})
    assert response.status_code == 403 and "125" in response.get_json()["error"]["message"]
    response = client.post(f"/questions/{q.id}/vote", data={"value": "abc"}, headers={"Accept": "application/json"})
    assert response.status_code == 422


def test_vote_on_own_post_is_explained(client, create_question, login):
    q = create_question()
    login(q.author)
    response = client.post(f"/questions/{q.id}/vote", data={"value": "1"}, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert "You cannot vote on your own post." in client.get(response.headers["Location"],
                                                             headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_anonymous_vote_asks_to_sign_in(client, create_question):
    q = create_question()
    response = client.post(f"/questions/{q.id}/vote", data={"value": "1"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/questions/{q.id}/vote", data={"value": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_accept_from_the_page(client, create_user, create_question, create_answer, login):
    asker = create_user()
    q = create_question(asker)
    a = create_answer(q)
    login(a.author)
    assert "Accept:" not in client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert client.post(f"/answers/{a.id}/accept").status_code == 403
    login(asker)
    page = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Accept: this solved my problem" in page
    assert client.post(f"/answers/{a.id}/accept").status_code == 302
    page = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Accepted by the asker" in page and "Withdraw acceptance" in page
    client.post(f"/answers/{a.id}/accept", data={"undo": "1"})
    assert "Accepted by the asker" not in client.get(f"/questions/{q.id}",
                                                     headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_profile_shows_chart_badges_and_flair(client, create_user, create_question, create_answer, vote):
    expert = create_user("老专家", reputation=1500)
    q = create_question()
    a = create_answer(q, expert)
    vote(a)
    questions.accept_answer(q.author, a.id)
    page = client.get("/users/老专家", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<svg class="rep-chart"' in page and "<polyline" in page
    assert "First answer" in page and "Problem solver" in page
    assert "Experienced member" in page
    thread = client.get(f"/questions/{q.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Experienced member" in thread
    create_user("新人")
    page = client.get("/users/新人", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No badges yet" in page and "Experienced member" not in page


def test_leaderboard_page(client, create_user, create_question, create_answer, vote):
    helper = create_user("热心人")
    a = create_answer(create_question(tags=["退款"]), helper)
    vote(a)
    page = client.get("/leaderboard").get_data(as_text=True)
    assert "热心人" in page and "+10" in page
    assert "热心人" in client.get("/leaderboard?period=all&tag=退款").get_data(as_text=True)
    assert "热心人" not in client.get("/leaderboard?period=month&tag=登录").get_data(as_text=True)
    assert client.get("/leaderboard?period=bogus&tag=" + "x" * 500).status_code == 200
