"""`flask --app forum uploads ...`"""
from __future__ import annotations

import click

from forum.core.commands import CommandGroup
from forum.uploads import services

uploads_cli = CommandGroup("uploads", help="Images in posts.")


@uploads_cli.command("sweep")
def sweep() -> None:
    """Remove images no post has used within 24 hours, and files left by failed requests (run hourly)."""
    counts = services.sweep()
    click.echo(f"{counts['removed']} unused images removed, {counts['orphan_files']} stray files removed")
