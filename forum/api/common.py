"""What every API module shares: bearer authentication, body parsing, pagination, route registry,
and the one way out: every JSON answer goes through the response model its route documents."""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, g, has_app_context, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from forum.api import bp, idempotency
from forum.auth import services as auth_services
from forum.auth.models import User
from forum.core import page_cache
from forum.core.errors import AuthenticationFailed, DomainError, ValidationFailed
from forum.core.pagination import clamp_page
from forum.core.validation import field_errors, message_for

log = logging.getLogger(__name__)


class MalformedRequest(DomainError):
    status = 400
    code = "malformed_json"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


# --- authentication ------------------------------------------------------------------------------

def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def api_user() -> User | None:
    """The token holder, or None. The API ignores cookies: it authenticates by bearer token only."""
    if "api_user_loaded" not in g:
        token = bearer_token()
        g.api_user = auth_services.user_for_token(token) if token else None
        g.api_user_loaded = True
        if token and g.api_user is None:
            raise AuthenticationFailed(_("The token is invalid, expired or revoked."), code="invalid_token")
    return g.api_user


def require_user() -> User:
    user = api_user()
    if user is None:
        raise AuthenticationFailed(_("Sign in first: send Authorization: Bearer <token>."))
    return user


# --- request bodies ------------------------------------------------------------------------------

