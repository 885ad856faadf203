"""`flask --app forum reputation ...`"""
from __future__ import annotations

import click
from forum.core.commands import CommandGroup

from forum.reputation import services

reputation_cli = CommandGroup("reputation", help="The reputation ledger.")


@reputation_cli.command("recompute")
@click.option("--dry-run", is_flag=True, help="Report drift without fixing it.")
def recompute(dry_run: bool) -> None:
    """Rebuild every member's total from the ledger and report any drift."""
    drifts = services.recompute(fix=not dry_run)
    for drift in drifts:
        click.echo(f"drift: {drift.username}: cached {drift.cached}, ledger {drift.ledger}")
    verb = "found" if dry_run else "fixed"
    click.echo(f"{len(drifts)} totals {verb}" if drifts else "no drift: every total matches the ledger")
