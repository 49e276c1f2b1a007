"""A plan is a draft until its coordinator publishes it (check_plans.published_at), and a
visit's photo may name the checklist item it documents (photos.item_key).

Both are new nullable columns.  The previous release keeps working: it neither reads nor
writes item_key, and a plan it creates is published at once, as it always was (the column's
server default stamps the time; this release writes NULL for a draft).  Plans made before are
published as of their creation.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite cannot add a column whose default is not a constant: it rebuilds the table
    rebuild = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    with op.batch_alter_table("check_plans", recreate=rebuild) as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True,
                                   server_default=sa.text("CURRENT_TIMESTAMP")))
    op.execute("UPDATE check_plans SET published_at = created_at")
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("item_key", sa.String(64), nullable=True))


def downgrade():
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("item_key")
    with op.batch_alter_table("check_plans") as batch:
        batch.drop_column("published_at")
