"""Who hears of what (connected by the feature's init_app). Everything runs inside the event's transaction."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from forum.core import signals
from forum.extensions import db
from forum.notifications import services
from forum.notifications.kinds import Kind, moderation_detail, redaction_detail
from forum.questions.models import Answer, Question
from forum.questions.services import thread_id_of


def _question_asked(question: Question, actor, **_):
    services.follow(actor.id, question_id=question.id)
    mentioned = services.mentioned_users(question.body)
    services.notify(mentioned, Kind.MENTION, actor_id=actor.id, question_id=question.id)
    services.notify(services.tag_and_category_followers(question) - mentioned, Kind.NEW_QUESTION_FOLLOWED,
                    actor_id=actor.id, question_id=question.id)


def _answer_posted(answer: Answer, actor, **_):
    services.follow(actor.id, question_id=answer.question_id)
    mentioned = services.mentioned_users(answer.body)
    services.notify(mentioned, Kind.MENTION, actor_id=actor.id, question_id=answer.question_id, answer_id=answer.id)
    services.notify(services.question_followers(answer.question_id) - mentioned, Kind.NEW_ANSWER, actor_id=actor.id,
                    question_id=answer.question_id, answer_id=answer.id)


def _comment_posted(comment, actor, **_):
    if comment.answer_id is not None:
        answer = db.session.get(Answer, comment.answer_id)
        question_id, answer_id = answer.question_id, answer.id
        audience = {answer.author_id} | services.question_followers(question_id)
    else:
        question_id, answer_id = comment.question_id, None
        audience = services.question_followers(question_id)
    mentioned = services.mentioned_users(comment.body)
    services.notify(mentioned, Kind.MENTION, actor_id=actor.id, question_id=question_id, answer_id=answer_id,
                    comment_id=comment.id)
    services.notify(audience - mentioned, Kind.NEW_COMMENT, actor_id=actor.id, question_id=question_id,
                    answer_id=answer_id, comment_id=comment.id)


def _answer_accepted(answer: Answer, actor, **_):
    services.notify({answer.author_id}, Kind.ANSWER_ACCEPTED, actor_id=actor.id, question_id=answer.question_id,
                    answer_id=answer.id)


def _answer_verified(answer: Answer, actor, first=True, **_):
    question = db.session.get(Question, answer.question_id)
    audience = {answer.author_id, question.author_id} if first else {answer.author_id}
    services.notify(audience, Kind.ANSWER_VERIFIED, actor_id=actor.id, question_id=answer.question_id,
                    answer_id=answer.id)


def _badge_awarded(kind, user_id: int, question_id=None, answer_id=None, **_):
    services.notify({user_id}, Kind.BADGE, actor_id=None, question_id=question_id, answer_id=answer_id,
                    detail=kind.value)


def _thread_of(post) -> Question:
    return db.session.get(Question, thread_id_of(post))


def _post_released(post, actor, **_):
    """The author hears that a moderator published their held post."""
    question = _thread_of(post)
    services.notify({post.author_id}, Kind.MODERATION, actor_id=actor.id if actor else None,
                    question_id=question.id, answer_id=post.id if isinstance(post, Answer) else None,
                    detail=moderation_detail("approved"))


def _post_removed(post, actor, reason: str = "", **_):
    """The author hears that a moderator deleted their post, and why."""
    if actor is None or actor.id == post.author_id or not actor.role.is_moderator:
        return
    question = _thread_of(post)
    live = question.deleted_at is None and question.held_at is None
    # A deleted thread's title goes with the notice (it cannot be looked up later); a held
    # thread's never does.
    title = question.title if question.deleted_at is not None and question.held_at is None else ""
    services.notify({post.author_id}, Kind.MODERATION, actor_id=actor.id, question_id=question.id if live else None,
                    detail=moderation_detail("removed", title="" if live else title, reason=reason))


def _question_state(question, actor, action: str, **_):
    if action == "close" and question.closed_reason is not None:
        services.notify({question.author_id}, Kind.MODERATION, actor_id=actor.id, question_id=question.id,
                        detail=moderation_detail("closed", reason=question.closed_reason.value))


def _revision_redacted(revision, actor, post, reason: str = "", **_):
    """The post's author and the revision's editor hear that a moderator redacted it, and why."""
    services.notify({post.author_id, revision.editor_id}, Kind.REVISION_REDACTED, actor_id=actor.id,
                    question_id=thread_id_of(post), answer_id=post.id if isinstance(post, Answer) else None,
                    detail=redaction_detail(revision.number, reason))


def _staff_in_tier(tier: int) -> set[int]:
    import sqlalchemy as sa

    from forum.auth.models import Role, User
    from forum.tickets.models import StaffTier

    staff = db.session.execute(sa.select(User.id, StaffTier.tier).outerjoin(StaffTier, StaffTier.user_id == User.id)
                               .where(User.role.in_([Role.STAFF, Role.ADMIN]), User.active.is_(True))).all()
    return {user_id for user_id, user_tier in staff if (user_tier or 1) == tier}


def _ticket_created(ticket, actor, **_):
    services.notify(_staff_in_tier(ticket.tier), Kind.TICKET_NEW, actor_id=actor.id, question_id=ticket.question_id,
                    ticket_id=ticket.id, detail=ticket.number)


def _ticket_message(ticket, actor, message, **_):
    # Internal notes are never told to the requester; staff replies are.
    if message.internal or actor.id == ticket.requester_id:
        return
    services.notify({ticket.requester_id}, Kind.TICKET_REPLY, actor_id=actor.id, ticket_id=ticket.id,
                    detail=ticket.number)


def _ticket_status(ticket, actor, old, new, **_):
    services.notify({ticket.requester_id}, Kind.TICKET_STATUS, actor_id=actor.id if actor else None,
                    ticket_id=ticket.id, detail=f"{ticket.number} {new.value}")


def _ticket_breach_near(ticket, tier, **_):
    audience = {ticket.assignee_id} if ticket.assignee_id else _staff_in_tier(tier)
    services.notify(audience, Kind.TICKET_BREACH_NEAR, actor_id=None, ticket_id=ticket.id, detail=ticket.number)


def _password_reset(user, token: str, expires_at, **_):
    services.send_account_email(user, _l("Reset your password"), "reset",
                                link=f"{services.base_url()}/reset-password/{token}")


def _mask_email(address: str) -> str:
    """"k***@example.com": enough for the owner to recognise, not a new address to write to."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _email_changed(user, old_email: str, **_):
    services.send_account_email(user, _l("The e-mail address of your account was changed"), "email_changed",
                                to_address=old_email, new_email=_mask_email(user.email),
                                support_link=f"{services.base_url()}/support")


def connect() -> None:
    signals.password_reset_requested.connect(_password_reset)
    signals.email_changed.connect(_email_changed)
    signals.ticket_created.connect(_ticket_created)
    signals.ticket_message_added.connect(_ticket_message)
    signals.ticket_status_changed.connect(_ticket_status)
    signals.ticket_breach_near.connect(_ticket_breach_near)
    signals.question_asked.connect(_question_asked)
    signals.answer_posted.connect(_answer_posted)
    signals.comment_posted.connect(_comment_posted)
    signals.answer_accepted.connect(_answer_accepted)
    signals.answer_verified.connect(_answer_verified)
    signals.badge_awarded.connect(_badge_awarded)
    signals.post_released.connect(_post_released)
    for signal in (signals.question_deleted, signals.answer_deleted, signals.comment_deleted):
        signal.connect(_post_removed)
    signals.question_state_changed.connect(_question_state)
    signals.revision_redacted.connect(_revision_redacted)
