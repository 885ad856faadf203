"""FlagPost: the one schema of a flag, for the service, the thread page and the API."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum.core.errors import ValidationFailed
from forum.moderation.models import FlagKind
from forum.moderation.schemas import FlagPost


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


def test_the_words_are_the_services():
    with pytest.raises(ValidationFailed) as caught:
        FlagPost.parse({"kind": "boring", "note": 5})
    assert caught.value.fields == {"kind": ["Choose why you flag this post."], "note": ["Send text."]}
    with pytest.raises(ValidationFailed) as caught:
        FlagPost.parse({"kind": "needs_moderator", "note": " short "})
    assert caught.value.fields == {"note": ["Tell the moderators what needs their attention (at least 10 characters)."]}
    with pytest.raises(ValidationFailed) as caught:
        FlagPost.parse({"kind": "rude", "note": "x" * 501})
    assert caught.value.fields == {"note": ["The note can have at most 500 characters."]}


def test_a_plain_flag_needs_no_note():
    command = FlagPost.parse({"kind": "spam"})
    assert (command.kind, command.note) == (FlagKind.SPAM, "")


def test_the_api_documents_it_under_its_published_name(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["paths"]["/answers/{post_id}/flags"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FlagIn"}
