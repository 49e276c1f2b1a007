"""Published open data: a period's de-identified results frozen as a snapshot.

A publication never changes.  A correction is a new version of the same period with a note
saying what changed and why; the versions together are the correction log shown beside the
data (``/open/``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .common import UTCDateTime, utcnow


class Publication(db.Model):
    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("period", "version", name="uq_publications_period_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(6), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    #: {"min_n", "survey": [rows], "inspections": {key: [rows]}, "offices": [...], ...}
    data: Mapped[dict] = mapped_column(JSON)

    published_by: Mapped[User | None] = relationship()
