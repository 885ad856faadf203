"""E-mail into tickets: replies to a ticket's e-mails become its messages, mail to the support
address opens tickets (the SMTP receiver of `flask --app forum mail inbound`)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.mailin import models  # noqa: F401  (its table, for the metadata)
    from forum.mailin.cli import mail_cli

    app.cli.add_command(mail_cli)
