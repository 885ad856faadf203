"""Heartbeats of the external search indexer and the jobs worker (read by /readyz and /metrics)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'worker_heartbeats',
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('instance', sa.String(length=200), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('info', sa.String(length=1000), server_default='{}', nullable=False),
        sa.PrimaryKeyConstraint('role', 'instance', name=op.f('pk_worker_heartbeats')),
    )


def downgrade():
    op.drop_table('worker_heartbeats')
