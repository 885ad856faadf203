"""`flask --app forum votes ...`"""
from __future__ import annotations

import click
from forum.core.commands import CommandGroup

from forum.votes import services

votes_cli = CommandGroup("votes", help="Votes.")


@votes_cli.command("reverse-serial")
@click.option("--hours", type=click.IntRange(1, 24 * 30), default=None, help="window (default 24)")
@click.option("--threshold", type=click.IntRange(2, 1000), default=None,
              help="votes by one member on one author's posts within the window (default 10)")
def reverse_serial(hours: int | None, threshold: int | None) -> None:
    """Detect and reverse serial voting and voting rings (run daily, e.g. from cron)."""
    found = services.reverse_serial_votes(hours=hours, threshold=threshold)
    for item in found:
        what = " (voting ring)" if item.kind == "ring" else ""
        click.echo(f"reversed {item.votes} votes by {item.voter} on posts by {item.author}{what}")
    rings = sum(1 for item in found if item.kind == "ring")
    click.echo(f"{len(found) - rings} cases of serial voting reversed")
    if rings:
        click.echo(f"{rings} members of voting rings had their votes reversed")
