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
from webapp.capture.inspect.views import panels as inspector_panels
from webapp.capture.records import titles
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.cycle.plans.webforms import AssignmentForm, PlanForm
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
            flash(_("已建立排程，並分派 %(n)s 項任務。", n=len(plan.assignments)), "ok")
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
                           inspector_choices=[(str(i), u.shown_name) for i, u in names.items()])


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def assignment(assignment_id: int):
    task = db.session.get(Assignment, assignment_id) or abort(404)
    form = AssignmentForm(obj=None if request.method == "POST" else task)
    people = plans.inspectors()
    form.inspector.choices = [SelectChoice(str(u.id), u.shown_name) for u in people]
    if request.method == "GET":
        form.inspector.data = str(task.inspector_id)
    status = 200
    if form.validate_on_submit():
        chosen = next((u for u in people if str(u.id) == form.inspector.data), None)
        try:
            plans.change(task, chosen, form.window_start.data, form.due_on.data)
        except plans.PlanError as error:
            db.session.rollback()
            form.due_on.errors = [str(error)]
            status = 400
        else:
            db.session.commit()
            flash(_("任務已更新。"), "ok")
            return redirect(url_for(".show", plan_id=task.plan_id))
    elif form.is_submitted():
        status = 400
    return render_template("plans/assignment.html", task=task, form=form, titles=titles(),
                           label=period_label, done=task.submission_id is not None), status

