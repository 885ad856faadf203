"""GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the routes and the pydantic
models that validate them."""
from __future__ import annotations

import re
from typing import Any

from flask import url_for
from pydantic import TypeAdapter

from forum.api import idempotency, schemas
from forum.api.common import OPERATIONS, route

_STATUS_TEXT = {400: "Malformed JSON", 401: "Not signed in", 403: "Not allowed", 404: "Absent or private",
                409: "Conflict", 413: "Too large", 415: "Not JSON", 422: "Invalid fields", 423: "Locked",
                429: "Rate limited", 503: "The database is unavailable or busy: try again after Retry-After"}
# Answers any operation may give, whatever it does: a request that cannot be read (NUL bytes, invalid
# UTF-8, malformed JSON), a body over FORUM_MAX_CONTENT_LENGTH, the API-wide rate limit, a database
# that is down or busy (503, never 500).
_EVERY_OPERATION = (400, 413, 429, 503)
# `route(body=MULTIPART_FILE)`: a multipart/form-data body with one field `file` (uploads);
# `route(response=BINARY)`: the answer is a file, not JSON.
MULTIPART_FILE = "multipart/form-data; file"
BINARY = "application/octet-stream"
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                                "schema": {"type": "integer", "minimum": 1}}}


def _possible_errors(op) -> list[int]:
    statuses = set(_EVERY_OPERATION) | set(op.errors)
    if op.auth != "none":
        statuses.add(401)  # a missing (when required), unknown or revoked token
    if op.body is not None:
        statuses |= {415, 422}
    if "<" in op.path:
        statuses.add(404)  # an id that does not exist, or is private to someone else
    if op.query:
        statuses.add(422)
    if op.idempotent:
        statuses |= {409, 422}  # the key's first request still running; the key reused for another request
    return sorted(statuses)


_IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER, "in": "header", "required": False,
    "description": "Any unique token (a UUID, say; 1 to 255 visible ASCII characters) to make a retry safe: "
                   "for 24 hours, the same key with the same path and body answers with the first response "
                   "(header `Idempotency-Replayed: true`) and creates nothing twice; the same key with another "
                   "body or path: 422 `idempotency_key_reused`; while the first request runs: 409 "
                   "`idempotency_key_in_flight` with `Retry-After`. Keys belong to the signed-in member.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": idempotency.KEY_PATTERN},
}


# Every GET answers with a validator (forum.api.common.conditional): send it back to be told "unchanged".
_IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False,
    "description": "The `ETag` of an earlier answer to the same call (with the same token): 304 with no body "
                   "while the answer would be the same, else the full 200.",
    "schema": {"type": "string"},
}
_VALIDATOR_HEADERS = {
    "ETag": {"description": "A weak validator of this answer's JSON (it differs between callers where the "
                            "answer does): send it as If-None-Match to skip an unchanged body",
             "schema": {"type": "string"}},
    "Cache-Control": {"description": "`no-cache` (`private, no-cache` with a token): keep the answer, "
                                     "and ask again (with If-None-Match) before using it",
                      "schema": {"type": "string"}},
}
_NOT_MODIFIED = {"description": "Not modified: the answer would be the one whose ETag was sent in "
                                "If-None-Match (no body)",
                 "headers": {"ETag": _VALIDATOR_HEADERS["ETag"]}}


def build_document(server_url: str) -> dict[str, Any]:
    components: dict[str, Any] = {}

    def schema_ref(annotation) -> dict:
        adapter = TypeAdapter(annotation)
        schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        if "title" in schema and "properties" in schema:
            name = schema["title"]
            components[name] = schema
            return {"$ref": f"#/components/schemas/{name}"}
        return schema

    paths: dict[str, Any] = {}
    error_ref = schema_ref(schemas.ErrorOut)
    for op in OPERATIONS:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.path)
        params = [
            {"name": name, "in": "path", "required": True,
             "schema": {"type": "integer" if f"<int:{name}>" in op.path else "string"}}
            for name in re.findall(r"<(?:\w+:)?(\w+)>", op.path)
        ]
        params += [{"name": name, "in": "query", "required": False, "description": text,
                    "schema": {"type": "string"}} for name, text in op.query.items()]
        if op.idempotent:
            params.append(_IDEMPOTENCY_KEY)
        conditional = op.method == "GET" and op.status == 200 and op.response is not None
        if conditional:
            params.append(_IF_NONE_MATCH)
        operation: dict[str, Any] = {"summary": op.summary, "operationId": f"{op.method.lower()}_{path}",
                                     "parameters": params, "responses": {}}
        if op.auth == "required":
            operation["security"] = [{"bearer": []}]
        elif op.auth == "optional":
            operation["security"] = [{"bearer": []}, {}]
        if op.body == MULTIPART_FILE:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}}
        elif op.body is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": schema_ref(op.body)}}}
        if op.response == BINARY:
            operation["responses"][str(op.status)] = {"description": "The file", "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
            if conditional:  # a stored file never changes: its ETag names it
                operation["responses"][str(op.status)]["headers"] = {"ETag": {
                    "description": "The file's validator (a stored file never changes): send it as If-None-Match "
                                   "to skip the body", "schema": {"type": "string"}}}
                operation["responses"]["304"] = {"description": "Not modified: the file whose ETag was sent in "
                                                                "If-None-Match (no body)"}
        elif op.response is None:
            operation["responses"][str(op.status)] = {"description": "Done"}
        else:
            response_schema = schema_ref(op.response)
            if getattr(op.response, "__origin__", None) is list:
                response_schema = {"type": "object", "required": ["items", "page", "per_page", "total"],
                                   "properties": {"items": response_schema, "page": {"type": "integer"},
                                                  "per_page": {"type": "integer"}, "total": {"type": "integer"}}}
            operation["responses"][str(op.status)] = {
                "description": "OK", "content": {"application/json": {"schema": response_schema}}}
            if conditional:
                operation["responses"][str(op.status)]["headers"] = _VALIDATOR_HEADERS
                operation["responses"]["304"] = _NOT_MODIFIED
        for status in _possible_errors(op):
            operation["responses"][str(status)] = {
                "description": _STATUS_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": error_ref}}}
            if status in (429, 503):
                operation["responses"][str(status)]["headers"] = _RETRY_AFTER
        operation["operationId"] = re.sub(r"[^a-zA-Z0-9_]+", "_", operation["operationId"]).strip("_")
        paths.setdefault(path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Community support forum API", "version": "1",
                 "description": "JSON in and out. Authenticate with `Authorization: Bearer <token>` "
                                "from POST /tokens. Errors: {\"error\": {\"code\", \"message\", \"fields\"}}."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@route("/openapi.json", "GET", summary="This document", response=schemas.OpenAPIOut)
def document():
    return build_document(url_for("api.openapi_document", _external=True).rsplit("/", 1)[0])
