"""AskQuestion, PostAnswer, PostComment: one schema per command, for the service, the pages and the API."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

import forum.core.validation as validation
import forum.questions.schemas as question_schemas
from forum.core.errors import ValidationFailed
from forum.questions.forms import AnswerForm, CommentForm, QuestionForm
from forum.questions.schemas import AskQuestion, PostAnswer, PostComment

QUESTION = {"title": "付款成功了但是订单一直显示待支付", "body": "昨天用银行卡付款，扣款短信已经收到，但订单页面还是显示待支付。",
            "tags": ["付款", "订单"], "category": "payments"}


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def text_checks(monkeypatch):
    calls = []
    real = validation.check_text

    def counting(value, field, *args, **kwargs):
        calls.append(field)
        return real(value, field, *args, **kwargs)

    monkeypatch.setattr(validation, "check_text", counting)  # text_rule's (comments)
    monkeypatch.setattr(question_schemas, "check_text", counting)  # check_title's and check_body's
    return calls


def test_the_words_are_the_services():
    with pytest.raises(ValidationFailed) as caught:
        AskQuestion.parse({"title": "short", "body": 5, "tags": [], "category": "pets"})
    assert caught.value.fields == {
        "title": ["The title needs at least 10 characters (now 5)."], "body": ["The body must be text."],
        "tags": ["Add at least one tag."],
        "category": ["Choose a category (one of: account, orders, payments, complaints, other)."]}
    with pytest.raises(ValidationFailed) as caught:
        PostComment.parse({"body": "hi"})
    assert caught.value.fields == {"body": ["The comment needs at least 5 characters (now 2)."]}
    with pytest.raises(ValidationFailed) as caught:
        PostAnswer.parse({"body": QUESTION["body"] * 3, "private_data": "keep"})
    assert list(caught.value.fields) == ["private_data"]


def test_a_caller_may_send_tags_as_text_and_the_pages_keep_it_with_an_empty_private_choice():
    command = AskQuestion.parse({**QUESTION, "tags": "付款，订单 Refund", "private_data": "", "summary": "", "csrf_token": "x"})
    assert command.tags == ["付款", "订单", "refund"] and command.private_data is None


def test_the_forms_keep_only_widgets():
    for form in (QuestionForm, AnswerForm, CommentForm):
        assert all(not field.validators for field in form(meta={"csrf": False})), form


def test_a_json_client_sends_the_types_the_document_gives(client, create_user, token_for):
    response = client.post("/api/v1/questions", json={**QUESTION, "tags": "付款 订单"}, headers=token_for(create_user()))
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["tags"]


def test_the_published_names_stay(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"QuestionIn", "AnswerIn", "CommentIn"} <= set(schemas)


def test_each_text_is_checked_once_per_request(client, create_user, create_question, token_for, login, text_checks):
    author = create_user()
    response = client.post("/api/v1/questions", json=QUESTION, headers=token_for(author))
    assert response.status_code == 201, response.get_json()
    assert sorted(text_checks) == ["body", "title"]
    text_checks.clear()
    question = create_question()
    text_checks.clear()
    login(author)
    response = client.post(f"/questions/{question.id}/comments", data={"body": "请补充一下订单号的后四位？"})
    assert response.status_code == 302
    assert text_checks == ["body"]
