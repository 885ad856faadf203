"""The leaderboard: who helped most, this week, this month, all time, per tag."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from forum.questions import queries as question_queries
from forum.questions.rules import normalise_tag
from forum.reputation import queries, rules
from forum.reputation.badges import badge_counts

bp = Blueprint("reputation", __name__)


@bp.route("/leaderboard")
def leaderboard():
    try:
        period = queries.Period(request.args.get("period") or "week")
    except ValueError:
        period = queries.Period.WEEK
    tag = normalise_tag(request.args.get("tag", ""))[:25] or None
    rows = queries.leaders(period, tag=tag)
    return render_template("reputation/leaderboard.html", rows=rows, period=period, periods=list(queries.Period),
                           tag=tag, popular_tags=question_queries.popular_tags(12),
                           badges=badge_counts([u.id for u, _ in rows]),
                           worth={k.value: rules.delta(k) for k in rules.Kind}, cap=rules.daily_cap(),
                           vote_min=rules.vote_reputation_min())
