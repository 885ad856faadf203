"""The member's own settings: language, profile text, password and e-mail, API tokens, two-step sign-in."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.users.views import bp

    app.register_blueprint(bp)
