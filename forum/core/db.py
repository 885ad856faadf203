"""Database helpers shared by every feature: UTC time, mixins, the unit of work and after-commit hooks.

Rule: one transaction per command, committed once at the boundary (a request: forum.web.boundary; a
CLI command or a job: `unit_of_work()`). Services and helpers only flush. Side effects (indexing,
e-mail) are registered with `on_commit()` and run only if the transaction commits. This module is
the only place that commits (tests/core/test_unit_of_work.py checks it).
"""
from __future__ import annotations

import functools
import logging
import os
import re
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from forum.core.errors import Conflict
from forum.extensions import db

_log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes on every database (SQLite keeps no offset; this restores it)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def render_migration_item(type_, obj, autogen_context):
    """Alembic autogenerate: write UTCDateTime columns as plain sa.DateTime(timezone=True), so that
    migrations do not import the application."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns; larger numbers cannot name a row


def is_row_id(value) -> bool:
    """Could `value` be a row id? (Bools, strings, zero, negatives and overflows cannot.)"""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def insert_ignoring_conflicts(model, values: dict | list[dict], conflict_columns: list[str], returning=None,
                              many: bool = False):
    """INSERT ... ON CONFLICT (columns) DO NOTHING on SQLite and PostgreSQL; with `returning`, the
    inserted value or None when the row existed (rowcount is not reliable through the ORM session),
    or with `many` the list of the values of every row inserted."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(values).on_conflict_do_nothing(index_elements=conflict_columns)
    if returning is None:
        db.session.execute(statement)
        return None
    if many:
        return list(db.session.scalars(statement.returning(returning)))
    return db.session.scalar(statement.returning(returning))


def serialise_transactions(space: int, key: int) -> None:
    """Wait until no other transaction holds (space, key), and hold it until this one ends: a lock on
    a name rather than a row, so it cannot deadlock with row locks taken in another order.
    PostgreSQL: a transaction-level advisory lock (two 32-bit keys). SQLite needs none, for its
    writing transactions already run one at a time (BEGIN IMMEDIATE, configure_sqlite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(space, key)))


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One command, one transaction: the block's writes are committed once when it ends, or rolled
    back if it raises; an IntegrityError becomes Conflict. The on-commit hooks run after the
    commit. Requests (forum.web.boundary), CLI commands, jobs and threads run in one."""
    session = db.session()
    try:
        yield session
        session.commit()
    except sa.exc.IntegrityError as error:
        # A unique key taken by a concurrent request, a row deleted meanwhile: 409, not 500 or 503.
        session.rollback()
        _log.info("integrity error at the unit of work's boundary: %s", error.orig)
        raise Conflict(_("Someone else changed this at the same moment. Reload the page and try again.")) from error
    except BaseException:
        session.rollback()
        raise


def checkpoint() -> None:
    """Make what this command did so far durable now, before a slow or failing step, on purpose.

    Only for a budget that must be counted even if the command then fails or its process dies: the
    sign-in attempts that lock an account (a guesser on ten nodes gets the same five tries), a
    password rehash worth keeping when the rest of the request is refused. Everything else waits
    for the boundary."""
    db.session.commit()


_HOOKS_KEY = "forum_on_commit"


