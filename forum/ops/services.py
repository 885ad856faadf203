"""Readiness (/readyz) and who may read /metrics.

The readiness report is a handful of small queries, each guarded: a check that fails says so in the
report instead of raising, so that a database that is down gives a quick 503, never a 500.

Not ready (503): the database unreachable; its migrations behind the code's; a configured external
indexer (FORUM_SEARCH_INDEXER=external) or jobs worker (FORUM_REDIS_URL) without a heartbeat fresher
than FORUM_HEARTBEAT_STALE_SECONDS. The embedded default (an indexer thread in each web process, jobs on
a thread, no Redis) needs no heartbeat and is ready.

Ready but with warnings: Redis unreachable (rate limits fall back to per-process counters and jobs to
the in-process sender, so reads and writes go on), the search outbox older than the stale limit (the
indexer is slow), a database revision that this code does not know (a newer release migrated it first:
the rolling-upgrade order).
"""
from __future__ import annotations

import hmac
import io
import ipaddress
import logging
import re
import tokenize
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

from forum.core import redis_client
from forum.core.db import database_unavailable, utcnow
from forum.extensions import db, migrations_directory
from forum.notifications.models import OutgoingEmail
from forum.ops import heartbeats
from forum.search.models import SearchOutbox

log = logging.getLogger(__name__)

_EXTENSION = "forum_ops"


def init_app(app: Flask) -> None:
    """Read, once, what never changes while the process runs: the migration script's head revisions
    and the networks that may read /metrics (an unusable entry stops start-up with its name)."""
    app.extensions[_EXTENSION] = {"heads": _script_heads(app),
                                  "metrics_allow": parse_networks(app.config.get("FORUM_METRICS_ALLOW"))}


