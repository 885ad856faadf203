"""Pinned questions: moderators and staff pin a few questions to the top of the home list

Revision ID: 0032
Revises: 0027
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0027'
branch_labels = None
depends_on = None

PINNED = sa.text("pinned_at IS NOT NULL AND deleted_at IS NULL AND held_at IS NULL")


# Plain statements, no batch mode: SQLite's table rebuild would drop the tally triggers (0020).
# A nullable column is added in place on both databases.
def upgrade():
    op.add_column('questions', sa.Column('pinned_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_questions_pinned', 'questions', ['pinned_at', 'id'], unique=False,
                    sqlite_where=PINNED, postgresql_where=PINNED)


def downgrade():
    op.drop_index('ix_questions_pinned', table_name='questions')
    op.drop_column('questions', 'pinned_at')
