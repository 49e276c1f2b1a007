"""What an inspector adds to a checklist besides the answers: a note on an item, the mark
"requires action" (需改善) that opens an improvement case on approval whatever the score, and
photos of a mystery visit.  A photo's file lives on disk named by its content hash
(``webapp.photos``); the row says which record and item it belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import UTCDateTime, utcnow


class ItemNote(db.Model):
    __tablename__ = "item_notes"
    __table_args__ = (UniqueConstraint("submission_id", "item_key", name="uq_item_notes_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    action_required: Mapped[bool] = mapped_column(Boolean, default=False)


class Photo(db.Model):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    #: set when the office manager sent it with an improvement case's answer
    case_item_id: Mapped[int | None] = mapped_column(ForeignKey("case_items.id"))
    digest: Mapped[str] = mapped_column(String(64), index=True)
    caption: Mapped[str | None] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
