"""`flask --app forum users ...`"""
from __future__ import annotations

import click
from forum.core.commands import CommandGroup

from forum.auth import services
from forum.auth.models import Role
from forum.core.errors import DomainError

users_cli = CommandGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value, show_default=True)
@click.option("--reputation", type=int, default=1, show_default=True)
def create_user(username: str, email: str, password: str, role: str, reputation: int) -> None:
    """Create an account with a role (member, moderator, staff, admin)."""
    try:
        user = services.register_user(username, email, password, role=Role(role), reputation=reputation)
    except DomainError as error:
        for field, messages in error.fields.items() or [("", [error.message])]:
            click.echo(f"error: {field}: {'; '.join(messages)}" if field else f"error: {error.message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"created {user.username} ({user.role.value}, reputation {user.reputation})")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role(username: str, role: str) -> None:
    """Change a member's role."""
    try:
        user = services.set_role(username, Role(role))
    except DomainError as error:
        click.echo(f"error: {error.message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{user.username} is now {user.role.value}")
