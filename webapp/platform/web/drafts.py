"""What the pages that edit a definition as a workbook share (the instruments, the theme
catalogue): the workbook as a download, the upload form, the form that publishes a signed
preview, and a refused upload kept in the log and said on the page with a 400."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired

from webapp.platform.web import refused
from webapp.platform.web.webforms import StrictForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_download(body: bytes, filename: str) -> Response:
    response = current_app.response_class(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class UploadForm(StrictForm):
    file = FileField(_l("編修後的活頁簿（.xlsx）"), validators=[FileRequired(_l("請選擇檔案"))])
    submit = SubmitField(_l("上傳並預覽"))


class PublishForm(StrictForm):
    draft = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("發布為新版本"))


def refuse(upload: UploadForm, raw: bytes, reason: str, message: str, page: Callable):
    """Log the refused file (never its content), put ``message`` under the file field and show
    the page again with a 400."""
    refused.upload_refused(raw, reason)
    upload.file.errors = [message]
    return page(upload, status=400)
