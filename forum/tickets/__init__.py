"""Official support: escalated questions become tickets with an SLA, the staff desk and /support."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.tickets import models  # noqa: F401  (its tables, for the metadata)
    from forum.tickets.cli import tickets_cli
    from forum.tickets.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(tickets_cli)
