"""JSON API v1 (`/api/v1`): bearer tokens, no cookies, one module per resource.

Request bodies are validated by pydantic models, and the OpenAPI document is generated from the same
models (forum.api.openapi), so the document cannot drift from what is enforced.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from forum.api import notifications, openapi, questions, search, tickets, users, verification, votes  # noqa: E402,F401  (routes register on bp)
