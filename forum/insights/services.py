"""Support insights (issue 22): the path from a question to a solution, and the gaps it reveals.

The community's figures count the **questions asked in the period** (the last N days, 7, 30 or 90 on
the dashboard; public ones: neither deleted nor held), optionally of one category; the official
side counts, as API.md defines `escalated`, the **questions with a ticket opened in the period**
(asked then or before), and follows those tickets:

- asked: the question was asked in the period;
- answered: of those, a member answered it (a public answer by someone who is neither staff nor an
  administrator, nor the asker);
- accepted: of those, the asker accepted a member's answer;
- verified: of those, staff verified the accepted answer (an active verification, stale or not: the
  stale share below says how many were edited since);
- escalated: a ticket was opened on it in the period (by the asker or a "me too" member), whenever
  it was asked;
- solved_by_staff: of those, one of the tickets opened in the period was solved by staff (it has a
  solved time: solved, or closed after);
- published: of those, staff published a solved ticket's resolution back to the thread as a verified
  answer.

So each step is a subset of the one before it, and no rate exceeds 100%: the community's steps are
nested in the questions asked, the official steps in the questions escalated (escalated is not a
subset of asked: a question asked earlier may be escalated now, so it has no rate of its own).
Each rate is taken against the step before it (FOLLOWS), and the community's also against `asked`.
**Solved by the community** means an accepted or a verified answer (anyone's) and no ticket; the
**deflection rate** is those asked questions over all asked. The medians:
minutes from each asked question to its first member answer, and from each ticket opened in the
period (merged ones left out) to staff's first reply. The **stale share** is, of the answers
to these questions that hold an active verification, those edited after it (their revision is newer
than the one staff checked; forum.verification).

Content gaps read the search log (forum.insights.models, site-wide: a search has no category): the
most frequent searches in the period that found nothing, and those followed within 10 minutes, in
the same session hash, by a new question or an escalation. Then the categories and tags with the
most escalations per question, and the threads active in the period with followers or "me too"
tickets and neither an accepted nor a verified answer.

Everything is aggregate SQL, the same on SQLite and PostgreSQL, bounded by the period (indexed:
questions by creation and activity time, answers and tickets by question, the search log by time
and by session hash).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from forum.auth.models import Role, User
from forum.core.db import utcnow
from forum.core.errors import ValidationFailed
from forum.extensions import db
from forum.insights.models import EventKind, SearchEvent
from forum.notifications.models import Follow
from forum.questions.models import Answer, Category, Question, Tag, question_tags
from forum.tickets.models import Ticket
from forum.verification.models import Verification

PERIODS = (7, 30, 90)  # what the dashboard offers; the API takes any whole number up to MAX_DAYS
MAX_DAYS = 365
RETENTION_DAYS = 90
FOLLOW_UP_MINUTES = 10
STEPS = ("asked", "answered", "accepted", "verified", "escalated", "solved_by_staff", "published")
TIERS = (1, 2, 3)
TOP = 10


def parse_days(value) -> int:
    """A whole number of days from 1 to MAX_DAYS (default 30; the dashboard offers PERIODS);
    anything else is refused with 422."""
    from flask_babel import gettext as _

    if value in (None, ""):
        return 30
    try:
        days = int(str(value).strip())
    except ValueError:
        days = None
    if days is None or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed({"days": _("Choose a number of days from 1 to %(max)d.", max=MAX_DAYS)})
    return days


def parse_category(value) -> Category | None:
    from flask_babel import gettext as _

    if value in (None, ""):
        return None
    try:
        return Category(value)
    except ValueError:
        raise ValidationFailed({"category": _("Unknown category.")}) from None


@dataclass
class Insights:
    days: int
    category: Category | None
    since: datetime
    until: datetime
    funnel: dict[str, int]
    rates: dict[str, dict[str, float | None]]
    deflected: int
    deflection_rate: float | None
    median_first_answer_minutes: float | None
    median_first_staff_reply_minutes: float | None
    verified_answers: int
    stale_verified_answers: int
    stale_share: float | None
    zero_result_searches: list[dict]
    searches_before_asking: list[dict]
    by_category: list[dict]
    by_tier: list[dict]
    escalating_tags: list[dict]
    unsolved_threads: list[dict] = field(default_factory=list)
    escalating_categories: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "days": self.days, "category": self.category.value if self.category else None,
            "since": self.since.isoformat(), "until": self.until.isoformat(),
            "funnel": self.funnel, "rates": self.rates, "deflected": self.deflected,
            "deflection_rate": self.deflection_rate,
            "median_first_answer_minutes": self.median_first_answer_minutes,
            "median_first_staff_reply_minutes": self.median_first_staff_reply_minutes,
            "stale_verified_share": self.stale_share,
            "zero_result_searches": self.zero_result_searches,
            "searches_before_asking": self.searches_before_asking,
            "by_category": self.by_category, "by_tier": self.by_tier,
            "escalating_tags": self.escalating_tags, "escalating_categories": self.escalating_categories,
            "unsolved_threads": self.unsolved_threads,
        }


# --- SQL helpers (SQLite and PostgreSQL) ---------------------------------------------------------

def _dialect() -> str:
    return db.session.get_bind().dialect.name


def minutes_between(later, earlier):
    """SQL: minutes from `earlier` to `later` (a float)."""
    if _dialect() == "postgresql":
        return sa.extract("epoch", later - earlier) / 60.0
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 1440.0


def _flag(condition):
    return sa.case((condition, 1), else_=0)


def _medians(values: sa.Subquery, group: str | None = None) -> dict:
    """The median of `values.c.value` (NULLs left out), per `group` column when given: window
    functions, which both databases have. Returns {group: median} ({None: median} without group)."""
    partition = [values.c[group]] if group else []
    ranked = sa.select(
        values.c.value.label("value"),
        (values.c[group] if group else sa.literal(None)).label("grp"),
        sa.func.row_number().over(partition_by=partition, order_by=values.c.value).label("rn"),
        sa.func.count().over(partition_by=partition).label("n"),
    ).where(values.c.value.is_not(None)).subquery()
    rows = db.session.execute(
        sa.select(ranked.c.grp, sa.func.avg(ranked.c.value))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])).group_by(ranked.c.grp))
    return {grp: round(float(value), 1) for grp, value in rows if value is not None}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- the figures ---------------------------------------------------------------------------------

def _scope(category: Category | None) -> list:
    """Public questions (neither deleted nor held), of one category or all."""
    return [Question.public()] + ([Question.category == category] if category is not None else [])


def _cohort(since: datetime, until: datetime, category: Category | None):
    """The questions asked in the period."""
    return [*_scope(category), Question.created_at >= since, Question.created_at < until]


def _opened(since: datetime, until: datetime) -> list:
    """The tickets opened in the period."""
    return [Ticket.created_at >= since, Ticket.created_at < until]


def _member_answer():
    staff = [Role.STAFF.value, Role.ADMIN.value]
    return (sa.select(sa.literal(1)).select_from(Answer).join(User, User.id == Answer.author_id)
            .where(Answer.question_id == Question.id, Answer.public(), Answer.author_id != Question.author_id,
                   User.role.not_in(staff)).exists())


def _accepted_member_answer():
    """The question's accepted answer is a member's: public, by someone who is neither staff nor the asker."""
    staff = [Role.STAFF.value, Role.ADMIN.value]
    return (sa.select(sa.literal(1)).select_from(Answer).join(User, User.id == Answer.author_id)
            .where(Answer.id == Question.accepted_answer_id, Answer.public(), Answer.author_id != Question.author_id,
                   User.role.not_in(staff)).exists())


def _accepted_verified():
    """The accepted answer holds an active verification (stale or not)."""
    return (sa.select(sa.literal(1)).select_from(Verification)
            .where(Verification.answer_id == Question.accepted_answer_id, Verification.ended_at.is_(None)).exists())


def _verified():
    """An answer of the question holds an active verification (stale or not: staff did verify it;
    Question.has_verified_answer counts only fresh ones, so it is not used here)."""
    return (sa.select(sa.literal(1)).select_from(Verification).join(Answer, Answer.id == Verification.answer_id)
            .where(Answer.question_id == Question.id, Answer.public(), Verification.ended_at.is_(None)).exists())


def _published():
    """A ticket solved by staff whose resolution was published to the thread (so published is a
    subset of solved)."""
    return sa.and_(Ticket.solved_at.is_not(None), Ticket.published_answer_id.is_not(None))


def _ticket_exists(*extra):
    return sa.select(sa.literal(1)).select_from(Ticket).where(Ticket.question_id == Question.id, *extra).exists()


def insights(days: int = 30, category: Category | None = None, now: datetime | None = None) -> Insights:
    """The funnel, rates, deflection, medians, stale share and content gaps for the last `days` days
    (see the module's docstring for what each counts)."""
    from forum.insights.logging import write_pending

    write_pending()  # this process's searches of the last second, before they are counted
    until = now or utcnow()
    since = until - timedelta(days=days)
    cohort = _cohort(since, until, category)
    escalated = _ticket_exists()
    verified = _verified()
    per_category = db.session.execute(
        sa.select(Question.category, sa.func.count(),
                  sa.func.sum(_flag(_member_answer())),
                  sa.func.sum(_flag(_accepted_member_answer())),
                  sa.func.sum(_flag(sa.and_(_accepted_member_answer(), _accepted_verified()))),
                  sa.func.sum(_flag(sa.and_(sa.or_(Question.accepted_answer_id.is_not(None), verified),
                                            ~escalated))),
                  sa.func.sum(_flag(escalated)))
        .where(*cohort).group_by(Question.category)).all()
    # cohort_escalated: the period's questions that have a ticket (the numerator of escalations per
    # question, for categories as for tags: never more than the questions asked).
    community = ("asked", "answered", "accepted", "verified", "deflected", "cohort_escalated")
    official = ("escalated", "solved_by_staff", "published")
    counts: dict[str, dict[str, int]] = {}
    for row in per_category:
        key = row[0].value if hasattr(row[0], "value") else str(row[0])
        counts.setdefault(key, dict.fromkeys((*STEPS, "deflected", "cohort_escalated"), 0)).update(
            zip(community, (int(v or 0) for v in row[1:]), strict=True))
    # The official side: questions with a ticket opened in the period (API.md), whenever asked.
    opened = _opened(since, until)
    per_category_tickets = db.session.execute(
        sa.select(Question.category, sa.func.count(sa.distinct(Question.id)),
                  sa.func.count(sa.distinct(sa.case((Ticket.solved_at.is_not(None), Question.id)))),
                  sa.func.count(sa.distinct(sa.case((_published(), Question.id)))))
        .select_from(Ticket).join(Question, Question.id == Ticket.question_id)
        .where(*_scope(category), *opened).group_by(Question.category)).all()
    for row in per_category_tickets:
        key = row[0].value if hasattr(row[0], "value") else str(row[0])
        counts.setdefault(key, dict.fromkeys((*STEPS, "deflected", "cohort_escalated"), 0)).update(
            zip(official, (int(v or 0) for v in row[1:]), strict=True))
    funnel = {step: sum(c[step] for c in counts.values()) for step in STEPS}
    deflected = sum(c["deflected"] for c in counts.values())

    # First member answer, per question (and so per category).
    staff = [Role.STAFF.value, Role.ADMIN.value]
    first_answer = (sa.select(sa.func.min(Answer.created_at)).join(User, User.id == Answer.author_id)
                    .where(Answer.question_id == Question.id, Answer.public(),
                           Answer.author_id != Question.author_id, User.role.not_in(staff))
                    .correlate(Question).scalar_subquery())
    answer_minutes = sa.select(Question.category.label("grp_category"),
                               minutes_between(first_answer, Question.created_at).label("value")
                               ).where(*cohort).subquery()
    answer_medians = _medians(answer_minutes, "grp_category")
    overall_answer = _medians(answer_minutes)

    # Staff's first reply on the tickets opened in the period (merged tickets left out).
    ticket_rows = (sa.select(Question.category.label("grp_category"), Ticket.tier.label("grp_tier"),
                             minutes_between(Ticket.first_responded_at, Ticket.created_at).label("value"))
                   .select_from(Ticket).join(Question, Question.id == Ticket.question_id)
                   .where(*_scope(category), *opened, Ticket.merged_into_id.is_(None)).subquery())
    reply_by_category = _medians(ticket_rows, "grp_category")
    reply_by_tier = _medians(ticket_rows, "grp_tier")
    overall_reply = _medians(ticket_rows)

    # Per tier: the escalated part of the funnel, by the tier each ticket stands in now.
    tier_rows = db.session.execute(
        sa.select(Ticket.tier, sa.func.count(sa.distinct(Ticket.question_id)),
                  sa.func.count(sa.distinct(sa.case((Ticket.solved_at.is_not(None), Ticket.question_id)))),
                  sa.func.count(sa.distinct(sa.case((_published(), Ticket.question_id)))),
                  sa.func.count())
        .join(Question, Question.id == Ticket.question_id)
        .where(*_scope(category), *opened, Ticket.merged_into_id.is_(None)).group_by(Ticket.tier)).all()
    tiers = {int(t): (int(e), int(s), int(p), int(n)) for t, e, s, p, n in tier_rows}
    by_tier = []
    for tier in TIERS:
        esc, solved, published, tickets = tiers.get(tier, (0, 0, 0, 0))
        by_tier.append({"tier": tier, "tickets": tickets, "escalated": esc, "solved_by_staff": solved,
                        "published": published, "solved_rate": _rate(solved, esc),
                        "median_first_staff_reply_minutes": reply_by_tier.get(tier)})

    # Stale verifications: active ones on these questions' answers, older than the answer's text.
    stale_row = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(_flag(Answer.revision_count > Verification.revision_number)))
        .select_from(Verification).join(Answer, Answer.id == Verification.answer_id)
        .join(Question, Question.id == Answer.question_id)
        .where(*cohort, Verification.ended_at.is_(None), Answer.deleted_at.is_(None))).one()
    verified_answers, stale = int(stale_row[0] or 0), int(stale_row[1] or 0)

    by_category = []
    for cat in Category:
        if category is not None and cat is not category:
            continue
        c = counts.get(cat.value, dict.fromkeys((*STEPS, "deflected", "cohort_escalated"), 0))
        by_category.append({
            "category": cat.value, **{step: c[step] for step in STEPS}, "deflected": c["deflected"],
            "deflection_rate": _rate(c["deflected"], c["asked"]),
            "escalated_of_asked": c["cohort_escalated"],
            "escalations_per_question": _rate(c["cohort_escalated"], c["asked"]),
            "median_first_answer_minutes": answer_medians.get(cat) if cat in answer_medians
            else answer_medians.get(cat.value),
            "median_first_staff_reply_minutes": reply_by_category.get(cat) if cat in reply_by_category
            else reply_by_category.get(cat.value),
        })

    return Insights(
        days=days, category=category, since=since, until=until, funnel=funnel, rates=_rates(funnel),
        deflected=deflected, deflection_rate=_rate(deflected, funnel["asked"]),
        median_first_answer_minutes=overall_answer.get(None),
        median_first_staff_reply_minutes=overall_reply.get(None),
        verified_answers=verified_answers, stale_verified_answers=stale, stale_share=_rate(stale, verified_answers),
        zero_result_searches=zero_result_searches(since, until),
        searches_before_asking=searches_before_asking(since, until),
        by_category=by_category, by_tier=by_tier,
        escalating_tags=escalating_tags(cohort),
        escalating_categories=escalating_categories(by_category),
        unsolved_threads=unsolved_threads(since, until, category),
    )


