"""The read side of reputation: leaderboards and a member's badges."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from forum.auth.models import User
from forum.core.db import utcnow
from forum.core.enums import TitledEnum
from forum.extensions import db
from forum.questions.models import Answer, Tag, question_tags
from forum.reputation.models import ReputationEvent
from forum.reputation.rules import Kind


class Period(TitledEnum):
    WEEK = "week", _l("This week")
    MONTH = "month", _l("This month")
    ALL = "all", _l("All time")


def period_start(period: Period, now: datetime | None = None) -> datetime | None:
    """Monday 00:00 or the 1st 00:00 in the forum's time zone; None for all time."""
    if period is Period.ALL:
        return None
    local = (now or utcnow()).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=midnight.weekday()) if period is Period.WEEK else midnight.replace(day=1)
    return start


def leaders(period: Period = Period.WEEK, *, tag: str | None = None, limit: int = 20) -> list[tuple[User, int]]:
    """Members who gained the most reputation in the period (from the ledger; hand grants do not
    count), optionally only on posts with `tag`. Two queries."""
    gained = sa.func.sum(ReputationEvent.delta).label("gained")
    query = (sa.select(ReputationEvent.user_id, gained)
             .where(ReputationEvent.kind != Kind.GRANTED.value)
             .group_by(ReputationEvent.user_id).having(gained > 0).order_by(gained.desc(), ReputationEvent.user_id)
             .limit(limit))
    start = period_start(period)
    if start is not None:
        query = query.where(ReputationEvent.created_at >= start)
    if tag:
        post_question = sa.func.coalesce(ReputationEvent.question_id, Answer.question_id)
        query = (query.outerjoin(Answer, Answer.id == ReputationEvent.answer_id)
                 .join(question_tags, question_tags.c.question_id == post_question)
                 .join(Tag, Tag.id == question_tags.c.tag_id).where(Tag.name == tag))
    rows = db.session.execute(query).all()
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_([r.user_id for r in rows])))}
    return [(users[r.user_id], int(r.gained)) for r in rows if r.user_id in users]
