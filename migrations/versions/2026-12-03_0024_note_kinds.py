"""Notes the forum writes itself are stored as a kind and translated when shown

The verification note of a published ticket resolution was stored translated, in the publisher's
language ("官方客服的解决方案" for English readers too): it becomes the kind `resolution`, the note
empty. Ticket events kept two translated reasons the history now tells by itself (a merge's
closing, an automatic move up a tier): they are emptied.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# The texts that were stored, in the catalogue's two languages.
RESOLUTION = ("Resolution from official support", "官方客服的解决方案")
AUTO_TIER = ("SLA breached: moved up automatically", "SLA 已超时：已自动升级")
MERGED = ("Merged into %", "已合并到 %")


def _note_kind():
    return sa.Enum('resolution', name='notekind', native_enum=False, length=16)


def upgrade():
    with op.batch_alter_table('verifications') as batch_op:
        batch_op.add_column(sa.Column('note_kind', _note_kind(), nullable=True))
    with op.batch_alter_table('verification_audit') as batch_op:
        batch_op.add_column(sa.Column('note_kind', _note_kind(), nullable=True))
    verifications = sa.table('verifications', sa.column('note', sa.String), sa.column('note_kind', sa.String))
    op.execute(verifications.update().where(verifications.c.note.in_(RESOLUTION))
               .values(note='', note_kind='resolution'))
    audit = sa.table('verification_audit', sa.column('text', sa.String), sa.column('note_kind', sa.String))
    op.execute(audit.update().where(audit.c.text.in_(RESOLUTION)).values(text='', note_kind='resolution'))
    events = sa.table('ticket_events', sa.column('kind', sa.String), sa.column('actor_id', sa.Integer),
                      sa.column('reason', sa.String))
    op.execute(events.update().where(events.c.kind == 'tier', events.c.actor_id.is_(None),
                                     events.c.reason.in_(AUTO_TIER)).values(reason=''))
    op.execute(events.update().where(events.c.kind == 'status', events.c.reason.like(MERGED[0])
                                     | events.c.reason.like(MERGED[1])).values(reason=''))


def downgrade():
    verifications = sa.table('verifications', sa.column('note', sa.String), sa.column('note_kind', sa.String))
    op.execute(verifications.update().where(verifications.c.note_kind == 'resolution')
               .values(note=RESOLUTION[1]))
    audit = sa.table('verification_audit', sa.column('text', sa.String), sa.column('note_kind', sa.String))
    op.execute(audit.update().where(audit.c.note_kind == 'resolution').values(text=RESOLUTION[1]))
    with op.batch_alter_table('verification_audit') as batch_op:
        batch_op.drop_column('note_kind')
    with op.batch_alter_table('verifications') as batch_op:
        batch_op.drop_column('note_kind')
