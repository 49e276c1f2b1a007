"""Paper questionnaires on the web: download the blank sheet, upload it filled, see every bad row,
or a preview of what will be stored, and confirm.  The same check as ``flask responses import``
(``paper.check_file``): all rows or none.

The upload waits for its confirmation under instance/ named by its hash (``uploads.keep``); the
confirmation carries that hash signed with the account that previewed it, so nobody confirms
a file they did not see, and the file is checked once more before anything is stored.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import InputRequired

from forms.instrument import pick
from forms.types import get_type
from webapp.capture import store as storage
from webapp.capture.paper import batches as paper
from webapp.capture.paper import blank
from webapp.platform import audit, uploads
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import refused
from webapp.platform.web.security import (
    PROGRAMME,
    read_preview,
    roles_required,
    sign_preview,
    takes_file,
)
from webapp.platform.web.webforms import StrictForm
from webapp.programme import instruments

bp = Blueprint("paper", __name__, url_prefix="/paper", template_folder="templates")
SHOWN = 50                 # rows the preview lists; the counts cover them all

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def survey_choices():
    return [(key, pick(instruments.current(key)[1].definition["title"], locale_code()))
            for key in instruments.fillable_surveys()]


class PaperForm(StrictForm):
    instrument = SelectField(_l("問卷"), validators=[InputRequired()])
    file = FileField(_l("紙本問卷資料（CSV 或 .xlsx）"), validators=[FileRequired(_l("請選擇檔案"))])
    submit = SubmitField(_l("檢查並預覽"))


class ConfirmForm(StrictForm):
    upload = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("確認匯入"))


def _page(form: PaperForm, problems=None, status: int = 200):
    return render_template("paper/index.html", form=form, surveys=survey_choices(),
                           problems=problems), status


def _form(**kwargs) -> PaperForm:
    form = PaperForm(**kwargs)
    form.instrument.choices = survey_choices()
    return form


@bp.get("/")
@roles_required(*PROGRAMME)
def index():
    return _page(_form(formdata=None))


@bp.get("/template/<key>.<fmt>")
@roles_required(*PROGRAMME)
def template(key: str, fmt: str):
    if key not in instruments.fillable_surveys() or fmt not in CONTENT_TYPES:
        abort(404)
    _version, instrument = instruments.current(key)
    body = blank.csv_bytes(instrument) if fmt == "csv" else blank.xlsx_bytes(instrument)
    response = current_app.response_class(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="paper-{key}.{fmt}"'
    return response


@bp.post("/upload")
@roles_required(*PROGRAMME)
@takes_file
def upload():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    raw = form.file.data.read()   # the request is capped at MAX_UPLOAD_LENGTH (security.py)
    try:
        checked = paper.check_file(form.instrument.data, raw)
    except uploads.ImportFileError as error:
        refused.upload_refused(raw, "unreadable")
        form.file.errors = [str(error)]
        return _page(form, status=400)
    if checked.errors:
        refused.upload_refused(raw, "problems", len(checked.errors))
        return _page(form, problems=checked.errors, status=400)
    digest = uploads.keep(raw)
    token = sign_preview("paper-preview", {"key": form.instrument.data, "file": digest,
                                           "by": current_user.id})
    return render_template("paper/preview.html", rows=preview_rows(checked), checked=checked,
                           key=form.instrument.data, confirm=ConfirmForm(formdata=None, upload=token),
                           already=sum(storage.by_key(f"paper-{checked.digest}-{line}") is not None
                                       for line, *_rest in checked.pending),
                           offices=sorted({office.name for _line, office, _day, _answers in checked.pending}))


def preview_rows(checked: paper.Checked) -> dict:
    """The first rows as they will be stored, each answer as a reader sees it."""
    locale = locale_code()
    questions = list(checked.instrument.answered())
    rows = []
    for line, office, day, answers in checked.pending[:SHOWN]:
        shown = [get_type(q["type"]).display(q, answers.get(q["key"]), lambda lbl: pick(lbl, locale))
                 for q in questions]
        rows.append({"line": line, "office": office, "day": day, "answers": shown})
    return {"labels": [pick(q.get("short") or q["label"], locale) for q in questions], "rows": rows}


@bp.post("/confirm")
@roles_required(*PROGRAMME)
def confirm():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    ticket = read_preview("paper-preview", form.upload.data)
    raw = uploads.kept(ticket["file"]) if ticket and ticket.get("by") == current_user.id else None
    if raw is None:
        flash(_("這份預覽已過期或無效，沒有匯入任何資料；請重新上傳檔案。"), "error")
        return redirect(url_for(".index"))
    try:
        checked = paper.check_file(ticket["key"], raw)   # again: offices may have changed since
    except uploads.ImportFileError as error:
        flash(str(error), "error")
        return redirect(url_for(".index"))
    if checked.errors:
        flash(_("檔案在預覽之後不再通過檢查，沒有匯入任何資料；請重新上傳。"), "error")
        return redirect(url_for(".index"))
    result = paper.store(checked)
    audit.record("imported", "responses", None, {"instrument": ticket["key"], "via": "web",
                                                   "stored": result.stored})
    db.session.commit()
    uploads.forget(ticket["file"])
    message = _("已匯入 %(n)s 份紙本問卷。", n=result.stored)
    if result.already:
        message += _("另有 %(n)s 份先前已匯入，沒有重複儲存。", n=result.already)
    flash(message, "ok")
    return redirect(url_for(".index"))
