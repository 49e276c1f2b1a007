"""A comment's coding: one row per comment (its tone, the words, who corrected it) and one per
theme it is about, so the counts per office, period and theme are a SQL ``GROUP BY``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.platform.db import UTCDateTime
from webapp.platform.extensions import db


class CommentCode(db.Model):
    __tablename__ = "comment_codes"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    catalogue_version_id: Mapped[int] = mapped_column(ForeignKey("theme_catalogue_versions.id"),
                                                      index=True)
    tone: Mapped[str] = mapped_column(String(10))
    #: the coding as read (analysis.themes.coding.Coding.as_json): themes, tones, words
    reading: Mapped[dict] = mapped_column(JSON)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    themes: Mapped[list[CommentTheme]] = relationship(
        cascade="all, delete-orphan", order_by="CommentTheme.theme", lazy="selectin")


class CommentTheme(db.Model):
    __tablename__ = "comment_themes"
    __table_args__ = (Index("ix_comment_themes_theme", "theme", "answer_id"),)

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("comment_codes.answer_id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(32), primary_key=True)
    tone: Mapped[str] = mapped_column(String(10))
