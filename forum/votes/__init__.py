"""Votes on questions and answers."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.votes import models  # noqa: F401  (its tables, for the metadata)
    from forum.votes.cli import votes_cli
    from forum.votes.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(votes_cli)
