"""Search vocabulary that staff add: synonym groups and domain words, applied to queries only

A second table holds one row, the revision token that every change replaces, so that each process
finds out with one primary-key read that its copy of the vocabulary is out of date.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_vocabulary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('synonyms', 'domain', name='vocabularykind', native_enum=False, length=16), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.Column('key', sa.String(length=600), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_search_vocabulary_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_vocabulary')),
    sa.UniqueConstraint('kind', 'key', name='uq_search_vocabulary_kind_key')
    )
    revisions = op.create_table('search_vocabulary_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), server_default='', nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_vocabulary_revision'))
    )
    op.bulk_insert(revisions, [{'id': 1, 'token': ''}])


def downgrade():
    op.drop_table('search_vocabulary_revision')
    op.drop_table('search_vocabulary')
