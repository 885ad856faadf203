"""The command line's unit of work: `flask --app forum <group> <command>` runs each command inside
one transaction (forum.core.db.unit_of_work), committed when the command returns and rolled back
when it fails or exits with an error. Long-running commands (the indexer, the job worker) open a
unit of work of their own for each step."""
from __future__ import annotations

import functools

from flask.cli import AppGroup

from forum.core.db import unit_of_work


def in_unit_of_work(callback):
    """Wrap a command's callback (inside Flask's application context) in a unit of work."""
    @functools.wraps(callback)
    def run(*args, **kwargs):
        with unit_of_work():
            return callback(*args, **kwargs)

    return run


class CommandGroup(AppGroup):
    """An AppGroup whose commands each run in one unit of work."""

    def command(self, *args, **kwargs):
        register = super().command

        def decorator(callback):
            return register(*args, **kwargs)(in_unit_of_work(callback))

        return decorator
