"""Offices on the web: add one, edit one, switch one off (``views.toggle_office``), or upload
the registry as a CSV that lands whole or not at all, with the same line-by-line report as
``flask offices import``.  The upload is read in memory, never written to disk."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from webapp.platform import audit, uploads
from webapp.platform.extensions import db
from webapp.platform.web import refused
from webapp.platform.web.security import PROGRAMME, roles_required, takes_file
from webapp.platform.web.webforms import StrictForm
from webapp.programme import office_registry
from webapp.programme.admin.views import bp
from webapp.programme.admin.webforms import ToggleForm
from webapp.programme.offices import Office, upsert_offices

MAX_BYTES = 200 * 1024     # a registry of a few hundred offices is a few tens of KB


class OfficeForm(StrictForm):
    code = StringField(_l("代碼（例如 TPH-DAAN）"), validators=[InputRequired(), Length(max=16)])
    name = StringField(_l("名稱"), validators=[InputRequired(), Length(max=100)])
    name_en = StringField(_l("英文名稱"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("類別"), choices=[SelectChoice("household", _l("戶政事務所")),
                                          SelectChoice("land", _l("地政事務所"))])
    city = StringField(_l("縣市"), validators=[Optional(), Length(max=20)])
    district = StringField(_l("區"), validators=[Optional(), Length(max=20)])
    submit = SubmitField(_l("儲存"))


class EditOfficeForm(OfficeForm):
    code = None   # an office's code is what records and reports name it by: it never changes


class ImportForm(StrictForm):
    file = FileField(_l("機關名冊 CSV（UTF-8）"), validators=[FileRequired(_l("請選擇檔案"))])
    submit = SubmitField(_l("匯入"))


def _row(form: OfficeForm, code: str, active: bool) -> tuple[dict | None, str | None]:
    """The form as a registry row, checked by the same rules as the CSV."""
    return office_registry.check({
        "code": code, "name": form.name.data, "kind": form.kind.data, "city": form.city.data,
        "district": form.district.data, "name_en": form.name_en.data,
        "active": "1" if active else "0"})


def page(form: OfficeForm, upload: ImportForm, problems=None, status: int = 200):
    rows = db.session.scalars(select(Office).order_by(Office.kind, Office.code)).all()
    return render_template("admin/offices.html", offices=rows, toggle=ToggleForm(), form=form,
                           upload=upload, problems=problems), status


@bp.route("/offices", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def offices():
    form, upload = OfficeForm(), ImportForm(formdata=None)
    if not form.validate_on_submit():
        return page(form, upload, status=400 if form.is_submitted() else 200)
    office, problem = _row(form, form.code.data, True)
    if problem is None and db.session.scalar(select(Office.id).where(
            Office.code == office["code"])):
        problem = _("代碼 %(code)s 已經有機關使用。", code=office["code"])
    if problem:
        form.code.errors = [problem]
        return page(form, upload, status=400)
    upsert_offices([office])
    audit.record("created", "office", None, {"added": office["code"]})
    db.session.commit()
    flash(_("已新增機關 %(name)s。", name=office["name"]), "ok")
    return redirect(url_for(".offices"))


@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def edit_office(office_id: int):
    place = db.session.get(Office, office_id) or abort(404)
    form = EditOfficeForm(obj=place)
    if form.validate_on_submit():
        office, problem = _row(form, place.code, place.active)
        if problem:
            form.name.errors = [problem]
        else:
            changes = {k: [getattr(place, k), office[k]] for k in
                       ("name", "name_en", "kind", "city", "district")
                       if getattr(place, k) != office[k]}
            if changes:
                upsert_offices([office])
                audit.record("office_changed", "office", place.id, changes)
                db.session.commit()
            flash(_("已更新機關 %(name)s。", name=place.name), "ok")
            return redirect(url_for(".offices"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/office_edit.html", place=place, form=form), status


@bp.post("/offices/import")
@roles_required(*PROGRAMME)
@takes_file
def import_offices():
    """All rows or none; each bad row listed by its line, in the admin's language."""
    upload = ImportForm()
    form = OfficeForm(formdata=None)
    if not upload.validate_on_submit():
        return page(form, upload, status=400)
    raw = upload.file.data.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        refused.upload_refused(raw, "too_large")
        upload.file.errors = [_("檔案超過 200 KB，機關名冊不會這麼大；請確認選對檔案。")]
        return page(form, upload, status=400)
    try:
        rows, problems = office_registry.read(raw)
    except uploads.ImportFileError as error:
        refused.upload_refused(raw, "unreadable")
        upload.file.errors = [str(error)]
        return page(form, upload, status=400)
    if problems or not rows:
        refused.upload_refused(raw, "problems" if problems else "empty", len(problems))
        if not rows and not problems:
            upload.file.errors = [_("檔案裡沒有任何機關。")]
        return page(form, upload, problems=problems, status=400)
    added, updated = upsert_offices(rows)
    audit.record("imported", "offices", None, {"via": "web", "added": added, "updated": updated})
    db.session.commit()
    flash(_("已匯入：新增 %(added)s 個機關，更新 %(updated)s 個。", added=added, updated=updated),
          "ok")
    return redirect(url_for(".offices"))
