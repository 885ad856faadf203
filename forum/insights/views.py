"""The staff dashboard (/staff/dashboard: the tickets' figures and the insights) and its CSV files."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.core.errors import ValidationFailed
from forum.insights import services
from forum.insights.logging import reads_search_log
from forum.questions.models import Category
from forum.tickets import queries as ticket_queries
from forum.tickets.models import TIER_TITLES
from forum.web.decorators import staff_required
from forum.web.page_cache import never_cache

bp = Blueprint("insights", __name__)

STEP_TITLES = {
    "asked": _l("Questions asked"),
    "answered": _l("Answered by a member"),
    "accepted": _l("Accepted"),
    "verified": _l("Verified by staff"),
    "escalated": _l("Escalated"),
    "solved_by_staff": _l("Solved by staff"),
    "published": _l("Published to the thread"),
}
SECTIONS = ("funnel", "categories", "tiers", "zero_results", "before_asking", "tags", "category_rank", "threads",
            "ticket_days", "ticket_categories", "ticket_ratings")


def _period():
    """days and category from the address; a bad value falls back to the default on the page."""
    try:
        days = services.parse_days(request.args.get("days"))
    except ValidationFailed:
        days = 30
    try:
        category = services.parse_category(request.args.get("category"))
    except ValidationFailed:
        category = None
    return days, category


@never_cache
@reads_search_log
@staff_required
def dashboard():
    days, category = _period()
    data = services.insights(days, category)
    stats = ticket_queries.dashboard(days, category=category.value if category else None)
    return render_template("tickets/dashboard.html", stats=stats, insights=data,
                           step_titles=STEP_TITLES, steps=services.STEPS, periods=services.PERIODS,
                           all_categories=list(Category), tier_titles=TIER_TITLES,
                           sections=SECTIONS)


def _percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _ticket_rows(section: str, stats: dict) -> list[list]:
    """The older ticket charts' figures (forum.tickets.queries.dashboard), as their tables show them."""
    if section == "ticket_days":
        medians = dict(stats["response_days"])
        return [[_("Day"), _("Opened"), _("Solved"), _("Median hours to first response")]] + [
            [day.isoformat(), opened, solved, "" if medians.get(day) is None else f"{medians[day]:.1f}"]
            for day, opened, solved in stats["days"]]
    if section == "ticket_categories":
        return [[_("Category"), _("Tickets")]] + [[_category_title(c), n] for c, n in stats["by_category"]]
    return [[_("Rating"), _("Tickets")]] + [[stars, stats["ratings"].get(stars, 0)] for stars in range(5, 0, -1)]


def _category_title(value: str) -> str:
    try:
        return str(Category(value).title)
    except ValueError:
        return value


def _rows(section: str, data: services.Insights) -> list[list]:
    if section == "funnel":
        rows = [[_("Step"), _("Questions"), _("Rate (%)"), _("Counted against"), _("Of questions asked (%)")]]
        for step in services.STEPS:
            rate = data.rates.get(step, {})
            rows.append([str(STEP_TITLES[step]), data.funnel[step], _percent(rate.get("from_previous")),
                         str(STEP_TITLES[rate["previous"]]) if rate.get("previous") else "",
                         _percent(rate.get("of_asked"))])
        rows.append([_("Solved by the community without a ticket"), data.deflected, _percent(data.deflection_rate),
                     str(STEP_TITLES["asked"]), _percent(data.deflection_rate)])
        return rows
    if section == "categories":
        rows = [[_("Category"), *[str(STEP_TITLES[s]) for s in services.STEPS], _("Deflection rate (%)"),
                 _("Escalations per question"), _("Median minutes to the first member answer"),
                 _("Median minutes to staff's first reply")]]
        for row in data.by_category:
            rows.append([Category(row["category"]).title, *[row[s] for s in services.STEPS],
                         _percent(row["deflection_rate"]), row["escalations_per_question"] or 0,
                         row["median_first_answer_minutes"] or "", row["median_first_staff_reply_minutes"] or ""])
        return rows
    if section == "tiers":
        rows = [[_("Tier"), _("Tickets"), str(STEP_TITLES["escalated"]), str(STEP_TITLES["solved_by_staff"]),
                 str(STEP_TITLES["published"]), _("Median minutes to staff's first reply")]]
        for row in data.by_tier:
            rows.append([str(TIER_TITLES[row["tier"]]), row["tickets"], row["escalated"], row["solved_by_staff"],
                         row["published"], row["median_first_staff_reply_minutes"] or ""])
        return rows
    if section == "zero_results":
        return [[_("Search"), _("Times")]] + [[r["query"], r["count"]] for r in data.zero_result_searches]
    if section == "before_asking":
        return [[_("Search"), _("Times"), _("Of which found nothing")]] + [
            [r["query"], r["count"], r["zero_results"]] for r in data.searches_before_asking]
    if section == "tags":
        return [[_("Tag"), _("Questions"), str(STEP_TITLES["escalated"]), _("Escalations per question")]] + [
            [r["tag"], r["asked"], r["escalated"], r["escalations_per_question"]] for r in data.escalating_tags]
    if section == "category_rank":
        return [[_("Rank"), _("Category"), _("Questions"), str(STEP_TITLES["escalated"]),
                 _("Escalations per question")]] + [
            [n, Category(r["category"]).title, r["asked"], r["escalated"], r["escalations_per_question"]]
            for n, r in enumerate(data.escalating_categories, 1)]
    return [[_("Question"), _("Category"), _("Followers"), _("\"Me too\" tickets"), _("Answers"), _("Address")]] + [
        [r["title"], Category(r["category"]).title, r["followers"], r["me_too_tickets"], r["answers"],
         url_for("pages.show_question", question_id=r["question_id"], _external=True)]
        for r in data.unsolved_threads]


@bp.route("/staff/dashboard/insights.csv")
@never_cache
@reads_search_log
@staff_required
def insights_csv():
    section = request.args.get("section", "funnel")
    if section not in SECTIONS:
        abort(404)
    days, category = _period()
    if section.startswith("ticket_"):
        rows = _ticket_rows(section, ticket_queries.dashboard(days, category=category.value if category else None))
    else:
        rows = _rows(section, services.insights(days, category))
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        # A cell that a spreadsheet would run as a formula (a search typed as "=cmd|...") is quoted.
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row])
    name = f"insights-{section}-{days}d{'-' + category.value if category else ''}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def init_app(app) -> None:
    # The dashboard keeps its address and its endpoint name (`tickets.dashboard`, which templates,
    # bookmarks and tests name); its view moved here because it reads features right of tickets.
    app.add_url_rule("/staff/dashboard", endpoint="tickets.dashboard", view_func=dashboard)
