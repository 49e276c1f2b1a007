"""Scheduled jobs: a claim per job that one runner holds at a time, and a record of each run.

Two new tables; the previous release neither reads nor writes them (its daily commands keep
working beside ``flask jobs run``).

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_claims",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(120), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_index("ix_job_runs_name_started", "job_runs", ["name", "started_at"])


def downgrade():
    op.drop_index("ix_job_runs_name_started", table_name="job_runs")
    op.drop_table("job_runs")
    op.drop_table("job_claims")
