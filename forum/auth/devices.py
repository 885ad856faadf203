"""Known devices: a browser where a member signed in successfully keeps a signed cookie naming the
account, so that sign-ins from it are not held up by the lockout that strangers' wrong passwords
cause (forum.auth.services, "lockout exemption").

The cookie is signed with the secret key (itsdangerous, the signer Flask's own session uses) and
holds, per account (the last few signed in on this browser), its id, a fingerprint of the current
password hash and the day it was written. Changing or resetting the password therefore forgets
every device. Nothing request-bound here: the views read and set the cookie.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE_NAME = "forum_device"
MAX_AGE_DAYS = 365
MAX_ACCOUNTS = 5
_SALT = "forum.known-device"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def _fingerprint(user) -> str:
    # Keyed, so the cookie (readable by its holder) says nothing about the hash itself.
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:24]


def _today() -> int:
    return int(time.time() // 86400)


def _entries(value) -> list[list]:
    """The [account id, fingerprint, day] entries of a genuine cookie that are not too old."""
    if not isinstance(value, str) or not value or len(value) > 4000:
        return []
    try:
        data = _serializer().loads(value)
    except (BadSignature, ValueError, UnicodeError):
        return []
    if not isinstance(data, list):
        return []
    today = _today()
    return [entry for entry in data[:MAX_ACCOUNTS]
            if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], int)
            and isinstance(entry[1], str) and isinstance(entry[2], int) and today - entry[2] <= MAX_AGE_DAYS]


def is_known(value: str | None, user) -> bool:
    """Did this member sign in successfully on the browser that sent `value`, with the current password?"""
    fingerprint = _fingerprint(user)
    return any(entry[0] == user.id and hmac.compare_digest(entry[1], fingerprint) for entry in _entries(value))


def remember(value: str | None, user) -> str:
    """The cookie value after `user` signed in on this browser: this account first, then up to
    four others it already named."""
    others = [entry for entry in _entries(value) if entry[0] != user.id][:MAX_ACCOUNTS - 1]
    return _serializer().dumps([[user.id, _fingerprint(user), _today()], *others])


def set_cookie(response, user, current: str | None):
    """Put the cookie for `user` (added to the `current` one) on `response`: HttpOnly,
    SameSite=Lax, Secure when the session cookie is (ProductionConfig), kept a year."""
    response.set_cookie(COOKIE_NAME, remember(current, user), max_age=MAX_AGE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/")
    return response
