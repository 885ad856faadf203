import logging
from contextlib import contextmanager
from logging.config import fileConfig

from flask import current_app

from alembic import context
from sqlalchemy import text

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Alembic's logging setup only when nobody configured logging: create_app (forum.core.logs) has,
# and alembic's would replace its handler (format, request ids) for the rest of the process.
if not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    return get_engine().url.render_as_string(hide_password=False).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        with migration_lock(connection):
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                **conf_args
            )

            with context.begin_transaction():
                context.run_migrations()


# Any fixed number: the key of the PostgreSQL advisory lock that migrations hold.
MIGRATION_LOCK_KEY = 7_118_001


@contextmanager
def migration_lock(connection):
    """One `db upgrade` at a time per database: several nodes may run it as they start. On
    PostgreSQL a session-level advisory lock is taken before the current revision is read, so a
    second run waits, then finds the schema at head and does nothing (without it, it failed with
    UniqueViolation creating the same tables). SQLite has one writer anyway.

    The migration connection waits as long as it must and lets long DDL run: the forum's
    statement and lock timeouts (FORUM_DB_*_TIMEOUT_MS) are lifted on it, then restored."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(text("SET statement_timeout = 0"))
    connection.execute(text("SET lock_timeout = 0"))
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()  # the lock is the session's; Alembic begins its own transaction
    try:
        yield
    except BaseException:
        # The session ending releases the lock too: never hide the migration's own error.
        connection.invalidate()
        raise
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.execute(text("RESET statement_timeout"))
    connection.execute(text("RESET lock_timeout"))
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
