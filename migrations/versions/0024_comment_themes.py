"""Comment themes: the theme catalogue's versions and each comment's coding.

New tables only; the previous release neither reads nor writes them.  Comments stored before
this migration are read into themes by the ``themes`` job once a catalogue is published.

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "theme_catalogue_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, unique=True),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "comment_codes",
        sa.Column("answer_id", sa.Integer, sa.ForeignKey("answers.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("catalogue_version_id", sa.Integer,
                  sa.ForeignKey("theme_catalogue_versions.id"), nullable=False),
        sa.Column("tone", sa.String(10), nullable=False),
        sa.Column("reading", sa.JSON, nullable=False),
        sa.Column("corrected_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_comment_codes_catalogue_version_id", "comment_codes",
                    ["catalogue_version_id"])
    op.create_table(
        "comment_themes",
        sa.Column("answer_id", sa.Integer,
                  sa.ForeignKey("comment_codes.answer_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("theme", sa.String(32), primary_key=True),
        sa.Column("tone", sa.String(10), nullable=False),
    )
    op.create_index("ix_comment_themes_theme", "comment_themes", ["theme", "answer_id"])


def downgrade():
    op.drop_index("ix_comment_themes_theme", table_name="comment_themes")
    op.drop_table("comment_themes")
    op.drop_index("ix_comment_codes_catalogue_version_id", table_name="comment_codes")
    op.drop_table("comment_codes")
    op.drop_table("theme_catalogue_versions")
