"""Idempotency-Key on the API's POSTs: a retried request gets the first response again, and what it
created is created once.

A client that lost its connection after sending a POST cannot know whether the post was made; with
`Idempotency-Key: <token>` it may send the same request again, to any node, for 24 hours:

- the first request with a key runs as usual; the key's row is added to the request's own
  transaction before the view runs, and its 2xx response (status, body, Content-Type and Location)
  is written to the row right before that transaction commits (forum.web.boundary): what the
  request created and the answer it gave are committed together, or neither is. A request that
  failed, or whose process died, leaves the key free for the retry;
- the same key with the same method, path and body: that response, byte for byte, with
  `Idempotency-Replayed: true`; nothing runs again;
- the same key with another body or path: 422 `idempotency_key_reused`;
- while the first request is still running: 409 `idempotency_key_in_flight` with `Retry-After: 1`.
  Two requests racing with one key are serialised by the unique (member, key) constraint: the
  second waits for the first's transaction and then answers from its row.

Keys belong to the signed-in member (another member's identical key is another key), so the
header counts only on calls made with a bearer token; signing up and signing in (`POST /users`,
`POST /tokens`) take no key, and a token is never stored. Rows older than 24 hours are ignored and
replaced; `flask --app forum api purge-idempotency-keys` deletes them.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _

from forum.api.models import IdempotencyKey
from forum.core.db import insert_ignoring_conflicts, utcnow
from forum.core.errors import Conflict, DomainError, ValidationFailed
from forum.extensions import db
from forum.web.boundary import before_commit

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotency-Replayed"
KEPT_FOR = timedelta(hours=24)
# A committed row without a response: its request made part of its work durable early
# (checkpoint()) and is still running, for at most this long (gunicorn kills a worker after 30 s);
# older, it died before its end. (A request commits its row and its answer together otherwise, so a
# copy racing with it waits for that commit, on the unique key or SQLite's write lock.)
IN_FLIGHT_FOR = timedelta(minutes=2)
# How long a copy waits for the first request's answer before answering 409 in flight.
IN_FLIGHT_WAIT_SECONDS = 2.0
# Visible ASCII, no spaces: a UUID, a ULID, a random token in base 64...
KEY_PATTERN = r"^[!-~]{1,255}$"
_KEY = re.compile(KEY_PATTERN)
_REPLAYED_HEADERS = ("Content-Type", "Location")

# The endpoints (blueprint.endpoint) that honour the header: every POST that needs a bearer token.
ENDPOINTS: set[str] = set()


class InvalidKey(DomainError):
    status = 400
    code = "invalid_idempotency_key"


class KeyReused(ValidationFailed):
    code = "idempotency_key_reused"

    def __init__(self, message: str):
        super().__init__({"Idempotency-Key": [message]}, message)
        self.code = "idempotency_key_reused"


class KeyInFlight(Conflict):
    code = "idempotency_key_in_flight"

    def __init__(self, message: str):
        super().__init__(message)
        self.retry_after = 1


class KeyUnsettled(Conflict):
    code = "idempotency_key_unsettled"


# --- the rules (no request: explicit arguments, as a service) ------------------------------------

def fingerprint(method: str, path: str, body: bytes) -> str:
    """sha256 of the method, the path with its query string, and the body's exact bytes."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode("utf-8", "surrogateescape"), body):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two splits hash alike
        digest.update(part)
    return digest.hexdigest()


def claim(user_id: int, key: str, *, method: str, path: str, fingerprint: str,
          now: datetime | None = None) -> IdempotencyKey | None:
    """Take `key` for this request, or find the answer it was given.

    None: the key is this request's; its row is flushed in the current transaction, which the
    request's service commits (the row then stands for what was done) or rolls back (the key is free
    again). A row: the stored response of the first request, to replay.
    Raises KeyReused (another method, path or body), KeyInFlight (the first request is still
    running), KeyUnsettled (the first request stopped before its response was stored)."""
    now = now or utcnow()
    for _attempt in range(3):
        row = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                                IdempotencyKey.key == key))
        if row is not None and row.created_at <= now - KEPT_FOR:
            # Expired: forgotten, and taken afresh (a statement, not the ORM: a concurrent request
            # may have deleted it first).
            db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == row.id))
            db.session.expunge(row)
            row = None
        if row is not None:
            return _answer_from(row, fingerprint, now)
        db.session.add(IdempotencyKey(user_id=user_id, key=key, method=method[:10], path=path[:500],
                                      fingerprint=fingerprint, created_at=now))
        try:
            # PostgreSQL: waits here while another transaction holds an uncommitted row for the key.
            db.session.flush()
            return None
        except sa.exc.IntegrityError:
            db.session.rollback()  # taken meanwhile: read the winner's row
    raise _in_flight()


