"""`flask --app forum notifications ...` and `jobs worker`."""
from __future__ import annotations

import os
import signal

import click
from flask import current_app
from forum.core.commands import CommandGroup

from forum.notifications import services

notifications_cli = CommandGroup("notifications", help="Notification e-mail.")
jobs_cli = CommandGroup("jobs", help="Background jobs.")


@notifications_cli.command("deliver")
def deliver() -> None:
    """Send the e-mails that are due now (retries included); run from cron as a safety net."""
    click.echo(f"sent {services.deliver_pending(limit=10_000)} e-mails")


@notifications_cli.command("digest")
def digest() -> None:
    """Queue the daily digest for members who chose it, then send what is due (run daily)."""
    queued = services.send_digests()
    sent = services.deliver_pending(limit=10_000)
    click.echo(f"{queued} digests queued, {sent} e-mails sent")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit (cron, a backlog, tests).")
def worker(burst: bool) -> None:
    """Run an RQ worker for the forum's queue (needs FORUM_REDIS_URL)."""
    url = current_app.config.get("FORUM_REDIS_URL")
    if not url:
        raise click.UsageError("FORUM_REDIS_URL is not set: without Redis, jobs run inside the web process")
    from rq import Worker

    from forum.core import redis_client
    from forum.ops import heartbeats

    rq_worker = Worker(["forum"], connection=redis_client.worker_client(current_app))

    def report() -> dict:
        return {"state": rq_worker.get_state(), "successful": rq_worker.successful_job_count,
                "failed": rq_worker.failed_job_count}

    _stop_cleanly_while_starting(rq_worker)
    # /readyz needs a beat every few seconds; RQ's loop waits minutes for a job, so a thread beats.
    with heartbeats.beating(current_app._get_current_object(), heartbeats.JOBS, report):
        # The scheduler moves jobs queued for later (webhook retries: jobs.enqueue_in) onto the queue
        # when they are due; RQ lets one worker at a time do it.
        rq_worker.work(burst=burst, with_scheduler=True)


def _stop_cleanly_while_starting(rq_worker) -> None:
    """RQ forks its scheduler before it installs its own SIGTERM and SIGINT handlers. A stop that came
    in between (a deploy, a supervisor restarting a worker it has just started) killed this process
    with the default action and left the forked scheduler running, orphaned. Until RQ's handlers
    replace these, a stop is recorded in the flag RQ's loop checks first, so the worker stops at once
    and tears down as usual: the scheduler stopped, the worker unregistered."""
    main_pid = os.getpid()

    def stop(signum, _frame) -> None:
        if os.getpid() != main_pid:
            # The scheduler, forked before it installed its own handler: stop the way it would have.
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        rq_worker._stop_requested = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
