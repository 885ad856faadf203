"""AskQuestion, PostAnswer, PostComment, EditQuestion, EditAnswer: one schema per command, for the service,
the pages and the API."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

import forum.core.validation as validation
import forum.questions.schemas as question_schemas
from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.questions import services
from forum.questions.forms import AnswerForm, CommentForm, QuestionForm
from forum.questions.models import Revision
from forum.questions.schemas import AskQuestion, EditAnswer, EditQuestion, PostAnswer, PostComment

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
        "title": ["The title is too short: at least 10 (Chinese characters count 2 each), now 5."], "body": ["The body must be text."],
        "tags": ["Add at least one tag."],
        "category": ["Choose a category (one of: account, orders, payments, complaints, other)."]}
    with pytest.raises(ValidationFailed) as caught:
        PostComment.parse({"body": "hi"})
    assert caught.value.fields == {"body": ["The comment is too short: at least 5 (Chinese characters count 2 each), now 2."]}
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
    assert {"QuestionIn", "AnswerIn", "CommentIn", "QuestionPatch", "AnswerPatch"} <= set(schemas)


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


# --- edits -----------------------------------------------------------------------------------------

def _revisions(question_id=None, answer_id=None) -> int:
    column = Revision.question_id if question_id is not None else Revision.answer_id
    return db.session.scalar(sa.select(sa.func.count()).select_from(Revision)
                             .where(column == (question_id if question_id is not None else answer_id)))


def test_an_edit_checks_what_it_sends_in_the_words_of_asking():
    with pytest.raises(ValidationFailed) as caught:
        EditQuestion.parse({"title": "short", "body": 5, "tags": [], "category": "pets", "summary": "x" * 301})
    assert caught.value.fields == {
        "title": ["The title is too short: at least 10 (Chinese characters count 2 each), now 5."], "body": ["The body must be text."],
        "tags": ["Add at least one tag."],
        "category": ["Choose a category (one of: account, orders, payments, complaints, other)."],
        "summary": ["At most 300 characters."]}
    with pytest.raises(ValidationFailed) as caught:
        EditQuestion.parse({"title": "", "summary": "a\x01b"})
    assert caught.value.fields == {"title": ["The title cannot be empty."],
                                   "summary": ["The edit summary contains control characters."]}
    with pytest.raises(ValidationFailed) as caught:
        EditAnswer.parse({"body": "short", "summary": 5, "private_data": "keep"})
    assert caught.value.fields == {"body": ["The answer is too short: at least 20 (Chinese characters count 2 each), now 5."],
                                   "summary": ["The edit summary must be text."],
                                   "private_data": ["Must be one of: 'remove'."]}


def test_an_edit_leaves_out_what_it_does_not_change_but_an_answer_edit_needs_its_body():
    command = EditQuestion.parse({"title": None, "csrf_token": "x"})
    assert (command.title, command.body, command.tags, command.category) == (None, None, None, None)
    assert command.summary == "" and command.private_data is None
    command = EditQuestion.parse({"tags": "付款，订单", "category": "orders", "summary": "  more  ", "private_data": ""})
    assert command.tags == ["付款", "订单"] and command.category.value == "orders" and command.summary == "more"
    with pytest.raises(ValidationFailed) as caught:
        EditAnswer.parse({"summary": "only a summary"})
    assert caught.value.fields == {"body": ["This field is required."]}
    with pytest.raises(ValidationFailed) as caught:
        EditAnswer.parse({"body": None})  # the page's form when the field was not sent
    assert caught.value.fields == {"body": ["The answer cannot be empty."]}


def test_edit_question_validates_with_its_command_and_keeps_what_is_left_out(create_user, create_question):
    author = create_user()
    question = create_question(author, tags=("订单", "物流"), category="orders")
    title, body = question.title, question.body
    with pytest.raises(ValidationFailed) as caught:
        services.edit_question(author, question.id, title="short", tags=["订单"])
    assert caught.value.fields == {"title": ["The title is too short: at least 10 (Chinese characters count 2 each), now 5."]}
    assert _revisions(question.id) == 1
    edited = services.edit_question(author, question.id, body=QUESTION["body"], title=None, summary=None)
    assert (edited.title, edited.body, edited.tag_names, edited.category.value) == (
        title, QUESTION["body"], ["物流", "订单"], "orders")
    assert _revisions(question.id) == 2 and body != QUESTION["body"]


def test_edit_answer_validates_with_its_command(create_user, create_question, create_answer):
    answer = create_answer(create_question())
    with pytest.raises(ValidationFailed) as caught:
        services.edit_answer(answer.author, answer.id, body="short", summary="x" * 301)
    assert caught.value.fields == {"body": ["The answer is too short: at least 20 (Chinese characters count 2 each), now 5."],
                                   "summary": ["At most 300 characters."]}
    edited = services.edit_answer(answer.author, answer.id, body=QUESTION["body"], summary=" typo ")
    assert edited.body == QUESTION["body"] and _revisions(answer_id=answer.id) == 2


def test_a_patch_keeps_the_published_json_types_and_what_it_leaves_out(client, create_user, create_question,
                                                                        create_answer, token_for):
    author = create_user()
    question = create_question(author, tags=("订单",), category="orders")
    answer = create_answer(question, author)
    headers = {**token_for(author), "Accept-Language": "en"}
    url = f"/api/v1/questions/{question.id}"
    for body, field, message in (({"title": 5}, "title", "Must be text."),
                                 ({"tags": "订单"}, "tags", "Must be a list."),
                                 ({"tags": [1]}, "tags", "Must be text."),  # an item of the wrong JSON type
                                 ({"category": 3}, "category", "Must be text."),
                                 ({"summary": 5}, "summary", "Must be text."),
                                 ({"title": "short"}, "title",
                                  "The title is too short: at least 10 (Chinese characters count 2 each), now 5.")):
        response = client.patch(url, json=body, headers=headers)
        assert response.status_code == 422 and response.get_json()["error"]["fields"] == {field: [message]}, body
    response = client.patch(f"/api/v1/answers/{answer.id}", json={"body": None}, headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"body": ["Must be text."]}
    response = client.patch(f"/api/v1/answers/{answer.id}", json={"summary": "x"}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"body": ["This field is required."]}
    assert client.patch(url, json=["title"], headers=headers).status_code == 400
    assert _revisions(question.id) == 1 and _revisions(answer_id=answer.id) == 1
    response = client.patch(url, json={"category": "account", "title": None, "tags": None}, headers=headers)
    assert response.status_code == 200, response.get_json()
    edited = response.get_json()
    assert (edited["title"], edited["body"], edited["tags"], edited["category"]) == (
        question.title, question.body, ["订单"], "account")


def test_the_patch_bodies_are_the_commands_in_the_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    patches = {path: ops["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
               for path, ops in document["paths"].items()
               if "patch" in ops and path.startswith(("/questions", "/answers"))}
    assert patches == {"/questions/{question_id}": "#/components/schemas/QuestionPatch",
                       "/answers/{answer_id}": "#/components/schemas/AnswerPatch"}
    schemas = document["components"]["schemas"]
    assert set(schemas["QuestionPatch"]["properties"]) == {"title", "body", "tags", "category", "summary",
                                                          "private_data"}
    assert "required" not in schemas["QuestionPatch"]  # PATCH: whatever is left out stays
    assert set(schemas["AnswerPatch"]["properties"]) == {"body", "summary", "private_data"}
    assert schemas["AnswerPatch"]["required"] == ["body"]


def test_each_text_of_an_edit_is_checked_once_per_request(client, create_user, create_question, create_answer,
                                                          token_for, login, text_checks):
    author = create_user()
    question = create_question(author)
    answer = create_answer(question, author)
    text_checks.clear()
    response = client.patch(f"/api/v1/questions/{question.id}", json={"title": QUESTION["title"]},
                            headers=token_for(author))
    assert response.status_code == 200, response.get_json()
    assert text_checks == ["title"]
    text_checks.clear()
    login(author)
    response = client.post(f"/answers/{answer.id}/edit", data={"body": QUESTION["body"], "summary": ""})
    assert response.status_code == 302
    assert text_checks == ["body"]


def test_the_edit_page_hands_its_form_to_the_command(client, create_user, create_question, login):
    author = create_user()
    question = create_question(author)
    login(author)
    response = client.post(f"/questions/{question.id}/edit", data={"title": "short", "body": question.body,
                                                                  "tags": "订单", "category": "orders"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "The title is too short: at least 10 (Chinese characters count 2 each), now 5." in response.get_data(as_text=True)
    response = client.post(f"/questions/{question.id}/edit", data={"title": QUESTION["title"]})  # the rest left out
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.title == QUESTION["title"] and question.tag_names == ["订单"] and _revisions(question.id) == 2
