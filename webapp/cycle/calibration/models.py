"""Calibration rounds: several inspectors score the same recorded call or visit scenario with
the same checklist, so the coordinator sees how far their scores agree (``analysis.agreement``).
A round's scores are kept apart from the offices' records: they count in no report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.instruments import InstrumentVersion


class CalibrationRound(db.Model):
    __tablename__ = "calibration_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"))
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    instrument_version: Mapped[InstrumentVersion] = relationship()
    scores: Mapped[list[CalibrationScore]] = relationship(
        back_populates="round", order_by="CalibrationScore.id")


class CalibrationScore(db.Model):
    __tablename__ = "calibration_scores"
    __table_args__ = (UniqueConstraint("round_id", "inspector_id", name="uq_calibration_one_each"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("calibration_rounds.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[CalibrationRound] = relationship(back_populates="scores")
    inspector: Mapped[User] = relationship()
