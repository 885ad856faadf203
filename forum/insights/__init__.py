"""Support insights (issue 22): the search log, and the funnel from a question to a solution on the
staff dashboard and in the API. It reads questions, verification, tickets and notifications, so it
stands right of them all (after search)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.insights import logging, models, views  # noqa: F401  (its tables, for the metadata)
    from forum.insights.cli import insights_cli

    logging.init_app(app)
    app.register_blueprint(views.bp)
    views.init_app(app)
    app.cli.add_command(insights_cli)
