"""Inspectors' phone-courtesy tests and mystery-shopper visits: drafts, submission, score.

An inspector in the field may lose the connection half-way, so a checklist can be saved as a
draft (answers are still type-checked, missing ones allowed) and finished later.  Submitting
enforces every required item and shows the score, section sub-scores and grade.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from wtforms import SelectChoice
from wtforms.validators import ValidationError

from forms.builder import answers_from_form, form_data_from_answers
from forms.instrument import pick
from forms.scoring import bands_of
from webapp.capture import checklists, evidence
from webapp.capture import store as storage
from webapp.capture.inspect import views_list as record_list
from webapp.capture.inspect.webforms import ConfirmForm, InspectionMeta, PhotoForm, office_choices
from webapp.capture.records import INSPECTION_KEYS, answer_rows, differences, history, titles
from webapp.capture.submissions import Submission
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook
from webapp.platform.i18n import locale_code
from webapp.platform.web import errors, installable, listing
from webapp.platform.web.security import roles_required
from webapp.programme import instruments
from webapp.programme.offices import Office

bp = Blueprint("inspect", __name__, url_prefix="/inspect", template_folder="templates")
#: what the layers above show an inspector above their records (我的任務, calibration rounds to
#: score): each function takes the signed-in user and returns HTML, or "" for nothing
panels = Hook("inspector_panels", "user -> Markup shown on /inspect/ above the records")
#: what to do next, offered on a record just sent (the most urgent of 我的任務)
next_task = Hook("next_task", "user -> Markup offering the inspector's next task, or ''")


@bp.errorhandler(DBAPIError)
def unavailable(error: Exception):
    """The database is down before a posted checklist could even be drawn again (a locked write
    is answered by ``edit_page`` with the checklist itself): what was sent comes back on a page
    that holds it, to send again once the database is back -- the same key, so stored once.
    Only for the poster's own checklist (its CSRF token good); any other request is told to
    try again."""
    if request.method != "POST" or request.endpoint not in ("inspect.new", "inspect.edit"):
        return errors.unavailable(error)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return errors.unavailable(error)
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
    return errors.unavailable(error, show=lambda: render_template(
        "inspect/resend.html", fields=fields, action=request.full_path.rstrip("?"),
        office=request.form.get("office", ""),
        occurred=request.form.get("occurred_at", "").replace("T", " ")))

EDITABLE = checklists.EDITABLE
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def own_record(submission_id: int) -> Submission:
    """The inspector's own record; an admin may open any.  Others get 404, not a hint."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.channel != "inspector":
        abort(404)
    if current_user.role != "admin" and submission.inspector_id != current_user.id:
        abort(404)
    return submission


@bp.get("/sw.js")
def worker():
    """The inspectors' service worker, from here so that its scope is /inspect/ only."""
    return installable.worker("inspect-sw.js")


@bp.get("/manifest.webmanifest")
def manifest():
    """Lets an inspector's tablet put the task list on its home screen, full-screen."""
    return installable.manifest("服務品質查核", "查核", url_for(".index"), url_for(".index"))


@bp.get("/")
@roles_required("inspector", "admin")
def index():
    """The inspector's records, the latest visit or call first; an admin sees everyone's and
    may filter by inspector."""
    admin = current_user.role == "admin"
    offices, inspectors = record_list.offices(), record_list.inspectors() if admin else None
    query = record_list.filtered(record_list.records(), offices, inspectors)
    if not admin:
        query = query.where(Submission.inspector_id == current_user.id)
    page = listing.page(query, record_list.sorts(), default="-occurred", tiebreak=Submission.id)
    # a draft just deleted: the page tells this tablet to drop its copies of it too
    forget = request.args.get("forget", "")
    return render_template("inspect/index.html", listing=page, keys=INSPECTION_KEYS,
                           panels=[p for p in panels.results(current_user) if p],
                           titles=titles(), statuses=record_list.status_labels(),
                           offices=offices, inspectors=inspectors,
                           office_names={c.value: c.label for c in office_choices() if c.value},
                           forget=forget if KEY.fullmatch(forget) else None)


