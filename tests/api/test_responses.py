"""What the API sends is what its OpenAPI document says: every JSON answer names a response model, and
the models are enforced on the way out (forum.api.common.dump), not only documented."""
from __future__ import annotations

import pytest

from forum.api.common import OPERATIONS, ResponseDrift, dump
from forum.api.schemas import AuthorOut, CommentOut
from forum.api.votes import VoteOut

API = "/api/v1"


def test_every_documented_success_names_a_response_schema(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    missing = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue  # 204 has no body to describe
                content = response.get("content", {})
                schema = content.get("application/json", {}).get("schema")
                # A file (a ticket's attachment) is described as binary, not as JSON.
                if content.get("application/octet-stream", {}).get("schema", {}).get("format") == "binary":
                    schema = content["application/octet-stream"]["schema"]
                if not schema:
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


def test_every_api_route_is_in_the_document(app):
    documented = {(op.path, op.method) for op in OPERATIONS}
    routed = {(rule.rule.removeprefix(API), method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_a_204_operation_documents_no_body_and_a_body_operation_no_204():
    for op in OPERATIONS:
        assert (op.status == 204) == (op.response is None), (op.method, op.path)


def test_a_response_missing_a_documented_field_fails_loudly():
    with pytest.raises(ResponseDrift):
        dump(VoteOut, {"score": 1})


def test_a_response_with_an_undocumented_key_fails_loudly():
    with pytest.raises(ResponseDrift):
        dump(VoteOut, {"score": 1, "my_vote": 0, "voter": "alice"})


def test_a_response_of_the_wrong_type_fails_loudly():
    with pytest.raises(ResponseDrift):
        dump(AuthorOut, {"id": 1, "username": "a", "role": "emperor", "reputation": 1})


def test_in_production_a_drifting_response_is_logged_and_sent(app, caplog):
    """The request's work is done by then: a 500 would tell the client it failed when it did not.
    Tests and debug mode raise (above); production logs an error and sends the data as built."""
    data = {"score": 1, "my_vote": 0, "voter": "alice"}
    testing = app.testing
    with app.app_context():
        app.testing = False
        try:
            assert dump(VoteOut, data) == data
        finally:
            app.testing = testing
    assert any("response does not match" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def test_optional_fields_left_out_stay_out_and_lists_are_checked_item_by_item():
    comment = {"id": 1, "question_id": 2, "answer_id": None, "body": "b", "body_html": "<p>b</p>",
               "author": {"id": 1, "username": "a", "role": "member", "reputation": 1},
               "created_at": "2026-12-02T08:00:00+08:00", "held": False, "held_reason": None}
    assert dump(CommentOut, comment) == comment  # no "warnings": [] added where none was sent
    page = {"items": [comment], "page": 1, "per_page": 20, "total": 1}
    assert dump(list[CommentOut], page) == page
    with pytest.raises(ResponseDrift):
        dump(list[CommentOut], {**page, "items": [{**comment, "body": None}]})


def test_the_document_does_not_forbid_keys_the_api_may_add_later(client):
    """The API may only grow (API.md): extras are refused when sending, not promised absent to clients."""
    doc = client.get(f"{API}/openapi.json").get_json()
    assert all("additionalProperties" not in schema for schema in doc["components"]["schemas"].values())