def _revisions(app: Flask) -> dict[str, tuple[str, ...]]:
    """Each migration script's revision and the revisions it follows, read from the scripts'
    module-level `revision` and `down_revision` as Alembic reads them, without importing Alembic
    into every serving process (forum.extensions.LazyMigrate). tests/ops compares with Alembic."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((Path(migrations_directory(app)) / "versions").glob("*.py")):
        values = module_constants(path.read_text(encoding="utf-8"), ("revision", "down_revision"))
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            found[values["revision"]] = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    return found


def module_constants(source: str, names: tuple[str, ...]) -> dict:
    """The module-level assignments of `names` in a script's source whose value is None, a text, or
    a tuple or list of texts (annotated or not), as ast.literal_eval reads them. Read with the
    tokenizer, not ast.parse: on CPython 3.11 ast.parse fails now and then with "AST constructor
    recursion depth mismatch" while another thread parses too (gh-106905), and Python 3.11 parses
    each logged traceback's lines; this runs in create_app, beside the threads of applications
    already running."""
    values: dict = {}
    depth, statement = 0, []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.INDENT:
            depth += 1
        elif token.type == tokenize.DEDENT:
            depth -= 1
        elif token.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or (token.type == tokenize.OP
                                                                       and token.string == ";"):
            if depth == 0:
                _assignment(statement, names, values)
            statement = []
        elif token.type not in (tokenize.COMMENT, tokenize.NL):
            statement.append(token)
    return values


def _assignment(tokens: list, names: tuple[str, ...], values: dict) -> None:
    if len(tokens) < 3 or tokens[0].type != tokenize.NAME or tokens[0].string not in names:
        return
    equals = [i for i, t in enumerate(tokens) if t.type == tokenize.OP and t.string == "="]
    if len(equals) == 1:  # not `a = b = …`
        value = _constant(tokens[equals[0] + 1:])
        if value is not _UNREAD:
            values[tokens[0].string] = value


_UNREAD = object()
_TEXT = re.compile(r"""[rRuU]?('''|\"\"\"|'|")(.*)\1""", re.DOTALL)


def _constant(tokens: list) -> object:
    """None, a text (adjacent literals joined), a tuple of texts (a tuple or list display), or one
    of these in parentheses; anything else is _UNREAD."""
    if len(tokens) == 1 and tokens[0].type == tokenize.NAME and tokens[0].string == "None":
        return None
    if tokens and all(token.type == tokenize.STRING for token in tokens):
        texts = [_TEXT.fullmatch(token.string) for token in tokens]
        if any(match is None or "\\" in match.group(2) for match in texts):
            return _UNREAD  # bytes, f-strings, escapes: never a revision id
        return "".join(match.group(2) for match in texts)
    if len(tokens) >= 2 and (tokens[0].string, tokens[-1].string) in (("(", ")"), ("[", "]")):
        inner, items, item = tokens[1:-1], [], []
        for token in inner:
            if token.type == tokenize.OP and token.string in "()[]{}":
                return _UNREAD  # nested displays: never a revision id
            if token.type == tokenize.OP and token.string == ",":
                items.append(item)
                item = []
            else:
                item.append(token)
        if tokens[0].string == "(" and not items:
            return _constant(inner) if inner else ()  # a value in parentheses, or the empty tuple
        if item:
            items.append(item)
        texts = [_constant(item) for item in items]
        return tuple(texts) if all(isinstance(text, str) for text in texts) else _UNREAD
    return _UNREAD


def _script_heads(app: Flask) -> frozenset[str]:
    revisions = _revisions(app)
    return frozenset(revisions) - {d for downs in revisions.values() for d in downs}


def _known_revisions(app: Flask) -> frozenset[str]:
    state = app.extensions[_EXTENSION]
    if "known" not in state:
        state["known"] = frozenset(_revisions(app))
    return state["known"]


def parse_networks(value: str | None) -> tuple:
    """FORUM_METRICS_ALLOW: comma-separated addresses or networks (CIDR); `none` or empty: none."""
    networks = []
    for item in (value or "").split(","):
        item = item.strip()
        if not item or item.lower() == "none":
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise RuntimeError(f"FORUM_METRICS_ALLOW: {item!r} is not an address or a network") from None
    return tuple(networks)


def may_read_metrics(remote_addr: str | None, authorization: str, forwarded: bool) -> bool:
    """A bearer token equal to FORUM_METRICS_TOKEN, or a client address within FORUM_METRICS_ALLOW.

    `forwarded`: the request came through a proxy that the forum does not trust to name the client
    (X-Forwarded-For, Forwarded or X-Real-IP present while FORUM_TRUSTED_PROXIES is 0). Its address is then the proxy's own,
    often 127.0.0.1, so it proves nothing: only the token counts. With trusted proxies, the address
    is the client's (werkzeug's ProxyFix) and the list applies to it."""
    config = current_app.config
    token = config.get("FORUM_METRICS_TOKEN")
    scheme, _sep, given = (authorization or "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    if forwarded or not remote_addr:
        return False
    try:
        address = ipaddress.ip_address(remote_addr.split("%", 1)[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in current_app.extensions[_EXTENSION]["metrics_allow"])


def _age(then: datetime | None, now: datetime) -> float | None:
    if then is None:
        return None
    return round(max((now - then).total_seconds(), 0.0), 3)


def _heartbeat(beats: dict | None, role: str, stale: int, now: datetime, problems: list[str]) -> dict:
    if beats is None:  # the heartbeat table could not be read
        problems.append(f"{role}_heartbeat_unknown")
        return {"ok": False, "heartbeat_age_seconds": None}
    age = _age(beats.get(role), now)
    if age is None:
        problems.append(f"{role}_heartbeat_missing")
    elif age > stale:
        problems.append(f"{role}_heartbeat_stale")
    return {"ok": age is not None and age <= stale, "heartbeat_age_seconds": age}


def _guarded(query, failures: list[str], name: str):
    """Run one check's queries; a failure ends the (read) transaction so the next check can run."""
    try:
        return query()
    except Exception as error:  # the database is down, busy or behind (a table is missing)
        log.warning("readiness check %s failed: %s", name, error)
        failures.append(name)
        try:
            db.session.rollback()
        except Exception:
            pass
        return None


def _database_revisions() -> set[str]:
    """The database's migration revisions; empty when it answers but was never migrated. A database
    that cannot be reached is not tried twice: a silent one costs one connect timeout, not two."""
    try:
        return set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except sa.exc.SQLAlchemyError as error:
        if database_unavailable(error):
            raise
        db.session.rollback()  # PostgreSQL: the failed statement ended the transaction
        db.session.scalar(sa.text("SELECT 1"))
        return set()  # reachable, but never migrated


def readiness() -> tuple[bool, dict]:
    """The readiness report and whether this node is ready. Never raises."""
    app = current_app._get_current_object()
    config = app.config
    stale = int(config.get("FORUM_HEARTBEAT_STALE_SECONDS") or 60)
    problems: list[str] = []
    warnings: list[str] = []
    failed: list[str] = []
    now = utcnow()

    revisions = _guarded(_database_revisions, [], "database")
    heads = app.extensions[_EXTENSION]["heads"]
    database: dict = {"ok": revisions is not None, "head": sorted(heads)}
    if revisions is None:
        problems.append("database_unreachable")
        database["error"] = "unreachable"
    else:
        database["revision"] = sorted(revisions)
        if revisions == heads:
            database["migrations"] = "at_head"
        elif revisions - _known_revisions(app):
            database["migrations"] = "unknown"  # a newer release migrated it; this one still works
            warnings.append("migrations_unknown")
        else:
            database["migrations"] = "behind"
            database["ok"] = False
            problems.append("migrations_behind")
    report: dict = {"status": "", "database": database}

    reachable = revisions is not None
    indexer_mode = config.get("FORUM_SEARCH_INDEXER", "thread")
    redis_url = config.get("FORUM_REDIS_URL")
    # Only the processes that are configured must beat; the embedded default has none.
    needs_beats = reachable and (indexer_mode == "external" or bool(redis_url))
    beats = _guarded(heartbeats.newest_beats, failed, "heartbeats") if needs_beats else None

    search: dict = {"indexer": indexer_mode}
    outbox = _guarded(lambda: db.session.execute(
        sa.select(sa.func.count(), sa.func.min(SearchOutbox.created_at)).select_from(SearchOutbox)).one(),
        failed, "search") if reachable else None
    search["ok"] = outbox is not None
    if outbox is not None:
        search["outbox_depth"] = outbox[0]
        search["oldest_age_seconds"] = _age(outbox[1], now)
        if (search["oldest_age_seconds"] or 0) > stale:
            warnings.append("search_lagging")
    if indexer_mode == "external" and reachable:
        beat = _heartbeat(beats, heartbeats.INDEXER, stale, now, problems)
        search["heartbeat_age_seconds"] = beat["heartbeat_age_seconds"]
        search["ok"] = search["ok"] and beat["ok"]
    report["search"] = search

    if redis_url:
        # One PING with the short timeout; a failure is logged (at most once a minute) and makes
        # the jobs skip Redis for a while, a success lets them use it again at once.
        status = redis_client.redis_status(app)
        report["redis"] = {"ok": status["ok"], "latency_ms": status["latency_ms"]} | (
            {"error": status["error"][:200]} if status["error"] else {})
        if not status["ok"]:
            warnings.append("redis_unreachable")

    mail: dict = {}
    waiting = sa.select(sa.func.count(), sa.func.min(OutgoingEmail.created_at)).where(
        OutgoingEmail.status.in_(["pending", "sending"]))
    counts = _guarded(lambda: (
        db.session.execute(waiting).one(),
        db.session.scalar(sa.select(sa.func.count()).where(OutgoingEmail.status == "failed"))),
        failed, "mail") if reachable else None
    mail["ok"] = counts is not None
    if counts is not None:
        (backlog, oldest), failures = counts
        mail.update(backlog=backlog, oldest_age_seconds=_age(oldest, now), failed=failures)
    if redis_url and reachable:
        beat = _heartbeat(beats, heartbeats.JOBS, stale, now, problems)
        mail["worker_heartbeat_age_seconds"] = beat["heartbeat_age_seconds"]
        mail["ok"] = mail["ok"] and beat["ok"]
    report["mail"] = mail
    try:
        db.session.rollback()  # end the read; nothing was written
    except Exception:
        pass

    problems += [f"{name}_check_failed" for name in failed]
    ready = not problems
    report["status"] = "ready" if ready else "not_ready"
    report["problems"] = problems
    report["warnings"] = warnings
    return ready, report
