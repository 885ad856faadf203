"""E-mail into tickets: the Reply-To of outgoing e-mail, answers to non-members, taken incoming mail

`outgoing_emails.reply_to`: e-mails about a ticket carry the recipient's signed reply address.
`outgoing_emails.user_id` may be empty: the answer to mail from an unknown sender to the support
address. `inbound_emails`: one row per incoming mail taken (Message-ID and address unique).

Revision ID: 0031
Revises: 0024
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_emails') as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), server_default='', nullable=False))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
    op.create_table(
        'inbound_emails',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('sender', sa.String(length=254), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('ticket_message_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_inbound_emails_ticket_id_tickets'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_message_id'], ['ticket_messages.id'],
                                name=op.f('fk_inbound_emails_ticket_message_id_ticket_messages'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_emails')),
        sa.UniqueConstraint('message_id', 'recipient', name='uq_inbound_emails_message_recipient'),
    )
    op.create_index('ix_inbound_emails_sender', 'inbound_emails', ['sender', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_inbound_emails_sender', table_name='inbound_emails')
    op.drop_table('inbound_emails')
    op.execute("DELETE FROM outgoing_emails WHERE user_id IS NULL")
    with op.batch_alter_table('outgoing_emails') as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('reply_to')
