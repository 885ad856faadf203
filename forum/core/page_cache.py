"""The anonymous page cache: where pages are kept, and how every committed write that changes what
they show makes them stale at once, in every process and on every node.

Pages are kept under a *generation*. Every unit of work (a request, a CLI command, a job) whose
flushes or statements touched a table that public pages show (questions, answers, votes, users'
public columns, tags, verifications, tickets, the search outbox, ...) moves the generation on right
after its commit, before the request answers; a page stored under an older generation is never
served again. The order makes it safe without locks: a reader takes the generation *before* it
reads the database, and a writer moves it *after* its commit, so a page stored under generation g
holds at least every write whose bump came before g was read.

Two stores, chosen by FORUM_REDIS_URL:
- `RedisPages`: the generation is a Redis counter (INCR) and the pages are Redis strings that
  carry the generation they were rendered under, shared by every worker and node; each process
  keeps the pages it served in memory too, for the current generation only, so that a hit costs
  one small GET. Redis down or hung (short timeouts, forum.core.redis_client): pages are rendered,
  never a 500; a bump that could not be made is made as soon as this process reaches Redis again.
- `LocalPages` (no Redis): each process keeps its pages in memory (an LRU bounded in bytes), and
  the generation is a random token in a small file of the instance folder, replaced atomically
  (write, then rename) by a bump. Reading it costs one small file read, no database connection, so
  a hit touches no database at all; every worker process of the machine shares it. Several
  machines share no instance folder: they need Redis (as they do for rate limits and jobs).

A time to live (FORUM_PAGE_CACHE_SECONDS) bounds what no write changes: "3 minutes ago". Page keys
also carry a digest of the code, templates, static files and settings (`build_id`), so that a node
running another version never serves the pages of this one (a rolling deploy, a Redis kept across
restarts).

Pages (HTML) are kept gzip-compressed (`Page.encoding`): a visitor whose browser accepts gzip (every
browser does) is sent those bytes as they are, and a client that does not is sent them
decompressed. Compressing each page once, when it is kept, costs less than compressing it on every
hit (Flask-Compress, which leaves a response that is already encoded as it is), and a page takes a
fifth to a seventh of the memory (issue 15). API reads are kept as they are: their clients (scripts,
integrations) often ask for no compression, and a small JSON answer gains little.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.core import redis_client
from forum.core.db import sql_writes

log = logging.getLogger(__name__)

EXTENSION = "forum_page_cache"
GENERATION_FILE = "page-cache-generation"
REDIS_GENERATION = "forum:page-cache:generation"  # one for every version of the code: writes bump it
REDIS_PAGE = "forum:page-cache:page:"

# Tables that no page shows to a visitor who is not signed in: writing them leaves every cached page
# as it is (else each sign-in, e-mail sent or notification read would empty the cache). Anything not
# listed counts as public, so that a new table errs on the side of a fresh page.
PRIVATE_TABLES = frozenset({
    "api_tokens", "idempotency_keys", "password_resets", "worker_heartbeats",  # accounts, operations
    "reserved_usernames",  # names of erased accounts, held back from registration
    "search_events",  # the search log (forum.insights): written after a page is served, shown nowhere public
    "notifications", "notification_settings", "outgoing_emails", "follows",  # a member's own
    "flags", "review_items", "moderation_log", "watched_words",  # moderators' (a hidden post changes its row)
    "staff_tiers", "ticket_events", "ticket_messages", "canned_replies",  # the support desk's
    "ticket_attachments",
    # Images: an upload shows on a page only through a post's body_html, which is written with it
    # (a question or an answer, public tables); a new upload alone changes no page.
    "uploads", "upload_uses",
    # Admins' webhooks and their deliveries, and the incoming-mail log: shown on no public page (a
    # delivery's retry, in a background job, must not empty every cached page).
    "webhooks", "webhook_deliveries", "inbound_emails",
})
# Columns of public tables that no public page shows: sign-in bookkeeping, secrets, settings.
PRIVATE_COLUMNS = {
    "users": frozenset({"email", "email_key", "password_hash", "session_version", "last_seen_at",
                        "failed_logins", "first_failed_at", "locked_until", "trusted_attempts", "totp_secret",
                        "totp_pending_secret", "totp_last_step", "recovery_codes", "locale", "updated_at",
                        "erasure_requested_at", "erasure_due_at"}),
}

_CHANGED = "forum_pages_changed"  # session.info: this transaction changed what public pages show
WROTE = "forum_wrote"  # session.info: this session wrote something (any table) since it began


@dataclass(frozen=True)
class Page:
    """A rendered page: its bytes as kept (`encoding` "gzip" or "" for as rendered), type,
    validator (a digest of the body as rendered) and when it was rendered."""

    data: bytes
    content_type: str
    etag: str
    rendered_at: float  # Unix time
    encoding: str = ""

    def body(self) -> bytes:
        """The page as rendered."""
        return zlib.decompress(self.data, wbits=31) if self.encoding == "gzip" else self.data

    @property
    def size(self) -> int:
        """What it costs the LRU (`Memory`)."""
        return len(self.data)


def digest(body: bytes) -> str:
    """A page's validator: the same body, the same ETag, on every worker and node."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def make_page(body: bytes, content_type: str) -> Page:
    if not content_type.startswith("text/html"):
        return Page(body, content_type, digest(body), time.time())
    # Level 6, the default of gzip and of Flask-Compress; mtime 0: the same page, the same bytes.
    return Page(gzip.compress(body, compresslevel=6, mtime=0), content_type, digest(body), time.time(), "gzip")


