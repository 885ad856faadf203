"""The moderators' commands (FlagPost, ResolveReview, CloseQuestion, ModeratorNote, SuspendMember,
RedactRevision): one schema each, for the service, the pages and the API, in the services' words."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from forum.core.db import utcnow
from forum.core.errors import ValidationFailed
from forum.moderation import services
from forum.moderation.models import FlagKind
from forum.moderation.schemas import (
    CloseQuestion,
    FlagPost,
    ModeratorNote,
    RedactRevision,
    ResolveReview,
    SuspendMember,
)
from forum.extensions import db
from forum.questions.models import CloseReason, Question


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


def fields_of(command, **fields) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        command.parse(fields)
    return caught.value.fields


# --- the review queue ----------------------------------------------------------------------------

def test_a_decision_is_approve_or_delete_with_an_optional_reason():
    # The queue's buttons send None when nothing is chosen: the service's words; an API body without
    # the action: required, as the document says.
    assert fields_of(ResolveReview, action=None) == {"action": ["Choose approve or delete."]}
    assert fields_of(ResolveReview, action="ban", reason="x" * 501) == {
        "action": ["Choose approve or delete."], "reason": ["The reason can have at most 500 characters."]}
    assert fields_of(ResolveReview, action=["approve"]) == {"action": ["Choose approve or delete."]}
    assert fields_of(ResolveReview) == {"action": ["This field is required."]}
    assert fields_of(ResolveReview, action="delete", reason=5) == {"reason": ["Send text."]}
    assert fields_of(ResolveReview, action="delete", reason="a\x07") == {
        "reason": ["The reason contains control characters."]}
    command = ResolveReview.parse({"action": "delete", "reason": "  spam  "})
    assert (command.action, command.reason) == ("delete", "spam")
    assert ResolveReview.parse({"action": "approve"}).reason == ""


# --- closing and notes ---------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    (12, 12), ("12", 12), (" #12 ", 12), ("http://127.0.0.1:5000/questions/12", 12),
    ("https://forum.example/questions/12/some-slug?tab=votes#a-3", 12),
])
def test_a_duplicate_names_its_question_by_number_or_link(given, expected):
    command = CloseQuestion.parse({"reason": "duplicate", "duplicate_of": given})
    assert (command.reason, command.duplicate_of, command.note) == (CloseReason.DUPLICATE, expected, "")


@pytest.mark.parametrize("given", [None, "", "abc", True, 0, -3, 1.5, "1" * 19, "http://127.0.0.1:5000/tags/12",
                                   "http://127.0.0.1:5000/", ["12"]])
def test_a_duplicate_without_a_question_is_refused(given):
    assert fields_of(CloseQuestion, reason="duplicate", duplicate_of=given) == {
        "duplicate_of": ["Give the number or the link of the question this one duplicates."]}


def test_only_a_duplicate_looks_at_duplicate_of():
    command = CloseQuestion.parse({"reason": "off_topic", "duplicate_of": "abc", "note": " 广告 "})
    assert (command.reason, command.duplicate_of, command.note) == (CloseReason.OFF_TOPIC, None, "广告")
    # A reason that failed its own check: one complaint, not a second about the duplicate.
    assert fields_of(CloseQuestion, reason="bored", duplicate_of="abc", note="x" * 501) == {
        "reason": ["Choose why the question is closed."], "note": ["The note can have at most 500 characters."]}
    assert fields_of(CloseQuestion, reason=None) == {"reason": ["Choose why the question is closed."]}
    assert fields_of(CloseQuestion) == {"reason": ["This field is required."]}


def test_a_moderators_note_is_optional_brief_text():
    assert ModeratorNote.parse({}).note == ""
    assert ModeratorNote.parse({"note": None}).note == ""
    assert ModeratorNote.parse({"note": " 已处理 "}).note == "已处理"
    assert fields_of(ModeratorNote, note=5) == {"note": ["Send text."]}
    assert fields_of(ModeratorNote, note="x" * 501) == {"note": ["The note can have at most 500 characters."]}
    assert fields_of(ModeratorNote, note="a\x00b") == {"note": ["The note contains control characters."]}


def test_close_checks_the_duplicates_question_in_the_database(create_question, moderator):
    question, other = create_question(), create_question()
    with pytest.raises(ValidationFailed) as caught:
        services.close_question(moderator, question.id, reason="duplicate", duplicate_of=question.id)
    assert caught.value.fields == {"duplicate_of": ["A question cannot duplicate itself."]}
    with pytest.raises(ValidationFailed) as caught:
        services.close_question(moderator, question.id, reason="duplicate", duplicate_of=other.id + 1000)
    assert caught.value.fields == {"duplicate_of": ["Give the number or the link of the question this one duplicates."]}
    closed = services.close_question(moderator, question.id, reason="duplicate",
                                     duplicate_of=f"http://127.0.0.1:5000/questions/{other.id}")
    assert closed.duplicate_of_id == other.id and closed.closed_reason is CloseReason.DUPLICATE


# --- suspensions ---------------------------------------------------------------------------------

def test_a_suspension_needs_a_reason_and_an_end_in_the_future():
    soon = (utcnow() + timedelta(days=3)).date().isoformat()
    assert fields_of(SuspendMember, reason=None, until=None) == {
        "reason": ["The reason needs at least 5 characters."], "until": ["Give the date the suspension ends."]}
    assert fields_of(SuspendMember) == {"reason": ["This field is required."], "until": ["This field is required."]}
    assert fields_of(SuspendMember, reason="abc", until="明天") == {
        "reason": ["The reason needs at least 5 characters."], "until": ["Give the end as a date, like 2026-12-31."]}
    assert fields_of(SuspendMember, reason="多次发广告", until="2020-01-01") == {
        "until": ["The end of a suspension must be in the future."]}
    far = (utcnow() + timedelta(days=3652)).date().isoformat()
    assert fields_of(SuspendMember, reason="多次发广告", until=far) == {"until": ["A suspension lasts at most 3650 days."]}
    assert fields_of(SuspendMember, reason="x" * 501, until=soon) == {
        "reason": ["The reason can have at most 500 characters."]}
    assert fields_of(SuspendMember, reason="多次发广告", until=20301231) == {"until": ["Give the date the suspension ends."]}


def test_a_date_ends_at_the_end_of_that_day_where_the_forum_is(app):
    day = (utcnow() + timedelta(days=3)).date()
    command = SuspendMember.parse({"reason": " 多次发广告 ", "until": day.isoformat()})
    assert command.reason == "多次发广告"
    # Beijing time (the default zone): 23:59:59 there is 15:59:59 UTC.
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert command.until == datetime(day.year, day.month, day.day, 15, 59, 59, tzinfo=UTC)
    # A time without an offset is UTC; one with an offset is converted.
    at = (utcnow() + timedelta(days=3)).replace(microsecond=0, tzinfo=None)
    assert SuspendMember.parse({"reason": "多次发广告", "until": at.isoformat()}).until == at.replace(tzinfo=UTC)
    assert SuspendMember.parse({"reason": "多次发广告", "until": at.isoformat() + "+08:00"}).until == (
        at.replace(tzinfo=UTC) - timedelta(hours=8))


# --- redaction -----------------------------------------------------------------------------------

def test_a_redactions_reason_is_public_so_it_holds_no_private_details():
    assert fields_of(RedactRevision, reason=None) == {"reason": ["The reason needs at least 1 characters."]}
    assert fields_of(RedactRevision) == {"reason": ["This field is required."]}
    assert fields_of(RedactRevision, reason="x" * 301) == {"reason": ["The reason can have at most 300 characters."]}
    assert fields_of(RedactRevision, reason="显示了手机号 13912345678") == {
        "reason": ["The reason is shown on the public history: leave the private details out of it."]}
    assert RedactRevision.parse({"reason": " 显示了手机号 "}).reason == "显示了手机号"


# --- the API documents each command under the name it was published with ---------------------------

@pytest.mark.parametrize("method, path, name", [
    ("post", "/review/{item_id}", "ReviewDecisionIn"),
    ("post", "/questions/{question_id}/close", "CloseIn"),
    ("post", "/questions/{question_id}/reopen", "NoteIn"),
    ("put", "/questions/{question_id}/lock", "NoteIn"),
    ("post", "/answers/{post_id}/undelete", "NoteIn"),
    ("put", "/users/{username}/suspension", "SuspensionIn"),
    ("post", "/questions/{post_id}/revisions/{number}/redact", "RedactIn"),
])
def test_every_moderation_body_keeps_its_published_name(client, method, path, name):
    doc = client.get("/api/v1/openapi.json").get_json()
    body = doc["paths"][path][method]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
    assert doc["components"]["schemas"][name]["title"] == name


def test_the_published_shapes_stay(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    close = schemas["CloseIn"]
    assert close["required"] == ["reason"]
    assert close["properties"]["reason"] == {"title": "Reason", "type": "string",
                                             "enum": ["duplicate", "off_topic", "needs_details"]}
    assert close["properties"]["duplicate_of"]["anyOf"] == [{"type": "integer"}, {"type": "string"}, {"type": "null"}]
    assert close["properties"]["duplicate_of"]["default"] is None
    assert schemas["ReviewDecisionIn"]["properties"]["action"] == {"title": "Action", "type": "string",
                                                                   "enum": ["approve", "delete"]}
    assert schemas["SuspensionIn"]["required"] == ["reason", "until"]
    assert schemas["SuspensionIn"]["properties"]["until"]["type"] == "string"
    assert schemas["NoteIn"]["properties"]["note"]["anyOf"] == [{"type": "string"}, {"type": "null"}]


@pytest.fixture
def note_checks(monkeypatch):
    """How many times a moderator's note is checked."""
    import forum.core.validation as validation

    calls = []
    real = validation.check_text

    def counting(value, field, *args, **kwargs):
        if field == "note":
            calls.append(value)
        return real(value, field, *args, **kwargs)

    monkeypatch.setattr(validation, "check_text", counting)
    return calls


def test_a_note_is_checked_once_through_the_api_and_the_page(client, create_question, moderator, token_for, login,
                                                            note_checks):
    question = create_question()
    response = client.post(f"/api/v1/questions/{question.id}/close", json={"reason": "off_topic", "note": "离题"},
                           headers=token_for(moderator))
    assert response.status_code == 200, response.get_json()
    assert note_checks == ["离题"]
    login(moderator)
    assert client.post(f"/questions/{question.id}/reopen", data={"note": "重新打开"}).status_code == 302
    assert note_checks == ["离题", "重新打开"]
    assert not db.session.get(Question, question.id).is_closed
