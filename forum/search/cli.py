"""`flask --app forum search ...`"""
from __future__ import annotations

import click
from flask import current_app
from forum.core.commands import CommandGroup

from forum.search import indexer, services

search_cli = CommandGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database (beside the old one, then swapped in)."""
    count, seconds = services.reindex()
    click.echo(f"indexed {count} documents in {seconds:.1f} s")


@search_cli.command("indexer")
@click.option("--once", is_flag=True, help="Apply what is queued now and exit.")
def run_indexer(once: bool) -> None:
    """Run the indexer as its own process (set FORUM_SEARCH_INDEXER=external for the web workers)."""
    if once:
        click.echo(f"applied {indexer.process_all()} queued changes")
        return
    indexer.run_forever(current_app._get_current_object())


@search_cli.command("status")
def status() -> None:
    """Documents in the index and changes waiting for the indexer."""
    backend = services.get_backend()
    click.echo(f"backend: {current_app.config.get('FORUM_SEARCH_BACKEND', 'whoosh')}")
    click.echo(f"documents: {backend.document_count()}")
    click.echo(f"queued changes: {indexer.pending()}")
