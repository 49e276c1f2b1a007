"""Who has checked an office lately, and whether giving it to an inspector breaks the rotation.

An unannounced check only works when the office does not know the caller's voice or the
visitor's face: suggesting a plan rotates inspectors (``services.suggest``), and a coordinator
moving tasks by hand sees the same rule as a warning before the move is made, one task or
many at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from analysis.periods import Period
from webapp.capture.submissions import Submission
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment
from webapp.platform import audit
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme.accounts import User

RECENT = 5


@dataclass(frozen=True)
class Check:
    """One recent check of an office: by whom, when, and how far it got."""
    inspector: str
    occurred_on: str
    status: str


def recent_checks(task: Assignment, limit: int = RECENT) -> list[Check]:
    """The latest records inspectors filed for the task's office with the task's instrument,
    newest first (drafts are an inspector's own and left out)."""
    rows = db.session.scalars(
        select(Submission).where(Submission.office_id == task.office_id,
                                 Submission.instrument_key == task.plan.instrument_key,
                                 Submission.channel == "inspector",
                                 Submission.status != "draft")
        .order_by(Submission.occurred_at.desc(), Submission.id.desc()).limit(limit))
    return [Check(r.inspector.shown_name if r.inspector else "—",
                  r.occurred_at.astimezone(TAIPEI).date().isoformat(), r.status)
            for r in rows]


def breaks(task: Assignment, inspector: User) -> list[str]:
    """Why giving ``task`` to ``inspector`` breaks the rotation, as sentences; [] when it
    does not (or the inspector already has it)."""
    if inspector.id == task.inspector_id:
        return []
    office = task.office.name
    reasons = []
    period = Period.parse(task.plan.period)
    if (task.office_id, inspector.id) in plans.previous_checkers(task.plan.instrument_key, period):
        reasons.append(_("%(who)s 上一期查核過%(office)s。", who=inspector.shown_name,
                         office=office))
    if any(a.office_id == task.office_id and a.inspector_id == inspector.id
           for a in task.plan.assignments if a.id != task.id):
        reasons.append(_("%(who)s 在這個排程已有%(office)s的另一項任務。", who=inspector.shown_name,
                         office=office))
    return reasons


def move_many(tasks: Sequence[Assignment], inspector: User, *, confirmed: bool) -> list[str]:
    """Give every task to ``inspector``, keeping each one's window; the rotation warnings,
    with nothing moved, unless ``confirmed``.  ``PlanError`` for a task that cannot move."""
    if not tasks:
        raise plans.PlanError(_("請先勾選要改派的任務。"))
    warnings = [reason for task in tasks for reason in breaks(task, inspector)]
    if warnings and not confirmed:
        return list(dict.fromkeys(warnings))
    moved = [task for task in tasks
             if plans.change(task, inspector, task.window_start, task.due_on, announce=False)]
    if moved and not moved[0].plan.draft:   # one notification for the lot
        plans.tell(inspector, len(moved), Period.parse(moved[0].plan.period),
                   min(t.due_on for t in moved))
    audit.record("changed", "plan", tasks[0].plan_id, {
        "moved": [t.id for t in tasks], "inspector": inspector.id,
        "rotation_overridden": bool(warnings)})
    return []
