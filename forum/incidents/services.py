"""Incidents: staff open one for an outage, threads about it are linked (by the search backend's
keyword match, and by hand), members say they are affected, and when it is resolved everyone
concerned hears of it once and the linked threads can get the resolution as a verified answer.

Only staff and administrators open, update and link; any signed-in member may say "affected".
"""
from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from forum import webhooks
from forum.auth.models import User
from forum.core.db import insert_ignoring_conflicts, is_row_id, utcnow
from forum.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from forum.core.markup import render_markdown
from forum.core.permissions import signed_in
from forum.extensions import db
from forum.incidents import queries
from forum.incidents.models import (
    ACTIVE_STATUSES,
    Incident,
    IncidentAffected,
    IncidentLink,
    IncidentStatus,
    IncidentUpdate,
    LinkSource,
)
from forum.incidents.schemas import CreateIncident, LinkQuestion, PublishIncident, UpdateIncident
from forum.notifications import services as notifications
from forum.notifications.kinds import Kind, incident_detail
from forum.notifications.models import Follow
from forum.questions import services as questions
from forum.questions.models import Category, Question
from forum.search import services as search
from forum.verification import services as verification
from forum.verification.models import NoteKind
from forum.webhooks import events as webhook_events

log = logging.getLogger(__name__)
# Threads asked this long before the incident began are about it too (members notice first).
LOOKBACK = timedelta(hours=24)


# --- who may -------------------------------------------------------------------------------------

def _staff(actor) -> User:
    if not signed_in(actor):
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    if not actor.is_active or not actor.role.is_staff:
        raise PermissionDenied(_("Only staff can manage incidents."), code="staff_only")
    return actor


def get_incident(incident_id) -> Incident:
    """The incident, or NotFound (unknown or malformed ids alike). Incidents are public."""
    incident = db.session.get(Incident, incident_id) if is_row_id(incident_id) else None
    if incident is None:
        raise NotFound(_("This incident does not exist."))
    return incident


def _locked(incident_id) -> Incident:
    get_incident(incident_id)
    return db.session.scalar(sa.select(Incident).where(Incident.id == incident_id).with_for_update()
                             .execution_options(populate_existing=True))


def window(incident: Incident) -> tuple:
    """The time in which a new thread may be about the incident: from a day before it began until
    it was resolved (open-ended while it is active)."""
    return incident.started_at - LOOKBACK, incident.resolved_at


# --- opening and updating ----------------------------------------------------------------------

def create_incident(actor, /, **fields) -> Incident:
    """Open an incident: `fields` are CreateIncident's (title, body, category, keywords, status),
    validated here once. Its first update is its body; threads already asked that match are linked
    at once. Raises PermissionDenied (staff only), ValidationFailed."""
    _staff(actor)
    command = CreateIncident.parse(fields)
    now = utcnow()
    incident = Incident(title=command.title, body=command.body, body_html=render_markdown(command.body),
                        category=Category(command.category), keywords="\n".join(command.keywords),
                        status=IncidentStatus(command.status), started_at=now, created_by_id=actor.id,
                        created_at=now, updated_at=now)
    db.session.add(incident)
    db.session.flush()
    opening = _add_update(incident, actor, incident.status, command.body or command.title, now)
    link_matching(incident)
    db.session.flush()
    _announce(webhook_events.INCIDENT_CREATED, incident, actor, opening)
    return incident


def _add_update(incident: Incident, actor: User, status: IncidentStatus, message: str, now) -> IncidentUpdate:
    update = IncidentUpdate(incident_id=incident.id, author_id=actor.id, status=status, message=message,
                            message_html=render_markdown(message), created_at=now)
    db.session.add(update)
    return update


def update_incident(actor, incident_id, /, **fields) -> Incident:
    """A new step: `fields` are UpdateIncident's. A status needs a message, and each is kept on the
    timeline with its time; new keywords link the threads that match them now. Resolving ends the
    window, tells every affected member and every linked thread's asker and followers once, and with
    `publish` posts the message on the linked threads as verified staff answers. A resolved incident
    takes messages but is never reopened (409: open a new one). Raises PermissionDenied, NotFound,
    ValidationFailed, Conflict."""
    _staff(actor)
    command = UpdateIncident.parse(fields)
    incident = _locked(incident_id)
    new_status = IncidentStatus(command.status) if command.status else None
    if not (new_status or command.message or command.title or command.keywords):
        raise ValidationFailed({"message": [_("Write an update, or change the status, title or keywords.")]})
    if new_status and not command.message:
        raise ValidationFailed({"message": [_("Say what changed: members read each update.")]})
    if not incident.is_active and new_status and new_status.is_active:
        raise Conflict(_("A resolved incident cannot be reopened: open a new incident."), code="incident_resolved")
    if command.publish and (new_status or incident.status) is not IncidentStatus.RESOLVED:
        raise ValidationFailed({"publish": [_("The resolution can be published when the incident is resolved.")]})
    now = utcnow()
    if command.title:
        incident.title = command.title
    if command.keywords is not None:
        incident.keywords = "\n".join(command.keywords)
    resolving = new_status is IncidentStatus.RESOLVED and incident.is_active
    if new_status:
        incident.status = new_status
    update = _add_update(incident, actor, incident.status, command.message, now) if command.message else None
    incident.updated_at = now
    if resolving:
        incident.resolved_at = now
    db.session.flush()
    if command.keywords is not None:
        link_matching(incident)
    if resolving:
        _notify_resolved(incident, actor, now)
    if command.publish:
        try:
            publish_resolution(actor, incident.id, body=command.message)
        except ValidationFailed as error:  # the message is what would be posted: say so of it
            raise ValidationFailed({"message": [m for ms in error.fields.values() for m in ms]}) from None
    db.session.flush()
    # Resolving is incident.resolved alone, as a ticket becoming solved is ticket.solved alone;
    # anything else (another status, a message, even on a resolved incident, a title or keywords)
    # is incident.updated.
    _announce(webhook_events.INCIDENT_RESOLVED if resolving else webhook_events.INCIDENT_UPDATED,
              incident, actor, update)
    return incident