def on_commit(callback: Callable[[], None], session: Session | None = None, *, once: bool = False) -> None:
    """Run `callback` after the current transaction commits; drop it if it rolls back. With `once`,
    a callback already waiting for this commit is not added again."""
    session = session or db.session()
    hooks = session.info.setdefault(_HOOKS_KEY, [])
    if not (once and callback in hooks):
        hooks.append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    """Each hook runs even if an earlier one failed, and a failure never reaches the caller: the
    transaction is committed, so answering 500 would tell the client its write was lost when it was
    not. Hooks keep their work retryable (the search outbox, the e-mail outbox) and are logged."""
    if session.in_nested_transaction():
        return  # a savepoint released (SQLAlchemy reports it as a commit): the real one is to come
    callbacks = session.info.pop(_HOOKS_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            _log.exception("after-commit hook %r failed; the commit stands", callback)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction only
        session.info.pop(_HOOKS_KEY, None)


@event.listens_for(Session, "do_orm_execute")
def _update_in_sql_only(state) -> None:
    """An ORM UPDATE changes rows in SQL only; the copies of that entity in the session are then
    expired, so their next read comes from the database.

    SQLAlchemy's default ("auto": "evaluate", else "fetch") applies the SET expressions to the copies
    in the session in Python, from what each copy holds. When a copy is older than the row (an UPDATE
    earlier in the same unit of work, another transaction's change read under a lock), that gives a
    value the database never had: a reputation of -1 where the row said 1, and the member could not
    ask. An UPDATE that names `synchronize_session` itself keeps its choice; bulk UPDATE by primary
    key (a list of parameter sets) is left to SQLAlchemy."""
    if not state.is_update or isinstance(state.parameters, list):
        return None
    if "synchronize_session" in state.local_execution_options \
            or "synchronize_session" in state.statement.get_execution_options():
        return None
    result = state.invoke_statement(execution_options={"synchronize_session": False})
    entity = state.statement.entity_description.get("entity")
    if entity is not None:
        mapper = sa.inspect(entity)
        for instance in list(state.session.identity_map.values()):
            if sa.inspect(instance).mapper.isa(mapper):
                state.session.expire(instance)
    return result


def engine_options(url: str, config: Mapping) -> dict:
    """create_engine() options from the FORUM_DB_* settings, with SQLALCHEMY_ENGINE_OPTIONS from the
    configuration merged over them (its keys win; its connect_args are merged key by key).

    pool_pre_ping: a connection the database closed (a restart, an idle timeout) is replaced when it
    is checked out, instead of failing the request that drew it. A short pool timeout makes an
    exhausted pool answer 503 quickly rather than hold the request. On PostgreSQL the statement and
    lock timeouts are session settings sent with every new connection; SQLite's counterpart of the
    lock timeout is its busy timeout (configure_sqlite).
    """
    parsed = sa.engine.make_url(url)
    options: dict = {"pool_pre_ping": True}
    connect_args: dict = {}
    in_memory = parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
    if not in_memory:  # in-memory SQLite uses one static connection: there is no pool to size
        options.update(pool_size=int(config.get("FORUM_DB_POOL_SIZE", 5)),
                       max_overflow=int(config.get("FORUM_DB_MAX_OVERFLOW", 10)),
                       pool_timeout=float(config.get("FORUM_DB_POOL_TIMEOUT", 5)))
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = int(config.get("FORUM_DB_CONNECT_TIMEOUT", 5))
        settings = [parsed.query["options"]] if isinstance(parsed.query.get("options"), str) else []
        for name, key in (("statement_timeout", "FORUM_DB_STATEMENT_TIMEOUT_MS"),
                          ("lock_timeout", "FORUM_DB_LOCK_TIMEOUT_MS")):
            milliseconds = int(config.get(key) or 0)
            if milliseconds > 0:
                settings.append(f"-c {name}={milliseconds}")
        if settings:
            connect_args["options"] = " ".join(settings)
    explicit = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args.update(explicit.pop("connect_args", None) or {})
    options.update(explicit)
    if connect_args:
        options["connect_args"] = connect_args
    return options


# Engines whose pools a forked child must not use (gunicorn --preload, RQ's work-horse per job).
_fork_guarded: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
_fork_hook: list[bool] = []  # registered once per process (hooks cannot be removed)


def _forget_inherited_pools() -> None:
    for engine in list(_fork_guarded):
        # close=False: the connections belong to the parent, which still uses them; the child
        # only drops its references and opens its own.
        engine.dispose(close=False)


def guard_against_fork(engine: sa.Engine) -> None:
    """A child process never uses a pooled connection it inherited: two processes on one socket
    mix up each other's results and prepared statements (issue 18). Every fork disposes the pool
    in the child (os.register_at_fork); and, SQLAlchemy's second recipe, a connection opened by
    another process is refused at checkout, for anything that held a pool across a fork."""
    if not _fork_hook:
        os.register_at_fork(after_in_child=_forget_inherited_pools)
        _fork_hook.append(True)
    _fork_guarded.add(engine)

    @event.listens_for(engine, "connect")
    def _remember_pid(dbapi_connection, connection_record):
        connection_record.info["pid"] = os.getpid()

    @event.listens_for(engine, "checkout")
    def _refuse_foreign(dbapi_connection, connection_record, connection_proxy):
        if connection_record.info.get("pid", os.getpid()) != os.getpid():
            connection_record.dbapi_connection = connection_proxy.dbapi_connection = None
            raise sa.exc.DisconnectionError(
                f"connection opened in process {connection_record.info['pid']}, used in {os.getpid()}")


# SQLSTATE classes and codes that mean "the database is down, overloaded or busy; try again", not a
# bug: connection exceptions, insufficient resources (too many connections), operator intervention
# (shutdown, statement_timeout's query_canceled 57014), lock_not_available (lock_timeout), and
# transaction rollbacks (serialization failure, deadlock).
_RETRYABLE_SQLSTATES = ("08", "53", "57", "55P03", "40")
_RETRYABLE_SQLITE = ("database is locked", "database table is locked", "database is busy",
                     "unable to open database file", "disk i/o error")


def database_unavailable(error: BaseException) -> bool:
    """Does `error` say the database cannot serve now (unreachable, restarting, pool exhausted,
    a lock or statement timeout, SQLite busy), so that the caller should answer "try again later"
    rather than report a bug? A missing table or a constraint violation is not such an error."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection became free in time
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if error.statement is None and isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)):
        return True  # raised while connecting (refused, timed out, the database not there yet)
    if not isinstance(error, sa.exc.OperationalError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(_RETRYABLE_SQLSTATES)
    if hasattr(error.orig, "sqlite_errorcode") or type(error.orig).__module__.startswith("sqlite3"):
        return str(error.orig).lower().startswith(_RETRYABLE_SQLITE)
    return True  # a driver error without a SQLSTATE: the connection itself failed


def configure_sqlite(engine: sa.Engine, read_only: Callable[[], bool] = lambda: False,
                     busy_timeout_ms: int = 30000) -> None:
    """WAL, a busy timeout (how long a write waits for the one before it; past it "database is
    locked", which answers 503), and transactions that take the write lock when they begin.

    In WAL mode a transaction that read first and writes later fails at once with "database is
    locked" (SQLITE_BUSY_SNAPSHOT) if another connection wrote in between; the busy timeout does
    not help there. So transactions that may write begin IMMEDIATE and wait their turn (up to the
    busy timeout), while those that `read_only()` declares read-only begin DEFERRED and never block.
    pysqlite's own implicit BEGIN is turned off so that this one is used (SQLAlchemy's recipe).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only() else "BEGIN IMMEDIATE")


