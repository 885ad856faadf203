"""MarkRead: one schema for reading notifications, for the service, the inbox's buttons and the API."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum.core.errors import NotFound, ValidationFailed
from forum.notifications import services
from forum.notifications.schemas import MarkRead


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.mark.parametrize("fields, message", [
    ({}, "Give ids or all: true."),
    ({"all": False}, "Give ids or all: true."),
    ({"ids": None, "all": None}, "Give ids or all: true."),
    ({"ids": "1"}, "Must be a list."),
    ({"ids": ["1"]}, "Must be a whole number."),
    ({"ids": [True]}, "Must be a whole number."),
    ({"ids": [1.5]}, "Must be a whole number."),
    ({"ids": [0]}, "A list of notification ids."),
    ({"ids": [2**63]}, "A list of notification ids."),
    ({"ids": list(range(1, 1002))}, "At most 1,000 ids at a time."),
])
def test_the_ids_are_checked_unless_all_are_read(fields, message):
    with pytest.raises(ValidationFailed) as caught:
        MarkRead.parse(fields)
    assert caught.value.fields == {"ids": [message]}


def test_all_reads_no_ids_and_a_wrong_all_is_the_only_complaint():
    assert MarkRead.parse({"all": True, "ids": [0]}).all is True  # as before: the ids are not read
    assert MarkRead.parse({"ids": [], "csrf_token": "x"}).ids == []
    with pytest.raises(ValidationFailed) as caught:
        MarkRead.parse({"all": "true"})
    assert caught.value.fields == {"all": ["Must be true or false."]}
    with pytest.raises(ValidationFailed) as caught:
        MarkRead.parse({"all": True, "ids": ["1"]})  # the JSON types are still the documented ones
    assert caught.value.fields == {"ids": ["Must be a whole number."]}


def test_mark_read_validates_with_its_command(create_user, create_question, create_answer):
    asker = create_user()
    create_answer(create_question(asker))
    assert services.unread_count(asker) == 1
    with pytest.raises(ValidationFailed) as caught:
        services.mark_read(asker, ids=[-1])
    assert caught.value.fields == {"ids": ["A list of notification ids."]}
    with pytest.raises(ValidationFailed):
        services.mark_read(asker)
    with pytest.raises(NotFound):
        services.mark_read(asker, ids=[999_999])
    assert services.unread_count(asker) == 1
    assert services.mark_read(asker, all=True) == 1 and services.unread_count(asker) == 0


def test_the_api_sends_the_command_under_its_published_name(client, create_user, create_question, create_answer,
                                                            token_for):
    asker = create_user()
    create_answer(create_question(asker))
    headers = {**token_for(asker), "Accept-Language": "en"}
    for body, fields in (({}, {"ids": ["Give ids or all: true."]}),
                         ({"ids": [1.5]}, {"ids": ["Must be a whole number."]}),
                         ({"ids": ["1"]}, {"ids": ["Must be a whole number."]}),
                         ({"all": 1}, {"all": ["Must be true or false."]}),
                         ({"ids": [0]}, {"ids": ["A list of notification ids."]})):
        response = client.post("/api/v1/notifications/read", json=body, headers=headers)
        assert response.status_code == 422 and response.get_json()["error"]["fields"] == fields, body
    assert client.post("/api/v1/notifications/read", json=[1], headers=headers).status_code == 400
    assert services.unread_count(asker) == 1
    response = client.post("/api/v1/notifications/read", json={"all": True, "ids": None}, headers=headers)
    assert response.status_code == 204
    assert services.unread_count(asker) == 0
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/notifications/read"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ReadIn"}
    assert set(document["components"]["schemas"]["ReadIn"]["properties"]) == {"ids", "all"}
