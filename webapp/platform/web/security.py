"""What guards every page: who may open it (``roles_required``), which requests are refused
before any code sees them (NUL characters, bodies that are not a plain form), and the response
headers: a CSP with no inline script, no framing, HSTS on HTTPS, and ``no-store`` on every
dynamic page so a shared tablet's Back button or cache never shows an earlier person's page.
Static files are named by content (``?v=``) and cached for a year: a survey page then costs one
request, not four, and asks the server for nothing it could log."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache, wraps
from urllib.parse import parse_qsl

from flask import Flask, Response, abort, current_app, request
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.routing import IntegerConverter

from webapp.platform.db import MAX_ROW_ID
from webapp.platform.periods import PeriodConverter

MAX_FIELDS = 300  # the longest checklist has about 30 fields

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


#: who runs the programme: offices, kiosks, instruments, paper forms, QR slips, plans and
#: calibration.  A coordinator does that and manages no accounts, tokens or audit log, and
#: neither files nor decides the checks it plans.
PROGRAMME = ("admin", "coordinator")


def roles_required(*roles: str) -> Callable:
    """Allow only signed-in users with one of ``roles``; others get 403 (anonymous: sign in)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def own_office_or_404(row):
    """A row that belongs to an office (a case, a contact case), as the user may open it: an
    office manager only their own office's; missing or another office's is a 404, which says
    nothing of whether it exists."""
    if row is None or (current_user.role == "office" and row.office_id != current_user.office_id):
        abort(404)
    return row


@cache
def static_version(root: str, filename: str) -> str | None:
    """A short hash of a static file's content; ``None`` for a file that is not there."""
    try:
        with open(os.path.join(root, filename), "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:12]
    except OSError:
        return None


def _refuse_nul() -> None:
    """NUL in a path or a query string is never ours: 404 / 400 before any database sees it
    (PostgreSQL refuses NUL in text where SQLite stores it, so the two would answer differently)."""
    if "\x00" in request.path:
        abort(404)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400, description="網址參數含有無法辨識的字元。")


class RowId(IntegerConverter):
    """``<int:...>`` in every route: a row id from 1 to 2**31 - 1.  A larger number is no row
    (404), rather than an overflow in the database driver (a 500 on SQLite, another error on
    PostgreSQL)."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = 1,  # noqa: A002
                 max: int | None = MAX_ROW_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def private_cache(view: Callable) -> Callable:
    """Let this view's responses say how a signed-in user's own browser may keep them (a
    report's chart, named by its data); every other dynamic page is ``no-store``."""
    view.private_cache = True  # type: ignore[attr-defined]
    return view


def _private_cache_allowed() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "private_cache", False))


def install_converters(app: Flask) -> None:
    """Before any route is added: the routes bind their converters when they are added."""
    app.url_map.converters["int"] = RowId
    app.url_map.converters["period"] = PeriodConverter


def register(app: Flask) -> None:
    app.before_request(_refuse_nul)

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(current_app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.before_request
    def strict_form_encoding() -> None:
        """Refuse form bodies that are not valid UTF-8 (Werkzeug would pass the bytes on as
        literal ``%FF`` text) or that carry an absurd number of fields; refuse any other kind
        of body (multipart, JSON): every form here is a plain one, none takes a file, and a file
        part where a text field is expected would reach the form code as an object, not text."""
        if request.method != "POST":
            return
        view = current_app.view_functions.get(request.endpoint or "")
        if request.mimetype == "multipart/form-data" and getattr(view, "takes_a_file", False):
            # an upload page (``takes_file``): its own cap, its form checks the rest
            request.max_content_length = upload_limit(view)
            return
        if request.mimetype != "application/x-www-form-urlencoded":
            abort(415)
        raw = request.get_data(cache=True)  # form parsing reuses the cached body
        try:
            parse_qsl(raw.decode("ascii"), keep_blank_values=True, strict_parsing=False,
                      encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
        except (UnicodeDecodeError, ValueError):
            abort(400)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint == "static":
            filename = (request.view_args or {}).get("filename", "")
            if response.status_code == 200 and request.args.get("v") and request.args.get(
                    "v") == static_version(current_app.static_folder, filename):
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        elif not (_private_cache_allowed() and "Cache-Control" in response.headers):
            response.headers["Cache-Control"] = "no-store"
        return response


def takes_file(view):
    """Mark a view as an upload page: the only kind that may receive a multipart body.  The
    request is still capped (MAX_UPLOAD_LENGTH), CSRF-checked, and its file read in memory
    by content, never saved under the name the client sent."""
    view.takes_a_file = "MAX_UPLOAD_LENGTH"
    return view


def takes_photo(view):
    """An upload page for a photo: a phone's picture is larger than a spreadsheet, so its cap
    is ``PHOTO_MAX_UPLOAD`` (the photo is re-encoded smaller before it is kept)."""
    view.takes_a_file = "PHOTO_MAX_UPLOAD"
    return view


def upload_limit(view) -> int:
    """The request-size cap of an upload page, in bytes."""
    return current_app.config[getattr(view, "takes_a_file", None) or "MAX_UPLOAD_LENGTH"]


#: how long a preview (an upload checked, waiting for its confirmation) stays valid
PREVIEW_HOURS = 12


def sign_preview(purpose: str, payload: dict) -> str:
    """What a preview page carries to its confirmation, signed with the app's key for this
    ``purpose``: the browser holds it but cannot alter it or use it for another page."""
    return URLSafeTimedSerializer(current_app.secret_key, salt=purpose).dumps(payload)


def read_preview(purpose: str, token: str) -> dict | None:
    """The payload of :func:`sign_preview`, or ``None`` when it was altered, made for another
    purpose, or is older than ``PREVIEW_HOURS``."""
    try:
        return URLSafeTimedSerializer(current_app.secret_key, salt=purpose).loads(
            token, max_age=PREVIEW_HOURS * 3600)
    except BadSignature:  # SignatureExpired included
        return None
