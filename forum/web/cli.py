"""`flask --app forum translations ...`"""
from __future__ import annotations

import click
from forum.core.commands import CommandGroup

from forum.core import catalogue

translations_cli = CommandGroup("translations", help="Maintain the interface translations.")


@translations_cli.command("update")
def update() -> None:
    """Extract strings, merge them into each catalogue, compile, and list what is untranslated."""
    for locale in catalogue.LOCALES:
        missing = catalogue.update(locale)
        for msgid in missing:
            click.echo(f"{locale}: untranslated: {msgid}")
        click.echo(f"{locale}: {len(missing)} untranslated")
    catalogue.compile_all()
    click.echo("compiled")
