"""Server-side session ends, record revisions, and each record's history of decisions.

``users.session_epoch`` is raised to end every session of an account (sign-out, deactivation);
``submissions.revision`` lets a save or a review decision name the version it saw, so a stale
page is refused instead of overwriting; ``record_events`` keeps an inspector's record's answers
at each submission, return and approval.  Columns have server defaults and the table is new, so
the previous release runs unchanged on the upgraded schema.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0",
                                   nullable=False))
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_record_events_submission_id_submissions")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_record_events_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_events")),
    )
    op.create_index(op.f("ix_record_events_submission_id"), "record_events", ["submission_id"])


def downgrade():
    op.drop_index(op.f("ix_record_events_submission_id"), table_name="record_events")
    op.drop_table("record_events")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("revision")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
