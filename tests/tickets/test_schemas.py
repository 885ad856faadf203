"""The commands of official support (EscalateQuestion, AddMessage, UpdateTicket, PublishResolution,
RateTicket): one schema each, for the service, the forms and the API."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

import forum.core.validation as validation
from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.tickets import services
from forum.tickets.forms import EscalateForm, MessageForm, RatingForm, StaffUpdateForm
from forum.tickets.models import Priority, Status, TicketMessage
from forum.tickets.schemas import AddMessage, EscalateQuestion, PublishResolution, RateTicket, UpdateTicket

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


def test_a_ticket_update_changes_only_what_it_names():
    command = UpdateTicket.parse({})
    assert (command.status, command.priority, command.tier, command.reason) == (None, None, None, "")
    assert "assignee" not in command.model_fields_set  # left out: the assignee stays
    command = UpdateTicket.parse({"status": "pending", "priority": "high", "tier": 2, "assignee": "", "reason": " 二线 "})
    assert (command.status, command.priority, command.tier, command.assignee, command.reason) == (
        Status.PENDING, Priority.HIGH, 2, None, "二线")
    assert "assignee" in command.model_fields_set  # "" or null: nobody
    # The staff form sends text: its tier is read as a number.
    assert UpdateTicket.parse({"tier": "3", "csrf_token": "t"}).tier == 3


def test_a_ticket_update_in_the_services_words():
    assert fields_of(UpdateTicket, status="nope", priority="", tier=7, assignee=5, reason="x" * 501) == {
        "status": ["Unknown status."], "priority": ["Unknown priority."], "tier": ["Tier 1, 2 or 3."],
        "assignee": ["A staff member's username."], "reason": ["At most 500 characters."]}
    for tier in ("", "x", "4", True, 0, 1.5, 2.0, [2]):
        assert fields_of(UpdateTicket, tier=tier) == {"tier": ["Tier 1, 2 or 3."]}, tier


def test_what_only_the_ticket_and_the_staff_list_tell_is_reported_together(create_ticket, staff):
    ticket = create_ticket()
    with pytest.raises(ValidationFailed) as caught:
        services.update_ticket(staff, ticket.id, tier=2, assignee="nobody")
    assert caught.value.fields == {"reason": ["Say why the ticket moves to another tier."],
                                   "assignee": ["Assign the ticket to a staff member."]}
    updated = services.update_ticket(staff, ticket.id, tier=1, assignee=staff.username)  # the same tier: no reason
    assert (updated.tier, updated.assignee_id) == (1, staff.id)
    assert services.update_ticket(staff, ticket.id, status="open").assignee_id == staff.id  # left out: stays
    assert services.update_ticket(staff, ticket.id, assignee=None).assignee_id is None


def test_a_resolution_is_required_text():
    assert fields_of(PublishResolution, body=None) == {"body": ["This field is required."]}
    assert fields_of(PublishResolution, body="x" * 30_001) == {"body": ["At most 30000 characters."]}
    assert PublishResolution.parse({"body": " 已补单。 "}).body == "已补单。"


def test_a_rating_is_one_to_five_stars():
    for rating in (None, 0, 6, "6", "", True, 4.0, "four"):
        assert fields_of(RateTicket, rating=rating) == {"rating": ["Choose 1 to 5 stars."]}, rating
    assert fields_of(RateTicket) == {"rating": ["This field is required."]}
    assert fields_of(RateTicket, rating=5, comment="x" * 1001) == {"comment": ["At most 1000 characters."]}
    assert (RateTicket.parse({"rating": 5}).rating, RateTicket.parse({"rating": 5}).comment) == (5, "")
    assert RateTicket.parse({"rating": "4", "comment": " 很快 "}).model_dump() == {"rating": 4, "comment": "很快"}


def test_the_ticket_forms_keep_only_widgets_and_hand_over_the_commands_fields():
    for form, command in ((StaffUpdateForm, UpdateTicket), (RatingForm, RateTicket), (MessageForm, AddMessage)):
        fields = list(form(meta={"csrf": False}))
        assert all(not field.validators for field in fields), form
        assert {field.name for field in fields} <= set(command.model_fields), form


@pytest.mark.parametrize("method, path, name", [
    ("post", "/tickets/{ticket_id}/messages", "MessageIn"),
    ("patch", "/tickets/{ticket_id}", "TicketPatch"),
    ("post", "/tickets/{ticket_id}/publish", "PublishIn"),
    ("post", "/tickets/{ticket_id}/rating", "RatingIn"),
])
def test_every_ticket_body_keeps_its_published_name(client, method, path, name):
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["paths"][path][method]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
    assert doc["components"]["schemas"][name]["title"] == name


def test_the_published_ticket_shapes_stay(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    patch = schemas["TicketPatch"]
    assert "required" not in patch
    assert patch["properties"]["tier"] == {"title": "Tier", "anyOf": [{"type": "integer"}, {"type": "null"}],
                                           "enum": [1, 2, 3], "default": None}
    assert patch["properties"]["status"]["enum"] == ["new", "open", "pending", "solved", "closed"]
    assert patch["properties"]["assignee"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert schemas["RatingIn"]["properties"]["rating"] == {"title": "Rating", "type": "integer", "minimum": 1,
                                                           "maximum": 5}
    assert schemas["RatingIn"]["required"] == ["rating"]
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
