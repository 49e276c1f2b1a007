"""Offices get an English name, shown in English mode (WCAG 3.1.2; names are imported and edited
like the rest).  Nullable: an office without one shows its Chinese name, marked as Chinese.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("name_en", sa.String(length=150), nullable=True))


def downgrade():
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("name_en")
