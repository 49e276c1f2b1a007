"""Every answer an office gave to an improvement-case item, kept (case_answers); a reviewer's
decision names the one it was made on.  A new table only, filled with each item's current
answer: the previous release neither reads nor writes it (an answer it stores in the meantime
is in case_items.answer as before, and the next release shows it as that item's latest).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("case_items.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_answers_item_id", "case_answers", ["item_id"])
    op.execute("INSERT INTO case_answers (item_id, text, author_id, at) "
               "SELECT id, answer, NULL, answered_at FROM case_items "
               "WHERE answer IS NOT NULL AND answered_at IS NOT NULL ORDER BY id")


def downgrade():
    op.drop_index("ix_case_answers_item_id", table_name="case_answers")
    op.drop_table("case_answers")
