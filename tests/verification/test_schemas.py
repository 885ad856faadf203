"""VerifyAnswer and RemoveVerification: one schema per command, for the service, the staff's forms and the API."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.verification import services
from forum.verification.forms import RemoveForm, VerifyForm
from forum.verification.models import Verification
from forum.verification.schemas import RemoveVerification, VerifyAnswer

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


def _verifications() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Verification))


@pytest.mark.parametrize("command, field", [(VerifyAnswer, "note"), (RemoveVerification, "reason")])
def test_the_words_are_said_next_to_the_field(command, field):
    for value, message in (("x" * 501, "At most 500 characters."), (42, "Must be text."),
                           ("a\x01b", "Remove the control characters.")):
        with pytest.raises(ValidationFailed) as caught:
            command.parse({field: value})
        assert caught.value.fields == {field: [message]}
    assert getattr(command.parse({field: "  checked \n"}), field) == "checked"
    assert getattr(command.parse({}), field) == ""
    assert getattr(command.parse({field: None, "csrf_token": "t"}), field) == ""


def test_the_forms_keep_only_widgets():
    for form in (VerifyForm, RemoveForm):
        assert all(not field.validators for field in form(meta={"csrf": False})), form


def test_the_services_validate_with_the_commands(create_question, create_answer, staff):
    answer = create_answer(create_question())
    with pytest.raises(ValidationFailed) as caught:
        services.verify_answer(staff, answer.id, note="x" * 501)
    assert caught.value.fields == {"note": ["At most 500 characters."]} and _verifications() == 0
    verification = services.verify_answer(staff, answer.id, "  checked  ", csrf_token="ignored")
    assert verification.note == "checked"
    with pytest.raises(ValidationFailed) as caught:
        services.remove_verification(staff, answer.id, reason=7)
    assert caught.value.fields == {"reason": ["Must be text."]}
    assert services.active_verification(answer.id) is not None


def test_the_api_sends_the_commands_and_keeps_their_published_names(client, create_user, create_question,
                                                                    create_answer, token_for):
    answer = create_answer(create_question())
    headers = {**token_for(create_user(role="staff")), **EN}
    url = f"/api/v1/answers/{answer.id}/verification"
    for body, fields in (({"note": 5}, {"note": ["Must be text."]}),
                         ({"note": "x" * 501}, {"note": ["At most 500 characters."]})):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422 and response.get_json()["error"]["fields"] == fields
    assert client.post(url, json=[], headers=headers).status_code == 400
    assert _verifications() == 0
    response = client.post(url, json={"note": " ok ", "answer_id": 1, "by": "someone"}, headers=headers)
    assert response.status_code == 201 and response.get_json()["verification"]["note"] == "ok"
    response = client.delete(url, json={"reason": ["no"]}, headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"reason": ["Must be text."]}
    assert client.delete(url, headers=headers).status_code == 204  # no body: no reason
    document = client.get("/api/v1/openapi.json").get_json()
    operations = document["paths"]["/answers/{answer_id}/verification"]
    assert [operations[m]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            for m in ("post", "delete")] == ["VerifyIn", "UnverifyIn"]
    schemas = document["components"]["schemas"]
    assert set(schemas["VerifyIn"]["properties"]) == {"note"} and set(schemas["UnverifyIn"]["properties"]) == {"reason"}


def test_the_staff_form_hands_its_data_to_the_command(client, create_user, create_question, create_answer, login):
    answer = create_answer(create_question())
    login(create_user(role="staff"))
    client.post(f"/answers/{answer.id}/verify", data={"note": "x" * 501}, headers=EN)
    with client.session_transaction() as session:
        assert ("error", "At most 500 characters.") in [tuple(f) for f in session.get("_flashes", [])]
    assert _verifications() == 0
    client.post(f"/answers/{answer.id}/verify", data={"note": " checked "}, headers=EN)
    assert services.active_verification(answer.id).note == "checked"
