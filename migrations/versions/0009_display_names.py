"""Staff accounts get a display name (王小明), shown instead of the e-mail address.

A nullable column: the previous release ignores it, and an account without one is shown by
its e-mail address as before.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("display_name")
