"""``/contacts/``: the contact cases.  An office manager sees their office's cases with the
citizen's details and comment, and records each attempt; coordinators and admins follow every
office's cases with the details masked.  Nobody else sees them (the report counts them)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.capture.contact import services as details
from webapp.cycle.contacts import services as contacts
from webapp.cycle.contacts.models import MEANS, RESULTS, ContactCase
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.masking import mask
from webapp.platform.web.security import own_office_or_404, roles_required
from webapp.platform.web.webforms import StrictForm

bp = Blueprint("contacts", __name__, url_prefix="/contacts", template_folder="templates")
ROLES = ("office", "coordinator", "admin")


def means_labels() -> dict[str, str]:
    return {"phone": _("電話"), "email": _("電子郵件")}


def result_labels() -> dict[str, str]:
    return {"no_answer": _("未接通或未回覆，稍後再試"), "in_progress": _("已聯絡上，仍在處理"),
            "reached": _("已聯絡上並說明，結案"), "resolved": _("已聯絡上並解決問題，結案"),
            "unreachable": _("多次嘗試仍無法聯絡，結案")}


def outcome_labels() -> dict[str, str]:
    return {"reached": _("已聯絡"), "resolved": _("已解決"), "unreachable": _("無法聯絡")}


class AttemptForm(StrictForm):
    means = RadioField(_l("聯絡方式"), validators=[InputRequired(message=_l("請選擇聯絡方式。"))])
    result = RadioField(_l("結果"), validators=[InputRequired(message=_l("請選擇這次聯絡的結果。"))])
    note = TextAreaField(_l("說明（選填，勿寫民眾個人資料）"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("記錄這次聯絡"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the model's keys, worded in the reader's language (built per request: translated)
        self.means.choices = [SelectChoice(k, means_labels()[k]) for k in MEANS]
        self.result.choices = [SelectChoice(k, result_labels()[k]) for k in RESULTS]


def sees_details(case: ContactCase) -> bool:
    """Only the office's own managers read who to call; everyone else reads them masked."""
    return current_user.role == "office" and case.office_id == current_user.office_id


def visible(case_id: int) -> ContactCase:
    return own_office_or_404(db.session.get(ContactCase, case_id))


@bp.get("/")
@roles_required(*ROLES)
def index():
    query = select(ContactCase).options(joinedload(ContactCase.office),
                                        joinedload(ContactCase.request))
    if current_user.role == "office":
        query = query.where(ContactCase.office_id == current_user.office_id)
    found = db.session.scalars(query.order_by(ContactCase.closed_at.is_not(None),
                                              ContactCase.due_at, ContactCase.id)).all()
    return render_template("contacts/index.html", cases=found, now=utcnow(),
                           sees_details=sees_details, masked=details,
                           outcomes=outcome_labels())


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@roles_required(*ROLES)
def show(case_id: int):
    case = visible(case_id)
    form = AttemptForm()
    status = 200
    if form.is_submitted():
        if not sees_details(case):
            abort(403)
        if case.closed_at is not None:
            abort(409, description=_("這個聯絡案已經結案，不能再記錄。"))
        if form.validate():
            try:
                contacts.record_attempt(case, means=form.means.data, result=form.result.data,
                                        note=(form.note.data or "").strip() or None,
                                        by=current_user)
            except contacts.Closed:
                db.session.rollback()
                abort(409, description=_("這個聯絡案已經結案，不能再記錄。"))
            db.session.commit()
            flash(_("已結案。") if case.closed_at else _("已記錄這次聯絡。"), "ok")
            return redirect(url_for(".show", case_id=case.id))
        status = 400
    return render_template(
        "contacts/show.html", case=case, form=form, full=sees_details(case), masked=details,
        comments=contacts.comments_of(case), now=utcnow(), mask=mask, means=means_labels(),
        results=result_labels(), outcomes=outcome_labels()), status
