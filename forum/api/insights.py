"""Support insights for staff: the funnel from a question to a solution, and the content gaps."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from pydantic import Field

from forum.api.common import require_user, route
from forum.api.schemas import Out
from forum.core.errors import PermissionDenied
from forum.insights import services
from forum.insights.logging import reads_search_log
from forum.questions.models import Category
from forum.tickets.models import TIER_TITLES


class FunnelOut(Out):
    asked: int
    answered: int
    accepted: int
    verified: int
    escalated: int
    solved_by_staff: int
    published: int


class RateOut(Out):
    previous: str | None = Field(description="The step before this one, of which this step is a subset; "
                                             "null for escalated, which starts the official side")
    from_previous: float | None = Field(description="This step over the step before it (at most 1)")
    of_asked: float | None = Field(description="This step over the questions asked (the community's steps only)")


class SearchCountOut(Out):
    query: str
    count: int


class SearchFollowedOut(Out):
    query: str
    count: int
    zero_results: int


class CategoryInsightOut(FunnelOut):
    category: str
    title: str
    deflected: int
    deflection_rate: float | None
    escalated_of_asked: int = Field(description="Of the questions asked in the period, those with a ticket")
    escalations_per_question: float | None = Field(description="escalated_of_asked / asked (at most 1)")
    median_first_answer_minutes: float | None
    median_first_staff_reply_minutes: float | None


class TierInsightOut(Out):
    tier: int
    title: str
    tickets: int
    escalated: int
    solved_by_staff: int
    published: int
    solved_rate: float | None
    median_first_staff_reply_minutes: float | None


class TagInsightOut(Out):
    tag: str
    asked: int
    escalated: int
    escalations_per_question: float | None


class CategoryRankOut(Out):
    category: str
    title: str = Field(description="The category's name in the request's language")
    asked: int
    escalated: int = Field(description="Of the questions asked in the period, those with a ticket (as for tags)")
    escalations_per_question: float | None


class ThreadInsightOut(Out):
    question_id: int
    title: str
    category: str
    answers: int
    followers: int
    me_too_tickets: int
    pinned: bool = False
    url: str


class InsightsOut(Out):
    days: int
    category: str | None
    since: str
    until: str
    funnel: FunnelOut
    rates: dict[str, RateOut]
    deflected: int
    deflection_rate: float | None
    median_first_answer_minutes: float | None
    median_first_staff_reply_minutes: float | None
    stale_verified_share: float | None
    zero_result_searches: list[SearchCountOut]
    searches_before_asking: list[SearchFollowedOut]
    by_category: list[CategoryInsightOut]
    by_tier: list[TierInsightOut]
    escalating_tags: list[TagInsightOut]
    escalating_categories: list[CategoryRankOut] = Field(
        default_factory=list, description="Categories ranked by escalations per question, most first")
    unsolved_threads: list[ThreadInsightOut]


@route("/staff/insights", "GET", summary="Support insights: the funnel from question to solution, deflection, "
       "medians and content gaps (staff and admins; members 403)", auth="required", response=InsightsOut,
       query={"days": "a whole number of days from 1 to 365 (default 30; the dashboard offers 7, 30 and 90); "
                      "anything else 422", "category": "one category's questions only"},
       errors=(401, 403, 422))
@reads_search_log
def staff_insights():
    actor = require_user()
    if not actor.role.is_staff:
        raise PermissionDenied(_("Only staff can read the support insights."))
    days = services.parse_days(request.args.get("days"))
    category = services.parse_category(request.args.get("category"))
    data = services.insights(days, category).as_json()
    for row in (*data["by_category"], *data["escalating_categories"]):
        row["title"] = Category(row["category"]).title
    for row in data["by_tier"]:
        row["title"] = str(TIER_TITLES[row["tier"]])
    for row in data["unsolved_threads"]:
        row["url"] = url_for("pages.show_question", question_id=row["question_id"], _external=True)
    return data
