"""Redacted revisions: a moderator replaces an earlier revision's text, with who, when and why

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('redacted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('redaction_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_revisions_redacted_by_id_users'), 'users', ['redacted_by_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_revisions_redacted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('redaction_reason')
        batch_op.drop_column('redacted_by_id')
        batch_op.drop_column('redacted_at')
