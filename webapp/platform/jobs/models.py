"""The claim each job's runner must hold, and the record of each run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db


class JobClaim(db.Model):
    """One row per job: who runs it now and until when the claim holds (a runner that died
    mid-job loses it then)."""

    __tablename__ = "job_claims"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_name_started", "name", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    holder: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")   # running, done, failed
    #: what it did ("3"), or the error's type for a failure: never personal data
    result: Mapped[str] = mapped_column(Text, default="")
