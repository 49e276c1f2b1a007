"""Planning the unannounced checks: a plan per period, assignments suggested and balanced, and
the coverage a coordinator watches (planned / filed / approved / overdue).

The rules ask for at least one phone test per office per quarter and one mystery visit per
office per half-year (``CADENCE``).  Suggesting gives each check to the inspector with the
lightest load in the period, and rotates who checks an office: an inspector who checked it in
the previous period, or already has it in this plan, is chosen only when every other inspector
carries two checks more.  Loads so stay within two checks of each other.
A record an inspector submits for an office fills the earliest open assignment that inspector
has for that office in the record's period; nothing has to be carried through the form.  The
rule is ``settle``, run after every change to a record: a record moved to another office or
period, or kept back as a draft, gives its assignment back.

Shared by the planning pages (``webapp.planning``), the inspector's task list (``webapp.inspect``)
and the review; every change goes in the caller's transaction and is audited.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, null, select

from analysis.periods import Period
from forms.catalogue import CADENCE
from webapp.capture import checklists
from webapp.capture.submissions import Submission, record_submitted
from webapp.cycle.notifications import services as notify
from webapp.cycle.notifications.models import Notification
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform import audit, links
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.offices import Office
from webapp.review.decisions import record_approved

MAX_PER_OFFICE = 12
STATES = Assignment.STATES


class PlanError(ValueError):
    """A plan or an assignment that cannot be made as asked; the message is for the user."""


def today() -> date:
    return datetime.now(TAIPEI).date()


def plannable_periods(key: str, on: date | None = None) -> list[Period]:
    """The periods a plan for ``key`` may be made in: the current one and the next two (a past
    period cannot be checked unannounced any more)."""
    on = on or today()
    first = Period.quarter_of(on) if CADENCE[key] == "Q" else Period.half_of(on)
    return [first, first.next(), first.next().next()]


def inspectors() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "inspector", User.active)
                                   .order_by(User.id)))


def windows(period: Period, count: int, on: date) -> list[tuple[date, date]]:
    """``count`` consecutive windows covering what is left of ``period`` from ``on``: the
    checks of one office are spread over the period, not bunched at its start."""
    start, end = max(period.start(), on), period.end() - timedelta(days=1)
    if start > end:
        raise PlanError(_("這個期間已經結束，無法再排程。"))
    days = (end - start).days + 1
    cuts = [start + timedelta(days=days * i // count) for i in range(count + 1)]
    return [(cuts[i], max(cuts[i], cuts[i + 1] - timedelta(days=1))) for i in range(count)]


def previous_checkers(key: str, period: Period) -> set[tuple[int, int]]:
    """(office, inspector) pairs of the previous period's plan for the same instrument."""
    rows = db.session.execute(
        select(Assignment.office_id, Assignment.inspector_id).join(CheckPlan)
        .where(CheckPlan.instrument_key == key, CheckPlan.period == str(period.previous())))
    return {(office, inspector) for office, inspector in rows}


def suggest(offices: list[Office], people: list[User], per_office: int, period: Period,
            key: str, on: date) -> list[Assignment]:
    """Assignments for every office, balanced over ``people`` and rotated (see the module)."""
    if not people:
        raise PlanError(_("目前沒有啟用中的查核人員，無法分派。請先建立查核人員帳號。"))
    if not offices:
        raise PlanError(_("目前沒有啟用中的機關。"))
    load = Counter({p.id: 0 for p in people})
    for inspector_id, count in db.session.execute(   # what they already carry this period
            select(Assignment.inspector_id, func.count()).join(CheckPlan)
            .where(CheckPlan.period.in_(_overlapping(period))).group_by(Assignment.inspector_id)):
        if inspector_id in load:
            load[inspector_id] += count
    seen = previous_checkers(key, period)
    made = []
    for start, due in windows(period, per_office, on):
        for office in offices:
            def cost(person: User, office: Office = office) -> tuple[int, bool, int, int]:
                rotated = (office.id, person.id) in seen
                return load[person.id] + rotated, rotated, load[person.id], person.id
            chosen = min(people, key=cost)
            load[chosen.id] += 1
            seen.add((office.id, chosen.id))
            made.append(Assignment(office_id=office.id, inspector_id=chosen.id,
                                   window_start=start, due_on=due))
    return made


