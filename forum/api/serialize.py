"""ORM objects → the API's JSON shapes (forum.api.schemas)."""
from __future__ import annotations

from flask import url_for

from forum.api.common import iso
from forum.auth.models import User
from forum.core.markup import plain_text
from forum.questions.models import Answer, Comment, Question, Revision
from forum.reputation.rules import experienced_threshold


def author(user: User) -> dict:
    return {"id": user.id, "username": user.username, "role": user.role.value, "reputation": user.reputation}


def user(user: User, *, private: bool = False) -> dict:
    data = {
        "id": user.id, "username": user.username, "role": user.role.value, "reputation": user.reputation,
        "created_at": iso(user.created_at),
        "url": url_for("pages.show_user", username=user.username, _external=True),
        "question_count": user.question_count, "answer_count": user.answer_count,
        "experienced": user.reputation >= experienced_threshold(),
    }
    if private:
        data["email"] = user.email
        data["locale"] = user.locale
    return data


def question_summary(q: Question, my_vote: int = 0) -> dict:
    return {
        "id": q.id, "title": q.title, "excerpt": plain_text(q.body_html, 200), "tags": q.tag_names,
        "category": q.category.value, "author": author(q.author), "score": q.score, "my_vote": my_vote,
        "answer_count": q.answer_count, "accepted_answer_id": q.accepted_answer_id,
        "has_verified_answer": q.has_verified_answer, "status": q.status.value,
        "closed_reason": q.closed_reason.value if q.closed_reason else None, "duplicate_of": q.duplicate_of_id,
        "locked": q.is_locked, "pinned": q.is_pinned, **held(q),
        "created_at": iso(q.created_at), "updated_at": iso(q.updated_at),
        "last_activity_at": iso(q.last_activity_at),
        "url": url_for("pages.show_question", question_id=q.id, _external=True),
    }


def held(post) -> dict:
    return {"held": post.is_held, "held_reason": post.held_reason.value if post.held_reason else None}


def comment(c: Comment) -> dict:
    return {"id": c.id, "question_id": c.question_id, "answer_id": c.answer_id, "body": c.body,
            "body_html": c.body_html, "author": author(c.author), "created_at": iso(c.created_at), **held(c)}


def verification(view) -> dict | None:
    if view is None:
        return None
    return {"by": view.by.username, "at": iso(view.at), "note": view.note, "stale": view.stale,
            "revision": view.revision_number}


def answer(a: Answer, question: Question, *, my_vote: int = 0, comments: list[Comment] = (),
           verified=None) -> dict:
    return {
        "id": a.id, "question_id": a.question_id, "body": a.body, "body_html": a.body_html,
        "author": author(a.author), "score": a.score, "my_vote": my_vote,
        "is_accepted": question.accepted_answer_id == a.id, "verification": verification(verified),
        "official": a.is_official, **held(a),
        "comments": [comment(c) for c in comments],
        "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
        "url": url_for("pages.show_question", question_id=a.question_id, _external=True, _anchor=f"answer-{a.id}"),
    }


def revision(r: Revision) -> dict:
    return {"number": r.number, "editor": author(r.editor), "summary": r.summary, "title": r.title,
            "body": r.body, "tags": r.tags.split() if r.tags is not None else None, "category": r.category,
            "created_at": iso(r.created_at),
            "redacted": {"at": iso(r.redacted_at), "reason": r.redaction_reason} if r.is_redacted else None}


def warnings(post) -> list[dict]:
    """What the privacy guard warned about when this request saved `post` (see schemas.PrivacyWarning)."""
    return list(getattr(post, "screening_warnings", ()) or ())


def incident_ref(incident) -> dict:
    """An incident beside something else (a thread, similar questions): IncidentRefOut."""
    return {"id": incident.id, "title": incident.title, "status": incident.status.value,
            "status_title": incident.status.title,
            "url": url_for("incidents.show", incident_id=incident.id, _external=True)}