#: The step each step follows on the path, and so what its rate is taken against: each step is a
#: subset of that one. `escalated` starts the official side and follows none (see the docstring).
FOLLOWS = {"answered": "asked", "accepted": "answered", "verified": "accepted",
           "solved_by_staff": "escalated", "published": "solved_by_staff"}
COMMUNITY = ("asked", "answered", "accepted", "verified")


def _rates(funnel: dict[str, int]) -> dict[str, dict]:
    """Each step over the step before it (`from_previous`, that step named in `previous`; none for
    `escalated`) and, for the community's steps, over the questions asked (`of_asked`)."""
    rates = {}
    for step in STEPS[1:]:
        previous = FOLLOWS.get(step)
        rates[step] = {"previous": previous,
                       "from_previous": _rate(funnel[step], funnel[previous]) if previous else None,
                       "of_asked": _rate(funnel[step], funnel["asked"]) if step in COMMUNITY else None}
    return rates


def zero_result_searches(since: datetime, until: datetime, limit: int = TOP) -> list[dict]:
    """The most frequent searches of the period that found nothing."""
    count = sa.func.count().label("n")
    rows = db.session.execute(
        sa.select(SearchEvent.query, count)
        .where(SearchEvent.kind == EventKind.SEARCH.value, SearchEvent.result_count == 0,
               SearchEvent.created_at >= since, SearchEvent.created_at < until)
        .group_by(SearchEvent.query).order_by(count.desc(), SearchEvent.query).limit(limit))
    return [{"query": q, "count": int(n)} for q, n in rows]


