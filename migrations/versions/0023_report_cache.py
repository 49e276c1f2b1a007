"""Reports and charts kept in the database, so several app servers build each once.

A new table; the previous release neither reads nor writes it (it keeps its reports in memory,
as before).

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_cache",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_report_cache_created_at", "report_cache", ["created_at"])


def downgrade():
    op.drop_index("ix_report_cache_created_at", table_name="report_cache")
    op.drop_table("report_cache")
