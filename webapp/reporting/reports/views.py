"""The analysts' page: the semi-annual comparison with period pickers, an office filter, downloads."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from analysis.periods import Period
from forms.instrument import pick
from webapp.platform import audit, spreadsheets
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import listing
from webapp.platform.web.security import private_cache, roles_required
from webapp.programme import instruments
from webapp.programme.offices import OFFICE_KINDS
from webapp.reporting import counts as aggregates
from webapp.reporting import exports
from webapp.reporting.reports import build as reporting
from webapp.reporting.reports import cache, numbers, sheets
from webapp.reporting.reports import files as report_files
from webapp.reporting.reports import quality as quality_flags

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
for _name, _helper in numbers.HELPERS.items():
    bp.add_app_template_global(_helper, _name)
DOWNLOADS = {"json": "application/json", "xlsx": "application/vnd.openxmlformats-officedocument"
             ".spreadsheetml.sheet", "ods": "application/vnd.oasis.opendocument.spreadsheet",
             "html": "text/html", "zip": "application/zip"}


def default_half(halves: list[str]) -> str | None:
    """The latest half-year that has ended (the one being reported on), else the latest."""
    current = str(Period.half_of(datetime.now(TAIPEI)))
    ended = [h for h in halves if h < current]
    return ended[0] if ended else (halves[0] if halves else None)


def params() -> dict:
    args = request.args
    halves = aggregates.periods_with_data()
    period = listing.period(default=default_half(halves) or str(
        Period.half_of(datetime.now(TAIPEI)).previous()))
    compare_to = args.get("compare_to")
    if compare_to:
        compare_to = listing.period("compare_to")
    elif compare_to is None:
        previous = period.previous()
        if previous in aggregates.periods_with_data(quarters=previous.kind == "Q"):
            compare_to = previous
    instrument = args.get("instrument") or "all"
    kind = args.get("kind") or None
    if kind is not None and kind not in OFFICE_KINDS:
        abort(400, description=f"kind 應為 {'、'.join(OFFICE_KINDS)}")
    codes = [c for c in args.getlist("office") if c] or None
    return {"period": period, "compare_to": compare_to or None, "instrument": instrument,
            "kind": kind, "codes": codes}


def comparable(period: Period, periods: list[Period]) -> set[Period]:
    """The periods a report on *period* may be compared with: earlier ones of the same kind."""
    return {p for p in periods if p.kind == period.kind and p < period}


@bp.get("/")
@roles_required("analyst", "admin")
def index():
    p = params()
    halves = aggregates.periods_with_data()
    quarters = aggregates.periods_with_data(quarters=True)
    offices = aggregates.offices()
    try:
        report, _key = cache.report(p)
        error, status = None, 200
    except reporting.ReportError as problem:
        report, error = None, str(problem)
        # a malformed or misordered period is the request's fault; a period without data is
        # just empty
        status = 200 if problem.empty else 400
    # each chart is its own image, drawn when the browser first asks for it
    # the language in the URL too: the browser keeps a chart, and the other language's page
    # must not be shown this one's
    args = request.args.to_dict(flat=False) | {"lang": [locale_code()]}
    charts = {} if report is None else {
        name: url_for(".chart", name=name) + "?" + urlencode(args, doseq=True)
        for name in reporting.chart_names(report)}
    page = render_template("reports/page.html", report=report, charts=charts, error=error,
                           p=p, halves=halves, quarters=quarters, offices=offices,
                           comparable=comparable(p["period"], halves + quarters),
                           kinds=OFFICE_KINDS, office_links=True,
                           keys=reporting.REPORT_KEYS, query=request.query_string.decode(),
                           added=[(k, pick(instruments.current(k)[1].definition["title"], locale_code()))
                                  for k in instruments.added_surveys()])
    # where the report came from: this process's memory, another server's build, or built now
    return page, status, {"Server-Timing": f'report;desc="{cache.source.get()}"'}


@bp.get("/download.<fmt>")
@roles_required("analyst", "admin")
def download(fmt: str):
    if fmt not in DOWNLOADS:
        abort(404)
    p = params()
    try:
        report, _key = cache.report(p)
    except reporting.ReportError as problem:
        status = 404 if problem.empty else 400
        return Response(str(problem), status=status, content_type="text/plain; charset=utf-8")
    name = f"report-{report['period']}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if fmt == "json":
            body = report_files.report_json(report).encode()
        elif fmt in ("xlsx", "ods"):
            writer = spreadsheets.write_xlsx if fmt == "xlsx" else spreadsheets.write_ods
            writer(out / f"r.{fmt}", sheets.tables(report))
            body = (out / f"r.{fmt}").read_bytes()
        else:
            files = report_files.write_all(report, cache.chart_svgs(p), out)
            if fmt == "html":
                body = (out / "report.html").read_bytes()
            else:
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    for path in files:
                        archive.write(path, f"{name}/{path.name}")
                body = buffer.getvalue()
    audit.record("exported", "report", None, {"format": fmt, **{k: v for k, v in p.items() if v}})
    db.session.commit()
    return Response(body, mimetype=DOWNLOADS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.get("/chart/<name>.svg")
@private_cache
@roles_required("analyst", "admin")
def chart(name: str):
    """One chart of the report the same parameters give, as an SVG image (lazily loaded)."""
    try:
        body = cache.chart_svg(params(), name)
    except reporting.ReportError as problem:
        abort(404 if problem.empty else 400, description=str(problem))
    if body is None:
        abort(404)
    tag = cache.etag(body)
    if request.if_none_match.contains(tag):
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    return Response(body, mimetype="image/svg+xml", headers={
        # the analyst's own browser may keep it: the URL names the data (the report's params)
        # and the ETag its content
        "Cache-Control": "private, max-age=600", "ETag": f'"{tag}"'})


@bp.get("/responses.<fmt>")
@roles_required("analyst", "admin")
def responses(fmt: str):
    """A period's de-identified responses to one instrument, for the analyst's own tools."""
    if fmt not in exports.FORMATS:
        abort(404)
    key = request.args.get("instrument") or "satisfaction"
    if key not in instruments.published_keys():
        abort(400, description=_("沒有「%(key)s」這份問卷或查核表", key=key))
    period = listing.period(default="")
    try:
        data = exports.table(key, period, locale_code())
    except exports.ExportError as error:
        abort(403, description=str(error))
    if not data.rows:
        abort(404, description=_("%(period)s 沒有這份問卷的資料", period=period.label(locale_code())))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        exports.write(data, fmt, path)
        body = path.read_bytes()
    audit.record("exported", "responses", None, {"instrument": key, "period": period,
                                                   "format": fmt, "rows": len(data.rows)})
    db.session.commit()
    return Response(body, content_type=exports.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{key}-{period}.{fmt}"',
        "Cache-Control": "no-store"})


@bp.get("/quality")
@roles_required("analyst", "admin")
def quality():
    halves = aggregates.periods_with_data("satisfaction")
    period = listing.period(default=default_half(halves))
    if period is None:
        return render_template("reports/quality.html", result=None, halves=halves, period=None)
    result = quality_flags.flags(period)
    return render_template("reports/quality.html", result=result, halves=halves,
                           quarters=aggregates.periods_with_data("satisfaction", quarters=True),
                           period=result["period"])


# the pages that live in their own modules register on this blueprint
from webapp.reporting.reports import views_catalogue, views_comments, views_office, views_themes  # noqa: E402,F401
