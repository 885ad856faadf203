"""`flask --app forum mail inbound`: the SMTP receiver for replies and for mail to the support address."""
from __future__ import annotations

import logging
import threading

import click
from flask import current_app
from flask.cli import AppGroup

# A plain group: the receiver runs for days, and each message opens a unit of work of its own.
mail_cli = AppGroup("mail", help="Incoming e-mail (replies to tickets, the support address).")


@mail_cli.command("inbound")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it private).")
@click.option("--port", default=2525, show_default=True, type=int, help="Port to listen on.")
def inbound(host: str, port: int) -> None:
    """Run the SMTP receiver for FORUM_MAIL_INBOUND_DOMAIN until stopped (Ctrl-C, SIGTERM)."""
    domain = current_app.config.get("FORUM_MAIL_INBOUND_DOMAIN")
    if not domain:
        raise click.UsageError("FORUM_MAIL_INBOUND_DOMAIN is not set: there is no domain to take mail for")
    from forum.mailin.server import InboundController

    if current_app.config.get("FORUM_LOG_LEVEL", "INFO") != "DEBUG":
        # aiosmtpd logs every SMTP command at INFO; the forum's own lines (forum.mailin) say what
        # became of each mail, and refusals at WARNING.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = InboundController(current_app._get_current_object(), host, port)
    controller.start()
    click.echo(f"taking mail for {domain} on {host}:{port} (Ctrl-C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