def edit_page(key: str, submission: Submission | None, photo_form: PhotoForm | None = None):
    """The checklist page: shown (GET, or after a refused photo), or posted and saved."""
    showing = request.method == "GET" or photo_form is not None
    if not showing:
        version, instrument = instruments.posted_version(key, request.form.get("version"))
    elif submission is not None:
        version = submission.instrument_version
        instrument = instruments.instrument_of(version)
    else:
        version, instrument = instruments.current(key)
    draft = request.form.get("action") == "draft"
    form_class = instruments.form_class(version, locale_code(), enforce_required=not draft,
                                        base=evidence.form_base(instrument, InspectionMeta))
    if showing and submission is not None:
        form = form_class(formdata=None, data=form_data_from_answers(
            instrument, storage.stored_answers(submission))
            | evidence.form_data(evidence.notes_of(submission)))
        form.office.data = submission.office.code
        form.occurred_at.data = submission.occurred_at.astimezone(TAIPEI).replace(tzinfo=None)
    else:
        form = form_class()
    form.office.choices = office_choices()
    status, conflict = 200, None
    if showing:
        form.idempotency_key.data = submission.idempotency_key if submission else uuid.uuid4().hex
        form.version.data = str(version.id)
        form.revision.data = str(submission.revision if submission else 0)
        if submission is None and request.args.get("office") in {c.value for c in form.office.choices}:
            form.office.data = request.args["office"]   # started from one of 我的任務
        if submission is None:  # most checklists are filled during or right after the visit
            form.occurred_at.data = datetime.now(TAIPEI).replace(second=0, microsecond=0,
                                                                 tzinfo=None)
    elif form.validate_on_submit():
        try:
            outcome = save(key, submission, instrument, version, form, draft)
        except DBAPIError:  # locked or down while storing: the answers back on the page, same key
            db.session.rollback()
            status = 503
        else:
            if not isinstance(outcome, checklists.Conflict):
                return outcome
            status, conflict, submission = 409, outcome, outcome.record
            form.revision.data = str(outcome.record.revision)  # saving again now is a choice
    else:
        status = 400
    return checklist_page(form, instrument, submission, status, conflict, photo_form)


def checklist_page(form, instrument, submission: Submission | None, status: int,
                   conflict=None, photo_form: PhotoForm | None = None):
    return render_template("inspect/form.html", form=form, instrument=instrument,
                           submission=submission, locale=locale_code(), conflict=conflict,
                           unavailable=status == 503,
                           photos=[p for p in evidence.photos_of(submission) if p.case_item_id is None]
                           if submission else [],
                           photo_form=with_items(photo_form or PhotoForm(formdata=None),
                                                 instrument),
                           photo_items=dict(evidence.photo_items(instrument, locale_code()))), status


def with_items(photo_form: PhotoForm, instrument) -> PhotoForm:
    photo_form.item.choices = [SelectChoice("", _("（不指定）"))] + [
        SelectChoice(key, label) for key, label in evidence.photo_items(instrument, locale_code())]
    return photo_form