def configure_postgresql(engine: sa.Engine, read_only: Callable[[], bool]) -> None:
    """Requests that only read run their statements outside a transaction (autocommit): each
    statement reads committed data, as it would inside one at READ COMMITTED (PostgreSQL's default
    and the forum's), and the request saves two round trips, BEGIN and COMMIT (issue 15: a member's
    question page sends two statements besides).

    Pooled connections rest in autocommit. A transaction that may write (every one but
    `read_only()`'s: forms, API writes, CLI commands, jobs, threads) turns autocommit off when it
    begins, before its first statement, and psycopg sends BEGIN with it. A read-only request turns
    it off at the first statement that needs a transaction: a write (a GET that writes all the
    same), a savepoint, a row or advisory lock, a setting local to the transaction, a server-side
    cursor (stream_results, yield_per); from there on it is one transaction like any other. A
    connection given `isolation_level="AUTOCOMMIT"` (VACUUM, Alembic's autocommit_block) is left
    as it asked. Not used when the engine is given an isolation level of its own
    (forum._configure_engine): at REPEATABLE READ a request's reads share one snapshot."""

    @event.listens_for(engine, "connect")
    def _rest_in_autocommit(dbapi_connection, connection_record):
        _autocommit(dbapi_connection)

    @event.listens_for(engine, "checkin")
    def _back_to_autocommit(dbapi_connection, connection_record):
        if dbapi_connection is None:  # the connection was invalidated
            return
        try:
            _autocommit(dbapi_connection)
        except Exception as error:  # noqa: BLE001 (a connection that cannot be reset is not reused)
            _log.warning("a pooled connection could not be reset, so it is closed: %s", error)
            connection_record.invalidate(error)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not read_only() and not _asked_for_autocommit(connection):
            connection.connection.dbapi_connection.autocommit = False

    @event.listens_for(engine, "before_cursor_execute")
    def _transaction_when_needed(connection, cursor, statement, parameters, context, executemany):
        dbapi_connection = cursor.connection
        if dbapi_connection.autocommit and (
                needs_transaction(statement) or getattr(cursor, "name", None)  # a server-side cursor
                or (context is not None and context.execution_options.get("stream_results"))) \
                and not _asked_for_autocommit(connection):
            dbapi_connection.autocommit = False  # psycopg sends BEGIN before this statement


def _asked_for_autocommit(connection) -> bool:
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def _autocommit(dbapi_connection) -> None:
    if dbapi_connection.info.transaction_status != 0:  # not idle (psycopg.pq.TransactionStatus.IDLE)
        dbapi_connection.rollback()
    dbapi_connection.autocommit = True


_READS = ("SELECT", "EXPLAIN", "SHOW", "VALUES", "PRAGMA")
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def sql_writes(text: str) -> bool:
    """Whether a statement's SQL may write: anything but a read (a WITH is a read unless it holds a
    write: PostgreSQL's data-modifying WITH). The one rule for raw SQL (forum.core.page_cache)."""
    words = text.lstrip().lstrip("(").split(None, 1)
    first = words[0].upper() if words else ""
    if first in _READS:
        return False
    if first == "WITH":
        return bool(_WRITE_WORD.search(text))
    return True


# In a statement that reads: a row lock, an advisory lock, a setting or a sequence step, which only
# mean something inside a transaction; a write word (EXPLAIN ANALYZE runs its statement).
_TRANSACTIONAL = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b|\bFOR\s+(?:KEY\s+)?SHARE\b|advisory|set_config"
                            r"|nextval|setval|txid_|pg_current_xact", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def needs_transaction(statement: str) -> bool:
    """Whether a statement must run inside a transaction (every one but plain reads). Cached by the
    statement's text: SQLAlchemy sends the same compiled strings again and again."""
    return sql_writes(statement) or _TRANSACTIONAL.search(statement) is not None \
        or _WRITE_WORD.search(statement) is not None
