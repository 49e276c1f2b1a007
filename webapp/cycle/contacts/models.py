"""A contact case and the attempts made on it.

The citizen's details stay in the capture layer's ``contact_requests``; a case holds only the
promise (``due_at``) and what the office did, so the figures outlive the details.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from webapp.capture.contact.models import ContactRequest
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.offices import Office

#: what one attempt came to; the last three close the case with that outcome
RESULTS = ("no_answer", "in_progress", "reached", "resolved", "unreachable")
OUTCOMES = ("reached", "resolved", "unreachable")
MEANS = ("phone", "email")


class ContactCase(db.Model):
    __tablename__ = "contact_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("contact_requests.id"), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the end of the last working day the office promised (``workdays.due_after``)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the office's first attempt: answered in time when it is on or before ``due_at``
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    request: Mapped[ContactRequest] = relationship()
    office: Mapped[Office] = relationship()
    attempts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="case", order_by="ContactAttempt.id", cascade="all, delete-orphan")

    @hybrid_method
    def overdue_at(self, now: datetime) -> bool:
        """Nobody tried to reach the citizen by the promised time; also a SQL condition."""
        return self.closed_at is None and self.first_attempt_at is None and self.due_at < now

    @overdue_at.inplace.expression
    @classmethod
    def _overdue_at(cls, now: datetime) -> ColumnElement[bool]:
        return and_(cls.closed_at.is_(None), cls.first_attempt_at.is_(None), cls.due_at < now)

    @property
    def answered_in_time(self) -> bool:
        return self.first_attempt_at is not None and self.first_attempt_at <= self.due_at


class ContactAttempt(db.Model):
    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("contact_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    means: Mapped[str] = mapped_column(String(8))
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[ContactCase] = relationship(back_populates="attempts")
    by: Mapped[User | None] = relationship()
