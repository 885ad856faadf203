"""What each username looks like (UTS #39 skeleton), so that no new name looks like an existing one

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-02 03:00:00

The column is filled here for every existing account with forum.core.text.lookalike_key, the same
function registration uses. It is indexed but not unique: names registered before this revision may
look alike, and keep working.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username_skeleton', sa.String(length=255), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_users_username_skeleton'), ['username_skeleton'], unique=False)

    from forum.core.text import lookalike_key

    conn = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('username', sa.String),
                     sa.column('username_skeleton', sa.String))
    rows = conn.execute(sa.select(users.c.id, users.c.username)).all()
    for user_id, username in rows:
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(username_skeleton=lookalike_key(username)[:255]))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_username_skeleton'))
        batch_op.drop_column('username_skeleton')
