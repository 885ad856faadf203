"""`flask --app forum api ...`: upkeep of what the API keeps."""
from __future__ import annotations

import click
from forum.core.commands import CommandGroup

from forum.api import idempotency

api_cli = CommandGroup("api", help="Upkeep of the JSON API's records.")


@api_cli.command("purge-idempotency-keys")
def purge_idempotency_keys() -> None:
    """Delete the Idempotency-Keys older than 24 hours (ignored already; run daily to keep the table small)."""
    deleted = idempotency.purge()
    click.echo(f"deleted {deleted} idempotency keys older than 24 hours")
