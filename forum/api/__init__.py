"""JSON API v1 (`/api/v1`): bearer tokens, no cookies, one module per resource.

Request bodies are validated by pydantic models, and the OpenAPI document is generated from the same
models (forum.api.openapi), so the document cannot drift from what is enforced.
"""
from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from forum.api import (  # noqa: E402,F401  (routes register on bp)
    follows, idempotency, incidents, insights, moderation, notifications, openapi, privacy, questions, search,
    tickets, uploads, users, verification, votes, webhooks,
)

idempotency.init_app(bp)


def _limit_every_call() -> None:
    """One budget for every API call per member (or address), on top of the routes' own limits."""
    from forum.extensions import limiter
    from forum.web import ratelimits

    limiter.shared_limit(ratelimits.api, scope="api", key_func=ratelimits.actor_key, override_defaults=False)(bp)


_limit_every_call()


def init_app(app: Flask) -> None:
    from forum.api import models  # noqa: F401  (its tables, for the metadata)
    from forum.api.cli import api_cli
    from forum.extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)  # bearer tokens, no cookies: nothing for a forged request to ride on
    app.cli.add_command(api_cli)
