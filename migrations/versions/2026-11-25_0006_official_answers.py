"""Official answers: fixed when posted by staff; the last editor of each answer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 21:43:14.789073

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('official', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('last_editor_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_answers_last_editor_id_users'), 'users', ['last_editor_id'], ['id'])


    op.execute("UPDATE answers SET last_editor_id = author_id")
    op.execute("UPDATE answers SET official = (author_id IN (SELECT id FROM users WHERE role IN ('staff', 'admin')))")


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_answers_last_editor_id_users'), type_='foreignkey')
        batch_op.drop_column('last_editor_id')
        batch_op.drop_column('official')

