"""Per-member request budgets for writes (Flask-Limiter), on top of the per-address sign-in
throttle and the new-member pacing rules. Limits come from configuration; FORUM_RATE_LIMITS=off
turns them off."""
from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user


def actor_key() -> str:
    """Who is asking: the bearer token's holder, the signed-in member, else the address."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return "addr:" + (get_remote_address() or "")


def votes() -> str:
    return current_app.config.get("FORUM_VOTE_RATE_LIMIT", "60 per minute; 600 per day")


def posts() -> str:
    return current_app.config.get("FORUM_POST_RATE_LIMIT", "20 per minute; 200 per day")


def escalations() -> str:
    return current_app.config.get("FORUM_ESCALATION_RATE_LIMIT", "5 per hour; 20 per day")


def flags() -> str:
    return current_app.config.get("FORUM_FLAG_RATE_LIMIT", "10 per hour; 30 per day")


def api() -> str:
    """Every API call, per token (or address): generous for integrators, a ceiling for scrapers."""
    return current_app.config.get("FORUM_API_RATE_LIMIT", "600 per minute; 20000 per hour")


def previews() -> str:
    """Live Markdown previews, per member: each one renders up to a whole post's body."""
    return current_app.config.get("FORUM_PREVIEW_RATE_LIMIT", "30 per minute; 600 per hour")
