"""Database helpers shared by every feature: UTC time, mixins, and after-commit hooks.

Rule: a public service commits once; helpers only flush. Side effects (indexing, e-mail) are
registered with `on_commit()` and run only if the transaction commits.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

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


def insert_ignoring_conflicts(model, values: dict | list[dict], conflict_columns: list[str], returning=None):
    """INSERT ... ON CONFLICT (columns) DO NOTHING on SQLite and PostgreSQL; with `returning`, the
    inserted value or None when the row existed (rowcount is not reliable through the ORM session)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(values).on_conflict_do_nothing(index_elements=conflict_columns)
    if returning is None:
        db.session.execute(statement)
        return None
    return db.session.scalar(statement.returning(returning))


def serialise_transactions(space: int, key: int) -> None:
    """Wait until no other transaction holds (space, key), and hold it until this one ends: a lock on
    a name rather than a row, so it cannot deadlock with row locks taken in another order.
    PostgreSQL: a transaction-level advisory lock (two 32-bit keys). SQLite needs none, for its
    writing transactions already run one at a time (BEGIN IMMEDIATE, configure_sqlite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(space, key)))


_HOOKS_KEY = "forum_on_commit"


def on_commit(callback: Callable[[], None], session: Session | None = None) -> None:
    """Run `callback` after the current transaction commits; drop it if it rolls back."""
    session = session or db.session()
    session.info.setdefault(_HOOKS_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    """Each hook runs even if an earlier one failed, and a failure never reaches the caller: the
    transaction is committed, so answering 500 would tell the client its write was lost when it was
    not. Hooks keep their work retryable (the search outbox, the e-mail outbox) and are logged."""
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


def configure_sqlite(engine: sa.Engine, read_only: Callable[[], bool] = lambda: False) -> None:
    """WAL, a busy timeout, and transactions that take the write lock when they begin.

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
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only() else "BEGIN IMMEDIATE")
