"""A counter tablet's submission kept while it was offline and sent later: marked delayed, with
how far the tablet's clock was from the server's.  Plain ADD COLUMN (a default for the old rows,
a nullable one): the previous release neither reads nor writes them.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("submissions", sa.Column("delayed", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    op.add_column("submissions", sa.Column("clock_skew", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("clock_skew")
        batch.drop_column("delayed")
