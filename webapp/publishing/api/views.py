"""``/api/v1``: what other systems read, described by ``/api/v1/openapi.json``.

Offices, published periods and published results are public (CORS on, a token optional);
the de-identified responses need a token with the analyst scope.  A token travels as
``Authorization: Bearer sq_…``; no route here looks at the session cookie, and every route is
a GET, so there is no CSRF surface.  Errors are problem documents (RFC 9457).
"""

from __future__ import annotations

import base64
import re

from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from analysis.periods import Period
from forms.catalogue import REPORTED
from webapp.platform import audit
from webapp.platform.extensions import db, limiter
from webapp.platform.web import errors
from webapp.programme import api_tokens
from webapp.publishing.api import formats, openapi, results
from webapp.reporting import counts as aggregates
from webapp.reporting import exports

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC = {"api.document", "api.offices", "api.periods", "api.results_page", "api.variables"}
PAGE_LIMIT = 500
CURSOR = re.compile(r"[A-Za-z0-9_-]{1,24}")
INSTRUMENTS = REPORTED


class Problem(HTTPException):
    """A 4xx with its own title and detail (RFC 9457)."""

    def __init__(self, status: int, title: str, detail: str):
        super().__init__(detail)
        self.code, self.title = status, title


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    return errors.problem(error.code or 500, getattr(error, "title", None) or error.name,
                          error.description or "")


def _bearer() -> str:
    kind, _, text = request.headers.get("Authorization", "").partition(" ")
    return text.strip() if kind.lower() == "bearer" else ""


def _rate_key() -> str:
    """Counted per token (by its hash: the limiter runs before the token is looked up), or
    per address without one."""
    text = _bearer()
    return f"token:{api_tokens.digest(text)[:16]}" if text else f"ip:{request.remote_addr}"


def _rate() -> str:
    return current_app.config["API_RATE_TOKEN" if _bearer() else "API_RATE_ANONYMOUS"]


#: the query parameters each operation takes; any other is a 400, never silently ignored
PARAMETERS = {
    "api.document": set(), "api.offices": {"format"}, "api.periods": {"format"},
    "api.results_page": {"period", "instrument", "office", "format"},
    "api.responses": {"instrument", "period", "office", "cursor", "limit", "format"},
    "api.variables": {"instrument", "period", "format"},
}


def _bad(detail: str):
    raise Problem(400, "Bad Request", detail)


def _csv() -> bool:
    return formats.wants_csv(request.args.get("format"), request.accept_mimetypes, _bad)


@bp.before_request
def known_parameters() -> None:
    allowed = PARAMETERS.get(request.endpoint or "")
    unknown = sorted(set(request.args) - allowed) if allowed is not None else []
    if unknown:
        _bad(f"Unknown query parameter {unknown[0][:40]!r}; this operation takes: "
             + (", ".join(sorted(allowed)) or "none") + ".")


@bp.before_request
def authenticate() -> None:
    """Who is asking: the bearer token, or nobody.  A malformed, unknown or revoked token is
    refused even where none is needed: a caller should learn its token stopped working."""
    g.api_token = None
    if request.headers.get("Authorization"):
        token = api_tokens.find(_bearer())
        if token is None:
            raise Problem(401, "Unauthorized", "The bearer token is unknown or revoked.")
        g.api_token = token
    if request.endpoint not in PUBLIC and request.endpoint is not None:
        if g.api_token is None:
            raise Problem(401, "Unauthorized", "This resource needs a token with the analyst scope.")
        if g.api_token.scope != "analyst":
            raise Problem(403, "Forbidden", "This token's scope does not include raw responses.")


limiter.limit(_rate, key_func=_rate_key)(bp)


@bp.after_request
def finish(response):
    if g.get("api_token") is not None:
        api_tokens.count_use(g.api_token, refused=response.status_code >= 400)
    if request.endpoint in PUBLIC:  # open data: any site may read it
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Headers"] = "Authorization"
        # what is about the list travels in headers: a page on another site may read them
        response.headers["Access-Control-Expose-Headers"] = (
            "Link, X-Next-Cursor, X-Publication-Version, X-Min-N")
    return response


def _choice(name: str, allowed, required: bool = False) -> str | None:
    value = request.args.get(name) or None
    if value is None and required:
        raise Problem(400, "Bad Request", f"The query parameter {name!r} is required.")
    if value is not None and value not in allowed:
        raise Problem(400, "Bad Request", f"{name}={value[:40]!r} is not one of: {', '.join(allowed)}.")
    return value


