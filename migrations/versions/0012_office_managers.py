"""Office managers: an account may be bound to one office (role ``office``).

A nullable column: the previous release ignores it (and has no such role to give).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_users_office_id_offices", "offices", ["office_id"], ["id"])


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_office_id_offices", type_="foreignkey")
        batch.drop_column("office_id")
