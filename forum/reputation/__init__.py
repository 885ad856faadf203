"""The reputation ledger, badges and the leaderboard."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.reputation import models  # noqa: F401  (its tables, for the metadata)
    from forum.reputation import subscribers
    from forum.reputation.cli import reputation_cli
    from forum.reputation.rules import experienced_threshold
    from forum.reputation.views import bp

    subscribers.connect()
    app.register_blueprint(bp)
    app.cli.add_command(reputation_cli)
    app.jinja_env.globals["experienced_reputation"] = experienced_threshold
