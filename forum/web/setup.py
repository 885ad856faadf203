"""Request-bound wiring shared by every page: errors, language, templates, security headers. It
imports no feature: each feature wires its own part (sign-in is auth's) in its init_app."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from urllib.parse import urlencode

from flask import Flask, abort, request
from flask import Request as FlaskRequest
from flask_babel import format_datetime, format_decimal, get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup

from forum.core import page_cache
from forum.extensions import db
from forum.web import assets, csrf, errors, fragments, frame, i18n
from forum.web.cli import translations_cli
from forum.web.decorators import view_mark

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
       "form-action 'self'")


# A refused body up to this size is read and dropped before the 413 goes out. A server that closes
# a socket with unread bytes in it makes the kernel send a reset, which can reach the client (or
# nginx, which then answers 502) before the 413 does. Beyond this the connection is simply closed.
DISCARD_LIMIT = 16 * 1024 * 1024


def _discard_body(environ: dict, length: int) -> None:
    if length > DISCARD_LIMIT:
        return
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    left = length
    try:
        while left > 0:
            chunk = stream.read(min(left, 64 * 1024))
            if not chunk:
                break
            left -= len(chunk)
    except (OSError, ValueError):  # the client went away: nothing left to protect
        return


class Request(FlaskRequest):
    """Flask's request, keeping the temporary files its multipart parser opens: when reading a body
    sent without a length stops at the cap (RequestEntityTooLarge), the parser leaves the file it
    was writing open; teardown closes every one."""

    def _get_file_stream(self, *args, **kwargs):
        stream = super()._get_file_stream(*args, **kwargs)
        self.__dict__.setdefault("_file_streams", []).append(stream)
        return stream


def init_app(app: Flask) -> None:
    app.request_class = Request
    errors.register(app)
    assets.init_app(app)
    csrf.init_app(app)
    page_cache.init_app(app)
    fragments.init_app(app)
    frame.init_app(app)
    app.cli.add_command(translations_cli)

    @app.before_request
    def _refuse_oversized():
        # Werkzeug enforces MAX_CONTENT_LENGTH only when a view reads the body, so calls that take
        # none (accept, close, reopen, DELETE) answered 200 to a 2 MB body: refuse it up front.
        # A view marked with forum.web.decorators.body_limit (the upload endpoints) has its own cap,
        # for this request only; every other call keeps MAX_CONTENT_LENGTH.
        own = view_mark("body_limit")
        if own is not None:
            request.max_content_length = own(app.config)
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            _discard_body(request.environ, request.content_length)
            abort(413)

    @app.before_request
    def _refuse_nul():
        # PostgreSQL refuses NUL in text; no legitimate address, query or form contains one.
        values = [request.path, *request.args.values(), *request.args.keys()]
        if request.method not in ("GET", "HEAD") and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            values += [*request.form.values(), *request.form.keys()]
        if any("\x00" in value for value in values):
            return errors.error_response(400, "bad_characters", _("The request contains a NUL character."))
        return None

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.i18n")
    i18n.install_template_translations(app)  # (Flask-Babel's init_app ran before: these replace its own)
    app.jinja_env.filters["datetime"] = _format_datetime
    app.jinja_env.filters["ago"] = _time_ago
    app.jinja_env.filters["isotime"] = lambda value: value.isoformat() if value else ""
    app.jinja_env.filters["number"] = _format_number
    app.jinja_env.globals["url_with"] = _url_with
    app.jinja_env.globals["html_lang"] = _html_lang

    @app.context_processor
    def _template_context():
        return {"current_locale": i18n.locale_name()}

    @app.teardown_request
    def _close_file_streams(_exc):
        for stream in request.__dict__.pop("_file_streams", ()):
            stream.close()

    @app.teardown_appcontext
    def _cleanup(exc):
        if exc is not None:
            db.session.rollback()


def _html_lang() -> str:
    return "zh-CN" if i18n.locale_name().startswith("zh") else "en"


def _format_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return _formatted(_reader(), "datetime", value, fmt) if value else ""


def _format_number(value) -> str:
    return _formatted(_reader(), "number", value or 0)


def _time_ago(value: datetime | None) -> Markup:
    """A relative time ("3 hours ago") in a <time> element carrying the exact time in its title."""
    if value is None:
        return Markup("")
    reader = _reader()
    delta = datetime.now(timezone.utc) - value
    seconds = int(delta.total_seconds())
    if seconds < 60:
        text = _formatted(reader, "just now", None)
    elif delta.days > 30:
        text = _formatted(reader, "date", value)
    else:  # to the second under an hour, else to the minute: Babel rounds to the largest unit
        text = _formatted(reader, "ago", seconds if seconds < 3600 else seconds - seconds % 60)
    return Markup('<time datetime="%s" title="%s">%s</time>') % (
        value.isoformat(), _formatted(reader, "datetime", value, "medium"), text)


def _reader() -> tuple:
    """What Babel's formatting depends on besides the value: the language and the time zone."""
    locale = get_locale()
    return locale.language, locale.territory, locale.script, get_timezone()


@lru_cache(maxsize=16384)
def _formatted(reader: tuple, kind: str, value, fmt: str = "medium") -> str:
    """Babel's formatting of dates, relative times and numbers, kept per reader's language and
    time zone (`reader`, taken from the same request, so the call below formats for it): a page
    formats the same dozen times and counts again and again, and each costs Babel 30 to 90 µs."""
    from flask_babel import format_timedelta

    if kind == "datetime":
        return format_datetime(value, fmt)
    if kind == "number":
        return format_decimal(value)
    if kind == "just now":
        return _("just now")
    if kind == "date":
        return format_datetime(value, "yyyy-MM-dd") if reader[0] == "zh" \
            else format_datetime(value, "medium").rsplit(",", 1)[0]
    return _("%(delta)s ago", delta=format_timedelta(timedelta(seconds=value), threshold=1.0))


def _url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one), under the
    application's root path (SCRIPT_NAME) as url_for's links are."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    query = urlencode(args)
    return request.script_root + request.path + ("?" + query if query else "")
