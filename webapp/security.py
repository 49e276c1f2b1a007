"""What guards every page: who may open it (``roles_required``), which bodies a POST may carry,
and the response headers (a CSP with no inline script, no framing, HSTS on HTTPS)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import parse_qsl

from flask import Flask, Response, abort, request
from flask_login import current_user, login_required

MAX_FIELDS = 300  # the longest checklist has about 30 fields

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


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


def register(app: Flask) -> None:
    @app.before_request
    def strict_form_encoding() -> None:
        """Refuse form bodies that are not valid UTF-8 (Werkzeug would pass the bytes on as
        literal ``%FF`` text) or that carry an absurd number of fields; refuse any other kind
        of body (multipart, JSON): every form here is a plain one, none takes a file, and a file
        part where a text field is expected would reach the form code as an object, not text."""
        if request.method != "POST":
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
        return response