def parse_body(model: type[BaseModel]) -> BaseModel:
    """The request's JSON body validated by `model`: 415 when it is sent as something else, 400 when
    it is not a JSON object, 422 per field."""
    data = json_object()
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def json_object(model: type[BaseModel] | None = None) -> dict[str, Any]:
    """The request's JSON body as a dict, for a service that validates it with its command schema
    (forum.core.validation.Command): 415 when it is sent as something else, 400 when it is not a
    JSON object or holds characters no database stores; with `model`, 422 for a field whose JSON
    type is not the one the document gives it (a Python caller may send tags as "a, b"; a JSON
    client sends the array it was promised). The rules themselves are the service's to check."""
    # A body labelled as a form or as text is not JSON, even when it parses as JSON: say so (a form
    # body was read as empty, and its 400 "not valid JSON" misled). No Content-Type at all is taken as JSON.
    mimetype = request.mimetype
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(_("Send JSON with Content-Type: application/json."))
    raw = request.get_data(cache=False)
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedRequest(_("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise MalformedRequest(_("The body must be a JSON object."))
    if not _clean_text(data):
        raise MalformedRequest(_("The body contains characters that are not allowed (NUL or unpaired surrogates)."),
                               code="bad_characters")
    if model is not None:
        _check_json_types(model, data)
    return data


_JSON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "number": (int, float),
                                            "boolean": (bool,), "array": (list,), "object": (dict,),
                                            "null": (type(None),)}
_TYPE_KIND = {"string": "string_type", "integer": "int_type", "number": "float_type", "boolean": "bool_type",
              "array": "list_type"}


@functools.cache
def _documented_types(model: type[BaseModel]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each property's JSON types as the OpenAPI document gives them, and its array items' (properties
    without a plain type: none; items without one: ())."""
    found = {}
    for name, schema in model.model_json_schema()["properties"].items():
        options = schema.get("anyOf", [schema])
        types = tuple(option["type"] for option in options if "type" in option)
        if len(types) == len(options):
            items = next((option.get("items", {}) for option in options if option["type"] == "array"), {})
            found[name] = (types, (items["type"],) if isinstance(items.get("type"), str) else ())
    return found


def _is_json_type(value: Any, types: tuple[str, ...]) -> bool:
    if isinstance(value, bool) and "boolean" not in types:
        return False  # true is an int in Python, never in the document
    return any(isinstance(value, _JSON_TYPES[t]) for t in types)


def _type_error(types: tuple[str, ...]) -> str:
    kind = next((t for t in types if t != "null"), "")
    return message_for({"type": _TYPE_KIND.get(kind, "")})


def _check_json_types(model: type[BaseModel], data: dict) -> None:
    """422 for a property, or an item of an array, whose JSON type is not the documented one (the
    strict parsing this replaced refused both: tags of [1] are 'Must be text.', ids of ["1"] 'Must
    be a whole number.')."""
    fields: dict[str, list[str]] = {}
    for name, (types, item_types) in _documented_types(model).items():
        if name not in data:
            continue
        value = data[name]
        if not _is_json_type(value, types):
            fields[name] = [_type_error(types)]
        elif item_types and isinstance(value, list) and not all(_is_json_type(v, item_types) for v in value):
            fields[name] = [_type_error(item_types)]
    if fields:
        raise ValidationFailed(fields)


def _clean_text(value, depth: int = 0) -> bool:
    """No NUL and no unpaired surrogates anywhere in the parsed body (the databases refuse them)."""
    if depth > 20:
        return False
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_clean_text(k, depth + 1) and _clean_text(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_clean_text(v, depth + 1) for v in value)
    return True


def page_args() -> tuple[int, int]:
    return clamp_page(request.args.get("page", 1), request.args.get("per_page", 20))


def listing(items: list[dict], page: int, per_page: int, total: int) -> dict:
    """One page of a list; the route's `response=list[ItemOut]` checks each item."""
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset of the configured time zone (Beijing time by default)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).isoformat()


# --- responses: what is sent is what the OpenAPI document says -----------------------------------

class ResponseDrift(RuntimeError):
    """A handler answered with data its documented response model does not describe: a bug to fix
    in the handler or in the model, never something to send to a client."""


@functools.cache
def page_model(item: type[BaseModel]) -> type[BaseModel]:
    """The list envelope around `item` (`{"items", "page", "per_page", "total"}`), as openapi.py documents it."""
    return create_model(f"{item.__name__}Page", __config__=ConfigDict(extra="forbid"),
                        items=(list[item], ...), page=(int, ...), per_page=(int, ...), total=(int, ...))


@functools.cache
def _adapter(annotation) -> TypeAdapter:
    if getattr(annotation, "__origin__", None) is list:
        annotation = page_model(annotation.__args__[0])
    return TypeAdapter(annotation)


def dump(annotation, data: Any) -> Any:
    """`data` validated by the documented response model, as JSON-ready values (aliases as in the document).

    Keys a handler leaves out fall back to nothing rather than to the model's default (exclude_unset),
    so a field documented as optional stays absent where it is absent today; a missing required field,
    a wrong type or an undocumented key (the models forbid extras) raises ResponseDrift."""
    adapter = _adapter(annotation)
    try:
        value = adapter.validate_python(data)
    except ValidationError as exc:
        drift = ResponseDrift(f"response does not match {annotation!r}: {exc}")
        if not has_app_context() or current_app.testing or current_app.debug:
            raise drift from exc
        # In production the request's work is done and about to commit: answering 500 would tell
        # the client it failed when it did not. Send the data as built, and say so loudly in the log.
        log.error("%s", drift)
        return data
    return adapter.dump_python(value, mode="json", by_alias=True, exclude_unset=True)


def _respond(op: Operation, rv: Any):
    """A handler's return value as the response: data goes through `op.response` and gets `op.status`;
    an empty body (`"", 204`) passes; a ready-made JSON Response is refused, as it would skip the model."""
    status = op.status
    if isinstance(rv, tuple):
        rv, status = rv
    if isinstance(rv, Response):
        if rv.is_json and 200 <= rv.status_code < 300:
            raise ResponseDrift(f"{op.method} {op.path} built its own JSON response: return data instead")
        return rv
    if isinstance(rv, (dict, list)):
        if op.response is None:
            raise ResponseDrift(f"{op.method} {op.path} answers with JSON but documents no response model")
        response = jsonify(dump(op.response, rv))
        response.status_code = status
        if op.method == "GET" and status == 200:
            response = conditional(response)
        return response
    return rv, status


def conditional(response: Response) -> Response:
    """A read's answer with its validator: `ETag` (weak: the same JSON, whatever the encoding
    Flask-Compress then applies) and `Cache-Control: no-cache` (a client may keep it, and asks again
    each time, so a write is visible to the next read); 304 with no body when the client's
    If-None-Match names it. The body has been built and checked against its model either way: the
    saving is in what is sent. `Vary: Authorization`: `my_vote`, e-mail addresses and private posts
    differ between callers, and so do their ETags."""
    response.set_etag(page_cache.digest(response.get_data()), weak=True)  # the page cache's digest, too
    response.headers["Cache-Control"] = "private, no-cache" if bearer_token() else "no-cache"
    response.vary.add("Authorization")
    return response.make_conditional(request)


# --- routes, recorded for the OpenAPI document ---------------------------------------------------

@dataclass
class Operation:
    path: str
    method: str
    summary: str
    auth: str  # "none", "optional", "required"
    body: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    idempotent: bool = False  # honours Idempotency-Key (forum.api.idempotency)


OPERATIONS: list[Operation] = []


def route(path: str, method: str, *, summary: str, auth: str = "none", body=None, response=None,
          status: int = 200, query: dict[str, str] | None = None, errors: tuple[int, ...] = ()) -> Callable:
    """Register an API view on the blueprint and describe it for /api/v1/openapi.json."""

    def decorator(view: Callable) -> Callable:
        endpoint = f"{view.__module__.rsplit('.', 1)[-1]}_{view.__name__}"
        # Every POST made with a bearer token takes an Idempotency-Key: replaying one that creates
        # nothing is harmless, and a client need not know which do.
        idempotent = method == "POST" and auth == "required"
        if idempotent:
            idempotency.ENDPOINTS.add(f"{bp.name}.{endpoint}")
        op = Operation(path, method, summary, auth, body, response, status, query or {}, errors, idempotent)
        OPERATIONS.append(op)

        # wraps() keeps the module, name and qualname that Flask-Limiter keys a view's own limits on.
        @functools.wraps(view)
        def respond(*args, **kwargs):
            return _respond(op, view(*args, **kwargs))

        bp.add_url_rule(path, endpoint=endpoint, view_func=respond, methods=[method])
        return view

    return decorator
