import sqlalchemy as sa

from forum.extensions import db
from forum.questions.models import Question, Revision
from forum.votes.models import Vote


def test_ask_requires_sign_in(client):
    response = client.get("/ask")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_ask_and_see_question(client, create_user, login):
    login(create_user("提问者"))
    response = client.post("/ask", data={"title": "退款七天了还没有到账怎么办", "category": "payments",
                                         "body": "我在上周申请了退款，商家已经同意，但是到现在钱还没有到银行卡。",
                                         "tags": "退款 银行卡"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "退款七天了还没有到账怎么办" in page and "银行卡" in page and "提问者" in page


def test_ask_form_errors_keep_input(client, create_user, login):
    login(create_user())
    response = client.post("/ask", data={"title": "太短", "category": "nope", "body": "我的问题描述写在这里，足够长了吧？是的。",
                                         "tags": "a b c d e f"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="太短"' in page and "我的问题描述写在这里" in page and 'value="a b c d e f"' in page
    assert "too short: at least 10 (Chinese characters count 2 each), now 4" in page
    assert "At most 5 tags." in page and "Choose a category" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_answer_and_comment_through_pages(client, create_user, create_question, login):
    q = create_question()
    login(create_user("回答者"))
    response = client.post(f"/questions/{q.id}/answers", data={"body": "先在“我的订单”里看一下退款进度，再联系银行。"})
    assert response.status_code == 302
    response = client.post(f"/questions/{q.id}/comments", data={"body": "能说一下是哪家银行吗？"})
    assert response.status_code == 302
    page = client.get(f"/questions/{q.id}").get_data(as_text=True)
    assert "先在“我的订单”里看一下退款进度" in page and "能说一下是哪家银行吗" in page
    bad = client.post(f"/questions/{q.id}/answers", data={"body": "太短"}, headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "太短" in bad.get_data(as_text=True)


def test_edit_question_and_read_history_with_diff(client, create_user, create_question, login):
    author = create_user()
    q = create_question(author, body="我的订单无法修改收货地址，下单后页面一直提示错误。")
    login(author)
    page = client.get(f"/questions/{q.id}/edit").get_data(as_text=True)
    assert "我的订单无法修改收货地址" in page
    response = client.post(f"/questions/{q.id}/edit", data={
        "title": q.title, "category": "orders", "tags": "订单",
        "body": "我的订单可以修改收货地址吗？下单后页面一直提示错误。", "summary": "改写问题"})
    assert response.status_code == 302
    client.post("/logout")
    history = client.get(f"/questions/{q.id}/revisions").get_data(as_text=True)
    assert "<del>无法</del>" in history and "<ins>可以</ins>" in history and "改写问题" in history
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 2


def test_others_cannot_edit_without_privilege(client, create_user, create_question, login):
    q = create_question()
    login(create_user(reputation=10))
    assert client.get(f"/questions/{q.id}/edit").status_code == 403
    response = client.post(f"/questions/{q.id}/edit", data={"title": "被别人改掉的标题内容", "category": "orders",
                                                             "tags": "订单", "body": "x" * 30})
    assert response.status_code == 403


def test_delete_own_unanswered_question(client, create_user, create_question, login):
    author = create_user()
    q = create_question(author)
    login(author)
    assert client.post(f"/questions/{q.id}/delete").status_code == 302
    assert client.get(f"/questions/{q.id}").status_code == 404


def test_list_tabs_filters_and_pagination(client, create_question):
    for i in range(25):
        create_question(title=f"关于登录失败的问题编号{i:02d}", tags=["登录"], category="account")
    create_question(title="关于退款到账时间的问题", tags=["退款"], category="payments")
    page1 = client.get("/").get_data(as_text=True)
    assert page1.count('class="question-row"') == 20
    page2 = client.get("/?page=2").get_data(as_text=True)
    assert page2.count('class="question-row"') == 6
    assert client.get("/?category=payments").get_data(as_text=True).count('class="question-row"') == 1
    assert client.get("/tags/退款").get_data(as_text=True).count('class="question-row"') == 1
    assert client.get("/?tab=unanswered").status_code == 200
    assert client.get("/?tab=bogus&page=abc&per_page=-5").status_code == 200
    assert client.get("/?category=bogus").status_code == 404
    assert client.get("/tags/no-such-tag").status_code == 404


def test_list_page_query_count_is_fixed(client, create_user, create_question, count_queries):
    users = [create_user() for _ in range(5)]
    for i in range(50):
        create_question(users[i % 5], title=f"固定查询次数测试问题编号 {i:02d}", tags=[f"t{i % 7}", "订单"])
    with count_queries() as few:
        assert client.get("/?per_page=5").status_code == 200
    with count_queries() as many:
        assert client.get("/?per_page=50").get_data(as_text=True).count('class="question-row"') == 50
    assert many.count == few.count, many.statements
    assert many.count <= 8


def test_question_page_query_count_is_fixed(client, create_user, create_question, create_answer, count_queries):
    from forum.questions import services

    q = create_question()
    small = create_question()
    create_answer(small)
    for i in range(30):
        a = create_answer(q, body=f"第 {i} 个回答：请先检查订单状态，再联系客服处理。")
        services.post_comment(q.author, body=f"谢谢第 {i} 个回答", answer_id=a.id)
    small_url, big_url = f"/questions/{small.id}", f"/questions/{q.id}"
    with count_queries() as few:
        assert client.get(small_url).status_code == 200
    with count_queries() as many:
        page = client.get(big_url).get_data(as_text=True)
    assert page.count('class="post post-answer') == 30
    assert many.count == few.count, many.statements
    assert many.count <= 8, many.statements


def test_preview_renders_sanitized_markdown(client, create_user, login):
    login(create_user())
    response = client.post("/preview", data={"body": "**粗体** <script>alert(1)</script>"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>粗体</strong>" in html and "<script>" not in html


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts(client, create_question):
    q = create_question()
    for url in ("/", f"/questions/{q.id}", "/login", "/register"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "onclick=" not in page


def test_vote_rows_are_unique_per_member_and_post(ctx, create_user, create_question):
    import pytest
    from sqlalchemy.exc import IntegrityError

    q = create_question()
    voter = create_user()
    db.session.add(Vote(user_id=voter.id, question_id=q.id, value=1))
    db.session.commit()
    db.session.add(Vote(user_id=voter.id, question_id=q.id, value=1))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_failed_comment_keeps_text_and_shows_error(client, create_user, create_question, create_answer, login):
    q = create_question()
    a = create_answer(q)
    login(create_user())
    response = client.post(f"/answers/{a.id}/comments", data={"body": "太短"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert ">太短</textarea>" in page and "too short: at least 5 (Chinese characters count 2 each), now 4" in page
    response = client.post(f"/answers/{a.id}/comments", data={"body": "这条评论足够长了"})
    assert response.status_code == 302 and "#comment-" in response.headers["Location"]
