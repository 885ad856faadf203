"""An ORM UPDATE leaves no stale copy in the session (forum.core.db._update_in_sql_only): the copies
of the entity are expired, never computed from what they held before."""
from __future__ import annotations

import sqlalchemy as sa

from forum.auth.models import User
from forum.extensions import db


def _change_behind_the_session(user_id: int, total: int) -> None:
    """What another transaction (or a Core statement) does: the row changes, the copy does not."""
    db.session.connection().execute(sa.text("UPDATE users SET reputation_total = :t WHERE id = :i"),
                                    {"t": total, "i": user_id})


def test_an_expression_update_is_read_back_from_the_row(ctx, create_user):
    user = create_user(reputation=1)
    copy = db.session.get(User, user.id)
    assert copy.reputation_total == 1
    _change_behind_the_session(user.id, 40)
    db.session.execute(sa.update(User).where(User.id == user.id)
                       .values(reputation_total=User.reputation_total + 2))
    # SQLAlchemy's own "evaluate" would have made the copy 1 + 2 = 3.
    assert copy.reputation_total == 42
    assert db.session.scalar(sa.select(User.reputation_total).where(User.id == user.id)) == 42


def test_a_criteria_the_copy_no_longer_matches_is_judged_by_the_row(ctx, create_user):
    user = create_user(reputation=1)
    copy = db.session.get(User, user.id)
    _change_behind_the_session(user.id, 5)
    # The row matches (5 > 3); the copy, holding 1, would not have, and would have kept 1.
    db.session.execute(sa.update(User).where(User.id == user.id, User.reputation_total > 3)
                       .values(reputation_total=0))
    assert copy.reputation_total == 0


def test_unflushed_changes_are_written_before_the_update_and_kept(ctx, create_user):
    user = create_user(reputation=1)
    copy = db.session.get(User, user.id)
    copy.locale = "en"  # pending in the session: autoflush writes it first
    db.session.execute(sa.update(User).where(User.id == user.id).values(reputation_total=User.reputation_total + 1))
    assert (copy.locale, copy.reputation_total) == ("en", 2)


def test_an_explicit_choice_is_kept(ctx, create_user):
    user = create_user(reputation=1)
    copy = db.session.get(User, user.id)
    _change_behind_the_session(user.id, 40)
    db.session.execute(sa.update(User).where(User.id == user.id).values(reputation_total=User.reputation_total + 2)
                       .execution_options(synchronize_session="evaluate"))
    assert copy.reputation_total == 3  # what the caller asked for: SQLAlchemy's evaluation on the copy
