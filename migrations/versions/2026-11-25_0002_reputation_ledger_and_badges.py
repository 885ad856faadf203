"""Reputation ledger and badges

Existing reputation above 1 becomes a "granted" ledger event, so that totals can be recomputed
from the ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:49:35.007948

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_badges_answer_id_answers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_badges_question_id_questions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_badges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badges')),
    sa.UniqueConstraint('user_id', 'kind', name='uq_badges_user_kind')
    )
    op.create_table('reputation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('nominal', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('reversal_of_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_reputation_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_reputation_events_answer_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_reputation_events_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reversal_of_id'], ['reputation_events.id'], name=op.f('fk_reputation_events_reversal_of_id_reputation_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reputation_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reputation_events')),
    sa.UniqueConstraint('reversal_of_id', name=op.f('uq_reputation_events_reversal_of_id'))
    )
    with op.batch_alter_table('reputation_events', schema=None) as batch_op:
        batch_op.create_index('ix_reputation_events_actor_post', ['actor_id', 'question_id', 'answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reputation_events_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reputation_events_question_id'), ['question_id'], unique=False)
        batch_op.create_index('ix_reputation_events_user_created', ['user_id', 'created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reputation_total', sa.Integer(), server_default='1', nullable=False))

    op.execute("UPDATE users SET reputation_total = reputation")
    op.execute(
        "INSERT INTO reputation_events (user_id, kind, delta, nominal, note, created_at) "
        "SELECT id, 'granted', reputation - 1, reputation - 1, 'before the ledger', created_at "
        "FROM users WHERE reputation > 1"
    )



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reputation_total')

    with op.batch_alter_table('reputation_events', schema=None) as batch_op:
        batch_op.drop_index('ix_reputation_events_user_created')
        batch_op.drop_index(batch_op.f('ix_reputation_events_question_id'))
        batch_op.drop_index(batch_op.f('ix_reputation_events_answer_id'))
        batch_op.drop_index('ix_reputation_events_actor_post')

    op.drop_table('reputation_events')
    op.drop_table('badges')
