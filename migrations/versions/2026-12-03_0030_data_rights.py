"""Members' data rights: erasure requested, due and done on users; names of erased accounts held back
from registration; when an erased member's ticket lost its private fields

Revision ID: 0030
Revises: 0024
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erasure_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erasure_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_erasure_due_at'), ['erasure_due_at'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_erased_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'reserved_usernames',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username_key', sa.String(length=96), nullable=False),
        sa.Column('username_skeleton', sa.String(length=255), nullable=False),
        sa.Column('reserved_until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reserved_usernames')),
    )
    with op.batch_alter_table('reserved_usernames', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reserved_usernames_username_key'), ['username_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_reserved_usernames_username_skeleton'), ['username_skeleton'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_reserved_usernames_reserved_until'), ['reserved_until'], unique=False)


def downgrade():
    with op.batch_alter_table('reserved_usernames', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reserved_usernames_reserved_until'))
        batch_op.drop_index(batch_op.f('ix_reserved_usernames_username_skeleton'))
        batch_op.drop_index(batch_op.f('ix_reserved_usernames_username_key'))
    op.drop_table('reserved_usernames')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('private_erased_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_erasure_due_at'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('erasure_due_at')
        batch_op.drop_column('erasure_requested_at')