def _overlapping(period: Period) -> list[str]:
    """The period and the other kind's periods that overlap it (a quarter's half and back)."""
    if period.kind == "Q":
        return [str(period), str(Period.half_of(period.start()))]
    quarters = [Period.quarter_of(period.start())]
    quarters.append(quarters[0].next())
    return [str(period), *map(str, quarters)]


def create(key: str, period_text: str, per_office: int, by: User) -> CheckPlan:
    """A draft plan with its suggested assignments, for the coordinator to adjust and then
    ``publish``: nobody is told of a task that may still move."""
    if key not in CADENCE:
        raise PlanError(_("只能為電話禮貌測試或神秘客查核排程。"))
    try:
        period = Period.parse(period_text)
    except ValueError as error:
        raise PlanError(str(error)) from None
    if period not in plannable_periods(key):
        raise PlanError(_("電話測試按季排程、神秘客按半年排程，且只能排本期與之後兩期。"))
    if not 1 <= per_office <= MAX_PER_OFFICE:
        raise PlanError(_("每個機關的次數應在 1 到 %(most)s 之間（規定至少 1 次）。", most=MAX_PER_OFFICE))
    if db.session.scalar(select(CheckPlan).where(CheckPlan.period == str(period),
                                                 CheckPlan.instrument_key == key)):
        raise PlanError(_("這個期間已有這類查核的排程；請在排程頁調整個別任務。"))
    offices = list(db.session.scalars(select(Office).where(Office.active).order_by(Office.code)))
    plan = CheckPlan(period=str(period), instrument_key=key, per_office=per_office,
                     created_by_id=by.id,
                     published_at=null())   # NULL, not the column's default: a draft
    plan.assignments = suggest(offices, inspectors(), per_office, period, key, today())
    db.session.add(plan)
    db.session.flush()
    audit.record("created", "plan", plan.id, {"period": plan.period, "instrument": key,
                                               "per_office": per_office,
                                               "assignments": len(plan.assignments)})
    return plan


def publish(plan: CheckPlan, by: User) -> None:
    """Make a draft plan's tasks the inspectors': each hears once, of all their tasks in it."""
    if not plan.draft:
        raise PlanError(_("這個排程已經發布。"))
    plan.published_at = datetime.now(UTC)
    audit.record("published", "plan", plan.id, {"period": plan.period,
                                                 "instrument": plan.instrument_key,
                                                 "assignments": len(plan.assignments)})
    period = Period.parse(plan.period)
    for inspector_id, count in Counter(a.inspector_id for a in plan.assignments
                                       if a.submission_id is None).items():
        first = min(a.due_on for a in plan.assignments if a.inspector_id == inspector_id)
        tell(db.session.get(User, inspector_id), count, period, first)


def tell(inspector: User, count: int, period: Period, due: date) -> None:
    """An inspector's new tasks; the dates go to the inspector only, never to the office."""
    notify.notify([inspector], "assigned", {
        "count": count, "period": period.roc_label(), "period_en": period.english_label(),
        "due": due.isoformat()}, links.path_for("inspect.index"))


def change(assignment: Assignment, inspector: User, start: date, due: date, *,
           announce: bool = True) -> bool:
    """Move an assignment to another inspector or window (audited; once the plan is published,
    the new inspector hears, unless the caller tells them of several at once); whether it went
    to another inspector."""
    if assignment.submission_id is not None:
        raise PlanError(_("這項任務已經完成，不能再調整。"))
    if inspector.role != "inspector" or not inspector.active:
        raise PlanError(_("只能指派給啟用中的查核人員。"))
    period = Period.parse(assignment.plan.period)
    if not (period.start() <= start <= due < period.end()):
        raise PlanError(_("期限須在排程的期間內，且開始日不晚於截止日。"))
    moved = inspector.id != assignment.inspector_id
    assignment.inspector_id, assignment.window_start, assignment.due_on = inspector.id, start, due
    audit.record("changed", "plan", assignment.plan_id, {
        "period": assignment.plan.period, "instrument": assignment.plan.instrument_key,
        "assignment": assignment.id, "inspector": inspector.id, "due": due.isoformat()})
    if moved and announce and not assignment.plan.draft:
        tell(inspector, 1, period, due)
    return moved


#: the statuses of a record that count as a check made: a draft counts for nothing
FILLING = ("submitted", "returned", "approved")