def minutes_before(moment, minutes: int):
    """SQL: `moment` less `minutes` minutes, comparable with a stored time (on SQLite to the second:
    a bound to narrow an index range, with the exact test beside it)."""
    if _dialect() == "postgresql":
        return moment - sa.literal(timedelta(minutes=minutes), type_=sa.Interval())
    return sa.func.datetime(moment, f"-{int(minutes)} minutes")


def searches_before_asking(since: datetime, until: datetime, limit: int = TOP) -> list[dict]:
    """Searches followed within FOLLOW_UP_MINUTES, in the same session hash, by a new question or an
    escalation: what people looked for and then asked anyway. Per query: how many such searches,
    and how many of them found nothing.

    Read from the follow-ups (questions and escalations: few) to the searches of the same visitor
    in the minutes before each (an index range on session hash and time): the other way round, each
    search of the period looked through its visitor's later events, and one visitor with 100,000
    searches (a script; the benchmark) held the staff dashboard for minutes (issue 15)."""
    # MATERIALIZED: else SQLite folds the follow-ups into the join and begins from the period's
    # searches, each probing its visitor's later events (the quadratic plan again: over 5 minutes).
    followups = (sa.select(SearchEvent.session_hash, SearchEvent.created_at)
                 .where(SearchEvent.kind.in_([EventKind.QUESTION.value, EventKind.ESCALATION.value]),
                        SearchEvent.created_at >= since)
                 .cte("followups").prefix_with("MATERIALIZED"))
    search = sa.orm.aliased(SearchEvent)
    # Each search once, however many follow-ups came after it. (PostgreSQL needs the table's
    # statistics for this plan, as for every other: without them, autovacuum off, it took 20 s.)
    followed = (sa.select(search.id, search.query, search.result_count).distinct().select_from(followups)
                .join(search, sa.and_(search.session_hash == followups.c.session_hash,
                                      search.created_at <= followups.c.created_at,
                                      search.created_at >= minutes_before(followups.c.created_at,
                                                                          FOLLOW_UP_MINUTES + 1)))
                .where(search.kind == EventKind.SEARCH.value, search.created_at >= since, search.created_at < until,
                       minutes_between(followups.c.created_at, search.created_at) <= FOLLOW_UP_MINUTES)
                .subquery("followed"))
    count = sa.func.count().label("n")
    rows = db.session.execute(
        sa.select(followed.c.query, count, sa.func.sum(_flag(followed.c.result_count == 0)))
        .group_by(followed.c.query).order_by(count.desc(), followed.c.query).limit(limit))
    return [{"query": q, "count": int(n), "zero_results": int(z or 0)} for q, n, z in rows]


