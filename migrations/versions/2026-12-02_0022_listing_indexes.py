"""Listing indexes hold the public questions in each list's exact order (ties by id)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

PUBLIC = sa.text("deleted_at IS NULL AND held_at IS NULL")
NEW = {"ix_questions_public_newest": ["created_at", "id"],
       "ix_questions_public_active": ["last_activity_at", "id"],
       "ix_questions_public_votes": ["score", "created_at", "id"],
       "ix_questions_public_category_newest": ["category", "created_at", "id"],
       "ix_questions_public_category_active": ["category", "last_activity_at", "id"],
       "ix_questions_public_category_votes": ["category", "score", "created_at", "id"]}
OLD = {"ix_questions_listing_created": ["deleted_at", "created_at"],
       "ix_questions_listing_activity": ["deleted_at", "last_activity_at"],
       "ix_questions_listing_score": ["deleted_at", "score", "created_at"]}


# Plain statements, no batch mode: SQLite's table rebuild would drop the tally triggers (0020).
def upgrade():
    for name in OLD:
        op.drop_index(name, table_name="questions")
    for name, columns in NEW.items():
        op.create_index(name, "questions", columns, unique=False, sqlite_where=PUBLIC, postgresql_where=PUBLIC)


def downgrade():
    for name in NEW:
        op.drop_index(name, table_name="questions")
    for name, columns in OLD.items():
        op.create_index(name, "questions", columns, unique=False)
