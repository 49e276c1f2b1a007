"""The programme of unannounced checks: how many of each an office gets per period (a plan),
and who makes each one when (an assignment).  Only coordinators and inspectors read these:
offices never see an upcoming date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint, case, select, text
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


class CheckPlan(db.Model):
    """One instrument's checks in one period: phone tests per quarter (``2026Q1``), mystery
    visits per half-year (``2026H1``), ``per_office`` of them for every active office."""

    __tablename__ = "check_plans"
    __table_args__ = (UniqueConstraint("period", "instrument_key", name="uq_check_plans_period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[Period] = mapped_column(PeriodType)
    instrument_key: Mapped[str] = mapped_column(String(40))
    per_office: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None while the coordinator drafts it: inspectors neither see nor hear of its tasks until
    #: it is published (a plan the previous release creates is published at once: the default)
    published_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, server_default=text("CURRENT_TIMESTAMP"))

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="plan", order_by="Assignment.id")

    @property
    def draft(self) -> bool:
        return self.published_at is None


class Assignment(db.Model):
    """One check to make: an office, an inspector and a window (``window_start`` to ``due_on``,
    both included).  A record the inspector submits for that office in the plan's period fills
    it (``submission_id``)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("check_plans.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    window_start: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[CheckPlan] = relationship(back_populates="assignments")
    office: Mapped[Office] = relationship()
    inspector: Mapped[User] = relationship()
    submission: Mapped[Submission | None] = relationship()

    #: planned: not yet made, still in time; overdue: not made by its due date; filed: a record
    #: fills it, not yet approved; approved: its record was approved
    STATES = ("planned", "filed", "approved", "overdue")

    @hybrid_method
    def state_on(self, day: date) -> str:
        """This assignment's state on ``day`` (Taipei); the same rule as a SQL expression
        (``Assignment.state_on(day) == "overdue"``) for lists paged in the database."""
        if self.submission_id is None:
            return "overdue" if self.due_on < day else "planned"
        return "approved" if self.submission.status == "approved" else "filed"

    @state_on.inplace.expression
    @classmethod
    def _state_on(cls, day: date) -> ColumnElement[str]:
        status = select(Submission.status).where(Submission.id == cls.submission_id)
        return case((cls.submission_id.is_(None) & (cls.due_on < day), "overdue"),
                    (cls.submission_id.is_(None), "planned"),
                    (status.scalar_subquery() == "approved", "approved"), else_="filed")
