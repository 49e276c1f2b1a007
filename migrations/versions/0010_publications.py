"""Published open data: one frozen snapshot per period and version, with its correction note.

A new table only: the previous release never reads it.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), sa.ForeignKey("users.id",
                  name="fk_publications_published_by_id_users"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.UniqueConstraint("period", "version", name="uq_publications_period_version"),
    )
    op.create_index("ix_publications_period", "publications", ["period"])


def downgrade():
    op.drop_index("ix_publications_period", table_name="publications")
    op.drop_table("publications")
