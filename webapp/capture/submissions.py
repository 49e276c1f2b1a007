"""Instrument versions, submissions and their answers, and one-time survey codes.

Answers are stored one row per (submission, item) with the office, instrument and half-year
copied onto the row, so ``GROUP BY office, item, value`` over one index gives the count tables
the analysis needs without a join (see ``ix_answers_count``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from analysis.periods import Period
from webapp.platform import audit
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.events import Event
from webapp.platform.extensions import db
from webapp.platform.periods import PeriodType
from webapp.programme.accounts import User
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Office

CHANNELS = ("kiosk", "personal", "paper", "inspector", "web")
#: how each channel is named to people (reports, the comments page, exports' value labels)
CHANNEL_LABELS = {
    "kiosk": {"zh_TW": "臨櫃平板", "en": "Counter tablet"},
    "personal": {"zh_TW": "個人手機（QR 碼）", "en": "Own phone (QR code)"},
    "paper": {"zh_TW": "紙本問卷", "en": "Paper form"},
    "inspector": {"zh_TW": "查核人員", "en": "Inspector"},
    "web": {"zh_TW": "網路填答（一次性代碼）", "en": "Online (one-time code)"},
}
STATUSES = ("draft", "submitted", "returned", "approved")

#: an inspector's record was submitted: the first time, or again after it was returned
record_submitted = Event("record_submitted", "record_id: the submitted record's id")


class Submission(db.Model):
    """One filled questionnaire or checklist, of any channel, pinned to its instrument version."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_scores", "instrument_key", "half", "status", "office_id"),
        Index("ix_submissions_quarter", "instrument_key", "quarter"),
        # the newest version a period was answered on (reporting.counts.answered_on), read
        # from the index alone: every report, export and API page asks
        Index("ix_submissions_half_version", "instrument_key", "half", "status",
              "instrument_version_id"),
        Index("ix_submissions_quarter_version", "instrument_key", "quarter", "status",
              "instrument_version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    instrument_key: Mapped[str] = mapped_column(String(40))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    half: Mapped[Period] = mapped_column(PeriodType)
    quarter: Mapped[Period] = mapped_column(PeriodType)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"))
    #: sent later by a counter tablet that was offline (``occurred_at`` is then when the citizen
    #: answered, by the tablet's clock corrected by ``clock_skew``: server minus tablet, seconds)
    delayed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    clock_skew: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(8))
    section_scores: Mapped[dict | None] = mapped_column(JSON)
    review_comment: Mapped[str | None] = mapped_column(Text)
    # Raised by every change of answers or status: a save or a decision names the revision it
    # saw, and one made on an older page is refused (409) instead of overwriting silently.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    office: Mapped[Office] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()
    inspector: Mapped[User | None] = relationship(foreign_keys=[inspector_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Answer.id"
    )


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("submission_id", "item_key", name="uq_answers_submission_item"),
        # Covering index for the analysis: count (office, value) per instrument, half-year, item.
        # ... and per channel, for the count tables of ended periods (``webapp.rollups``).
        Index("ix_answers_count", "instrument_key", "half", "item_key", "office_id", "value",
              "channel"),
        Index("ix_answers_count_quarter", "instrument_key", "quarter", "item_key", "office_id",
              "value", "channel"),
        # Each respondent's answers together: Cronbach's alpha pivots by submission.
        Index("ix_answers_respondent", "instrument_key", "half", "submission_id", "item_key",
              "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    instrument_key: Mapped[str] = mapped_column(String(40))
    half: Mapped[Period] = mapped_column(PeriodType)
    quarter: Mapped[Period] = mapped_column(PeriodType)
    item_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(16))  # copied from the submission

    submission: Mapped[Submission] = relationship(back_populates="answers")


class RecordEvent(db.Model):
    """One step in an inspector's record's life: submitted, returned, approved, with the answers
    as they were then, so a reviewer sees what changed since the record was returned."""

    __tablename__ = "record_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()




@audit.targets
def _audited_records(target_type: str, ids: set[int]) -> dict[int, Submission]:
    """Records as the audit log names them (office, instrument, number)."""
    if target_type != "submission" or not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Submission).where(Submission.id.in_(ids)))}


def in_period(model: type[Answer] | type[Submission], period: str):
    """Rows of a half-year (``2025H2``, the ``half`` column) or a quarter (``2025Q3``);
    both columns are stamped at submission and each has its covering index on answers."""
    column = model.quarter if "Q" in period else model.half
    return column == period
