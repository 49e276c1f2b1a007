"""Index answers by respondent, for Cronbach's alpha over the survey's items.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # One pass pivots each submission's answers (GROUP BY submission_id) without a sort.
    op.create_index("ix_answers_respondent", "answers",
                    ["instrument_key", "half", "submission_id", "item_key", "value"])


def downgrade():
    op.drop_index("ix_answers_respondent", table_name="answers")
