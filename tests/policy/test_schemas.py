"""WatchWord: the one schema of a watched word, for policy's service, the moderators' page and the API."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum.core.errors import ValidationFailed
from forum.policy import services
from forum.policy.guards import WatchedAction
from forum.policy.schemas import WatchWord


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


def fields_of(**fields) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        WatchWord.parse(fields)
    return caught.value.fields


def test_each_field_in_the_services_words():
    # The page sends None for a field left out: the service's words, not pydantic's.
    assert fields_of(pattern=None, action=None, is_regex="yes") == {
        "pattern": ["Send text."], "action": ["Choose block, hold or censor."], "is_regex": ["Send true or false."]}
    assert fields_of(pattern=["广告"], action="delete") == {"pattern": ["Send text."],
                                                          "action": ["Choose block, hold or censor."]}
    # An API body without them: required.
    assert fields_of() == {"pattern": ["This field is required."], "action": ["This field is required."]}


def test_the_pattern_is_judged_once_the_rest_is_valid_and_its_error_is_the_patterns():
    assert fields_of(pattern="[", action="block", is_regex=True) == {"pattern": [
        "This pattern cannot be used: Pattern '[' is not a valid regular expression: unterminated character set "
        "at position 0."]}
    assert list(fields_of(pattern="(a+)+", action="hold", is_regex=True)) == ["pattern"]
    assert fields_of(pattern="  ", action="censor") == {
        "pattern": ["This pattern cannot be used: A watched word must not be empty."]}
    assert list(fields_of(pattern="x" * 201, action="block")) == ["pattern"]
    # Without a valid action or is_regex there is no judging the pattern: no second complaint.
    assert fields_of(pattern="[", action="nope", is_regex=True) == {"action": ["Choose block, hold or censor."]}
    assert fields_of(pattern="[", action="block", is_regex=1) == {"is_regex": ["Send true or false."]}


def test_a_good_word_is_stripped_and_not_a_regex_unless_said():
    command = WatchWord.parse({"pattern": "  刷单  ", "action": "hold", "csrf_token": "x"})
    assert (command.pattern, command.action, command.is_regex) == ("刷单", WatchedAction.HOLD, False)
    # "[" is fine as a plain word: only a regular expression must compile.
    assert WatchWord.parse({"pattern": "[", "action": "censor"}).pattern == "["


def test_the_service_validates_with_it(moderator):
    with pytest.raises(ValidationFailed) as caught:
        services.add_watched_word(moderator, pattern="广告")
    assert caught.value.fields == {"action": ["This field is required."]}
    entry = services.add_watched_word(moderator, pattern=" 广告 ", action="block")
    assert (entry.pattern, entry.action, entry.is_regex) == ("广告", WatchedAction.BLOCK, False)


def test_the_api_documents_it_under_its_published_name(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["paths"]["/watched-words"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/WatchedWordIn"}
    schema = doc["components"]["schemas"]["WatchedWordIn"]
    assert schema["required"] == ["pattern", "action"]
    assert schema["properties"]["action"] == {"title": "Action", "type": "string", "enum": ["block", "hold", "censor"]}
    assert schema["properties"]["is_regex"] == {"title": "Is Regex", "type": "boolean", "default": False}
