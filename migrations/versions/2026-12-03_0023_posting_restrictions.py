"""Posting restrictions: a moderator may hold a member to one question per interval, until a time

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posting_restricted_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('posting_restriction_reason', sa.String(length=500), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('posting_restriction_reason')
        batch_op.drop_column('posting_restricted_until')
