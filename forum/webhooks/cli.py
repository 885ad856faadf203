"""`flask --app forum webhooks ...`."""
from __future__ import annotations

import click

from forum.core.commands import CommandGroup
from forum.webhooks import services

webhooks_cli = CommandGroup("webhooks", help="Webhook deliveries.")


@webhooks_cli.command("deliver")
@click.option("--limit", default=10_000, show_default=True, help="At most this many deliveries.")
def deliver(limit: int) -> None:
    """Send the webhook deliveries that are due (retries included); run from cron every minute as a
    safety net for retries a stopped process would have sent."""
    click.echo(f"{services.deliver_due(limit=limit)} deliveries succeeded")


@webhooks_cli.command("prune")
@click.option("--days", default=30, show_default=True, help="Keep finished deliveries this many days.")
def prune(days: int) -> None:
    """Delete succeeded and failed deliveries older than --days (run daily)."""
    click.echo(f"{services.prune(days)} deliveries deleted")
