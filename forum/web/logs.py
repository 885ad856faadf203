"""The request half of logging: every request gets an id (forum.core.logs.request_id_from: the
client's X-Request-ID when sane, else a new one), which every line logged while it is handled
carries and the response echoes as X-Request-ID."""
from __future__ import annotations

from flask import Flask, g, request

from forum.core import logs
from forum.core.logs import HEADER, request_id_from, request_id_var


def configure(app: Flask) -> None:
    """Configure logging (forum.core.logs.configure: level, format, handler), then give every request
    its id. Safe to call for every app a process creates."""
    logs.configure(app)

    @app.before_request
    def _assign_request_id():
        g.request_id = request_id_from(request.headers.get(HEADER))
        request_id_var.set(g.request_id)

    @app.after_request
    def _echo_request_id(response):
        response.headers[HEADER] = g.get("request_id") or request_id_from(request.headers.get(HEADER))
        return response

    @app.teardown_request
    def _forget_request_id(_error=None):
        request_id_var.set(None)
