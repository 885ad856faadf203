"""Issue 15: a member's unread count is read with the member (one query on each of their pages),
and is read again once the request has written anything (it may have changed)."""
from __future__ import annotations

import sqlalchemy as sa

from forum.auth.services import load_session_user
from forum.extensions import db
from forum.notifications import services, views
from forum.notifications.kinds import Kind


def _unread_for(user, _count_queries):
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)  # no commit first, as count_queries does
    try:
        count = views.unread_count(user)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return count, len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def test_the_count_read_with_the_member_is_used_until_the_request_writes(app, ctx, create_user, create_question,
                                                                          count_queries):
    member, other = create_user("zhou_min"), create_user("wu_gang")
    question = create_question(author=other)
    services.notify([member.id], Kind.NEW_ANSWER, actor_id=other.id, question_id=question.id)
    services.notify([member.id], Kind.NEW_ANSWER, actor_id=other.id, question_id=question.id)
    db.session.commit()
    member_id, version = member.id, member.session_version
    db.session.remove()  # a fresh session, as a request begins with (it has written nothing)
    with app.test_request_context("/notifications/read", method="POST"):  # a write: BEGIN IMMEDIATE (SQLite)
        user = load_session_user(f"{member_id}:{version}")
        assert _unread_for(user, count_queries) == (2, 0)  # read with the member
        first = db.session.scalar(sa.select(sa.func.min(services.Notification.id))
                                  .where(services.Notification.user_id == member_id))
        services.mark_read(user, ids=[first])
        assert _unread_for(user, count_queries) == (1, 1)  # a write: read again
        db.session.rollback()
    with app.test_request_context("/"):
        assert load_session_user(f"{member_id}:{version + 1}") is None  # an ended session
        assert load_session_user(f"{2**70}:{version}") is None  # no row id: no query, no error
