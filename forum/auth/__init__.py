"""Accounts: registration, sign-in (passwords, two-step codes, known devices), sessions, API tokens."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.auth import models  # noqa: F401  (its tables, for the metadata)
    from forum.auth.cli import users_cli
    from forum.auth.services import user_for_token
    from forum.auth.views import bp, init_login
    from forum.web.ratelimits import TOKEN_USER

    init_login(app)
    app.extensions[TOKEN_USER] = user_for_token  # whose budget an API call spends
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
