"""The commands of official support (EscalateQuestion, AddMessage, PublishResolution): one schema
each, for the service, the forms and the API."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

import forum.core.validation as validation
from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.tickets.forms import EscalateForm, MessageForm
from forum.tickets.models import TicketMessage
from forum.tickets.schemas import AddMessage, EscalateQuestion, PublishResolution

GOOD = {"category": "payments", "description": "扣款成功但订单显示未支付，请帮忙核实。"}


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def description_checks(monkeypatch):
    """How many times an escalation's description is checked."""
    calls = []
    real = validation.check_text

    def counting(value, field, *args, **kwargs):
        if field == "description":
            calls.append(value)
        return real(value, field, *args, **kwargs)

    monkeypatch.setattr(validation, "check_text", counting)
    return calls


def test_the_same_words_as_before(ctx):
    with pytest.raises(ValidationFailed) as caught:
        EscalateQuestion.parse({"category": "pets", "description": " short ", "order_number": "x" * 65,
                                "contact_channel": "pigeon", "contact": 5})
    assert caught.value.fields == {"category": ["Choose a category."], "description": ["At least 10 characters."],
                                   "order_number": ["At most 64 characters."],
                                   "contact_channel": ["Choose site message, e-mail or phone."],
                                   "contact": ["Must be text."]}
    with pytest.raises(ValidationFailed) as caught:
        EscalateQuestion.parse({**GOOD, "contact_channel": "phone", "contact": "  "})
    assert caught.value.fields == {"contact": ["Tell us the e-mail address or phone number to contact."]}
    with pytest.raises(ValidationFailed) as caught:
        EscalateQuestion.parse({"category": "payments"})
    assert caught.value.fields == {"description": ["This field is required."]}


def test_defaults_and_cleaning(ctx):
    command = EscalateQuestion.parse({**GOOD, "description": "  " + GOOD["description"] + "\n", "csrf_token": "t"})
    assert (command.description, command.order_number, command.contact_channel, command.contact) == (
        GOOD["description"], "", "site", "")


def test_the_form_keeps_only_widgets():
    for field in EscalateForm(meta={"csrf": False}):
        assert not field.validators, field.name
    assert {f.name for f in EscalateForm(meta={"csrf": False})} == set(EscalateQuestion.model_fields)


def test_the_api_documents_the_schema_the_service_validates(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["paths"]["/questions/{question_id}/escalations"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EscalationIn"}
    assert doc["components"]["schemas"]["EscalationIn"]["title"] == "EscalationIn"  # the published name stays


def test_the_description_is_checked_once_through_the_api(client, create_question, token_for, description_checks):
    question = create_question()
    response = client.post(f"/api/v1/questions/{question.id}/escalations", json=GOOD,
                           headers=token_for(question.author))
    assert response.status_code == 201, response.get_json()
    assert description_checks == [GOOD["description"]]


def test_the_description_is_checked_once_through_the_form(client, create_question, login, description_checks):
    question = create_question()
    login(question.author)
    response = client.post(f"/questions/{question.id}/escalate", data=GOOD)
    assert response.status_code == 302
    assert description_checks == [GOOD["description"]]


def fields_of(command, **fields) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        command.parse(fields)
    return caught.value.fields


def test_a_message_is_required_text_and_internal_is_a_yes_or_no():
    assert fields_of(AddMessage, body=None) == {"body": ["This field is required."]}
    assert fields_of(AddMessage, body="  ", internal="yes") == {"body": ["This field is required."],
                                                                "internal": ["Must be true or false."]}
    assert fields_of(AddMessage, body="x" * 10_001) == {"body": ["At most 10000 characters."]}
    assert fields_of(AddMessage, body="a\x1bb") == {"body": ["Remove the control characters."]}
    assert fields_of(AddMessage, body=["hi"]) == {"body": ["Must be text."]}
    command = AddMessage.parse({"body": "  您好  ", "internal": None})
    assert (command.body, command.internal) == ("您好", False)
    assert AddMessage.parse({"body": "内部", "internal": True}).internal is True


def test_a_resolution_is_required_text():
    assert fields_of(PublishResolution, body=None) == {"body": ["This field is required."]}
    assert fields_of(PublishResolution, body="x" * 30_001) == {"body": ["At most 30000 characters."]}
    assert PublishResolution.parse({"body": " 已补单。 "}).body == "已补单。"


def test_the_message_form_keeps_only_widgets_and_hands_over_the_commands_fields():
    fields = list(MessageForm(meta={"csrf": False}))
    assert all(not field.validators for field in fields)
    assert {field.name for field in fields} <= set(AddMessage.model_fields)


@pytest.mark.parametrize("method, path, name", [
    ("post", "/tickets/{ticket_id}/messages", "MessageIn"),
    ("post", "/tickets/{ticket_id}/publish", "PublishIn"),
])
def test_every_ticket_body_keeps_its_published_name(client, method, path, name):
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["paths"][path][method]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
    assert doc["components"]["schemas"][name]["title"] == name


def test_the_published_ticket_shapes_stay(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["MessageIn"]["required"] == ["body"]
    assert schemas["MessageIn"]["properties"]["internal"]["anyOf"] == [{"type": "boolean"}, {"type": "null"}]
    assert schemas["PublishIn"]["required"] == ["body"]


@pytest.fixture
def body_checks(monkeypatch):
    """How many times a ticket message's body is checked."""
    calls = []
    real = validation.check_text

    def counting(value, field, *args, **kwargs):
        if field == "body":
            calls.append(value)
        return real(value, field, *args, **kwargs)

    monkeypatch.setattr(validation, "check_text", counting)
    return calls


def test_a_message_is_checked_once_through_the_api_and_the_form(client, create_ticket, token_for, login,
                                                               body_checks):
    ticket = create_ticket()
    response = client.post(f"/api/v1/tickets/{ticket.id}/messages", json={"body": "补充说明"},
                           headers=token_for(ticket.requester))
    assert response.status_code == 201, response.get_json()
    assert body_checks == ["补充说明"]
    login(ticket.requester)
    assert client.post(f"/tickets/{ticket.id}/messages", data={"body": "再补充"}).status_code == 302
    assert body_checks == ["补充说明", "再补充"]
    bodies = db.session.scalars(sa.select(TicketMessage.body).where(TicketMessage.ticket_id == ticket.id)).all()
    assert sorted(bodies) == sorted(["补充说明", "再补充"])
