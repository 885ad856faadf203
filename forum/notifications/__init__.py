"""Notifications on the site and by e-mail, follows, and the background jobs that send them."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.auth.services import read_with_session_user
    from forum.extensions import csrf
    from forum.notifications import models  # noqa: F401  (its tables, for the metadata)
    from forum.notifications import subscribers
    from forum.notifications.cli import jobs_cli, notifications_cli
    from forum.notifications.services import unread_count_column
    from forum.notifications.views import bp, remember_unread_count, unsubscribe

    subscribers.connect()
    read_with_session_user(unread_count_column, remember_unread_count)  # the bell's count, with the member
    app.register_blueprint(bp)
    # Mail clients send RFC 8058 one-click unsubscribe POSTs without a CSRF token; the signed
    # token in the address is the proof, and the action only turns e-mail off.
    csrf.exempt(unsubscribe)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(jobs_cli)
