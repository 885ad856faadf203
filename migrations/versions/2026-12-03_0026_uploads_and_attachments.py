"""Images in posts (uploads, upload_uses) and attachments on tickets

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-03 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('extension', sa.String(length=8), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_uploads_owner_id_users')),
        sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_uploads_removed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
        sa.UniqueConstraint('key', name=op.f('uq_uploads_key')),
    )
    op.create_index('ix_uploads_owner_created', 'uploads', ['owner_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_uploads_created_at'), 'uploads', ['created_at'], unique=False)
    op.create_table(
        'upload_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('answer_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('(question_id IS NULL) <> (answer_id IS NULL)', name=op.f('ck_upload_uses_one_post')),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_upload_uses_answer_id_answers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_upload_uses_question_id_questions'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_upload_uses_upload_id_uploads'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_upload_uses')),
        sa.UniqueConstraint('upload_id', 'answer_id', name='uq_upload_uses_answer'),
        sa.UniqueConstraint('upload_id', 'question_id', name='uq_upload_uses_question'),
    )
    op.create_index(op.f('ix_upload_uses_upload_id'), 'upload_uses', ['upload_id'], unique=False)
    op.create_index(op.f('ix_upload_uses_question_id'), 'upload_uses', ['question_id'], unique=False)
    op.create_index(op.f('ix_upload_uses_answer_id'), 'upload_uses', ['answer_id'], unique=False)
    op.create_table(
        'ticket_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('uploader_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['ticket_messages.id'],
                                name=op.f('fk_ticket_attachments_message_id_ticket_messages'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_attachments_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_ticket_attachments_uploader_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_attachments')),
        sa.UniqueConstraint('key', name=op.f('uq_ticket_attachments_key')),
    )
    op.create_index(op.f('ix_ticket_attachments_ticket_id'), 'ticket_attachments', ['ticket_id'], unique=False)
    op.create_index(op.f('ix_ticket_attachments_message_id'), 'ticket_attachments', ['message_id'], unique=False)


def downgrade():
    op.drop_table('ticket_attachments')
    op.drop_table('upload_uses')
    op.drop_table('uploads')