def _announce(event: str, incident: Incident, actor: User, update: IncidentUpdate | None) -> None:
    """Record the webhook deliveries of `event` in this transaction (sent after the commit)."""
    counts = queries.link_counts([incident.id])
    webhooks.emit(event, webhook_events.incident_event(incident, linked_count=counts.get(incident.id, 0),
                                                       update=update, actor=actor))


def _concerned(incident: Incident) -> set[int]:
    """Everyone to tell of the resolution: affected members, linked threads' askers and followers."""
    linked = sa.select(IncidentLink.question_id).where(IncidentLink.incident_id == incident.id,
                                                       IncidentLink.removed_at.is_(None))
    affected = sa.select(IncidentAffected.user_id).where(IncidentAffected.incident_id == incident.id)
    askers = sa.select(Question.author_id).where(Question.id.in_(linked), Question.deleted_at.is_(None))
    followers = sa.select(Follow.user_id).where(Follow.question_id.in_(linked))
    return set(db.session.scalars(sa.union(affected, askers, followers)))


def _notify_resolved(incident: Incident, actor: User, now) -> int:
    """Once per incident, whatever happens after: `notified_at` is claimed by an UPDATE that only
    one transaction can win."""
    claimed = db.session.execute(sa.update(Incident).where(Incident.id == incident.id, Incident.notified_at.is_(None))
                                 .values(notified_at=now)).rowcount
    if not claimed:
        return 0
    return notifications.notify(_concerned(incident), Kind.INCIDENT_RESOLVED, actor_id=actor.id,
                                detail=incident_detail(incident.id, incident.title))


def publish_resolution(actor, incident_id, /, body=None, **fields) -> list:
    """Post the resolution on every linked thread that has not had it, as a staff answer verified
    by the publisher (a thread that cannot take an answer now, locked or held, is skipped). `body`
    (PublishIncident's) defaults to the last update's message. Only for a resolved incident.
    Returns the answers. Raises PermissionDenied, NotFound, ValidationFailed."""
    _staff(actor)
    body = PublishIncident.parse({**fields, "body": body}).body
    incident = _locked(incident_id)
    if incident.is_active:
        raise ValidationFailed({"publish": [_("The resolution can be published when the incident is resolved.")]})
    if not body:
        body = db.session.scalar(sa.select(IncidentUpdate.message).where(IncidentUpdate.incident_id == incident.id)
                                 .order_by(IncidentUpdate.created_at.desc(), IncidentUpdate.id.desc()).limit(1))
    links = db.session.scalars(sa.select(IncidentLink).where(IncidentLink.incident_id == incident.id,
                                                             IncidentLink.removed_at.is_(None),
                                                             IncidentLink.published_answer_id.is_(None))
                               .order_by(IncidentLink.question_id)).all()
    answers = []
    for link in links:
        try:
            with db.session.begin_nested():  # one thread that refuses an answer leaves the others
                answer = questions.post_answer(actor, link.question_id, body=body)
                verification.verify_answer(actor, answer.id, note_kind=NoteKind.RESOLUTION)
        except DomainError as error:
            log.info("incident %s: resolution not published on question %s: %s", incident.id, link.question_id,
                     error.message)
            if isinstance(error, ValidationFailed) and "body" in error.fields:
                raise  # the text itself is refused: every thread would refuse it
            continue
        link.published_answer_id = answer.id
        answers.append(answer)
    db.session.flush()
    return answers


# --- linking -----------------------------------------------------------------------------------

def _link(incident_id: int, question_ids, source: LinkSource, actor_id: int | None = None) -> int:
    """Link threads not linked yet (automatic links never bring back one that staff removed)."""
    if not question_ids:
        return 0
    now = utcnow()
    rows = [{"incident_id": incident_id, "question_id": q, "source": source.value, "linked_by_id": actor_id,
             "created_at": now} for q in sorted(set(question_ids))]
    inserted = insert_ignoring_conflicts(IncidentLink, rows, ["incident_id", "question_id"],
                                         returning=IncidentLink.id, many=True)
    return len(inserted)


