"""``/plans/``: the coordinator's programme of unannounced checks.  A plan per period and
instrument, its assignments suggested by ``webapp.plans`` and adjusted here one at a time, and
its coverage per office and per inspector.  Office managers never reach these pages: the
dates are what makes a check unannounced."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectChoice

from analysis import periods
from webapp.capture.inspect.views import next_task
from webapp.capture.inspect.views import panels as inspector_panels
from webapp.capture.records import titles
from webapp.cycle.plans import rotation
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.cycle.plans.webforms import AssignmentForm, MoveForm, PlanForm, PublishForm
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import listing
from webapp.platform.web.security import PROGRAMME, roles_required
from webapp.programme.accounts import User
from webapp.programme.offices import Office

bp = Blueprint("plans", __name__, url_prefix="/plans", template_folder="templates")


@inspector_panels
def tasks_panel(user: User) -> str:
    """我的任務 on the inspector's page: their open assignments, the most urgent first."""
    tasks = plans.tasks_for(user)
    if not tasks:
        return ""
    return Markup(render_template("plans/_tasks.html", tasks=tasks, today=plans.today(),
                                  titles=titles()))


@next_task
def next_task_offer(user: User) -> str:
    """On a record just sent: the inspector's most urgent open task, one tap from starting."""
    tasks = plans.tasks_for(user)
    if not tasks:
        return ""
    return Markup(render_template("plans/_next_task.html", task=tasks[0], left=len(tasks),
                                  today=plans.today(), titles=titles()))


def period_choices() -> list[SelectChoice]:
    """Each instrument's plannable periods, labelled with the instrument they are for."""
    names = titles()
    return [SelectChoice(f"{key}:{period}", f"{names[key]}　{period_label(str(period))}")
            for key in plans.CADENCE for period in plans.plannable_periods(key)]


def period_label(text: str) -> str:
    return periods.label(text, locale_code())


@bp.route("/", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def index():
    form = PlanForm()
    form.which.choices = period_choices()
    status = 200
    if form.validate_on_submit():
        key, _colon, period = form.which.data.partition(":")
        try:
            plan = plans.create(key, period, form.per_office.data, by=current_user)
        except plans.PlanError as error:
            db.session.rollback()
            form.which.errors = [str(error)]
            status = 400
        else:
            db.session.commit()
            flash(_("已建立排程草稿，共 %(n)s 項任務。查核人員還看不到；調整好後請按「發布排程」。",
                    n=len(plan.assignments)), "ok")
            return redirect(url_for(".show", plan_id=plan.id))
    elif form.is_submitted():
        status = 400
    rows = db.session.scalars(select(CheckPlan).order_by(CheckPlan.period.desc(),
                                                         CheckPlan.instrument_key)).all()
    return render_template("plans/index.html", form=form, plans=rows, titles=titles(),
                           coverage={p.id: plans.coverage(p)[0] for p in rows},
                           label=period_label), status


def state_labels() -> dict[str, str]:
    return {"planned": _("待查核"), "filed": _("已送出"), "approved": _("已核定"),
            "overdue": _("逾期未查")}


@bp.get("/<int:plan_id>")
@roles_required(*PROGRAMME)
def show(plan_id: int):
    plan = db.session.get(CheckPlan, plan_id) or abort(404)
    return plan_page(plan, move_form(plan))


def move_form(plan: CheckPlan) -> MoveForm:
    form = MoveForm()
    form.tasks.choices = [SelectChoice(str(a.id), str(a.id)) for a in plan.assignments
                          if a.submission_id is None]
    form.inspector.choices = [SelectChoice("", _("請選擇"))] + [
        SelectChoice(str(u.id), u.shown_name) for u in plans.inspectors()]
    return form


def plan_page(plan: CheckPlan, form: MoveForm, warnings: list[str] = (), status: int = 200):
    """The plan's coverage and its tasks, with the form that moves ticked tasks (and, after a
    move that breaks the rotation, the warnings to confirm)."""
    total, offices, people = plans.coverage(plan)
    names = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(people)))}
    query = (select(Assignment).join(Office, Office.id == Assignment.office_id)
             .join(User, User.id == Assignment.inspector_id)
             .where(Assignment.plan_id == plan.id))
    state = listing.choice("state", plans.STATES, _("狀態"))
    if state:
        query = query.where(Assignment.state_on(plans.today()) == state)
    inspector = listing.choice("inspector", [str(i) for i in names], _("查核人員"))
    if inspector:
        query = query.where(Assignment.inspector_id == int(inspector))
    query = listing.search(query, Office.name, Office.code)
    page = listing.page(query, {"due": (Assignment.due_on,), "office": (Office.code,),
                                "inspector": (User.display_name, User.email)},
                        default="due", tiebreak=Assignment.id)
    return render_template("plans/plan.html", plan=plan, total=total, people=people,
                           offices=offices,
                           offices_done=sum(c.filed == c.planned for c in offices.values()),
                           offices_late=sum(c.overdue > 0 for c in offices.values()),
                           names=names, listing=page, titles=titles(), states=state_labels(),
                           today=plans.today(), label=period_label,
                           inspector_choices=[(str(i), u.shown_name) for i, u in names.items()],
                           move=form, warnings=warnings, publish=PublishForm(),
                           ticked={str(t) for t in form.tasks.data or ()}), status


