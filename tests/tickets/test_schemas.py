"""EscalateQuestion: the one schema of an escalation, for the service, the form and the API."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

import forum.core.validation as validation
from forum.core.errors import ValidationFailed
from forum.tickets.forms import EscalateForm
from forum.tickets.schemas import EscalateQuestion

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
