"""Count tables for ended periods (answer_counts, scale_sums, rollup_periods); answers carry
their channel; an index to find a quarter's submissions.

The channel is copied onto each answer (as the office and period already are) so counts per
channel need no join with submissions, and the covering count indexes end with it.  New tables
and a nullable column: the previous release runs unchanged (an answer it writes during a
rolling deploy has no channel, and is counted under "").

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
    op.execute("UPDATE answers SET channel = (SELECT s.channel FROM submissions s "
               "WHERE s.id = answers.submission_id)")
    op.drop_index("ix_answers_count", table_name="answers")
    op.create_index("ix_answers_count", "answers",
                    ["instrument_key", "half", "item_key", "office_id", "value", "channel"])
    op.drop_index("ix_answers_count_quarter", table_name="answers")
    op.create_index("ix_answers_count_quarter", "answers",
                    ["instrument_key", "quarter", "item_key", "office_id", "value", "channel"])
    op.create_table(
        "rollup_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_periods")),
        sa.UniqueConstraint("instrument_key", "period",
                            name="uq_rollup_periods_instrument_key_period"),
    )
    op.create_table(
        "answer_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("by_item", sa.String(length=64), server_default="", nullable=False),
        sa.Column("by_value", sa.Integer(), server_default="0", nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"],
                                name=op.f("fk_answer_counts_office_id_offices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_counts")),
        sa.UniqueConstraint("instrument_key", "period", "item_key", "office_id", "channel",
                            "value", "by_item", "by_value", name="uq_answer_counts_cell"),
    )
    op.create_index("ix_answer_counts_read", "answer_counts",
                    ["instrument_key", "period", "by_item", "item_key", "office_id", "value", "n"])
    op.create_table(
        "scale_sums",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_key", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("scale", sa.String(length=400), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sums", sa.JSON(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"],
                                name=op.f("fk_scale_sums_office_id_offices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scale_sums")),
        sa.UniqueConstraint("instrument_key", "period", "scale", "office_id",
                            name="uq_scale_sums_cell"),
    )
    op.create_index("ix_submissions_quarter", "submissions", ["instrument_key", "quarter"])


def downgrade():
    op.drop_index("ix_answers_count_quarter", table_name="answers")
    op.create_index("ix_answers_count_quarter", "answers",
                    ["instrument_key", "quarter", "item_key", "office_id", "value"])
    op.drop_index("ix_answers_count", table_name="answers")
    op.create_index("ix_answers_count", "answers",
                    ["instrument_key", "half", "item_key", "office_id", "value"])
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("channel")
    op.drop_index("ix_submissions_quarter", table_name="submissions")
    op.drop_table("scale_sums")
    op.drop_index("ix_answer_counts_read", table_name="answer_counts")
    op.drop_table("answer_counts")
    op.drop_table("rollup_periods")
