"""Incidents: an outage with its timeline, the threads about it and the members it affects

Revision ID: 0028
Revises: 0024
Create Date: 2026-12-03 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0026'
branch_labels = None
depends_on = None


def _category():
    return sa.Enum('account', 'orders', 'payments', 'complaints', 'other', name='category', native_enum=False,
                   length=16)


def _status():
    return sa.Enum('investigating', 'identified', 'monitoring', 'resolved', name='incidentstatus',
                   native_enum=False, length=16)


def upgrade():
    op.create_table(
        'incidents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('body', sa.Text(), server_default='', nullable=False),
        sa.Column('body_html', sa.Text(), server_default='', nullable=False),
        sa.Column('category', _category(), nullable=False),
        sa.Column('keywords', sa.Text(), server_default='', nullable=False),
        sa.Column('status', _status(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('affected_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_incidents_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    )
    op.create_index('ix_incidents_status_category', 'incidents', ['status', 'category'], unique=False)
    op.create_table(
        'incident_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('status', _status(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('message_html', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_incident_updates_author_id_users')),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE',
                                name=op.f('fk_incident_updates_incident_id_incidents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_updates')),
    )
    op.create_index(op.f('ix_incident_updates_incident_id'), 'incident_updates', ['incident_id'], unique=False)
    op.create_table(
        'incident_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.Enum('auto', 'manual', name='linksource', native_enum=False, length=16),
                  nullable=False),
        sa.Column('linked_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('published_answer_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE',
                                name=op.f('fk_incident_links_incident_id_incidents')),
        sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_incident_links_linked_by_id_users')),
        sa.ForeignKeyConstraint(['published_answer_id'], ['answers.id'], ondelete='SET NULL',
                                name=op.f('fk_incident_links_published_answer_id_answers')),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='CASCADE',
                                name=op.f('fk_incident_links_question_id_questions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_links')),
        sa.UniqueConstraint('incident_id', 'question_id', name='uq_incident_links_incident_question'),
    )
    op.create_index(op.f('ix_incident_links_question_id'), 'incident_links', ['question_id'], unique=False)
    op.create_table(
        'incident_affected',
        sa.Column('incident_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE',
                                name=op.f('fk_incident_affected_incident_id_incidents')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_incident_affected_user_id_users')),
        sa.PrimaryKeyConstraint('incident_id', 'user_id', name=op.f('pk_incident_affected')),
    )
    op.create_index(op.f('ix_incident_affected_user_id'), 'incident_affected', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_incident_affected_user_id'), table_name='incident_affected')
    op.drop_table('incident_affected')
    op.drop_index(op.f('ix_incident_links_question_id'), table_name='incident_links')
    op.drop_table('incident_links')
    op.drop_index(op.f('ix_incident_updates_incident_id'), table_name='incident_updates')
    op.drop_table('incident_updates')
    op.drop_index('ix_incidents_status_category', table_name='incidents')
    op.drop_table('incidents')
