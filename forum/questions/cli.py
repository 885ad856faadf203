"""`flask --app forum posts ...`"""
from __future__ import annotations

import time

import click
from forum.core.commands import CommandGroup

from forum.questions import services

posts_cli = CommandGroup("posts", help="Maintain posts.")


@posts_cli.command("rerender")
def rerender() -> None:
    """Render every post's Markdown again (after changing the renderer or the sanitizer)."""
    started = time.perf_counter()
    count = services.rerender_all()
    click.echo(f"re-rendered {count} posts in {time.perf_counter() - started:.1f} s")
