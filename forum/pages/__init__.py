"""Composite pages: the thread, the escalation form and the profile, which show several features at
once. Right of every feature, so it reads each one's queries directly."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.pages.views import bp

    app.register_blueprint(bp)
