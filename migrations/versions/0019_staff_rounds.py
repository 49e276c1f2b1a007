"""Staff-survey rounds, their offices, one-time codes and sealed ballots (new tables), and
improvement cases that come from a staff round instead of a record: improvement_cases gains a
nullable staff_round_id and its submission_id becomes nullable.  The previous release keeps
working on every case it made (each still has its record); it does not know staff cases.

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period", sa.String(6), nullable=False, unique=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "staff_round_offices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("staff_rounds.id"), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("staff", sa.Integer(), nullable=False),
        sa.UniqueConstraint("round_id", "office_id", name="uq_staff_round_office"),
    )
    op.create_index("ix_staff_round_offices_round_id", "staff_round_offices", ["round_id"])
    op.create_table(
        "staff_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("staff_rounds.id"), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("used", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("used_on", sa.String(8), nullable=True),
    )
    op.create_index("ix_staff_codes_round_id", "staff_codes", ["round_id"])
    op.create_table(
        "staff_ballots",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("staff_rounds.id"), nullable=False),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("instrument_versions.id"),
                  nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
    )
    op.create_index("ix_staff_ballots_round_id", "staff_ballots", ["round_id"])
    with op.batch_alter_table("improvement_cases") as batch:
        batch.add_column(sa.Column("staff_round_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_improvement_cases_staff_round", "staff_rounds",
                                 ["staff_round_id"], ["id"])
        batch.alter_column("submission_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM case_answers WHERE item_id IN (SELECT id FROM case_items WHERE "
               "case_id IN (SELECT id FROM improvement_cases WHERE submission_id IS NULL))")
    op.execute("DELETE FROM case_items WHERE case_id IN "
               "(SELECT id FROM improvement_cases WHERE submission_id IS NULL)")
    op.execute("DELETE FROM improvement_cases WHERE submission_id IS NULL")
    with op.batch_alter_table("improvement_cases") as batch:
        batch.alter_column("submission_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("fk_improvement_cases_staff_round", type_="foreignkey")
        batch.drop_column("staff_round_id")
    for table in ("staff_ballots", "staff_codes", "staff_round_offices"):
        op.drop_index(f"ix_{table}_round_id", table_name=table)
        op.drop_table(table)
    op.drop_table("staff_rounds")
