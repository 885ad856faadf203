"""`flask --app forum insights ...`"""
from __future__ import annotations

import click

from forum.core.commands import CommandGroup
from forum.insights import services

insights_cli = CommandGroup("insights", help="Support insights and the search log.")


@insights_cli.command("prune")
def prune() -> None:
    """Delete search-log rows older than 90 days (run daily, e.g. beside `notifications digest`)."""
    click.echo(f"search log: {services.prune()} rows older than {services.RETENTION_DAYS} days deleted")
