"""CastVote: the one schema of a vote, for the service and the API."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum.core.errors import ValidationFailed
from forum.votes.schemas import CastVote


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.mark.parametrize("value", [2, -2, True, "1", None, 1.0])
def test_a_vote_is_1_minus_1_or_0(ctx, value):
    with pytest.raises(ValidationFailed) as caught:
        CastVote.parse({"value": value, "question_id": 1})
    assert caught.value.fields == {"value": ["A vote is 1, -1 or 0."]}


def test_the_api_body_shows_only_the_value(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["paths"]["/questions/{question_id}/vote"]["put"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/VoteIn"}
    assert set(doc["components"]["schemas"]["VoteIn"]["properties"]) == {"value"}
