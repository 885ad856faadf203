"""`flask --app forum tickets ...`"""
from __future__ import annotations

import click
from forum.core.commands import CommandGroup

from forum.auth.services import get_user_by_name
from forum.core.errors import DomainError
from forum.extensions import db
from forum.tickets import services
from forum.tickets.models import StaffTier

tickets_cli = CommandGroup("tickets", help="Official support tickets.")


@tickets_cli.command("sweep")
def sweep() -> None:
    """Mark SLA breaches and warn staff of tickets about to breach (run every few minutes)."""
    counts = services.sweep()
    click.echo(f"{counts['breached']} breached, {counts['escalated']} moved up a tier, {counts['warned']} warned")


@tickets_cli.command("set-tier")
@click.argument("username")
@click.argument("tier", type=click.IntRange(1, 3))
def set_tier(username: str, tier: int) -> None:
    """Put a staff member in support tier 1, 2 or 3 (for escalation notices)."""
    try:
        user = get_user_by_name(username)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if not user.role.is_staff:
        raise click.ClickException(f"{user.username} is not staff")
    row = db.session.get(StaffTier, user.id) or StaffTier(user_id=user.id)
    row.tier = tier
    db.session.add(row)
    db.session.flush()
    click.echo(f"{user.username} works in tier {tier}")