@bp.post("/<int:plan_id>/publish")
@roles_required(*PROGRAMME)
def publish(plan_id: int):
    """A draft plan goes to its inspectors: from now on they see its tasks and hear of moves."""
    plan = db.session.get(CheckPlan, plan_id) or abort(404)
    if not PublishForm().validate_on_submit():
        abort(400, description=_("無法發布：請重新整理頁面後再試一次。"))
    try:
        plans.publish(plan, by=current_user)
    except plans.PlanError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("排程已發布，查核人員已收到通知。"), "ok")
    return redirect(url_for(".show", plan_id=plan.id))


@bp.post("/<int:plan_id>/move")
@roles_required(*PROGRAMME)
def move(plan_id: int):
    """Ticked tasks to one inspector; a move that breaks the rotation comes back to be
    confirmed, with the ticks kept."""
    plan = db.session.get(CheckPlan, plan_id) or abort(404)
    form = move_form(plan)
    if not form.validate_on_submit():
        return plan_page(plan, form, status=400)
    chosen = db.session.get(User, int(form.inspector.data))
    open_tasks = {str(a.id): a for a in plan.assignments if a.submission_id is None}
    if not set(form.tasks.data) <= set(open_tasks):
        form.tasks.errors = [_("勾選的任務已完成或不在這個排程，請重新整理頁面後再勾選。")]
        return plan_page(plan, form, status=400)
    tasks = [open_tasks[t] for t in dict.fromkeys(form.tasks.data)]
    try:
        warnings = rotation.move_many(tasks, chosen, confirmed=form.confirm.data)
    except plans.PlanError as error:
        db.session.rollback()
        form.tasks.errors = [str(error)]
        return plan_page(plan, form, status=400)
    if warnings:
        return plan_page(plan, form, warnings, status=409)
    db.session.commit()
    flash(_("已改派 %(n)s 項任務給 %(who)s。", n=len(tasks), who=chosen.shown_name), "ok")
    return redirect(url_for(".show", plan_id=plan.id))


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def assignment(assignment_id: int):
    """One task moved to another inspector or window.  The page shows who checked the office
    lately; a move that breaks the rotation is made only once confirmed (409 until then)."""
    task = db.session.get(Assignment, assignment_id) or abort(404)
    form = AssignmentForm(obj=None if request.method == "POST" else task)
    people = plans.inspectors()
    form.inspector.choices = [SelectChoice(str(u.id), u.shown_name) for u in people]
    if request.method == "GET":
        form.inspector.data = str(task.inspector_id)
    status, warnings = 200, []
    if form.validate_on_submit():
        chosen = next((u for u in people if str(u.id) == form.inspector.data), None)
        if task.submission_id is None and not form.confirm.data:
            warnings = rotation.breaks(task, chosen)
        try:
            if not warnings:
                plans.change(task, chosen, form.window_start.data, form.due_on.data)
        except plans.PlanError as error:
            db.session.rollback()
            form.due_on.errors = [str(error)]
            status = 400
        else:
            if not warnings:
                db.session.commit()
                flash(_("任務已更新。"), "ok")
                return redirect(url_for(".show", plan_id=task.plan_id))
            status = 409
    elif form.is_submitted():
        status = 400
    return render_template("plans/assignment.html", task=task, form=form, titles=titles(),
                           label=period_label, done=task.submission_id is not None,
                           warnings=warnings, recent=rotation.recent_checks(task),
                           statuses=state_labels() | {"submitted": _("已送出"),
                                                      "returned": _("退回修改")},
                           others=[a for a in task.plan.assignments
                                   if a.office_id == task.office_id and a.id != task.id]), status