def escalating_tags(cohort, limit: int = TOP, minimum: int = 2) -> list[dict]:
    """Tags of the period's questions with the most escalations per question (at least `minimum`
    questions, so that one escalated question does not top the list)."""
    asked = sa.func.count().label("asked")
    escalated = sa.func.sum(_flag(_ticket_exists())).label("escalated")
    rows = db.session.execute(
        sa.select(Tag.name, asked, escalated)
        .select_from(Question).join(question_tags, question_tags.c.question_id == Question.id)
        .join(Tag, Tag.id == question_tags.c.tag_id)
        .where(*cohort).group_by(Tag.name).having(sa.func.count() >= minimum)).all()
    items = [{"tag": name, "asked": int(a), "escalated": int(e or 0), "escalations_per_question": _rate(int(e or 0), int(a))}
             for name, a, e in rows if e]
    items.sort(key=lambda item: (-item["escalations_per_question"], -item["escalated"], item["tag"]))
    return items[:limit]


def escalating_categories(by_category: list[dict]) -> list[dict]:
    """The categories ranked by escalations per question (the period's questions that have a ticket,
    over the questions asked in it: the rule escalating_tags follows), most first; those with no
    question asked or none escalated left out."""
    items = [{"category": row["category"], "asked": row["asked"], "escalated": row["escalated_of_asked"],
              "escalations_per_question": row["escalations_per_question"]}
             for row in by_category if row["asked"] and row["escalated_of_asked"]]
    items.sort(key=lambda item: (-item["escalations_per_question"], -item["escalated"], item["category"]))
    return items