def _slot(record: Submission | None) -> tuple[int, int, str, str] | None:
    """The check a record may fill: its (inspector, office, instrument, period), or None for
    one that fills none (a draft, a survey, an instrument that is not planned, a record gone)."""
    kind = CADENCE.get(record.instrument_key) if record is not None else None
    if (kind is None or record.channel != "inspector" or record.inspector_id is None
            or record.status not in FILLING):
        return None
    period = record.quarter if kind == "Q" else record.half
    return record.inspector_id, record.office_id, record.instrument_key, str(period)


@record_submitted.connect
@checklists.record_drafted.connect
@record_approved.connect
def settle(record_id: int) -> None:
    """Which assignment a record fills, the one rule, run after every change to the record
    (sent, kept back as a draft, approved) and before a draft is deleted.  The assignment it
    fills stays while it names the record's inspector, office, instrument and period; when the
    record moved (another office or period, or back to a draft after a return) that one is
    given back, open again on the inspector's task list, and the record fills its inspector's
    earliest open assignment for what it now names, if there is one."""
    record = db.session.get(Submission, record_id)
    slot = _slot(record)
    held = db.session.scalar(select(Assignment).where(Assignment.submission_id == record_id))
    if held is not None:
        if slot == (held.inspector_id, held.office_id, held.plan.instrument_key,
                    str(held.plan.period)):
            return
        held.submission_id = None
        db.session.flush()
    if slot is None:
        return
    inspector_id, office_id, key, period = slot
    assignment = db.session.scalar(
        select(Assignment).join(CheckPlan)
        .where(Assignment.inspector_id == inspector_id, Assignment.office_id == office_id,
               Assignment.submission_id.is_(None),
               CheckPlan.instrument_key == key, CheckPlan.period == period)
        .order_by(Assignment.due_on, Assignment.id).limit(1))
    if assignment is not None:
        assignment.submission_id = record_id


@checklists.deleting
def let_go(record: Submission) -> None:
    """A draft about to be deleted fills nothing (one returned and kept back may still hold the
    check it filled when it was sent, should its ``record_drafted`` have failed)."""
    settle(record.id)
    db.session.flush()


@dataclass
class Coverage:
    planned: int = 0
    filed: int = 0
    approved: int = 0
    overdue: int = 0

    def add(self, what: str) -> None:
        self.planned += 1
        self.filed += what in ("filed", "approved")
        self.approved += what == "approved"
        self.overdue += what == "overdue"


def coverage(plan: CheckPlan) -> tuple[Coverage, dict[int, Coverage], dict[int, Coverage]]:
    """The plan's totals, and the same per office and per inspector (ids as keys)."""
    on, total = today(), Coverage()
    offices: dict[int, Coverage] = {}
    people: dict[int, Coverage] = {}
    for assignment in plan.assignments:
        what = assignment.state_on(on)
        total.add(what)
        offices.setdefault(assignment.office_id, Coverage()).add(what)
        people.setdefault(assignment.inspector_id, Coverage()).add(what)
    return total, offices, people


def notify_overdue() -> int:
    """Tell each inspector, and the coordinators, about assignments past their due date with no
    record, once per assignment (run daily: ``flask plans notify-overdue``); how many were new.
    The office is never told: the check is still unannounced."""
    told = {n.params.get("assignment") for n in db.session.scalars(
        select(Notification).where(Notification.kind == "task_overdue"))}
    late = [a for a in db.session.scalars(select(Assignment).join(CheckPlan).where(
        Assignment.state_on(today()) == "overdue", CheckPlan.published_at.is_not(None)))
        if a.id not in told]
    coordinators = list(db.session.scalars(select(User).where(User.role == "coordinator")))
    for assignment in late:
        notify.notify([assignment.inspector, *coordinators], "task_overdue", {
            "assignment": assignment.id, "office": assignment.office.name,
            "inspector": assignment.inspector.shown_name, "due": assignment.due_on.isoformat()},
            links.path_for("plans.show", plan_id=assignment.plan_id))
    return len(late)


def tasks_for(user: User) -> list[Assignment]:
    """An inspector's open assignments in published plans, the most urgent first: 我的任務."""
    return list(db.session.scalars(
        select(Assignment).join(CheckPlan).where(Assignment.inspector_id == user.id,
                                                 Assignment.submission_id.is_(None),
                                                 CheckPlan.published_at.is_not(None))
        .order_by(Assignment.due_on, Assignment.id)))
