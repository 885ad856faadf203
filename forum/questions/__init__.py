"""Questions, answers, comments, tags and revisions."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.questions import models  # noqa: F401  (its tables, for the metadata)
    from forum.questions.cli import posts_cli
    from forum.questions.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(posts_cli)
