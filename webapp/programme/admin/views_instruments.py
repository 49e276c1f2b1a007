"""Instruments edited in a spreadsheet: download the XLSForm workbook, upload it edited (or an
XLSForm from Kobo or ODK, which becomes a new survey), see the form as its users will and what
changed, then publish it as a new version.

Nothing is published from the upload itself.  The checked definition travels to the preview page
signed (it cannot be altered on the way) with the version it was compared against; publishing
refuses if someone published another version in between, so no change is overwritten unseen.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import Form, SubmitField

from forms import compat
from forms import diff as instrument_diff
from forms.builder import build_form
from forms.instrument import DEFAULT_KEYS, check, load_default
from forms.workbook import Problem
from webapp.platform import audit, uploads
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import refused
from webapp.platform.web.drafts import PublishForm, UploadForm, refuse, workbook_download
from webapp.platform.web.security import (
    PROGRAMME,
    read_preview,
    roles_required,
    sign_preview,
    takes_file,
)
from webapp.platform.web.webforms import StrictForm
from webapp.programme import instruments
from webapp.programme.admin import workbooks
from webapp.programme.admin.views import bp
from webapp.programme.instruments import InstrumentVersion

MAX_BYTES = 1024 * 1024     # an instrument's workbook is some 10 KB; a megabyte is a wrong file




class SyncForm(StrictForm):
    submit = SubmitField(_l("發布內建版本"))


def _versions():
    return db.session.scalars(select(InstrumentVersion).order_by(
        InstrumentVersion.key, InstrumentVersion.version.desc())).all()


def _page(upload: UploadForm, problems=None, status: int = 200):
    """``problems``: (problem, column letter) pairs to list above the upload."""
    rows = list(problems or ())
    versions = _versions()
    unpublished = [k for k in DEFAULT_KEYS if k not in {v.key for v in versions}]
    keys = [*DEFAULT_KEYS, *sorted({v.key for v in versions} - set(DEFAULT_KEYS))]
    return render_template("admin/instruments.html", versions=versions, keys=keys,
                           upload=upload, problems=rows, unpublished=unpublished,
                           sync=SyncForm(formdata=None)), status


@bp.get("/instruments", endpoint="instruments")
@roles_required(*PROGRAMME)
def instruments_page():
    return _page(UploadForm(formdata=None))


@bp.post("/instruments/sync")
@roles_required(*PROGRAMME)
def sync_instruments():
    """Publish the shipped instruments that have no version yet (as ``flask instruments
    sync`` does on the command line): a new installation's first step, audited."""
    if not SyncForm().validate_on_submit():
        abort(400)
    published = {v.key for v in _versions()}
    made = [instruments.publish(load_default(k).definition) for k in DEFAULT_KEYS
            if k not in published]
    flash(_("已發布 %(n)s 份內建的問卷與查核表。", n=len(made)), "ok")
    return redirect(url_for(".instruments"))


@bp.get("/instruments/<key>.xlsx")
@roles_required(*PROGRAMME)
def instrument_workbook(key: str):
    if key not in instruments.published_keys():
        abort(404)
    row, _instrument = instruments.current(key)
    number = request.args.get("version", "")
    if number:
        if not number.isdigit():
            abort(400)
        row = db.session.scalar(select(InstrumentVersion).where(
            InstrumentVersion.key == key, InstrumentVersion.version == int(number))) or abort(404)
    return workbook_download(workbooks.xlsx_bytes(row.definition), f"{key}-v{row.version}.xlsx")



@bp.post("/instruments/upload")
@roles_required(*PROGRAMME)
@takes_file
def upload_instrument():
    """Check the whole workbook; list every problem by sheet, row and column, or preview."""
    upload = UploadForm()
    if not upload.validate_on_submit():
        return _page(upload, status=400)
    raw = upload.file.data.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return refuse(upload, raw, "too_large",
                      _("檔案超過 1 MB，問卷活頁簿不會這麼大；請確認選對檔案。"), _page)
    try:
        read = workbooks.Upload(raw, upload.file.data.filename)
    except uploads.ImportFileError as error:
        return refuse(upload, raw, "unreadable", str(error), _page)
    definition, problems = read.definition, read.refusals
    base = current = None
    if definition is not None:
        problems = _refusals(read)
        if not problems and instruments.latest_version(definition["key"]) is not None:
            base, current = instruments.current(definition["key"])
    if problems:
        refused.upload_refused(raw, "problems", len(problems))
        return _page(upload, read.located(problems + read.ignored), status=400)
    key = definition["key"]
    audit.record("imported", "instrument_workbook", base.id if base else None,
                 {"via": "web", "instrument": key, "new": base is None})
    db.session.commit()
    draft = sign_preview("instrument-preview", {"definition": definition,
                                                "base": base.id if base else None})
    return preview(definition, base, current, PublishForm(formdata=None, draft=draft),
                   ignored=read.located(read.ignored))


def _refusals(read: workbooks.Upload) -> list[Problem]:
    """Why a readable workbook cannot become a version: its kind (a new key that is not a
    survey, a changed kind), or answers it would break."""
    definition = read.definition
    if reason := instruments.kind_refusal(definition):
        return [Problem("settings", 2, "kind", reason)]
    return read.breaks(locale_code())


def preview(definition: dict, base: InstrumentVersion | None, current, publish: PublishForm,
            status=200, ignored=()):
    """The form as its users will see it, what changed (for a new survey: every question is
    new), and what of the upload was left out."""
    instrument = check(definition)
    form = build_form(instrument, locale_code(), base=Form)()
    before = current.definition if current is not None else {**definition, "sections": []}
    changes = instrument_diff.compare(before, definition, locale_code())
    return render_template("admin/instrument_preview.html", instrument=instrument, form=form,
                           changes=changes, base=base, publish=publish, ignored=ignored), status


@bp.post("/instruments/publish")
@roles_required(*PROGRAMME)
def publish_instrument():
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    draft = read_preview("instrument-preview", form.draft.data)
    if draft is None:
        flash(_("這份預覽已過期或無效，請重新上傳活頁簿。"), "error")
        return redirect(url_for(".instruments"))
    definition = draft["definition"]
    latest = instruments.latest_version(definition["key"])
    if (latest.id if latest else None) != draft["base"]:
        flash(_("在您預覽之後，已有人發布了 %(key)s v%(version)s。沒有發布任何內容；請下載最新版本，"
                "重新修改後再上傳。", key=latest.key, version=latest.version), "error")
        return redirect(url_for(".instruments"))
    try:
        row = instruments.publish(definition)
    except compat.Incompatible as error:   # checked at upload; a changed rule since is said
        flash(" ".join(b.message for b in error.breaks), "error")
        return redirect(url_for(".instruments"))
    if latest is not None and row.id == latest.id:
        flash(_("內容與目前版本相同，沒有產生新版本。"), "ok")
    else:
        flash(_("已發布 %(key)s v%(version)s；之後的紀錄使用新版本，已送出的紀錄保留原版本。",
                key=row.key, version=row.version), "ok")
    return redirect(url_for(".instruments"))
