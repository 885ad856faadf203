"""The privacy guard's warnings in the forum (issue 14, finding 9): a post with an order number or
a street address is saved, and its author hears of it (the API's "warnings", the page's notice)
with a one-click removal that takes the passage out of the post and of its history."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.core.errors import NotFound, PermissionDenied
from forum.extensions import db
from forum.moderation import services
from forum.moderation.models import ModAction, ModerationLogEntry
from forum.questions import services as posts
from forum.questions.models import Comment, Question, Revision

API = "/api/v1"
ORDER = "202611251234567"
ORDER_LETTERS = "JD1234567890"
ADDRESS = "上海市浦东新区张江镇阳光小区3栋2单元501室"
QUESTION = {"title": "订单一直没有发货怎么办", "category": "orders", "tags": ["发货"],
            "body": f"下单一周了还没发货，订单号 {ORDER}，收货地址 {ADDRESS}，请帮忙看看。"}
PLAIN = {"title": "订单一直没有发货怎么办", "category": "orders", "tags": ["发货"],
         "body": "12月3号下单的订单，价格 ¥1299.00，客服电话 400-123-4567，到现在一直显示待发货。"}


def revision_texts(**where) -> str:
    column, value = next(iter(where.items()))
    return repr(db.session.execute(sa.text(f"SELECT title, body, summary FROM revisions WHERE {column} = :v"),
                                   {"v": value}).all())


# --- services --------------------------------------------------------------------------------------

def test_a_post_with_an_order_number_or_an_address_is_saved_with_warnings(create_user):
    author = create_user(reputation=50)
    question = posts.ask_question(author, **QUESTION)
    assert question.id and not question.is_held and ORDER in question.body  # saved as written
    assert [(w["field"], w["kind"]) for w in question.screening_warnings] == [("body", "order_number"),
                                                                              ("body", "address")]
    assert {w["masked"] for w in question.screening_warnings} == {"20*********4567",
                                                                  "上海市浦东新区张江镇阳光小区*栋*单元***室"}
    assert all(w["label"] for w in question.screening_warnings)
    assert posts.ask_question(author, **{**PLAIN, "title": "另一个订单一直没有发货"}).screening_warnings == []


def test_titles_summaries_answers_and_comments_are_warned_about(create_user, create_question):
    author = create_user(reputation=50)
    question = create_question(author)
    edited = posts.edit_question(author, question.id, title=f"订单 {ORDER_LETTERS} 没有发货",
                                 summary=f"补充地址 {ADDRESS}")
    assert {(w["field"], w["kind"]) for w in edited.screening_warnings} == {("title", "order_number"),
                                                                           ("summary", "address")}
    answer = posts.post_answer(author, question.id, body=f"我的也是，订单 {ORDER} 到现在还没有发货。")
    assert [w["kind"] for w in answer.screening_warnings] == ["order_number"]
    comment = posts.post_comment(author, question_id=question.id, body=f"寄到 {ADDRESS}")
    assert [w["kind"] for w in comment.screening_warnings] == ["address"]


def test_the_order_number_pattern_is_configurable(app, create_user, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_ORDER_NUMBER_PATTERN", r"ORD[0-9]{8}")
    author = create_user(reputation=50)
    question = posts.ask_question(author, **{**PLAIN, "body": f"订单 ORD12345678 和 {ORDER} 都没有发货，怎么办？"})
    assert [w["masked"] for w in question.screening_warnings] == ["OR*****5678"]


def test_an_unusable_pattern_stops_start_up(tmp_path):
    from forum import create_app

    with pytest.raises(RuntimeError, match="FORUM_ORDER_NUMBER_PATTERN"):
        create_app({"FORUM_ORDER_NUMBER_PATTERN": "(a+)+", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
                    "FORUM_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "TESTING": True})


def test_removal_cuts_the_passages_out_of_the_post_and_its_current_revision(create_user):
    author = create_user(reputation=50)
    question = posts.ask_question(author, **{**QUESTION, "title": f"订单 {ORDER_LETTERS} 一直没有发货"})
    assert ORDER in revision_texts(question_id=question.id)
    cleaned = services.remove_private_details(author, "question", question.id)
    assert cleaned.screening_warnings == []
    db.session.expire_all()
    live = db.session.get(Question, question.id)
    for text in (live.title, live.body, live.body_html, revision_texts(question_id=question.id)):
        assert ORDER not in text and ORDER_LETTERS not in text and "阳光小区" not in text
    assert "[已移除]" in live.body or "[removed]" in live.body
    assert live.revision_count == 1  # in place: no revision keeps the old text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1
    # Pressing the button again changes nothing.
    assert services.remove_private_details(author, "question", question.id).id == question.id


def test_removal_in_answers_summaries_and_comments(create_user, create_question):
    author = create_user(reputation=50)
    question = create_question(author)
    answer = posts.post_answer(author, question.id, body="我的订单也是一样，到现在还没有发货，等等看。")
    posts.edit_answer(author, answer.id, body="我的订单也是一样，到现在还没有发货，再等等看吧。",
                      summary=f"订单号 {ORDER}")
    services.remove_private_details(author, "answer", answer.id)
    assert ORDER not in revision_texts(answer_id=answer.id)
    comment = posts.post_comment(author, question_id=question.id, body=f"寄到 {ADDRESS}")
    services.remove_private_details(author, "comment", comment.id)
    db.session.expire_all()
    assert "阳光小区" not in db.session.get(Comment, comment.id).body
    assert "阳光小区" not in db.session.get(Comment, comment.id).body_html


def test_who_may_remove(create_user):
    author = create_user(reputation=50)
    question = posts.ask_question(author, **QUESTION)
    for stranger in (None, create_user(reputation=5000)):
        with pytest.raises(PermissionDenied):
            services.remove_private_details(stranger, "question", question.id)
    with pytest.raises(NotFound):
        services.remove_private_details(author, "question", 999_999)
    with pytest.raises(NotFound):
        services.remove_private_details(author, "ticket", question.id)
    assert ORDER in db.session.get(Question, question.id).body
    moderator = create_user(role="moderator")
    services.remove_private_details(moderator, "question", question.id)  # a moderator may, and it is logged
    assert ORDER not in db.session.get(Question, question.id).body
    entry = db.session.scalar(sa.select(ModerationLogEntry))
    assert entry.action is ModAction.REMOVE_PRIVATE and entry.question_id == question.id
    assert ORDER not in entry.reason


# --- the API ---------------------------------------------------------------------------------------

def test_api_answers_201_with_warnings(client, create_user, token_for):
    headers = token_for(create_user(reputation=50))
    response = client.post(f"{API}/questions", json=QUESTION, headers=headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert [(w["field"], w["kind"], w["masked"]) for w in data["warnings"]] == [
        ("body", "order_number", "20*********4567"), ("body", "address", "上海市浦东新区张江镇阳光小区*栋*单元***室")]
    assert all(set(w) == {"field", "kind", "label", "masked"} and w["label"] for w in data["warnings"])
    assert ORDER not in repr(data["warnings"])
    assert data["body"] == QUESTION["body"]  # saved as written
    # A plain post has none; reading has none.
    plain = client.post(f"{API}/questions", json={**PLAIN, "title": "价格和日期都不是隐私吧"}, headers=headers)
    assert plain.status_code == 201 and plain.get_json()["warnings"] == []
    assert "warnings" not in client.get(f"{API}/questions/{data['id']}").get_json()


def test_api_edits_answers_and_comments_carry_warnings(client, create_user, token_for, create_question):
    author = create_user(reputation=50)
    headers = token_for(author)
    question = create_question(author)
    response = client.patch(f"{API}/questions/{question.id}", json={"title": f"订单 {ORDER_LETTERS} 一直没有发货"},
                            headers=headers)
    assert response.status_code == 200 and [w["field"] for w in response.get_json()["warnings"]] == ["title"]
    response = client.post(f"{API}/questions/{question.id}/answers",
                           json={"body": f"我的也是，订单 {ORDER} 到现在还没有发货。"}, headers=headers)
    assert response.status_code == 201 and [w["kind"] for w in response.get_json()["warnings"]] == ["order_number"]
    answer_id = response.get_json()["id"]
    response = client.patch(f"{API}/answers/{answer_id}", json={"body": f"改一下：寄到 {ADDRESS} 的订单都没发货。"},
                            headers=headers)
    assert response.status_code == 200 and [w["kind"] for w in response.get_json()["warnings"]] == ["address"]
    for url in (f"{API}/questions/{question.id}/comments", f"{API}/answers/{answer_id}/comments"):
        response = client.post(url, json={"body": f"订单 {ORDER}"}, headers=headers)
        assert response.status_code == 201 and response.get_json()["warnings"][0]["kind"] == "order_number"


def test_api_refuses_phones_and_cards_rather_than_warning(client, create_user, token_for):
    response = client.post(f"{API}/questions", json={**QUESTION, "body": QUESTION["body"] + " 手机 13812345678"},
                           headers=token_for(create_user(reputation=50)))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "private_data"
    assert [f["kind"] for f in response.get_json()["error"]["findings"]] == ["mobile"]


@pytest.mark.search_index
def test_api_removal_and_search(client, create_user, token_for):
    author = create_user(reputation=50)
    headers = token_for(author)
    question_id = client.post(f"{API}/questions", json=QUESTION, headers=headers).get_json()["id"]
    hits = client.get(f"{API}/search", query_string={"q": ORDER}).get_json()["items"]
    assert [h["question_id"] for h in hits] == [question_id]
    other = token_for(create_user(reputation=5000))
    assert client.post(f"{API}/questions/{question_id}/private-details/remove", headers=other).status_code == 403
    response = client.post(f"{API}/questions/{question_id}/private-details/remove", headers=headers)
    assert response.status_code == 200 and response.get_json()["warnings"] == []
    for url in (f"{API}/questions/{question_id}", f"{API}/questions/{question_id}/revisions"):
        text = client.get(url).get_data(as_text=True)
        assert ORDER not in text and "阳光小区" not in text
    assert client.get(f"{API}/search", query_string={"q": ORDER}).get_json()["items"] == []
    assert client.post(f"{API}/questions/999999/private-details/remove", headers=headers).status_code == 404


def test_openapi_documents_the_warnings(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    warning = schemas["PrivacyWarning"]
    assert set(warning["required"]) == {"field", "kind", "label", "masked"}
    assert warning["properties"]["kind"]["enum"] == ["order_number", "address"]
    for name in ("QuestionOut", "AnswerOut", "CommentOut"):
        prop = schemas[name]["properties"]["warnings"]
        assert prop["items"]["$ref"].endswith("/PrivacyWarning") and "warnings" not in schemas[name].get("required", [])
    assert "/questions/{post_id}/private-details/remove" in doc["paths"]


# --- the pages -------------------------------------------------------------------------------------

def test_page_notice_with_a_one_click_removal(client, create_user, login):
    login(create_user(reputation=50))
    response = client.post("/ask", data={**QUESTION, "tags": "发货"})
    assert response.status_code == 302
    question = db.session.scalar(sa.select(Question))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "privacy-notice" in page and "20*********4567" in page and "上海市浦东新区张江镇阳光小区*栋*单元***室" in page
    action = f"/questions/{question.id}/private-details/remove"
    assert f'action="{action}"' in page and 'name="csrf_token"' in page
    response = client.post(action)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ORDER not in page and "阳光小区" not in page and "privacy-notice" not in page and "flash-success" in page
    history = client.get(f"/questions/{question.id}/revisions").get_data(as_text=True)
    assert ORDER not in history and "阳光小区" not in history


def test_page_notice_for_answers_edits_and_comments(client, create_user, login, create_question):
    author = create_user(reputation=50)
    question = create_question(author)
    login(author)
    response = client.post(f"/questions/{question.id}/answers", data={"body": f"我的也是，订单 {ORDER} 还没有发货。"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "privacy-notice" in page and "/answers/" in page and "/private-details/remove" in page
    response = client.post(f"/questions/{question.id}/comments", data={"body": f"寄到 {ADDRESS}"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "privacy-notice" in page and "/comments/" in page
    response = client.post(f"/questions/{question.id}/edit", data={
        "title": question.title, "body": question.body + "（补充）", "tags": "订单", "category": "orders",
        "summary": f"订单号 {ORDER_LETTERS}"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "privacy-notice" in page and "JD******7890" in page


def test_no_notice_for_ordinary_posts(client, create_user, login):
    login(create_user(reputation=50))
    response = client.post("/ask", data={**PLAIN, "tags": "发货"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "privacy-notice" not in page and "flash-success" in page


def test_removal_page_route_needs_the_author(client, create_user, login):
    author = create_user(reputation=50)
    question = posts.ask_question(author, **QUESTION)
    assert client.post(f"/questions/{question.id}/private-details/remove").status_code == 302  # to sign in
    login(create_user(reputation=5000))
    assert client.post(f"/questions/{question.id}/private-details/remove").status_code == 403
    assert client.post("/questions/999999/private-details/remove").status_code == 404
    assert ORDER in db.session.get(Question, question.id).body
