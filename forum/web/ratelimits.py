"""Per-member request budgets for writes (Flask-Limiter), on top of the per-address sign-in
throttle and the new-member pacing rules. Limits come from configuration; FORUM_RATE_LIMITS=off
turns them off."""
from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user


#: The key in app.extensions of the function that gives the member a bearer token names, or None.
TOKEN_USER = "forum.token_user"


def actor_key() -> str:
    """Whose budget a request spends: the member's, else the address's; never a header's value.

    One member has one budget, however many browsers and tokens they use, on the pages and the API
    alike. On the API the member is the holder of a live bearer token (an unknown, revoked or
    expired token is anonymous); on the pages it is the member signed in by cookie (a bearer header
    there authenticates nothing, so it counts for nothing)."""
    member = token_holder() if request.blueprint == "api" else _signed_in_member()
    if member is not None:
        return f"user:{member.id}"
    return "addr:" + (get_remote_address() or "")


def _signed_in_member():
    return current_user if getattr(current_user, "is_authenticated", False) else None


def token_holder():
    """The member holding the request's bearer token, or None. It is kept where
    forum.api.common.api_user looks first, so a request looks its token up once; a token that names
    nobody is left for api_user to refuse (401)."""
    if g.get("api_user_loaded"):
        return g.api_user
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # auth's init_app names the lookup (web imports no feature): forum.auth.services.user_for_token.
    holder = current_app.extensions[TOKEN_USER](token.strip())
    if holder is not None:
        g.api_user, g.api_user_loaded = holder, True
    return holder


def votes() -> str:
    return current_app.config.get("FORUM_VOTE_RATE_LIMIT", "60 per minute; 600 per day")


def posts() -> str:
    return current_app.config.get("FORUM_POST_RATE_LIMIT", "20 per minute; 200 per day")


def edits() -> str:
    """Edits of questions and answers: each renders Markdown and makes a revision."""
    return current_app.config.get("FORUM_EDIT_RATE_LIMIT", "20 per minute; 300 per day")


def escalations() -> str:
    return current_app.config.get("FORUM_ESCALATION_RATE_LIMIT", "5 per hour; 20 per day")


def flags() -> str:
    return current_app.config.get("FORUM_FLAG_RATE_LIMIT", "10 per hour; 30 per day")


def api() -> str:
    """Every API call, per member (or address): generous for integrators, a ceiling for scrapers."""
    return current_app.config.get("FORUM_API_RATE_LIMIT", "600 per minute; 20000 per hour")


def previews() -> str:
    """Live Markdown previews, per member: each one renders up to a whole post's body."""
    return current_app.config.get("FORUM_PREVIEW_RATE_LIMIT", "30 per minute; 600 per hour")


def uploads() -> str:
    """Images and attachments, per member: each is decoded and re-encoded."""
    return current_app.config.get("FORUM_UPLOAD_RATE_LIMIT", "30 per minute; 300 per day")
