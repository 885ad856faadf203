"""Official support: escalated questions become tickets with an SLA, the staff desk and /support."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.tickets import attachments, models  # noqa: F401  (its tables, for the metadata)
    from forum.tickets.cli import tickets_cli
    from forum.tickets.views import bp
    from forum.uploads import services as uploads

    app.register_blueprint(bp)
    app.cli.add_command(tickets_cli)
    # The uploads sweep also removes attachment files whose request was rolled back.
    uploads.register_area(attachments.AREA, attachments.is_known_key)
