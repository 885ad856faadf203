import re

from forum.auth import services
from forum.extensions import db
from tests.fixtures.auth import PASSWORD


def test_register_signs_in_and_redirects(client):
    response = client.post("/register", data={"username": "王小二", "email": "w2@example.com",
                                               "password": "long-enough-1"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "王小二" in page


def test_register_errors_are_shown_beside_fields_and_input_is_kept(client):
    response = client.post("/register", data={"username": "王小二 有空格", "email": "nope", "password": "short"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="王小二 有空格"' in page and 'value="nope"' in page
    assert "Enter a valid e-mail address." in page
    assert "A password has at least 8 characters." in page
    assert page.count('class="field-errors"') == 3


def test_login_wrong_and_unknown_answer_alike(client, create_user):
    create_user("zhao", password=PASSWORD)
    wrong = client.post("/login", data={"login": "zhao", "password": "wrong-one-1"})
    unknown = client.post("/login", data={"login": "nobody", "password": "wrong-one-1"})
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda r: re.sub(r'(value|content)="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong).replace("zhao", "") == strip(unknown).replace("nobody", "")


def test_login_logout_and_safe_next(client, create_user):
    create_user("qian")
    response = client.post("/login?next=https://evil.example/x", data={"login": "qian", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/ask").status_code == 302  # signed out again
    response = client.post("/login?next=/ask", data={"login": "QIAN", "password": PASSWORD})
    assert response.headers["Location"] == "/ask"


def test_old_session_cookie_stops_working_when_version_changes(client, create_user):
    user = create_user()
    client.post("/login", data={"login": user.username, "password": PASSWORD})
    assert client.get("/ask").status_code == 200
    db.session.refresh(user)
    user.session_version += 1
    db.session.commit()
    assert client.get("/ask").status_code == 302


def test_forms_require_csrf_token(app, client, create_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"login": "x", "password": "y"}, headers={"Accept-Language": "en"})
        assert response.status_code == 400
        assert "Reload the page and try again." in response.get_data(as_text=True)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"login": "x", "password": "y", "csrf_token": token})
        assert response.status_code == 401
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_language_follows_member_then_cookie_then_browser_then_chinese(client, create_user):
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)
    assert "全部问题" in client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in english and "All questions" in english
    client.post("/language", data={"locale": "en"})
    assert "All questions" in client.get("/").get_data(as_text=True)
    user = create_user(locale="zh_CN")
    client.post("/login", data={"login": user.username, "password": PASSWORD})
    assert "全部问题" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_settings_page(client, create_user, login):
    user = create_user()
    login(user)
    response = client.post("/settings", data={"locale": "en", "about": "我负责处理退款问题"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.locale == "en" and user.about == "我负责处理退款问题"
    response = client.post("/settings", data={"locale": "en", "about": "x" * 1001})
    assert response.status_code == 422


def test_profile_page_lists_questions_and_answers(client, create_user, create_question, create_answer):
    user = create_user("小红")
    q = create_question(user, title="小红问的一个关于退款的问题")
    other = create_question(title="别人问的一个关于发票的问题")
    create_answer(other, user, body="小红的回答：在订单详情里申请电子发票即可。")
    page = client.get("/users/小红").get_data(as_text=True)
    assert q.title in page
    page = client.get("/users/小红?tab=answers").get_data(as_text=True)
    assert other.title in page
    assert client.get("/users/nobody-here").status_code == 404
    assert services.get_user_by_name("小红").question_count == 1
