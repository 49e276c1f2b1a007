"""Answers carry their quarter as well as their half-year, so quarters can be counted directly.

Some inspections run per quarter; a quarterly comparison counts (office, item, value) exactly as
the half-year one does, through its own covering index.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("answers", sa.Column("quarter", sa.String(length=6), nullable=True))
    op.execute("UPDATE answers SET quarter = (SELECT s.quarter FROM submissions s "
               "WHERE s.id = answers.submission_id)")
    with op.batch_alter_table("answers") as batch:  # SQLite rebuilds the table for NOT NULL
        batch.alter_column("quarter", existing_type=sa.String(length=6), nullable=False)
    op.create_index("ix_answers_count_quarter", "answers",
                    ["instrument_key", "quarter", "item_key", "office_id", "value"])


def downgrade():
    op.drop_index("ix_answers_count_quarter", table_name="answers")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("quarter")
