"""Logging, configured once by create_app: level (FORUM_LOG_LEVEL), format (FORUM_LOG_FORMAT: text, or
json with one object per line), and a request id on every line logged during a request.

The request id is the client's X-Request-ID when it is a sane token (at most 64 of A-Z a-z 0-9 . _ -),
else a fresh uuid4 hex; it is echoed on every response as X-Request-ID (forum.web.logs sets it per
request: this module does not touch the request). It is put on every log record (any logger, any
handler) as `record.request_id` ("-" outside a request), so a handler that someone else configured
can show it too, with `%(request_id)s`.

Handlers: when nobody has configured logging (no handler on the root logger: `flask` commands,
gunicorn, the RQ worker), one handler writing to stderr is installed on the root logger, and the
root logger gets FORUM_LOG_LEVEL too; calling create_app again reconfigures that handler instead of
adding another. When someone else put handlers on the root logger (a logging config given to
gunicorn, pytest's capture), those are left alone and only the forum's own level is set.
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import datetime, timezone

from flask import Flask

HEADER = "X-Request-ID"
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(name)s] [%(request_id)s] %(message)s"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("forum_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this context, or None."""
    return request_id_var.get()


def request_id_from(header: str | None) -> str:
    """The client's id when it is a sane token, else a new one."""
    if header and _SANE_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Sets `record.request_id` where the record factory did not (records made by hand); for a
    handler configured outside the forum that shows %(request_id)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        return True


def _request_id_of(record: logging.LogRecord) -> str | None:
    value = getattr(record, "request_id", None) or request_id_var.get()
    return None if value in (None, "-") else value


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id (null
    outside a request), and exc_info (the formatted traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (a test runner may swap it), like
    logging's own last-resort handler."""

    _forum_handler = True

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _parse_level(value) -> int:
    name = str(value or "INFO").strip().upper()
    level = logging.getLevelName(name)
    if name not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") or not isinstance(level, int):
        raise RuntimeError(
            f"FORUM_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not {value!r}")
    return level


def _parse_format(value) -> str:
    name = str(value or "text").strip().lower()
    if name not in FORMATS:
        raise RuntimeError(f"FORUM_LOG_FORMAT must be text or json, not {value!r}")
    return name


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def _install_record_factory() -> None:
    """Every record gets request_id, whichever logger made it and whichever handler shows it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_forum_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get() or "-"
        return record

    factory._forum_request_id = True
    logging.setLogRecordFactory(factory)


def configure(app: Flask) -> None:
    """Apply FORUM_LOG_LEVEL and FORUM_LOG_FORMAT (a bad value stops start-up with its name). Safe to
    call for every app a process creates. (forum.web.logs.configure calls this, then gives every
    request its id.)"""
    level = _parse_level(app.config.get("FORUM_LOG_LEVEL"))
    fmt = _parse_format(app.config.get("FORUM_LOG_FORMAT"))
    _install_record_factory()
    logging.getLogger("forum").setLevel(level)
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_forum_handler", False)]
    foreign = [h for h in root.handlers if not getattr(h, "_forum_handler", False)]
    if ours or not foreign:
        handler = ours[0] if ours else StderrHandler()
        for extra in ours[1:]:
            root.removeHandler(extra)
        handler.setFormatter(formatter(fmt))
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if not ours:
            root.addHandler(handler)
        root.setLevel(level)

