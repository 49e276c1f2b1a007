"""Indexes for the newest instrument version a period was answered on (``answered_on``).

Indexes only: the previous release neither needs nor minds them.

Revision ID: 0026
Revises: 0025
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_submissions_half_version", "submissions",
                    ["instrument_key", "half", "status", "instrument_version_id"])
    op.create_index("ix_submissions_quarter_version", "submissions",
                    ["instrument_key", "quarter", "status", "instrument_version_id"])


def downgrade():
    op.drop_index("ix_submissions_quarter_version", table_name="submissions")
    op.drop_index("ix_submissions_half_version", table_name="submissions")
