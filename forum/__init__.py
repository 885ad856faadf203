"""The community support forum. `create_app` is the only wiring point."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, has_request_context, request

from forum.extensions import babel, csrf, db, limiter, login_manager, migrate

# templates/, static/ and migrations/ stand at the repository's top level; forum/ holds links to
# them, which a built wheel turns into real folders. A checkout, an editable install and an installed
# wheel therefore find them at the same place, whatever the working directory.
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
MIGRATIONS = PACKAGE / "migrations"
log = logging.getLogger(__name__)


def create_app(config: object | dict | None = None) -> Flask:
    """Build the application. `config` is a class (default: forum.settings.Config) or a mapping of
    overrides on top of it.

    The instance folder (SQLite file, secret key, Whoosh index, optional `config.py`) is
    FORUM_INSTANCE_PATH (in the mapping, else in the environment) when set, else Flask's default:
    `instance/` beside the package in a checkout or an editable install,
    `<prefix>/var/forum-instance` for an installed package. Never site-packages.
    """
    from forum import settings

    instance_path = (config or {}).get("FORUM_INSTANCE_PATH") if isinstance(config, dict) else None
    instance_path = instance_path or os.environ.get("FORUM_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    app.config.from_object(settings.Config if config is None or isinstance(config, dict) else config)
    # Flask's instance-config convention: structured settings (support hours, SLA targets, ...) in
    # Python, kept with the instance rather than in the installed package.
    app.config.from_pyfile(os.path.join(app.instance_path, "config.py"), silent=True)
    if isinstance(config, dict):
        app.config.update(config)
    _finish_config(app, settings)
    # First, so that every later line (and every request, from its first hook) is logged with the
    # level, format and request id configured.
    from forum.web import logs

    logs.configure(app)
    _trust_proxies(app)

    from forum.core.db import engine_options, render_migration_item

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config)
    db.init_app(app)

    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True,
                     render_item=render_migration_item)
    csrf.init_app(app)
    login_manager.init_app(app)
    # Rate limits: Redis when configured (counters shared by every worker), else per process; while
    # Redis is down or hangs (short timeouts), per process too (Flask-Limiter's in-memory fallback).
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("FORUM_REDIS_URL") or "memory://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "redis+unix://")):
        from forum.core import redis_client

        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_client.client_options(app.config))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = bool(app.config.get("FORUM_RATE_LIMITS", True))
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    limiter.init_app(app)

    from forum.web import i18n
    from forum.web import setup as web_setup

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(PACKAGE / "translations"))
    _configure_engine(app)
    _import_models()
    web_setup.init_app(app)
    _connect_signals()
    _register_blueprints(app)
    _register_cli(app)
    _start_search(app)
    from forum.ops import views as ops_views

    ops_views.init_app(app)  # readiness, metrics (request hooks, /metrics access)
    return app


def _start_search(app: Flask) -> None:
    """Rebuild a missing or unreadable index now; start the indexer thread with the first request.

    A database that is down at start-up does not stop the forum: it starts, answers 503 with
    Retry-After until the database is back, and the check runs again with a request (at most every
    few seconds), so nothing needs a restart."""
    import threading
    import time

    import sqlalchemy as sa

    from forum.core.db import database_unavailable
    from forum.search import indexer, services

    pending = {"next_try": None}  # monotonic time of the next try while the check is owed
    checking = threading.Lock()

    def check() -> None:
        try:
            services.ensure_ready(app)
        except sa.exc.SQLAlchemyError as exc:
            if not database_unavailable(exc):
                raise
            if pending["next_try"] is None:
                log.warning("the database is unavailable (%s): starting anyway; requests answer 503 until "
                            "it is back", str(exc).splitlines()[0])
            pending["next_try"] = time.monotonic() + 5
        else:
            if pending["next_try"] is not None:
                log.warning("the database is back; the search index is checked")
            pending["next_try"] = None

    check()

    @app.before_request
    def _search_indexer_running():
        if pending["next_try"] is not None and time.monotonic() >= pending["next_try"]:
            if checking.acquire(blocking=False):
                try:
                    check()
                finally:
                    checking.release()
        indexer.ensure_worker(app)


def _finish_config(app: Flask, config_module) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("FORUM_DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + str(Path(app.instance_path) / "forum.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(url)
    if not app.config.get("FORUM_SEARCH_INDEX"):
        app.config["FORUM_SEARCH_INDEX"] = str(Path(app.instance_path) / "search-index")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app, config_module)
    from forum.moderation.guards import compile_order_pattern

    try:  # a pattern that cannot work stops start-up, not the first post
        compile_order_pattern(app.config.get("FORUM_ORDER_NUMBER_PATTERN"))
    except ValueError as exc:
        raise RuntimeError(f"FORUM_ORDER_NUMBER_PATTERN: {exc}") from None


def _trust_proxies(app: Flask) -> None:
    """Behind FORUM_TRUSTED_PROXIES reverse proxies, the client's address and scheme come from the
    X-Forwarded-For/-Proto entries those proxies added (werkzeug's ProxyFix takes the n-th from the
    right, so entries a client wrote itself are ignored); with 0, the headers are ignored."""
    hops = app.config.get("FORUM_TRUSTED_PROXIES") or 0
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise RuntimeError("FORUM_TRUSTED_PROXIES must be a whole number of proxies, 0 or more")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _instance_secret(app: Flask, config_module) -> str:
    """A secret key kept in the instance folder, so that sessions survive restarts without FORUM_SECRET_KEY."""
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = config_module.generate_secret_key()
    path.write_text(key)
    path.chmod(0o600)
    return key


def _configure_engine(app: Flask) -> None:
    """The engine's options (pool, timeouts, pre-ping) come from FORUM_DB_* (settings, read before
    db.init_app); here: SQLite's connection setup, and pools that a forked process never reuses."""
    from forum.core.db import configure_sqlite, guard_against_fork

    def read_only_request() -> bool:
        # Safe methods never write; everything else (forms, API writes, CLI) takes the write lock.
        return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")

    with app.app_context():
        for engine in db.engines.values():
            guard_against_fork(engine)
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            configure_sqlite(db.engine, read_only_request,
                             busy_timeout_ms=int(app.config.get("FORUM_DB_LOCK_TIMEOUT_MS") or 30000))


