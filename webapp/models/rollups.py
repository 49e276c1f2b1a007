"""Count tables kept for ended periods, so a report on a closed period reads thousands of rows.

``answer_counts`` holds, per instrument, period, office, channel and item, how many answers
had each value (0 = no answer), plus the main item crossed with each single-choice item
(``by_item``/``by_value``) for the breakdowns by service used and age band.  ``scale_sums``
holds what Cronbach's alpha needs per office (sums that add up across offices).
``rollup_periods`` says which periods have them.  They are built on first use once a period
has ended and kept current by every later write to it (``webapp.rollups``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .common import UTCDateTime, utcnow


class RollupPeriod(db.Model):
    __tablename__ = "rollup_periods"
    __table_args__ = (UniqueConstraint("instrument_key", "period",
                                       name="uq_rollup_periods_instrument_key_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(6))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AnswerCount(db.Model):
    __tablename__ = "answer_counts"
    __table_args__ = (
        UniqueConstraint("instrument_key", "period", "item_key", "office_id", "channel",
                         "value", "by_item", "by_value", name="uq_answer_counts_cell"),
        Index("ix_answer_counts_read", "instrument_key", "period", "by_item", "item_key",
              "office_id", "value", "n"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(6))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    channel: Mapped[str] = mapped_column(String(16))
    item_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer)  # 0: no answer (or a text answer)
    by_item: Mapped[str] = mapped_column(String(64), default="", server_default="")
    by_value: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n: Mapped[int] = mapped_column(Integer)


class ScaleSum(db.Model):
    __tablename__ = "scale_sums"
    __table_args__ = (UniqueConstraint("instrument_key", "period", "scale", "office_id",
                                       name="uq_scale_sums_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_key: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(6))
    scale: Mapped[str] = mapped_column(String(400))  # the items, comma-joined, in order
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    n: Mapped[int] = mapped_column(Integer)
    sums: Mapped[list] = mapped_column(JSON)      # per item: sum of x, of x^2, of x*T
    total_sq: Mapped[float] = mapped_column(Float)
