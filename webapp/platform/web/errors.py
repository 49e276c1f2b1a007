"""Error pages in the user's language: every failure a person can cause ends in a clear 4xx.

A database that is locked or down answers 503 with a page that says to try again; the survey
page keeps the citizen's answers in the form for that retry (its blueprint's own handler,
``survey/views.py``), and so does an inspector's checklist (``inspect/views.py``).  A database
that cannot even say who is signed in still gets its 503 page, drawn as for a visitor.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from webapp.platform.extensions import db, login_manager
from webapp.platform.web import refused
from webapp.platform.web.security import upload_limit


def page(status: int, title: str, message: str):
    """An error page in the user's language with ``status``."""
    return drawn(lambda: render_template("errors/error.html", status=status, title=title,
                                         message=message)), status


def drawn(show: Callable[[], str]) -> str:
    """An error page drawn even when the database cannot say who is signed in (every page's
    bar asks): then as for a visitor, never a second failure inside the first (a 500)."""
    try:
        return show()
    except DBAPIError:
        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        return show()


def problem(status: int, title: str, detail: str = ""):
    """An error as a problem document (RFC 9457), for the API: machines read it, not people."""
    response = jsonify({"type": "about:blank", "title": title, "status": status,
                        "detail": detail, "instance": request.path})
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return page(400, _("頁面已過期"), _("這個頁面已過期或不是從本網站送出，請重新整理後再填一次。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):  # no route there, or none for this method
            return problem(error.code or 500, error.name, error.description or "")
        messages = {
            400: (_("資料有誤"), _("送出的資料無法辨識，請回上一頁檢查後再送出。")),
            403: (_("沒有權限"), _("您的帳號沒有權限開啟這個頁面。")),
            404: (_("找不到頁面"), _("這個網址不存在，或連結已失效。")),
            405: (_("不支援的操作"), _("這個頁面不接受這種請求。")),
            413: (_("資料太大"), _("送出的資料超過允許的大小。")),
            415: (_("資料格式不支援"), _("請從本網站的表單送出資料。")),
            429: (_("請稍候再試"), _("短時間內送出太多次，請稍候再試。謝謝您的耐心。")),
        }
        code = error.code or 500
        title, message = messages.get(code, (error.name, error.description or ""))
        if code == 413 and request.mimetype == "multipart/form-data":
            view = current_app.view_functions.get(request.endpoint or "")
            if getattr(view, "takes_a_file", False):
                refused.upload_refused(None, "too_large")
            message = _("檔案太大：上傳的檔案最大 %(mb)s MB。請確認選對檔案，或分成幾個檔案上傳。",
                        mb=upload_limit(view) // (1024 * 1024))
        if code != 429 and error.description and error.description != type(error).description:
            message = error.description  # abort(400, description=...) says what exactly was wrong
        return page(code, title, message)

    app.register_error_handler(OperationalError, unavailable)
    app.register_error_handler(DBAPIError, unavailable)


def unavailable(error: Exception, message: str | None = None,
                show: Callable[[], str] | None = None):
    """The database is locked or down: say so, and that trying again later is safe.  A feature
    whose page keeps what was typed says so in its own ``message``, or draws its own page with
    ``show`` (its blueprint's handler)."""
    db.session.rollback()
    if show is not None:
        return drawn(show), 503
    return page(503, _("系統忙碌中"), message or _("系統暫時無法處理這個要求，請稍候再試一次。"))
