"""The read side of the composite pages: each reads the features it shows directly (pages sit right
of every feature), so no feature has to be asked through a signal for what it knows."""
from __future__ import annotations

import functools

import sqlalchemy as sa

from forum.core.permissions import Privilege, can, is_moderator, signed_in
from forum.extensions import db
from forum.notifications import services as notifications
from forum.questions import queries as question_queries
from forum.questions.models import Answer, Comment, Question
from forum.search import services as search
from forum.tickets import queries as ticket_queries
from forum.tickets import services as ticket_services
from forum.verification import queries as verification_queries
from forum.votes import queries as vote_queries
from forum.votes.models import Vote


def thread(question: Question, viewer) -> dict:
    """What the thread page shows besides the question: the answers and comments `viewer` may see
    (verified answers first, then the accepted one, then by score), the answers' verifications,
    the viewer's votes, and the public mark of the asker's escalation (and whether the viewer may
    escalate: any signed-in member, the asker or "me too")."""
    loaded = question_queries.load_thread(question, viewer)
    verified = verification_queries.verifications_for(loaded.answers)
    loaded.answers = verification_queries.order_answers(question, loaded.answers, verified)
    question_votes, answer_votes = vote_queries.my_votes(viewer, question_ids=[question.id],
                                                         answer_ids=[a.id for a in loaded.answers])
    ticket = ticket_queries.public_escalation(question.id)
    return {"thread": loaded, "verifications": verified,
            "my_question_vote": question_votes.get(question.id, 0), "my_answer_votes": answer_votes,
            "escalation": ticket, "can_escalate": ticket_services.may_escalate(viewer, question),
            "escalation_due": ticket_services.due_at(ticket) if ticket else None}


def may_share_thread(viewer) -> bool:
    """Whether `viewer`'s thread page may come from the shared fragments, as far as their role
    says: a member, not a moderator or staff (their tools, held posts)."""
    return signed_in(viewer) and not is_moderator(viewer) and not viewer.role.is_staff


def shared_thread_key(question: Question, viewer, stake: tuple) -> tuple | None:
    """What a member's thread page depends on besides the thread, the language and the time zone,
    when the page is the same for every member alike: it then comes from the shared fragments
    (forum.web.fragments) and costs no query of the thread. None when the page shows the viewer
    something of their own: moderators and staff (their tools, held posts), the asker, and whoever
    answered, commented or voted in the thread (their delete links, their votes). `stake`: the
    values of stake_columns(), read with the question (questions.services.get_question_with)."""
    if not may_share_thread(viewer) or viewer.id == question.author_id:
        return None
    answered_commented_or_voted, following = stake
    if answered_commented_or_voted:
        return None
    # The rest of what the page shows a member: links that depend on privileges, the follow button.
    return (can(viewer, Privilege.EDIT_OTHERS), ticket_services.may_escalate(viewer, question), bool(following))


@functools.cache
def stake_columns() -> tuple:
    """(whether the viewer answered, commented or voted in the thread, whether they follow it), as
    columns over the question's row with the bind parameter viewer_id: read in the question's own
    statement, built once (building it cost more than running it)."""
    viewer_id = sa.bindparam("viewer_id")
    answers = sa.select(Answer.id).where(Answer.question_id == Question.id).correlate(Question)
    stake = sa.or_(
        sa.exists().where(Answer.question_id == Question.id, Answer.author_id == viewer_id),
        sa.exists().where(Comment.author_id == viewer_id,
                          sa.or_(Comment.question_id == Question.id, Comment.answer_id.in_(answers))),
        sa.exists().where(Vote.user_id == viewer_id,
                          sa.or_(Vote.question_id == Question.id, Vote.answer_id.in_(answers))))
    return stake.label("stake"), notifications.following(viewer_id, question_id=Question.id).label("following")


def solved_like(question: Question, limit: int = 5) -> list[tuple[Question, bool]]:
    """Solved threads like this question, for the escalation form: (question, has_verified_answer),
    verified ones first. Full-text search on the title answers first (verified or accepted hits, in
    order of relevance); threads of the same category sharing a tag fill the rest."""
    hits = [h for h in search.similar(question.title, limit=limit * 2, exclude_question_id=question.id)
            if h.is_verified or h.is_accepted][:limit]
    rows = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.id.in_([h.question_id
                                                                                          for h in hits])))}
    ordered = [rows[h.question_id] for h in hits if h.question_id in rows]
    ordered.sort(key=lambda q: not q.has_verified_answer)  # stable: verified first, then by relevance
    found = [(q, q.has_verified_answer) for q in ordered]
    if len(found) >= limit:
        return found[:limit]
    seen = {q.id for q, _verified in found}
    rest = ticket_queries.solved_sharing_tags(question, limit=limit)
    return (found + [pair for pair in rest if pair[0].id not in seen])[:limit]
