"""Improvement cases (改善追蹤): what an office was told to improve after a low-scoring check.

A case belongs to one approved record and lists its failed items, or to one office's answers in
a staff-survey round (an internal case) and lists the items too few of its staff agreed with.
The office manager answers each item (what was done); a reviewer accepts the answer or reopens
the item.  The case is closed when every item is accepted.  Every answer an item ever had is
kept (:class:`CaseAnswer`): a reviewer's decision names the one it was made on, and nothing an
office wrote is lost when it writes again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from analysis.periods import Period
from webapp.capture.submissions import Submission
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.periods import PeriodType
from webapp.programme.accounts import User
from webapp.programme.offices import Office

ITEM_STATES = ("open", "answered", "accepted")


class ImprovementCase(db.Model):
    __tablename__ = "improvement_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), unique=True)
    #: an internal case, from the staff survey: no record, no photos of a visit
    staff_round_id: Mapped[int | None] = mapped_column(ForeignKey("staff_rounds.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    period: Mapped[Period] = mapped_column(PeriodType)   # the half-year of the check
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    office: Mapped[Office] = relationship()
    submission: Mapped[Submission | None] = relationship()

    @property
    def internal(self) -> bool:
        """From the staff survey, not from a check."""
        return self.submission_id is None
    items: Mapped[list[CaseItem]] = relationship(back_populates="case", order_by="CaseItem.id")

    @hybrid_method
    def overdue_on(self, day: date) -> bool:
        """Still open after its due date, on ``day`` (Taipei); also a SQL condition."""
        return self.closed_at is None and self.due_on < day

    @overdue_on.inplace.expression
    @classmethod
    def _overdue_on(cls, day: date) -> ColumnElement[bool]:
        return and_(cls.closed_at.is_(None), cls.due_on < day)


class CaseItem(db.Model):
    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("improvement_cases.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    label: Mapped[dict] = mapped_column(JSON)         # {"zh_TW": ..., "en": ...} as checked
    state: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewer_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[ImprovementCase] = relationship(back_populates="items")
    history: Mapped[list[CaseAnswer]] = relationship(
        order_by="CaseAnswer.id", cascade="all, delete-orphan", back_populates="item")


class CaseAnswer(db.Model):
    """One answer an office gave to a case item, as it was given; the item's ``answer`` is a
    copy of the latest."""

    __tablename__ = "case_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("case_items.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[CaseItem] = relationship(back_populates="history")
    author: Mapped[User | None] = relationship()