# --- the two stores ------------------------------------------------------------------------------

class Memory:
    """This process's pages: an LRU bounded in bytes (each entry's `size`), holding the pages of one
    generation only."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, tuple[Page, float]] = OrderedDict()
        self._bytes = 0
        self._generation: str | None = None

    def get(self, generation: str, key: str) -> Page | None:
        with self._lock:
            if generation != self._generation:
                self._clear(generation)  # every page here is older than the last write
                return None
            found = self._pages.get(key)
            if found is None:
                return None
            page, expires = found
            if time.time() >= expires:
                self._forget(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, generation: str, key: str, page: Page, expires: float) -> None:
        size = page.size
        if size > self.max_bytes // 8:
            return  # one huge page would push out dozens of others
        with self._lock:
            if generation != self._generation:
                return  # the generation moved on while the page was rendered: it may be stale
            self._forget(key)
            self._pages[key] = (page, expires)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._forget(next(iter(self._pages)))

    def clear(self, generation: str | None = None) -> None:
        with self._lock:
            self._clear(generation)

    def _clear(self, generation: str | None) -> None:
        self._pages.clear()
        self._bytes = 0
        self._generation = generation

    def _forget(self, key: str) -> None:
        found = self._pages.pop(key, None)
        if found is not None:
            self._bytes -= found[0].size


class LocalPages:
    """This process's pages in memory, keyed by the generation in the instance folder's file."""

    def __init__(self, instance_path: str, seconds: float, max_bytes: int):
        self.path = Path(instance_path) / GENERATION_FILE
        self.seconds = seconds
        self.memory = Memory(max_bytes)
        self.broken = False  # a bump failed: this process serves no cached page any more

    def generation(self) -> str | None:
        """The shared generation (None: the file cannot be read or made; then nothing is cached)."""
        if self.broken:
            return None
        try:  # (the system calls alone: a third of Path.read_text's cost, on every request)
            descriptor = os.open(self.path, os.O_RDONLY)
            try:
                return os.read(descriptor, 256).decode("ascii") or None
            finally:
                os.close(descriptor)
        except FileNotFoundError:
            return self.bump()
        except OSError as error:
            _warn_once(f"cannot read {self.path}: {error}; pages are not cached")
            return None

    def lookup(self, key: str) -> tuple[str | None, Page | None]:
        generation = self.generation()
        if generation is None:
            return None, None
        return generation, self.memory.get(generation, key)

    def save(self, generation: str, key: str, page: Page) -> None:
        self.memory.put(generation, key, page, time.time() + self.seconds)

    def bump(self) -> str | None:
        """A new generation: a random token, written beside the file and renamed over it (atomic:
        a reader sees the old token or the new one, never half of either)."""
        token = os.urandom(16).hex()
        temporary = self.path.with_name(f".{GENERATION_FILE}.{os.getpid()}.{threading.get_ident()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(token, encoding="ascii")
            os.replace(temporary, self.path)
        except OSError as error:
            # Other processes may go on serving what this write changed until their pages expire;
            # this one at least stops (the folder also holds SQLite's file: it must be writable).
            _warn_once(f"cannot write {self.path}: {error}; pages are not cached by process {os.getpid()}")
            self.broken = True
            return None
        self.memory.clear(token)
        return token


class RedisPages:
    """Pages in Redis, shared by every process and node, with this process's memory in front: a hit
    reads the generation (a few bytes, one round trip) and finds the page in memory; a page another
    process rendered costs a second round trip, once."""

    def __init__(self, app: Flask, seconds: float, max_bytes: int):
        self.app = app
        self.url = app.config["FORUM_REDIS_URL"]
        self.seconds = seconds
        self.prefix = f"{REDIS_PAGE}{build_id(app)}:"
        self.memory = Memory(max_bytes)

    def generation(self) -> str | None:
        """The shared generation (None: Redis cannot be reached now; then nothing is cached)."""
        if not self._reachable():
            return None
        try:
            return (redis_client.client(self.app).get(REDIS_GENERATION) or b"0").decode()
        except redis_client.errors() as error:
            redis_client.mark_down(self.url, error, "reading the page cache")
            return None

    def lookup(self, key: str) -> tuple[str | None, Page | None]:
        generation = self.generation()
        if generation is None:
            return None, None
        page = self.memory.get(generation, key)
        if page is None:
            try:
                raw = redis_client.client(self.app).get(self.prefix + key)
            except redis_client.errors() as error:
                redis_client.mark_down(self.url, error, "reading the page cache")
                return None, None
            page = _decode(raw, generation) if raw else None
            if page is not None:
                self.memory.put(generation, key, page, page.rendered_at + self.seconds)
        return generation, page

    def save(self, generation: str, key: str, page: Page) -> None:
        if not redis_client.available(self.url):
            return
        self.memory.put(generation, key, page, page.rendered_at + self.seconds)
        try:
            redis_client.client(self.app).set(self.prefix + key, _encode(page, generation),
                                              ex=max(1, int(self.seconds)))
        except redis_client.errors() as error:
            redis_client.mark_down(self.url, error, "storing a page")

    def bump(self) -> None:
        self.memory.clear()
        try:
            redis_client.client(self.app).incr(REDIS_GENERATION)
        except redis_client.errors() as error:
            # Made when this process next reaches Redis; meanwhile it renders (Redis is marked down).
            with _pending_lock:
                _pending_bumps.add(self.url)
            redis_client.mark_down(self.url, error, "invalidating the page cache")

    def _reachable(self) -> bool:
        if not redis_client.available(self.url):
            return False
        if self.url in _pending_bumps:
            with _pending_lock:
                _pending_bumps.discard(self.url)
            self.bump()
            return redis_client.available(self.url)
        return True


_pending_bumps: set[str] = set()
_pending_lock = threading.Lock()


def _encode(page: Page, generation: str) -> bytes:
    head = json.dumps({"g": generation, "t": page.content_type, "e": page.etag, "r": page.rendered_at,
                       "z": page.encoding})
    return head.encode() + b"\n" + page.data


def _decode(raw: bytes, generation: str) -> Page | None:
    head, _, body = raw.partition(b"\n")
    try:
        meta = json.loads(head)
    except ValueError:
        return None
    if meta.get("g") != generation:
        return None  # rendered before the last write
    return Page(body, meta["t"], meta["e"], float(meta["r"]), meta.get("z", ""))


# --- wiring --------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """The store for this application (none when FORUM_PAGE_CACHE is off)."""
    app.extensions.pop(EXTENSION, None)
    if not app.config.get("FORUM_PAGE_CACHE"):
        return
    seconds = float(app.config.get("FORUM_PAGE_CACHE_SECONDS") or 60)
    max_bytes = int(float(app.config.get("FORUM_PAGE_CACHE_MB") or 16) * 1024 * 1024)
    if app.config.get("FORUM_REDIS_URL"):
        app.extensions[EXTENSION] = RedisPages(app, seconds, max_bytes)
    else:
        app.extensions[EXTENSION] = LocalPages(app.instance_path, seconds, max_bytes)


def store_of(app: Flask) -> LocalPages | RedisPages | None:
    return app.extensions.get(EXTENSION)


def invalidate(app: Flask | None = None) -> None:
    """Make every cached page stale now (after a change the session events cannot see, such as a
    file or an index written outside the database). Never raises."""
    if app is None:
        if not has_app_context():
            return
        app = current_app._get_current_object()
    store = store_of(app)
    if store is None:
        return
    try:
        store.bump()
    except Exception:  # a cache must never fail the write that invalidates it
        log.exception("could not invalidate the page cache")


_build_ids: dict[tuple, str] = {}


def build_id(app: Flask) -> str:
    """A digest of the code, templates, translations, static files and migrations this process
    serves, and of its FORUM_* settings: pages rendered by another version (or configuration) are
    never served. Computed once per process (about 1.5 MB read)."""
    package = Path(__file__).resolve().parents[1]
    settings = json.dumps({k: v for k, v in app.config.items() if k.startswith(("FORUM_", "BABEL_"))},
                          sort_keys=True, default=str)
    cache_key = (str(package), settings)
    if cache_key not in _build_ids:
        digest = hashlib.blake2b(settings.encode(), digest_size=8)
        # (rglob does not enter the links to templates/, static/ and migrations/: each is walked itself)
        for folder, pattern in (("", "*.py"), ("templates", "*"), ("static", "*"), ("translations", "*.mo"),
                                ("migrations", "*.py")):
            root = package / folder
            files = (p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
            for path in sorted(files):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
        _build_ids[cache_key] = digest.hexdigest()
    return _build_ids[cache_key]


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning("page cache: %s", message)


# --- what a unit of work changed -----------------------------------------------------------------

def _public_table(name: str) -> bool:
    return name not in PRIVATE_TABLES


def _changes_public_columns(instance) -> bool:
    state = sa.inspect(instance)
    private = PRIVATE_COLUMNS.get(state.mapper.local_table.name)
    if private is None:
        return True
    for attribute in state.mapper.attrs:
        if attribute.key not in private and state.attrs[attribute.key].history.has_changes():
            return True
    return False


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    """The session still lists what the flush wrote (new, dirty, deleted) and its history."""
    wrote = changed = False
    for instance in (*session.new, *session.deleted):
        wrote = True
        if any(_public_table(table.name) for table in sa.inspect(instance).mapper.tables):
            changed = True
            break
    if not changed:
        for instance in session.dirty:
            if not session.is_modified(instance):
                continue
            wrote = True
            tables = sa.inspect(instance).mapper.tables
            if any(_public_table(table.name) for table in tables) and _changes_public_columns(instance):
                changed = True
                break
    if wrote or changed:
        session.info[WROTE] = True
    if changed:
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    """Statements that bypass the flush: ORM bulk INSERT/UPDATE/DELETE and raw SQL."""
    if state.is_select:
        return
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        public = name is None or (_public_table(name) and _statement_changes_public_columns(statement, name))
    elif isinstance(statement, sa.TextClause):
        if not sql_writes(statement.text):
            return
        public = True  # raw SQL: which tables, only its text says; count it
    else:
        return
    state.session.info[WROTE] = True
    if public:
        state.session.info[_CHANGED] = True


def _statement_changes_public_columns(statement, table_name: str) -> bool:
    private = PRIVATE_COLUMNS.get(table_name)
    if private is None or not getattr(statement, "is_update", False):
        return True
    values = getattr(statement, "_values", None)  # the SET clause of `update(...).values(...)`
    if not values:
        return True  # not knowable: count it
    names = {getattr(column, "key", column) for column in values}
    return not names <= private


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the real commit is to come
    if session.info.pop(_CHANGED, False):
        invalidate()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)
