"""The username_skeleton column (migration 0014): filled for the accounts that existed before it."""
from __future__ import annotations

import sqlalchemy as sa

from forum import create_app
from forum import settings as config
from forum.core.text import lookalike_key
from forum.extensions import db


def test_the_migration_fills_the_skeletons_of_existing_accounts(tmp_path):
    settings = {k: getattr(config.TestConfig, k) for k in dir(config.TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrate.sqlite3'}",
                    FORUM_SEARCH_INDEX=str(tmp_path / "index"), FORUM_INSTANCE_PATH=str(tmp_path))
    app = create_app(settings)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="0011")
        with db.engine.begin() as conn:
            for n, name in enumerate(["support_lin", "Xiao.Lin", "橘子君"], start=1):
                conn.execute(sa.text(
                    "INSERT INTO users (id, username, username_key, email, email_key, password_hash, role, "
                    "created_at, updated_at) VALUES (:id, :name, :key, :email, :email, 'x', 'member', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"id": n, "name": name, "key": name.casefold(), "email": f"u{n}@example.com"})
        upgrade(revision="0014")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT username, username_skeleton FROM users")).all())
        assert rows == {"support_lin": "supportlin", "Xiao.Lin": "xiaolin", "橘子君": lookalike_key("橘子君")}
        db.session.remove()
        db.engine.dispose()
