"""Improvement cases (改善追蹤) and their items.  New tables only: the previous release never
reads them.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "improvement_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey(
            "submissions.id", name="fk_improvement_cases_submission_id_submissions"), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey(
            "offices.id", name="fk_improvement_cases_office_id_offices"), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("submission_id", name="uq_improvement_cases_submission_id"),
    )
    op.create_index("ix_improvement_cases_office_id", "improvement_cases", ["office_id"])
    op.create_table(
        "case_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey(
            "improvement_cases.id", name="fk_case_items_case_id_improvement_cases"), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewer_note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_case_items_case_id", "case_items", ["case_id"])


def downgrade():
    op.drop_index("ix_case_items_case_id", table_name="case_items")
    op.drop_table("case_items")
    op.drop_index("ix_improvement_cases_office_id", table_name="improvement_cases")
    op.drop_table("improvement_cases")
