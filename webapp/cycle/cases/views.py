"""``/cases/``: an office manager sees their office's improvement cases and answers each item;
reviewers see every case and accept each answer or reopen the item.  Overdue cases come first
and stand out.  Offices never see upcoming checks, only cases from approved ones."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.capture import evidence
from webapp.capture import photo_files as photos
from webapp.capture.records import titles
from webapp.cycle.cases import services as cases
from webapp.cycle.cases.models import CaseItem, ImprovementCase
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.web import refused
from webapp.platform.web.security import own_office_or_404, roles_required, takes_photo
from webapp.platform.web.webforms import StrictForm

bp = Blueprint("cases", __name__, url_prefix="/cases", template_folder="templates")
ROLES = ("office", "reviewer", "admin")


class AnswerForm(StrictForm):
    item = HiddenField(validators=[InputRequired()])
    answer = TextAreaField(_l("改善情形（做了什麼、何時完成）"),
                           validators=[InputRequired(message=_l("請說明改善情形。")), Length(max=2000)])
    photo = FileField(_l("改善後照片（選填）"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    submit = SubmitField(_l("送出改善情形"))


class DecideForm(StrictForm):
    item = HiddenField(validators=[InputRequired()])
    seen = HiddenField()   # which answer the reviewer read (cases.answer_mark)
    note = TextAreaField(_l("審核意見（退回時必填）"), validators=[Optional(), Length(max=2000)])
    accept = SubmitField(_l("接受"))
    reopen = SubmitField(_l("退回重辦"))


def visible(case_id: int) -> ImprovementCase:
    """A case the user may open: an office manager only their own office's (others: 404)."""
    return own_office_or_404(db.session.get(ImprovementCase, case_id))


@bp.get("/")
@roles_required(*ROLES)
def index():
    query = select(ImprovementCase)
    if current_user.role == "office":
        query = query.where(ImprovementCase.office_id == current_user.office_id)
    today = datetime.now(TAIPEI).date()
    found = db.session.scalars(query.order_by(ImprovementCase.closed_at.is_not(None),
                                              ImprovementCase.due_on, ImprovementCase.id)).all()
    return render_template("cases/index.html", cases=found, today=today, titles=titles())


def _item(case: ImprovementCase, form) -> CaseItem:
    item = next((i for i in case.items if str(i.id) == (form.item.data or "")), None)
    return item if item is not None else abort(400, description=_("這個項目不屬於這個案件。"))


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@roles_required(*ROLES)
@takes_photo
def show(case_id: int):
    case = visible(case_id)
    answering, deciding = AnswerForm(), DecideForm()
    status = 200
    if request.method == "POST":
        if current_user.role == "office":
            if answering.validate_on_submit():
                item = _item(case, answering)
                if item.state == "accepted":
                    abort(409, description=_("這個項目已經被接受，不能再修改。"))
                cases.answer(item, answering.answer.data.strip(), by=current_user)
                upload = answering.photo.data
                raw = upload.read() if upload and getattr(upload, "filename", "") else b""
                try:
                    if raw and case.internal:
                        raise photos.PhotoError(_("內部改善案不附照片，請以文字說明。"))
                    if raw:
                        evidence.add_photo(case.submission, raw, None,
                                           current_app.config["PHOTO_MAX_UPLOAD"],
                                           by=current_user, case_item_id=item.id)
                except photos.PhotoError as error:
                    db.session.rollback()       # neither the answer nor the photo
                    refused.upload_refused(raw, "unreadable")
                    answering.photo.errors = [str(error)]
                    return page(visible(case_id), answering, deciding, 400)
                db.session.commit()
                flash(_("已送出改善情形，等候審核。"), "ok")
                return redirect(url_for(".show", case_id=case.id))
            status = 400
        elif deciding.validate_on_submit():
            item = _item(case, deciding)
            note = (deciding.note.data or "").strip() or None
            if item.state != "answered":
                abort(409, description=_("這個項目還沒有改善情形可以審核。"))
            if deciding.accept.data == deciding.reopen.data:
                deciding.form_errors.append(_("請按「接受」或「退回重辦」其中一個。"))
                status = 400
            elif deciding.reopen.data and not note:
                deciding.note.errors = [_("退回時請說明還需要做什麼。")]
                status = 400
            else:
                try:
                    cases.decide(item, bool(deciding.accept.data), note, deciding.seen.data or "")
                except cases.Stale as stale:
                    db.session.rollback()
                    return page(visible(case_id), answering, DecideForm(formdata=None), 409,
                                conflict={"item": item.id, "seen": stale.seen,
                                          "current": stale.current, "note": note})
                db.session.commit()
                flash(_("已接受。") if deciding.accept.data else _("已退回機關重辦。"), "ok")
                return redirect(url_for(".show", case_id=case.id))
        else:
            status = 400
    return page(case, answering, deciding, status)


def page(case: ImprovementCase, answering: AnswerForm, deciding: DecideForm, status: int,
         conflict: dict | None = None):
    """The case with what the check found: the inspector's notes per item and the photos of
    the visit, and each item's answers, the current one first, each with its own photos."""
    shown = evidence.photos_of(case.submission) if case.submission is not None else []
    answered = {i.id: [p for p in shown if p.case_item_id == i.id] for i in case.items}
    return render_template("cases/show.html", case=case, answering=answering,
                           deciding=deciding, titles=titles(), answer_mark=cases.answer_mark,
                           notes=evidence.notes_of(case.submission) if case.submission else {},
                           visit_photos=[p for p in shown if p.case_item_id is None],
                           answer_photos=answered,
                           answers_of={i.id: cases.answers_with_photos(i, answered[i.id])
                                       for i in case.items},
                           conflict=conflict, today=datetime.now(TAIPEI).date()), status
