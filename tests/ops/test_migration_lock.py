"""Two `flask db upgrade` at once on a fresh PostgreSQL database both succeed (issue 18, item 6): every
node may run the migrations when it starts. Without the advisory lock in migrations/env.py the
second failed with UniqueViolation (both created alembic_version and the tables)."""
from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from forum.settings import normalise_database_url
from tests.ops._db_support import ROOT, forum_env, postgres_url

ROUNDS = 2  # each on a fresh database


@pytest.fixture
def fresh_database():
    base = sa.engine.make_url(normalise_database_url(postgres_url()))
    name = f"{base.database}_mig"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def recreate() -> str:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        return base.set(database=name).render_as_string(hide_password=False)

    yield recreate
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def test_two_upgrades_at_once_both_succeed(fresh_database, tmp_path):
    for round_ in range(ROUNDS):
        url = fresh_database()
        processes = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "forum", "db", "upgrade"], cwd=ROOT,
                                      env=forum_env(tmp_path / f"r{round_}n{n}", url), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
                     for n in range(2)]
        outputs = [process.communicate(timeout=300)[0] for process in processes]
        codes = [process.returncode for process in processes]
        assert codes == [0, 0], "\n\n".join(output[-2500:] for output in outputs)
        engine = sa.create_engine(normalise_database_url(url))
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) == _head()
            assert connection.scalar(sa.text("SELECT count(*) FROM alembic_version")) == 1
        engine.dispose()