def _import_models() -> None:
    # Every model module, so that metadata (and Alembic's autogenerate) sees all tables.
    import forum.auth.models  # noqa: F401
    import forum.questions.models  # noqa: F401
    import forum.reputation.models  # noqa: F401
    import forum.tickets.models  # noqa: F401
    import forum.notifications.models  # noqa: F401
    import forum.verification.models  # noqa: F401
    import forum.moderation.models  # noqa: F401
    import forum.votes.models  # noqa: F401
    import forum.search.models  # noqa: F401
    import forum.api.models  # noqa: F401
    import forum.ops.models  # noqa: F401


def _connect_signals() -> None:
    from forum.reputation import subscribers as reputation_subscribers
    from forum.notifications import subscribers as notification_subscribers
    from forum.tickets import subscribers as ticket_subscribers
    from forum.verification import subscribers as verification_subscribers
    from forum.votes import subscribers as vote_subscribers

    reputation_subscribers.connect()
    vote_subscribers.connect()
    verification_subscribers.connect()
    ticket_subscribers.connect()
    notification_subscribers.connect()
    from forum.moderation import services as moderation_services

    moderation_services.connect()
    from forum.search import subscribers as search_subscribers

    search_subscribers.connect()


def _register_blueprints(app: Flask) -> None:
    from forum.api import bp as api_bp
    from forum.auth.views import bp as auth_bp
    from forum.questions.views import bp as questions_bp
    from forum.reputation.views import bp as reputation_bp
    from forum.notifications.views import bp as notifications_bp
    from forum.tickets.views import bp as tickets_bp
    from forum.users.views import bp as users_bp
    from forum.verification.views import bp as verification_bp
    from forum.votes.views import bp as votes_bp
    from forum.search.views import bp as search_bp
    from forum.moderation.views import bp as moderation_bp
    from forum.ops.views import bp as ops_bp

    for blueprint in (auth_bp, questions_bp, reputation_bp, votes_bp, verification_bp, moderation_bp, tickets_bp,
                      notifications_bp,
                      search_bp, users_bp, api_bp, ops_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)
    # Mail clients send RFC 8058 one-click unsubscribe POSTs without a CSRF token; the signed
    # token in the address is the proof, and the action only turns e-mail off.
    from forum.notifications.views import unsubscribe

    csrf.exempt(unsubscribe)


def _register_cli(app: Flask) -> None:
    from forum.auth.cli import users_cli
    from forum.demo.cli import register as register_demo
    from forum.questions.cli import posts_cli
    from forum.reputation.cli import reputation_cli
    from forum.notifications.cli import jobs_cli, notifications_cli
    from forum.tickets.cli import tickets_cli
    from forum.votes.cli import votes_cli
    from forum.web.cli import translations_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(posts_cli)
    app.cli.add_command(translations_cli)
    app.cli.add_command(reputation_cli)
    app.cli.add_command(votes_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(tickets_cli)
    from forum.search.cli import search_cli

    app.cli.add_command(search_cli)
    from forum.api.cli import api_cli

    app.cli.add_command(api_cli)
    register_demo(app)
