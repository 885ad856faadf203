"""Staff verification of answers, the verification queue and the knowledge base."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.verification import models  # noqa: F401  (its tables, for the metadata)
    from forum.verification import subscribers
    from forum.verification.views import bp

    subscribers.connect()
    app.register_blueprint(bp)
