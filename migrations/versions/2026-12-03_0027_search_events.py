"""The search log (issue 22): searches, and the questions and escalations that follow them, without the member

Revision ID: 0027
Revises: 0024
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('query', sa.String(length=200), server_default='', nullable=False),
        sa.Column('result_count', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=8), server_default='page', nullable=False),
        sa.Column('session_hash', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_events')),
    )
    op.create_index('ix_search_events_created_at', 'search_events', ['created_at'], unique=False)
    op.create_index('ix_search_events_session', 'search_events', ['session_hash', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_search_events_session', table_name='search_events')
    op.drop_index('ix_search_events_created_at', table_name='search_events')
    op.drop_table('search_events')
