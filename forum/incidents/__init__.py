"""Incidents: one outage, the threads it caused, the members it affects, and its resolution."""
from __future__ import annotations

import logging

from flask import Flask

log = logging.getLogger(__name__)


def _threads_indexed(sender, question_ids, **_):
    """New threads are searchable: link those about an active incident (its own unit of work)."""
    from forum.core.db import unit_of_work
    from forum.incidents import services

    with unit_of_work():
        services.link_new_questions(question_ids)


def init_app(app: Flask) -> None:
    from forum.core import signals
    from forum.incidents import (
        models,  # noqa: F401  (its tables, for the metadata)
        queries,
    )
    from forum.incidents.views import bp

    signals.threads_indexed.connect(_threads_indexed)
    app.register_blueprint(bp)
    # The banners: pages of features to the left (home, /support, the ask page, the thread, the
    # staff dashboard) include incidents/_banner.html, which asks these.
    app.add_template_global(queries.active_incidents, "active_incidents")
    app.add_template_global(queries.incidents_for_question, "incidents_for_question")
    app.add_template_global(queries.dashboard, "incident_dashboard")