def link_matching(incident: Incident) -> int:
    """Link the threads in the incident's category and window that contain any one of its keywords,
    as the search backend finds them. Returns how many were linked now."""
    since, until = window(incident)
    found = search.questions_matching_any(incident.keyword_list, category=incident.category.value,
                                          since=since, until=until)
    return _link(incident.id, found, LinkSource.AUTO)


def link_new_questions(question_ids: list[int]) -> int:
    """The indexer has just made these threads searchable: link those that belong to an active
    incident. Cheap when nothing is going on: one indexed query finds no active incident."""
    active = db.session.scalars(sa.select(Incident).where(Incident.status.in_(ACTIVE_STATUSES))).all()
    if not active or not question_ids:
        return 0
    candidates = db.session.execute(
        sa.select(Question.id, Question.category, Question.created_at)
        .where(Question.id.in_(question_ids), Question.public(),
               Question.category.in_({i.category.value for i in active}))).all()
    linked = 0
    for incident in active:
        since, _until = window(incident)
        mine = {row.id for row in candidates if row.category == incident.category and row.created_at >= since}
        if not mine:
            continue
        already = set(db.session.scalars(sa.select(IncidentLink.question_id).where(
            IncidentLink.incident_id == incident.id, IncidentLink.question_id.in_(mine))))
        mine -= already
        if not mine:
            continue
        # The newest matches come first: the threads just indexed are among them.
        found = search.questions_matching_any(incident.keyword_list, category=incident.category.value,
                                              since=min(row.created_at for row in candidates if row.id in mine),
                                              limit=len(mine) + 200)
        linked += _link(incident.id, mine & set(found), LinkSource.AUTO)
    return linked


def link_question(actor, incident_id, /, **fields) -> IncidentLink:
    """Link a thread by hand (`fields`: LinkQuestion's question_id), or bring back one that was
    unlinked. Raises PermissionDenied, NotFound (incident or question), ValidationFailed."""
    _staff(actor)
    command = LinkQuestion.parse(fields)
    incident = _locked(incident_id)
    question = questions.get_question(command.question_id, viewer=actor)
    link = db.session.scalar(sa.select(IncidentLink).where(IncidentLink.incident_id == incident.id,
                                                           IncidentLink.question_id == question.id))
    if link is None:
        link = IncidentLink(incident_id=incident.id, question_id=question.id, source=LinkSource.MANUAL,
                            linked_by_id=actor.id, created_at=utcnow())
        db.session.add(link)
    elif link.removed_at is not None:
        link.removed_at = None
        link.source = LinkSource.MANUAL
        link.linked_by_id = actor.id
    db.session.flush()
    return link


def unlink_question(actor, incident_id, question_id) -> None:
    """Take a thread off the incident; it stays off (the automatic matching skips it). Raises
    PermissionDenied, NotFound (incident, or a thread not linked)."""
    _staff(actor)
    incident = _locked(incident_id)
    link = db.session.scalar(sa.select(IncidentLink).where(IncidentLink.incident_id == incident.id,
                                                           IncidentLink.question_id == question_id,
                                                           IncidentLink.removed_at.is_(None))) \
        if is_row_id(question_id) else None
    if link is None:
        raise NotFound(_("This thread is not linked to the incident."))
    link.removed_at = utcnow()
    db.session.flush()


# --- "I'm affected too" ------------------------------------------------------------------------

def set_affected(actor, incident_id, affected: bool) -> int:
    """Say (or take back) that the member is affected; idempotent. Only while the incident is
    active may one say so (taking it back is always allowed). Returns the count. Raises
    PermissionDenied (signed out, suspended), NotFound, Conflict."""
    if not signed_in(actor) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."), code="unauthorized")
    incident = get_incident(incident_id)
    if affected:
        if not incident.is_active:
            raise Conflict(_("This incident is resolved."), code="incident_resolved")
        added = insert_ignoring_conflicts(IncidentAffected, {"incident_id": incident.id, "user_id": actor.id,
                                                             "created_at": utcnow()},
                                          ["incident_id", "user_id"], returning=IncidentAffected.user_id)
        if added is not None:
            db.session.execute(sa.update(Incident).where(Incident.id == incident.id)
                               .values(affected_count=Incident.affected_count + 1))
    else:
        removed = db.session.scalar(sa.delete(IncidentAffected).where(IncidentAffected.incident_id == incident.id,
                                                                      IncidentAffected.user_id == actor.id)
                                    .returning(IncidentAffected.user_id))
        if removed is not None:
            db.session.execute(sa.update(Incident).where(Incident.id == incident.id)
                               .values(affected_count=Incident.affected_count - 1))
    db.session.flush()
    return db.session.scalar(sa.select(Incident.affected_count).where(Incident.id == incident.id))
