"""Cross-site request forgery, checked before every POST, PUT, PATCH and DELETE.

A member's forms carry a token bound to their session (Flask-WTF), checked here as before, with
its exemptions (the API, RFC 8058 unsubscribe).

A visitor who is not signed in has no session for a forged request to ride on, and the pages they
get come from the shared page cache (forum.web.page_cache), so those pages carry no token: a token
bound to one visitor's session would be served to all. Their posts (the language switch, a vote
that sends them to sign in) are checked by origin instead, the defence OWASP lists beside tokens:
`Sec-Fetch-Site: same-origin` (every current browser sends it), else an `Origin` header naming
this site, else a `Referer` on this site. A page on another site cannot make a browser send any of
those, so a cross-site post is refused (400); so is a post that shows none of them. Forms that sign
someone in (sign-in, registration, password reset) are rendered per visitor and still carry a
token, which their own validation checks too.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from forum.extensions import csrf


def init_app(app: Flask) -> None:
    # Flask-WTF's own hook checks every request the same way; this one replaces it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(check)


def check() -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        csrf.protect(apply_exemptions=True)  # a valid token, an exempt view, a safe method
    except CSRFError:
        if current_user.is_authenticated or not from_this_site():
            raise


def from_this_site() -> bool:
    """Did a page of this site send the request (Fetch Metadata, else Origin, else Referer)?"""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    own = f"{request.scheme}://{request.host}"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == own
    referrer = request.referrer or ""
    return referrer == own or referrer.startswith(own + "/")
