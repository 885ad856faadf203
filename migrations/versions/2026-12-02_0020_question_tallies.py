"""Question tallies: list totals kept by triggers instead of counting the questions table per view;
the "most votes" listing index also orders by creation time

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 16:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

PUBLIC = "{row}.deleted_at IS NULL AND {row}.held_at IS NULL"
BUCKET = ("category = {row}.category AND answered = ({row}.answer_count > 0) "
          "AND accepted = ({row}.accepted_answer_id IS NOT NULL) AND verified = {row}.has_verified_answer")
VALUES = ("{row}.category, {row}.answer_count > 0, {row}.accepted_answer_id IS NOT NULL, "
          "{row}.has_verified_answer, 1")
COLUMNS = "category, answered, accepted, verified, n"
KEY = "category, answered, accepted, verified"
WATCHED = "category, answer_count, accepted_answer_id, has_verified_answer, deleted_at, held_at"
# An update that leaves a question in its bucket (a vote, an edit, a second answer) does nothing.
CHANGED = ("(OLD.category IS DISTINCT FROM NEW.category OR (OLD.answer_count > 0) <> (NEW.answer_count > 0) "
           "OR (OLD.accepted_answer_id IS NULL) <> (NEW.accepted_answer_id IS NULL) "
           "OR OLD.has_verified_answer <> NEW.has_verified_answer "
           "OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR (OLD.held_at IS NULL) <> (NEW.held_at IS NULL))")


def _decrement(row: str) -> str:
    return f"UPDATE question_tallies SET n = n - 1 WHERE {BUCKET.format(row=row)}"


def _increment(row: str, prefix: str = "") -> str:
    return (f"INSERT INTO question_tallies ({COLUMNS}) SELECT {VALUES.format(row=row)} "
            f"WHERE {PUBLIC.format(row=row)} ON CONFLICT ({KEY}) DO UPDATE SET n = {prefix}n + 1")


def upgrade():
    op.create_table(
        'question_tallies',
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        sa.Column('accepted', sa.Boolean(), nullable=False),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('category', 'answered', 'accepted', 'verified', name=op.f('pk_question_tallies')),
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_listing_score')
        batch_op.create_index('ix_questions_listing_score', ['deleted_at', 'score', 'created_at'], unique=False)
    op.execute(f"INSERT INTO question_tallies ({COLUMNS}) SELECT category, answer_count > 0, "
               "accepted_answer_id IS NOT NULL, has_verified_answer, count(*) FROM questions "
               f"WHERE {PUBLIC.format(row='questions')} GROUP BY 1, 2, 3, 4")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION tally_questions() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' AND {PUBLIC.format(row='OLD')} THEN
                    {_decrement('OLD')};
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    {_increment('NEW', prefix='question_tallies.')};
                END IF;
                RETURN NULL;
            END $$""")
        op.execute("CREATE TRIGGER tally_questions_insert AFTER INSERT ON questions "
                   "FOR EACH ROW EXECUTE FUNCTION tally_questions()")
        op.execute("CREATE TRIGGER tally_questions_delete AFTER DELETE ON questions "
                   "FOR EACH ROW EXECUTE FUNCTION tally_questions()")
        op.execute(f"CREATE TRIGGER tally_questions_update AFTER UPDATE OF {WATCHED} ON questions "
                   f"FOR EACH ROW WHEN {CHANGED} EXECUTE FUNCTION tally_questions()")
    else:
        changed = CHANGED.replace("IS DISTINCT FROM", "IS NOT")
        op.execute(f"CREATE TRIGGER tally_questions_insert AFTER INSERT ON questions "
                   f"BEGIN {_increment('NEW')}; END")
        op.execute(f"CREATE TRIGGER tally_questions_delete AFTER DELETE ON questions "
                   f"WHEN {PUBLIC.format(row='OLD')} BEGIN {_decrement('OLD')}; END")
        op.execute(f"CREATE TRIGGER tally_questions_update AFTER UPDATE OF {WATCHED} ON questions "
                   f"WHEN {changed} BEGIN "
                   f"{_decrement('OLD')} AND {PUBLIC.format(row='OLD')}; {_increment('NEW')}; END")


def downgrade():
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS tally_questions_{name}" +
                   (" ON questions" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tally_questions()")
    op.drop_table('question_tallies')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_listing_score')
        batch_op.create_index('ix_questions_listing_score', ['deleted_at', 'score'], unique=False)
