"""Unbound extension singletons; create_app binds them. Nothing else instantiates an extension."""
import logging

import click
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Constraint names are fixed so that migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LazyMigrate:
    """Flask-Migrate, imported on first use. It imports Alembic (about 150 modules, some 2 MiB of
    a worker's memory beside what it shares with SQLAlchemy), which only the `flask db` commands,
    `flask start` and the tests need: a served worker never does. init_app puts placeholders where Flask-Migrate's own init_app puts its state
    (app.extensions["migrate"]) and its `db` command group; the first use of either binds it."""

    def init_app(self, app, db, **options) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, options)
        app.cli.add_command(_LazyMigrateCommands(app), "db")


def bind_migrate(app):
    """Flask-Migrate bound to `app` (imported and initialised now if it was not yet)."""
    state = app.extensions["migrate"]
    if isinstance(state, _PendingMigrate):
        # Alembic announces each plugin it sets up at INFO, once the forum's logging is in place.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        from flask_migrate import Migrate

        Migrate().init_app(app, state.db, **state.options)  # replaces both placeholders
    return app.extensions["migrate"]


def migrations_directory(app) -> str:
    state = app.extensions["migrate"]
    return state.options["directory"] if isinstance(state, _PendingMigrate) else state.directory


class _PendingMigrate:
    def __init__(self, app, db, options):
        self.app, self.db, self.options = app, db, options

    def __getattr__(self, name):  # what Flask-Migrate's functions and migrations/env.py read
        return getattr(bind_migrate(self.app), name)


class _LazyMigrateCommands(click.Group):
    def __init__(self, app):
        super().__init__("db", help="Perform database migrations (Flask-Migrate).")
        self._app = app

    def _commands(self) -> click.Group:
        bind_migrate(self._app)
        from flask_migrate.cli import db as commands

        return commands

    def make_context(self, info_name, args, parent=None, **extra):
        # Flask-Migrate's group, with its options (-d, -x) and its callback, parses and runs.
        return self._commands().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._commands().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._commands().get_command(ctx, name)


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage (memory:// or Redis) and on/off come from the configuration in create_app.
limiter = Limiter(key_func=get_remote_address)
# Compressed answers: zstd, brotli or gzip, as the client prefers, for text types (pages, JSON, CSS,
# JS, SVG) of 500 bytes or more; its defaults (COMPRESS_* in the instance config.py to change them).
compress = Compress()
