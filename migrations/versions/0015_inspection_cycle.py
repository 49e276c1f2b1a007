"""The inspection cycle: check plans and assignments, item notes and photos, calibration
rounds.  New tables only: the previous release never reads them, and a coordinator account
(a new role value in users.role) is one it does not know and so refuses everywhere.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "check_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("instrument_key", sa.String(length=40), nullable=False),
        sa.Column("per_office", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_check_plans_created_by_id_users"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("period", "instrument_key", name="uq_check_plans_period_key"),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey(
            "check_plans.id", name="fk_assignments_plan_id_check_plans"), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey(
            "offices.id", name="fk_assignments_office_id_offices"), nullable=False),
        sa.Column("inspector_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_assignments_inspector_id_users"), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey(
            "submissions.id", name="fk_assignments_submission_id_submissions"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("submission_id", name="uq_assignments_submission_id"),
    )
    op.create_index("ix_assignments_plan_id", "assignments", ["plan_id"])
    op.create_index("ix_assignments_inspector_id", "assignments", ["inspector_id"])
    op.create_table(
        "item_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey(
            "submissions.id", name="fk_item_notes_submission_id_submissions",
            ondelete="CASCADE"), nullable=False),
        sa.Column("item_key", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("action_required", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("submission_id", "item_key", name="uq_item_notes_item"),
    )
    op.create_index("ix_item_notes_submission_id", "item_notes", ["submission_id"])
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey(
            "submissions.id", name="fk_photos_submission_id_submissions",
            ondelete="CASCADE"), nullable=False),
        sa.Column("case_item_id", sa.Integer(), sa.ForeignKey(
            "case_items.id", name="fk_photos_case_item_id_case_items"), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_photos_uploaded_by_id_users"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_photos_submission_id", "photos", ["submission_id"])
    op.create_index("ix_photos_digest", "photos", ["digest"])
    op.create_table(
        "calibration_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instrument_version_id", sa.Integer(), sa.ForeignKey(
            "instrument_versions.id", name="fk_calibration_rounds_instrument_version_id"),
            nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_calibration_rounds_created_by_id_users"), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("closed_at", WHEN, nullable=True),
    )
    op.create_table(
        "calibration_scores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey(
            "calibration_rounds.id", name="fk_calibration_scores_round_id"), nullable=False),
        sa.Column("inspector_id", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_calibration_scores_inspector_id_users"), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("submitted_at", WHEN, nullable=False),
        sa.UniqueConstraint("round_id", "inspector_id", name="uq_calibration_one_each"),
    )
    op.create_index("ix_calibration_scores_round_id", "calibration_scores", ["round_id"])


def downgrade():
    for table in ("calibration_scores", "calibration_rounds", "photos", "item_notes",
                  "assignments", "check_plans"):
        op.drop_table(table)
