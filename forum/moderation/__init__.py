"""Flags, the review queue, closing and locking, suspensions, the watched words' staff pages and
the moderator action log."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.moderation import models  # noqa: F401  (its tables, for the metadata)
    from forum.moderation import services
    from forum.moderation.views import bp

    services.connect()
    app.register_blueprint(bp)
