"""Load the demo community (forum/demo/content.py) through the services, idempotently."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.auth import services as auth_services
from forum.auth.models import Role, User
from forum.core.db import utcnow
from forum.core.errors import NotFound
from forum.extensions import db
from forum.questions import services as question_services
from forum.questions.models import Answer, Comment, Question, Revision
from forum.verification import services as verification_services
from forum.votes import services as vote_services


def _user(name: str) -> User:
    return auth_services.get_user_by_name(name)


def load_demo(content) -> dict[str, int]:
    """Create the demo accounts and threads that do not exist yet, in one unit of work; returns what
    was created. The new-member pacing rules are off while it runs (it posts a community's history
    at once)."""
    from flask import current_app

    from forum.core.db import unit_of_work

    previous = current_app.config.get("FORUM_RATE_LIMITS", True)
    current_app.config["FORUM_RATE_LIMITS"] = False
    try:
        with unit_of_work():
            return _load_demo(content)
    finally:
        current_app.config["FORUM_RATE_LIMITS"] = previous


def _load_demo(content) -> dict[str, int]:
    created = {"users": 0, "questions": 0}
    for spec in content.USERS:
        try:
            auth_services.get_user_by_name(spec["username"])
        except NotFound:
            auth_services.register_user(spec["username"], spec["email"], spec["password"], role=Role(spec["role"]),
                                        reputation=spec.get("reputation", 1), locale=spec.get("locale"))
            user = _user(spec["username"])
            auth_services.update_settings(user, about=spec.get("about", ""))
            created["users"] += 1
    now = utcnow()
    for spec in content.QUESTIONS:
        author = _user(spec["author"])
        exists = db.session.scalar(sa.select(Question.id).where(Question.title == spec["title"],
                                                               Question.author_id == author.id))
        if exists:
            continue
        _load_thread(spec, author, now)
        created["questions"] += 1
    if created["questions"]:
        _load_verifications(getattr(content, "VERIFICATIONS", []))
        _load_tickets(getattr(content, "TICKETS", []))
        _load_moderation(getattr(content, "MODERATION", {}))
    created["history"] = _load_history()
    return created


def _load_history() -> int:
    """Sixty days of support history (forum.demo.history), once; the search index follows."""
    from forum.demo.history import demo_history
    from forum.search import indexer

    made = demo_history()
    if not made:
        return 0
    for question_id in made["question_ids"]:
        indexer.enqueue(question_id)
    return made["questions"]


def _load_moderation(spec) -> None:
    """A held scam answer (posted through the guards, which hold it) and flags on an answer."""
    from forum.moderation import services as moderation_services

    for held in spec.get("held_answers", []):
        question = db.session.scalar(sa.select(Question).where(Question.title.startswith(held["question"])))
        if question is not None:
            question_services.post_answer(_user(held["author"]), question.id, body=held["body"])
    for flag in spec.get("flags", []):
        question = db.session.scalar(sa.select(Question).where(Question.title.startswith(flag["question"])))
        members = sa.select(User.id).where(User.role == Role.MEMBER)
        answer = db.session.scalar(sa.select(Answer).where(Answer.question_id == question.id,
                                                           Answer.author_id.in_(members))
                                   .order_by(Answer.id.desc())) if question is not None else None
        if answer is None:
            continue
        for name in flag["by"]:
            if _user(name).id != answer.author_id:
                moderation_services.flag_post(_user(name), "answer", answer.id, flag_kind=flag["kind"],
                                              note=flag.get("note"))


def _load_tickets(specs) -> None:
    from forum.tickets import services as ticket_services

    for spec in specs:
        question = db.session.scalar(sa.select(Question).where(Question.title.startswith(spec["question"])))
        if question is None:
            continue
        asker = db.session.get(User, question.author_id)
        ticket = ticket_services.escalate_question(
            asker, question.id, category=spec["category"], description=spec["description"],
            order_number=spec.get("order_number"), contact_channel=spec.get("contact_channel"),
            contact=spec.get("contact"))
        for message in spec.get("messages", []):
            ticket_services.add_message(_user(message["by"]), ticket.id, message["body"],
                                        internal=message.get("internal", False))


def _load_verifications(specs) -> None:
    for spec in specs:
        question = db.session.scalar(sa.select(Question).where(Question.title.startswith(spec["question"])))
        if question is None:
            continue
        author = _user(spec["answer_author"])
        answer = db.session.scalar(sa.select(Answer).where(Answer.question_id == question.id,
                                                           Answer.author_id == author.id))
        if answer is None:
            continue
        verification_services.verify_answer(_user(spec["by"]), answer.id, spec.get("note", ""))
        edit = spec.get("edit_after")
        if edit:
            question_services.edit_answer(author, answer.id, body=answer.body + edit["body_append"],
                                          summary=edit.get("summary", ""))


def _load_thread(spec: dict, author: User, now) -> None:
    asked_at = now - timedelta(days=spec.get("days_ago", 0), minutes=len(spec["title"]))
    question = question_services.ask_question(author, title=spec["title"], body=spec["body"], tags=spec["tags"],
                                              category=spec["category"])
    _backdate(Question, question.id, asked_at)
    _backdate_revisions(Revision.question_id, question.id, asked_at)
    last = asked_at
    for edit in spec.get("edits", []):
        question_services.edit_question(_user(edit["by"]), question.id, body=edit["body"],
                                        summary=edit.get("summary", ""))
        edited_at = asked_at + timedelta(hours=edit.get("hours_after", 1))
        db.session.execute(sa.update(Revision).where(Revision.question_id == question.id, Revision.number > 1)
                           .values(created_at=edited_at))
        db.session.execute(sa.update(Question).where(Question.id == question.id).values(updated_at=edited_at))
        last = max(last, edited_at)
    for c in spec.get("comments", []):
        comment = question_services.post_comment(_user(c["author"]), body=c["body"], question_id=question.id)
        at = asked_at + timedelta(hours=c.get("hours_after", 1))
        _backdate(Comment, comment.id, at)
        last = max(last, at)
    _votes(spec.get("votes", {}), question_id=question.id)
    for a in spec.get("answers", []):
        answer = question_services.post_answer(_user(a["author"]), question.id, body=a["body"])
        at = asked_at + timedelta(hours=a.get("hours_after", 2))
        _backdate(Answer, answer.id, at)
        _backdate_revisions(Revision.answer_id, answer.id, at)
        last = max(last, at)
        for c in a.get("comments", []):
            comment = question_services.post_comment(_user(c["author"]), body=c["body"], answer_id=answer.id)
            c_at = at + timedelta(hours=c.get("hours_after", 1))
            _backdate(Comment, comment.id, c_at)
            last = max(last, c_at)
        _votes(a.get("votes", {}), answer_id=answer.id)
        if a.get("accepted"):
            question_services.accept_answer(author, answer.id)
    db.session.execute(sa.update(Question).where(Question.id == question.id)
                       .values(last_activity_at=min(last, utcnow())))
    db.session.flush()


def _votes(spec: dict, **target) -> None:
    for name in spec.get("up", []):
        vote_services.cast_vote(_user(name), value=1, **target)
    for name in spec.get("down", []):
        voter = _user(name)
        if voter.reputation >= 125 or voter.role.is_moderator:
            vote_services.cast_vote(voter, value=-1, **target)


def _backdate(model, row_id: int, at) -> None:
    values = {"created_at": at, "updated_at": at}
    if model is Question:
        values["last_activity_at"] = at
    db.session.execute(sa.update(model).where(model.id == row_id).values(values))
    db.session.flush()


def _backdate_revisions(column, row_id: int, at) -> None:
    db.session.execute(sa.update(Revision).where(column == row_id, Revision.number == 1).values(created_at=at))
    db.session.flush()
