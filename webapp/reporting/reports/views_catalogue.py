"""The theme catalogue's pages (analysts and admins): download a version as a workbook, upload
it edited, see what changed and which recent comments would be read differently, publish.

The checked definition travels to the publish step signed, with the version it was compared
against; publishing refuses if someone published another version in between, so no change is
overwritten unseen.  After publishing, the ``themes`` job reads every uncorrected comment again.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from analysis.themes import diff as catalogue_diff
from analysis.themes.catalogue import check, load_default
from forms.instrument import pick
from webapp.platform import audit, uploads
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import refused
from webapp.platform.web.drafts import PublishForm, UploadForm, refuse, workbook_download
from webapp.platform.web.security import read_preview, roles_required, sign_preview, takes_file
from webapp.programme import themes as catalogues
from webapp.programme.themes import ThemeCatalogueVersion
from webapp.reporting.reports.views import bp
from webapp.reporting.themes import editing, shown

EDITORS = ("analyst", "admin")
MAX_BYTES = 2 * 1024 * 1024   # the catalogue's workbook is some 40 KB




def _page(upload: UploadForm, problems=(), status: int = 200):
    versions = db.session.scalars(select(ThemeCatalogueVersion)
                                  .order_by(ThemeCatalogueVersion.version.desc())).all()
    locale = locale_code()
    lang = "en" if locale.startswith("en") else "zh_TW"
    rows = [(p, p.message[lang]) for p in problems]
    return render_template("reports/themes.html", versions=versions, upload=upload,
                           problems=rows), status


@bp.get("/themes", endpoint="themes")
@roles_required(*EDITORS)
def themes_page():
    return _page(UploadForm(formdata=None))


@bp.get("/themes/v<int:version>.xlsx")
@roles_required(*EDITORS)
def themes_workbook(version: int):
    row = db.session.scalar(select(ThemeCatalogueVersion)
                            .where(ThemeCatalogueVersion.version == version)) or abort(404)
    return workbook_download(editing.xlsx_bytes(row.definition), f"themes-v{version}.xlsx")



@bp.post("/themes/upload")
@roles_required(*EDITORS)
@takes_file
def upload_themes():
    upload = UploadForm()
    if not upload.validate_on_submit():
        return _page(upload, status=400)
    raw = upload.file.data.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return refuse(upload, raw, "too_large",
                      _("檔案超過 2 MB，主題目錄不會這麼大；請確認選對檔案。"), _page)
    current = catalogues.current()
    base, catalogue = current if current else (None, load_default())
    try:
        definition, problems = editing.read(raw, base.version if base else 0)
    except uploads.ImportFileError as error:
        return refuse(upload, raw, "unreadable", str(error), _page)
    if problems:
        refused.upload_refused(raw, "problems", len(problems))
        return _page(upload, problems, status=400)
    audit.record("imported", "theme_workbook", base.id if base else None, {"via": "web"})
    db.session.commit()
    new = check(definition)
    changes = catalogue_diff.compare(catalogue.definition, definition, locale_code())
    read, changed, examples = editing.reread(catalogue, new)
    labels = {t.key: pick(t.label, locale_code()) for t in (*catalogue.themes, *new.themes)}
    draft = sign_preview("themes-preview", {"definition": definition,
                                            "base": base.id if base else None})
    return render_template("reports/themes_preview.html", changes=changes, base=base,
                           read=read, changed=changed, examples=examples, labels=labels,
                           tones=shown.tone_labels(),
                           publish=PublishForm(formdata=None, draft=draft))


@bp.post("/themes/publish")
@roles_required(*EDITORS)
def publish_themes():
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    draft = read_preview("themes-preview", form.draft.data)
    if draft is None:
        flash(_("這份預覽已過期或無效，請重新上傳活頁簿。"), "error")
        return redirect(url_for(".themes"))
    latest = catalogues.latest_version()
    if (latest.id if latest else None) != draft["base"]:
        flash(_("在您預覽之後，已有人發布了主題目錄第 %(version)s 版。沒有發布任何內容；請下載最新版本，"
                "重新修改後再上傳。", version=latest.version if latest else 0), "error")
        return redirect(url_for(".themes"))
    try:
        row = catalogues.publish(draft["definition"])
    except IntegrityError:   # another analyst's publication took this number a moment before
        db.session.rollback()
        flash(_("在您預覽之後，已有人發布了主題目錄第 %(version)s 版。沒有發布任何內容；請下載最新版本，"
                "重新修改後再上傳。", version=catalogues.latest_version().version), "error")
        return redirect(url_for(".themes"))
    if latest is not None and row.id == latest.id:
        flash(_("內容與目前版本相同，沒有產生新版本。"), "ok")
    else:
        flash(_("已發布主題目錄第 %(version)s 版；未經人工修正的意見會在幾分鐘內依新版本重新判讀。",
                version=row.version), "ok")
    return redirect(url_for(".themes"))