def _in_flight() -> KeyInFlight:
    return KeyInFlight(_("A request with this Idempotency-Key is still being processed. Try again in a moment."))


def _answer_from(row: IdempotencyKey, fingerprint: str, now: datetime) -> IdempotencyKey:
    if row.fingerprint != fingerprint:
        raise KeyReused(_("This Idempotency-Key was already used for another request (a different path or "
                          "body). Use a new key for a new request."))
    if row.status_code is None:
        if row.created_at > now - IN_FLIGHT_FOR:
            raise _in_flight()
        raise KeyUnsettled(_("The first request with this Idempotency-Key stopped before its answer was "
                             "kept; it may have been carried out. Check before you send it again with a new "
                             "key."))
    return row


def settle(user_id: int, key: str, fingerprint: str, *, method: str, path: str, status: int, body: bytes,
           headers: dict[str, str], now: datetime | None = None) -> None:
    """Keep the response of the request that took `key`, in that request's transaction (flush only:
    the request's unit of work commits it together with what the request did)."""
    now = now or utcnow()
    values = {"status_code": status, "response_body": body, "response_headers": json.dumps(headers),
              "completed_at": now}
    result = db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
               IdempotencyKey.fingerprint == fingerprint, IdempotencyKey.status_code.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount == 0:
        # The claim's row is not in this transaction (a service made part of its work durable
        # early with checkpoint()): record the answer now.
        insert_ignoring_conflicts(IdempotencyKey, {
            "user_id": user_id, "key": key, "method": method[:10], "path": path[:500],
            "fingerprint": fingerprint, "created_at": now, **values}, ["user_id", "key"])


def release(user_id: int, key: str, fingerprint: str) -> None:
    """Free `key` in this transaction: for an answer that is not kept (a redirect)."""
    db.session.execute(sa.delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
        IdempotencyKey.fingerprint == fingerprint, IdempotencyKey.status_code.is_(None)))


def purge(now: datetime | None = None) -> int:
    """Delete the keys older than 24 hours (they are ignored already); returns how many (flush
    only: the CLI command's unit of work commits)."""
    now = now or utcnow()
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - KEPT_FOR))
    return result.rowcount or 0


# --- the request hooks ---------------------------------------------------------------------------

def init_app(bp: Blueprint) -> None:
    bp.before_request(_take_key)


def _take_key() -> Response | None:
    if request.method != "POST" or request.endpoint not in ENDPOINTS or HEADER not in request.headers:
        return None
    key = request.headers.get(HEADER, "")
    if not _KEY.match(key):
        raise InvalidKey(_("Idempotency-Key must be 1 to 255 visible ASCII characters "
                           "(a UUID, for example)."))
    from forum.api.common import api_user

    user = api_user()  # a bad token is 401 here; no token at all is the view's 401
    if user is None:
        return None
    user_id = user.id
    path = request.full_path.rstrip("?")
    digest = fingerprint(request.method, path, request.get_data(cache=True))
    row = _claim_waiting(user_id, key, path, digest)
    if row is not None:
        response = _replay(row)
        db.session.rollback()  # read only: release the transaction (SQLite's write lock) now
        return response
    before_commit(functools.partial(_keep_response, user_id, key, digest))
    return None


def _claim_waiting(user_id: int, key: str, path: str, digest: str) -> IdempotencyKey | None:
    """`claim`, waiting a moment for a first request whose row is committed without its answer yet
    (see IN_FLIGHT_FOR): a copy then gets the replay rather than a 409. The transaction is released
    between looks (on SQLite it holds the write lock the first request needs)."""
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    while True:
        try:
            return claim(user_id, key, method=request.method, path=request.path, fingerprint=digest)
        except KeyInFlight:
            db.session.rollback()
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _replay(row: IdempotencyKey) -> Response:
    response = current_app.response_class(row.response_body or b"", status=row.status_code)
    for name, value in json.loads(row.response_headers or "{}").items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _keep_response(user_id: int, key: str, digest: str, response: Response) -> None:
    """Called by the request's unit of work with a 2xx or 3xx response, right before it commits."""
    if 200 <= response.status_code < 300:
        headers = {name: response.headers[name] for name in _REPLAYED_HEADERS if name in response.headers}
        settle(user_id, key, digest, method=request.method, path=request.path,
               status=response.status_code, body=response.get_data(), headers=headers)
    else:
        release(user_id, key, digest)
