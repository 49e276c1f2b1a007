"""Each open-data version keeps, unpublished, the counts it was built from, so a later
correction can be refused when it differs from it by fewer than OPEN_DATA_MIN_N respondents in
a cell.  A nullable ADD COLUMN: the previous release neither reads nor writes it, and the
versions it published are judged by their published cells.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("publications", sa.Column("basis", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("basis")
