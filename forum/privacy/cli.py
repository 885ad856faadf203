"""`flask --app forum privacy ...`"""
from __future__ import annotations

import click

from forum.core.commands import CommandGroup
from forum.privacy import services

privacy_cli = CommandGroup("privacy", help="Members' data rights: erasure after the grace period.")


@privacy_cli.command("erase")
def erase() -> None:
    """Erase the accounts whose grace period ended, and erased members' private ticket fields past
    FORUM_TICKET_RETENTION_DAYS (run daily, or hourly)."""
    counts = services.erase_due()
    click.echo(f"{counts['erased']} accounts erased, {counts['tickets']} tickets' private fields erased")
