"""The search outbox says what changed: a whole thread, one post, or one post's score

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_outbox') as batch_op:
        batch_op.add_column(sa.Column('answer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('scope', sa.String(length=8), server_default='thread', nullable=False))


def downgrade():
    with op.batch_alter_table('search_outbox') as batch_op:
        batch_op.drop_column('scope')
        batch_op.drop_column('answer_id')
