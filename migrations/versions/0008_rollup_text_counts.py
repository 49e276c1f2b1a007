"""Rollups count comments: a free-text answer with something in it is stored as value -1.

Count tables built by the previous release counted every free-text answer as 0 (empty); they
are emptied here and rebuilt from the answers the first time each period is asked for.  No
column changes: the previous release reads the rebuilt tables unchanged (it never asks for
-1, and a Likert item never has it).

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("answer_counts", "scale_sums", "rollup_periods"):
        op.execute(f"DELETE FROM {table}")


def downgrade():
    pass  # the rebuilt tables are what the previous release would build itself, less -1 rows
