"""The community support forum. `create_app` is the only wiring point."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask

from forum.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

# templates/, static/ and migrations/ stand at the repository's top level; forum/ holds links to
# them, which a built wheel turns into real folders. A checkout, an editable install and an installed
# wheel therefore find them at the same place, whatever the working directory.
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
MIGRATIONS = PACKAGE / "migrations"


#: Every feature, left to right: a feature imports only those before it (pages, api and ops read them
#: all). Each package's `init_app(app)` wires what it owns: its tables, blueprints, signal
#: subscribers, CLI groups and template globals. A new feature is one more name here.
FEATURES = ("policy", "auth", "questions", "uploads", "reputation", "votes", "verification", "moderation", "tickets",
            "notifications", "mailin", "search", "webhooks", "incidents", "privacy", "insights", "users", "pages",
            "api", "ops", "demo")


def create_app(config: object | dict | None = None) -> Flask:
    """Build the application. `config` is a class (default: forum.settings.Config) or a mapping of
    overrides on top of it.

    The instance folder (SQLite file, secret key, Whoosh index, optional `config.py`) is
    FORUM_INSTANCE_PATH (in the mapping, else in the environment) when set, else Flask's default:
    `instance/` beside the package in a checkout or an editable install,
    `<prefix>/var/forum-instance` for an installed package. Never site-packages.
    """
    from forum import settings
    from forum.web.boundary import ForumFlask

    instance_path = (config or {}).get("FORUM_INSTANCE_PATH") if isinstance(config, dict) else None
    instance_path = instance_path or os.environ.get("FORUM_INSTANCE_PATH")
    app = ForumFlask(__name__, instance_path=os.path.abspath(instance_path) if instance_path else None,
                     template_folder=str(TEMPLATES), static_folder=str(STATIC))  # forum.web.boundary
    app.config.from_object(settings.Config if config is None or isinstance(config, dict) else config)
    # Flask's instance-config convention: structured settings (support hours, SLA targets, ...) in
    # Python, kept with the instance rather than in the installed package.
    app.config.from_pyfile(os.path.join(app.instance_path, "config.py"), silent=True)
    if isinstance(config, dict):
        app.config.update(config)
    _finish_config(app, settings)
    from forum.core.db import engine_options, render_migration_item
    from forum.web import i18n, logs
    from forum.web import setup as web_setup

    # First, so that every later line (and every request, from its first hook) is logged with the
    # level, format and request id configured.
    logs.configure(app)
    _trust_proxies(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True,
                     render_item=render_migration_item)
    csrf.init_app(app)
    login_manager.init_app(app)
    _configure_rate_limits(app)
    # Before the forum's own after_request hooks (features, web/, page cache), so that it runs after
    # them (Flask runs them in reverse) and compresses the final body; the extensions bound above add
    # only headers and cookies after it.
    compress.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(PACKAGE / "translations"))
    _configure_engine(app)
    web_setup.init_app(app)
    for name in FEATURES:
        importlib.import_module(f"forum.{name}").init_app(app)
    return app


def _configure_rate_limits(app: Flask) -> None:
    """Rate limits: Redis when configured (counters shared by every worker), else per process; while
    Redis is down or hangs (short timeouts), per process too (Flask-Limiter's in-memory fallback)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("FORUM_REDIS_URL") or "memory://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "redis+unix://")):
        from forum.core import redis_client

        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_client.client_options(app.config))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = bool(app.config.get("FORUM_RATE_LIMITS", True))
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    limiter.init_app(app)


def _finish_config(app: Flask, config_module) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("FORUM_DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + str(Path(app.instance_path) / "forum.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(url)
    if not app.config.get("FORUM_SEARCH_INDEX"):
        app.config["FORUM_SEARCH_INDEX"] = str(Path(app.instance_path) / "search-index")
    if not app.config.get("FORUM_UPLOAD_DIR"):
        app.config["FORUM_UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app, config_module)


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
    from forum.core.db import configure_postgresql, configure_sqlite, guard_against_fork
    from forum.web.boundary import read_only_request

    # Safe methods never write (but the views marked writes_on_get); everything else (forms, API
    # writes, CLI) takes the write lock.
    with app.app_context():
        for engine in db.engines.values():
            guard_against_fork(engine)
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            configure_sqlite(db.engine, read_only_request,
                             busy_timeout_ms=int(app.config.get("FORUM_DB_LOCK_TIMEOUT_MS") or 30000))
        elif db.engine.dialect.name == "postgresql" and \
                "isolation_level" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]:
            configure_postgresql(db.engine, read_only_request)  # reads without BEGIN and COMMIT