def _period(required: bool) -> str | None:
    value = request.args.get("period") or None
    if value is None and required:
        raise Problem(400, "Bad Request", "The query parameter 'period' is required.")
    if value is not None and not (Period.is_valid(value) and Period.parse(value).kind == "H"):
        raise Problem(400, "Bad Request", f"period={value[:40]!r} is not a half-year such as 2025H2.")
    return value


@bp.get("/openapi.json")
def document():
    return jsonify(openapi.document())


@bp.get("/offices")
def offices():
    return formats.answer([{"code": o.code, "name": o.name, "name_en": o.name_en, "kind": o.kind,
                            "city": o.city} for o in aggregates.offices()],
                          csv_wanted=_csv(), name="offices",
                          columns=["code", "name", "name_en", "kind", "city"])


@bp.get("/periods")
def periods():
    return formats.answer(results.periods(), csv_wanted=_csv(), name="periods",
                          columns=["period", "latest_version", "published_at", "corrections"])


@bp.get("/results")
def results_page():
    """The survey's and the inspections' published cells of a half-year, one record each."""
    period = _period(required=True)
    instrument = _choice("instrument", INSTRUMENTS)
    office = request.args.get("office") or None
    csv_wanted = _csv()
    found = results.published(period, instrument, office)
    if found is None:
        raise Problem(404, "Not Found", f"{period} has not been published.")
    records = found["survey"] + found["inspections"]
    return formats.answer(records, csv_wanted=csv_wanted, name=f"results-{period}",
                          columns=formats.columns_of(records, results.FIRST_COLUMNS),
                          headers={"X-Publication-Version": str(found["version"]),
                                   "X-Min-N": str(found["min_n"])})


def _cursor() -> int:
    text = request.args.get("cursor") or ""
    if not text:
        return 0
    try:
        if not CURSOR.fullmatch(text):
            raise ValueError
        value = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        if not value.startswith("r") or not value[1:].isdigit():
            raise ValueError
        return int(value[1:])
    except ValueError:
        raise Problem(400, "Bad Request", "The cursor is not one this API gave out.") from None


def _next_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{last_id}".encode()).decode().rstrip("=")


def _limit() -> int:
    text = request.args.get("limit") or "100"
    if not re.fullmatch(r"[0-9]{1,4}", text) or not 1 <= int(text) <= PAGE_LIMIT:
        raise Problem(400, "Bad Request", f"limit must be a whole number from 1 to {PAGE_LIMIT}.")
    return int(text)


@bp.get("/responses")
def responses():
    instrument = _choice("instrument", INSTRUMENTS, required=True)
    period = _period(required=True)
    office = request.args.get("office") or None   # an unknown code matches nothing
    after, limit = _cursor(), _limit()
    csv_wanted = _csv()
    table = exports.table(instrument, period, office=office, after=after, limit=limit + 1)
    rows = table.rows[:limit]
    names = [v.name for v in table.variables]
    token = g.api_token   # an export like the web's: who, what, which filters, how many rows
    audit.record("exported", "responses", None, {
        "instrument": instrument, "period": period, "office": office, "after": after,
        "rows": len(rows), "via": "api", "token": token.id, "token_name": token.name},
        who=f"api:{token.prefix}")
    db.session.commit()
    headers = {}
    if len(table.rows) > limit:
        cursor = _next_cursor(rows[-1][0])
        following = url_for(".responses", _external=True,
                            **{**request.args.to_dict(), "cursor": cursor})
        headers = {"X-Next-Cursor": cursor, "Link": f'<{following}>; rel="next"'}
    return formats.answer([dict(zip(names, row, strict=True)) for row in rows],
                          csv_wanted=csv_wanted, name=f"{instrument}-{period}", columns=names,
                          headers=headers)


@bp.get("/variables")
def variables():
    """The responses' columns with their labels (what a SAV file carries), one record each."""
    instrument = _choice("instrument", INSTRUMENTS, required=True)
    period = _period(required=True)
    table = exports.table(instrument, period, limit=0)
    return formats.answer([{"name": v.name, "label": v.label, "kind": v.kind}
                           for v in table.variables], csv_wanted=_csv(),
                          name=f"{instrument}-{period}-variables", columns=["name", "label", "kind"])
