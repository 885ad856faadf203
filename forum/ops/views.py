"""GET /healthz, /readyz and /metrics: for load balancers, monitors and Prometheus, not for people.

No sign-in, no session cookie, no rate limit, never cached. /healthz touches nothing (the process
answers); /readyz runs a handful of small queries (forum.ops.services); /metrics answers only a
token or an allowed address, and 404 to anyone else, as if it did not exist.
"""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from forum.extensions import limiter
from forum.ops import metrics, services

bp = Blueprint("ops", __name__)
limiter.exempt(bp)


def init_app(app: Flask) -> None:
    services.init_app(app)
    metrics.init_app(app)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    ready, report = services.readiness()
    response = jsonify(report)
    response.status_code = 200 if ready else 503
    return _no_store(response)


@bp.get("/metrics")
def metrics_view():
    # A proxy's own address (often 127.0.0.1) says nothing of the client behind it.
    forwarded = not current_app.config.get("FORUM_TRUSTED_PROXIES") and any(
        name in request.headers for name in ("X-Forwarded-For", "Forwarded", "X-Real-IP"))
    authorization = request.headers.get("Authorization", "")
    if not services.may_read_metrics(request.remote_addr, authorization, forwarded):
        return _no_store(Response("Not Found\n", status=404, content_type="text/plain; charset=utf-8"))
    body, content_type = metrics.exposition(request.headers.get("Accept"))
    return _no_store(Response(body, content_type=content_type))
