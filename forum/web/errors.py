"""One error handler for pages and API: DomainError and HTTP errors become a 4xx page or the API's
JSON error format `{"error": {"code", "message", "fields"}}`."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forum.core.errors import DomainError
from forum.extensions import db

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


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        status = error.status
        if error.code == "unauthorized":
            status = 401
        headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else None
        extra = {"findings": error.findings} if getattr(error, "findings", None) else None
        return error_response(status, error.code, error.message, error.fields, headers=headers, extra=extra)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return error_response(400, "csrf_failed",
                              _("Your form expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        code, message = _HTTP_MESSAGES.get(status, ("error", lambda: error.description or ""))
        headers = {}
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_response(status, code, message(), headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # pragma: no cover - defensive
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()  # else rendering the page (current_user...) fails on the broken session
        code, message = _HTTP_MESSAGES[500]
        return error_response(500, code, message())
