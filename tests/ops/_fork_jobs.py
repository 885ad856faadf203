"""A job for the RQ worker in tests/ops/test_fork_safety.py: the same ORM queries run more often than
psycopg's prepare_threshold (5), so each job prepares statements on its connection
(server-side, kept after the commit)."""
from __future__ import annotations

import sqlalchemy as sa

from forum.auth.models import User
from forum.extensions import db


def read_members(n: int) -> int:
    for _ in range(8):
        db.session.execute(sa.select(User).order_by(User.id).limit(5)).all()
        count = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    db.session.commit()  # as the forum's jobs end (deliver_pending): prepared statements stay
    return n * 1000 + count