def compared(instrument, record: Submission, office: Office, occurred: datetime,
             answers: dict) -> list[dict]:
    """Both versions, where they differ: the office and time first, then each answer."""
    rows = []
    if record.office_id != office.id:
        rows.append({"label": _("受查機關"), "before": record.office.name, "after": office.name})
    if record.occurred_at != occurred:
        rows.append({"label": _("查核時間"), "after": occurred.strftime("%Y-%m-%d %H:%M"),
                     "before": record.occurred_at.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M")})
    return rows + differences(instrument, storage.stored_answers(record), answers)


CONFLICTS = {
    "sent": _l("這筆紀錄已經送出，不能再修改；下方列出您這次的內容與已送出內容的差異。"),
    "changed": _l("這筆紀錄在您開啟這個頁面之後已在別處修改過。下方列出兩個版本的差異："
                  "要保留您的版本，請再按一次「儲存草稿」或「送出」；要改用伺服器上的版本，請重新開啟。"),
}


def save(key: str, submission: Submission | None, instrument, version, form, draft: bool):
    """Store the posted checklist (``checklists.save``); a redirect when stored (or already
    stored), the conflict for the page, or a 409 when the key belongs to another record."""
    posted = checklists.Posted(
        key=form.idempotency_key.data,
        office=db.session.scalar(select(Office).where(Office.code == form.office.data)),
        occurred_at=form.occurred_at.data.replace(tzinfo=TAIPEI),
        answers=answers_from_form(instrument, form), notes=evidence.from_form(instrument, form),
        draft=draft, seen=int(form.revision.data or 0))
    try:
        outcome = checklists.save(instrument, version, posted, current_user, record=submission)
    except (checklists.NotThisRecord, storage.KeyTaken):
        db.session.rollback()
        abort(409, description=_("這個頁面的識別碼屬於另一筆紀錄，沒有儲存任何內容。"
                                 "請重新開啟查核表再填寫。"))
    if isinstance(outcome, checklists.Conflict):
        outcome.message = str(CONFLICTS[outcome.why])
        outcome.rows = compared(instrument, outcome.record, posted.office, posted.occurred_at,
                                posted.answers)
        return outcome
    return done(outcome, draft)


def done(record: Submission, draft: bool):
    if draft:
        flash(_("草稿已儲存，可稍後繼續填寫。"), "ok")
        return redirect(url_for(".edit", submission_id=record.id))
    flash(_("已送出，等待審核人員核定。"), "ok")
    return redirect(url_for(".show", submission_id=record.id))


@bp.route("/new/<key>", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def new(key: str):
    if key not in INSPECTION_KEYS:
        abort(404)
    return edit_page(key, None)


@bp.route("/<int:submission_id>/edit", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def edit(submission_id: int):
    submission = own_record(submission_id)
    if submission.status not in EDITABLE:
        flash(_("這筆紀錄已送出，不能再修改。"), "error")
        return redirect(url_for(".show", submission_id=submission.id))
    return edit_page(submission.instrument_key, submission)


@bp.get("/<int:submission_id>")
@roles_required("inspector", "admin")
def show(submission_id: int):
    submission = own_record(submission_id)
    instrument = instruments.instrument_of(submission.instrument_version)
    return render_template("inspect/show.html", submission=submission, instrument=instrument,
                           rows=answer_rows(instrument, submission), bands=bands_of(instrument),
                           events=history(submission), locale=locale_code(), pick=pick,
                           photos=evidence.photos_of(submission),
                           photo_items=dict(evidence.photo_items(instrument, locale_code())),
                           next_up=[n for n in next_task.results(current_user) if n]
                           if submission.status == "submitted" else [])


@bp.route("/<int:submission_id>/delete", methods=["GET", "POST"])
@roles_required("inspector", "admin")
def delete(submission_id: int):
    """Delete one's own draft, after a confirmation page: audited, and refused once the draft
    has been sent (another tab may have sent it meanwhile)."""
    submission = own_record(submission_id)
    if submission.status != "draft":
        flash(_("只有草稿可以刪除；已送出的紀錄由審核人員處理。"), "error")
        return redirect(url_for(".show", submission_id=submission.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        key = submission.idempotency_key
        try:
            checklists.delete_draft(submission)
        except checklists.NotADraft:
            abort(409, description=_("這份草稿剛剛已被送出，沒有刪除。"))
        flash(_("草稿已刪除。"), "ok")
        return redirect(url_for(".index", forget=key))
    instrument = instruments.instrument_of(submission.instrument_version)
    return render_template("inspect/delete.html", submission=submission, form=form,
                           instrument=instrument), 400 if form.is_submitted() else 200


# the photo routes live beside, on this blueprint (inspect.add_photo, inspect.delete_photo)
from webapp.capture.inspect import views_photos  # noqa: E402,F401
