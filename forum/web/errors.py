"""One error handler for pages and API: DomainError and HTTP errors become a 4xx page or the API's
JSON error format `{"error": {"code", "message", "fields"}}`; a database that is down or busy
becomes 503 with Retry-After (never 500)."""
from __future__ import annotations

import functools
import logging

import sqlalchemy as sa
from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from forum.core.db import database_unavailable
from forum.core.errors import DomainError
from forum.extensions import db, login_manager
from forum.web.decorators import view_mark

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers=None,
                   extra: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}, **(extra or {})}}
        response = jsonify(body)
    else:
        response = render_template("errors/error.html", status=status, code=code, message=message,
                                   fields=fields or {})
        response = make_response(response)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


_HTTP_MESSAGES = {
    400: ("bad_request", lambda: _("The request could not be understood.")),
    401: ("unauthorized", lambda: _("Sign in first.")),
    403: ("forbidden", lambda: _("You are not allowed to do this.")),
    404: ("not_found", lambda: _("This page does not exist.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
    413: ("too_large", lambda: _("The request is too large.")),
    415: ("unsupported_media_type", lambda: _("Send JSON with Content-Type: application/json.")),
    422: ("invalid", lambda: _("Some fields are invalid.")),
    429: ("rate_limited", lambda: _("Too many requests. Wait a moment and try again.")),
    500: ("server_error", lambda: _("Something went wrong on our side. Please try again.")),
}


# Seconds a client is told to wait after a 503 for a database that is down or busy: about one pool
# timeout, or the time a restarting database needs to accept connections again.
DATABASE_RETRY_AFTER = 5


def database_unavailable_response(error: Exception):
    """503 + Retry-After for a database that cannot serve now. The session is rolled back and the
    request goes on as anonymous, so that rendering the error page needs no database; if even
    that fails, a bare page says the same."""
    # %r: a path holds what the client sent (%0A included); quoted, it cannot forge a log line.
    log.warning("database unavailable on %s %r: %s", request.method, request.path,
                str(error).splitlines()[0] if str(error) else type(error).__name__)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.invalidate()
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request user
    g.api_user, g.api_user_loaded = None, True
    message = _("The forum is busy or its database is briefly unavailable. Please try again in a moment.")
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER)}
    try:
        return error_response(503, "unavailable", message, headers=headers)
    except sa.exc.SQLAlchemyError:
        response = make_response(f'<!doctype html><meta charset="utf-8"><title>503</title><p>{escape(message)}</p>',
                                 503)
        response.headers.update(headers)
        return response


def _database_safe(handler):
    """An error handler whose own work needs the database (the signed-in member behind the locale of
    its message, the page's header) answers 503 when the database is down, not a 500 from the
    handler; the 503 is rendered as anonymous, without the database."""
    @functools.wraps(handler)
    def wrapped(error):
        try:
            return handler(error)
        except sa.exc.SQLAlchemyError as failure:
            if not database_unavailable(failure):
                raise
            return database_unavailable_response(failure)

    return wrapped


def _too_large_message() -> str | None:
    """What the view being called says of a body above its own cap (forum.web.decorators.body_limit:
    the upload endpoints name their limit), whether forum.web.setup refused it up front or Werkzeug
    while reading a body sent without a length; None for every other view."""
    message_of = view_mark("too_large_message")
    return str(message_of()) if message_of is not None else None


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    @_database_safe
    def _domain_error(error: DomainError):
        status = error.status
        if error.code == "unauthorized":
            status = 401
        headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else None
        extra = {"findings": error.findings} if getattr(error, "findings", None) else None
        return error_response(status, error.code, error.message, error.fields, headers=headers, extra=extra)

    @app.errorhandler(CSRFError)
    @_database_safe
    def _csrf_error(error: CSRFError):
        return error_response(400, "csrf_failed",
                              _("Your form expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    @_database_safe
    def _http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            own = _too_large_message()
            if own:
                return error_response(413, "too_large", own, {"file": [own]})
        code, message = _HTTP_MESSAGES.get(status, ("error", lambda: error.description or ""))
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_response(status, code, message(), headers=headers)

    @app.errorhandler(sa.exc.SQLAlchemyError)
    def _database_error(error: sa.exc.SQLAlchemyError):
        if database_unavailable(error):
            return database_unavailable_response(error)
        return _unexpected(error)

    @app.errorhandler(Exception)
    @_database_safe
    def _unexpected(error: Exception):  # pragma: no cover - defensive
        log.exception("unhandled error on %s %r", request.method, request.path)
        db.session.rollback()  # else rendering the page (current_user...) fails on the broken session
        code, message = _HTTP_MESSAGES[500]
        return error_response(500, code, message())
