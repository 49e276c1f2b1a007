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
    # SQLite: one ADD COLUMN with its reference.  A batch (copy the table, drop the old one)
    # would fail on a database whose records point at their users, and SQLite cannot add a
    # constraint to an existing table.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users ADD COLUMN office_id INTEGER "
                   "CONSTRAINT fk_users_office_id_offices REFERENCES offices (id)")
    else:
        op.add_column("users", sa.Column("office_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_users_office_id_offices", "users", "offices",
                              ["office_id"], ["id"])


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_office_id_offices", type_="foreignkey")
        batch.drop_column("office_id")
