"""A staff-survey round, its offices and staff numbers, its one-time codes and its sealed ballots.

Anonymity is kept by what is *not* stored.  A code records only that it was used (and whether on
the web or on paper), never when or by which answer.  A web answer waits as a ballot that names
its office and day only, under a random key, and is moved into the answers tables, shuffled with
the rest of its round, when the round closes: so neither a code, a row number nor a time links
an answer to the person who gave it, and no result moves while people are still answering (a
count going from 5 to 6 would give the sixth person's answers away).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from analysis.periods import Period
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.periods import PeriodType
from webapp.programme.offices import Office


class StaffRound(db.Model):
    """One half-year's staff survey over a set of offices."""

    __tablename__ = "staff_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[Period] = mapped_column(PeriodType, unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    offices: Mapped[list[RoundOffice]] = relationship(
        back_populates="round", order_by="RoundOffice.id", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RoundOffice(db.Model):
    """An office taking part in a round, with how many staff it has (the response rate's base)."""

    __tablename__ = "staff_round_offices"
    __table_args__ = (UniqueConstraint("round_id", "office_id", name="uq_staff_round_office"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("staff_rounds.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    staff: Mapped[int] = mapped_column(Integer)

    round: Mapped[StaffRound] = relationship(back_populates="offices")
    office: Mapped[Office] = relationship()


class StaffCode(db.Model):
    """A one-time code for one answer; only its hash, and only whether it was used."""

    __tablename__ = "staff_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("staff_rounds.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    used_on: Mapped[str | None] = mapped_column(String(8))   # "web" or "paper"


def _ballot_key() -> str:
    return uuid.uuid4().hex


class StaffBallot(db.Model):
    """A web answer waiting for its round to close: office, day and answers, nothing else."""

    __tablename__ = "staff_ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_ballot_key)
    round_id: Mapped[int] = mapped_column(ForeignKey("staff_rounds.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"))
    day: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict] = mapped_column(JSON)   # {item: [value, text] or None}