def unsolved_threads(since: datetime, until: datetime, category: Category | None = None,
                     limit: int = TOP) -> list[dict]:
    """Threads active in the period with neither an accepted nor a verified answer, that members
    follow (besides the asker) or escalated "me too" (a ticket by someone other than the asker): most
    of both first."""
    followers = (sa.select(sa.func.count()).select_from(Follow)
                 .where(Follow.question_id == Question.id, Follow.user_id != Question.author_id)
                 .correlate(Question).scalar_subquery())
    me_too = (sa.select(sa.func.count()).select_from(Ticket)
              .where(Ticket.question_id == Question.id, Ticket.requester_id != Question.author_id)
              .correlate(Question).scalar_subquery())
    weight = (followers + me_too).label("weight")
    where = [Question.public(), Question.last_activity_at >= since, Question.created_at < until,
             Question.accepted_answer_id.is_(None), ~_verified()]
    if category is not None:
        where.append(Question.category == category)
    rows = db.session.execute(
        sa.select(Question.id, Question.title, Question.category, Question.answer_count, followers.label("f"),
                  me_too.label("m"), Question.pinned_at, weight)
        .where(*where, weight > 0).order_by(weight.desc(), Question.id.desc()).limit(limit)).all()
    return [{"question_id": qid, "title": title, "category": cat.value if hasattr(cat, "value") else cat,
             "answers": int(answers), "followers": int(f), "me_too_tickets": int(m), "pinned": pinned is not None}
            for qid, title, cat, answers, f, m, pinned, _w in rows]


def prune(now: datetime | None = None) -> int:
    """Delete search-log rows older than RETENTION_DAYS days; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=RETENTION_DAYS)
    result = db.session.execute(sa.delete(SearchEvent).where(SearchEvent.created_at < cutoff))
    return int(result.rowcount or 0)
