"""`flask --app forum demo`, `seed` and `start`."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app


def _print_logins(content) -> None:
    click.echo("\nDemo accounts (username / password):")
    labels = {"xiaoming": "member", "laowang": "experienced member", "support_lin": "staff", "橘子君": "moderator"}
    for spec in content.USERS:
        if spec["username"] in labels:
            click.echo(f"  {labels[spec['username']]:<20} {spec['username']:<14} {spec['password']}")


def _print_created(created: dict) -> None:
    """What `demo` and `start` loaded: the same lines from both."""
    click.echo(f"demo: {created['users']} accounts and {created['questions']} questions created")
    if created.get("history"):
        click.echo(f"demo: {created['history']} questions of support history over the last 60 days")


def register(app: Flask) -> None:
    @app.cli.command("demo")
    def demo_command() -> None:
        """Load the demo content and accounts (idempotent)."""
        from forum.demo import content
        from forum.demo.loader import load_demo

        created = load_demo(content)
        _print_created(created)
        _print_logins(content)

    @app.cli.command("seed")
    @click.option("--questions", type=click.IntRange(0, 1_000_000), required=True)
    @click.option("--answers", type=click.IntRange(0, 50), default=3, show_default=True,
                  help="average answers per question")
    @click.option("--seed", "seed_value", type=int, default=1, show_default=True)
    @click.option("--history", type=click.IntRange(0, 1_000_000), default=None,
                  help="questions with 60 days of support history (answers, votes, verifications, tickets, "
                       "searches) besides; default: a tenth of --questions")
    def seed_command(questions: int, answers: int, seed_value: int, history: int | None) -> None:
        """Synthetic questions and answers at scale, for benchmarks."""
        from forum.core.db import unit_of_work
        from forum.demo.seed import seed, seed_history

        started = time.perf_counter()
        with unit_of_work():
            totals = seed(questions=questions, answers=answers, seed_value=seed_value,
                          progress=lambda done: click.echo(f"  {done}/{questions} questions "
                                                           f"({time.perf_counter() - started:.0f} s)", err=True))
        click.echo(f"seeded {totals['questions']} questions and {totals['answers']} answers "
                   f"in {time.perf_counter() - started:.1f} s")
        history = questions // 10 if history is None else history
        if history:
            started_history = time.perf_counter()
            with unit_of_work():
                made = seed_history(history, seed_value)
            click.echo(f"seeded {made['questions']} questions of support history ({made['escalated']} escalated, "
                       f"{made['searches']} searches) in {time.perf_counter() - started_history:.1f} s")
        # The rows were inserted in bulk, past the services and their outbox: index them all.
        from forum.search.services import reindex

        count, seconds = reindex()
        click.echo(f"search: indexed {count} documents in {seconds:.1f} s")

    @app.cli.command("start")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--no-demo", is_flag=True, help="Do not load the demo content.")
    def start_command(host: str, port: int, no_demo: bool) -> None:
        """Migrate the database, load the demo content, print the demo logins and serve the forum."""
        from flask_migrate import upgrade

        from forum.demo import content
        from forum.demo.loader import load_demo

        upgrade()
        created = None if no_demo else load_demo(content)
        from forum.notifications import jobs
        from forum.search.services import catch_up

        catch_up()
        # The demo's notification e-mails are logged as they are sent (no FORUM_MAIL_SERVER): let
        # them finish, so that the logins and the address are the last lines on the screen.
        jobs.drain()
        if created is not None:
            _print_created(created)
            _print_logins(content)
        click.echo(f"\nThe forum is at http://{host}:{port}/  (database: "
                   f"{current_app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]})\n")
        # app.run() refuses to run inside the `flask` command; serve with Werkzeug directly.
        from werkzeug.serving import run_simple

        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
