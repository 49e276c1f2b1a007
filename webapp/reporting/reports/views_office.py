"""One office's scorecard for a period: every instrument's result for it on one printable page.

The numbers are the half-year report's own (the same cached report, with every office, so the
funnel verdict, the group letters and the rank interval mean what they mean there); this page
only picks out the office's rows.  It is the page a director opens and prints, and the office
managers (role ``office``) open it for their own office only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web.security import private_cache, roles_required
from webapp.programme.offices import Office
from webapp.reporting import counts as aggregates
from webapp.reporting.reports import build as reporting
from webapp.reporting.reports import cache, office_charts
from webapp.reporting.reports.views import bp, params
from webapp.reporting.themes import examples as theme_examples
from webapp.reporting.themes.examples import top_themes


def _row(rows: list[dict], code: str) -> dict | None:
    return next((r for r in rows if r.get("code") == code), None)


def distinct_from(section: dict, code: str) -> dict[str, list[dict]]:
    """The offices this one's satisfaction can be told apart from, higher and lower: the
    group letters' own pairwise tests, in words a director reads."""
    rows = {r["code"]: r for r in section["offices"]}
    mine = rows.get(code) or {}
    found: dict[str, list[dict]] = {"higher": [], "lower": []}
    for first, second, _p in (section.get("comparison") or {}).get("significant_pairs", []):
        if code not in (first, second):
            continue
        other = rows[second if first == code else first]
        side = "higher" if (mine.get("satisfied_rate") or 0) > (other["satisfied_rate"] or 0) \
            else "lower"
        found[side].append(other)
    return found


def scorecard(report: dict, code: str) -> dict:
    """Per instrument, this office's part of ``report`` (None where it has nothing)."""
    card = {}
    for key, section in report["instruments"].items():
        if section.get("empty"):
            card[key] = {"title": section["title"], "kind": section["kind"], "empty": True,
                         "message": section.get("message")}
            continue
        mine = _row(section["offices"], code)
        part = {"title": section["title"], "kind": section["kind"], "office": mine,
                "overall": section["overall"], "change": _row(section.get("change") or [], code)}
        if section["kind"] == "survey":
            part |= {"min_n": section["min_n"], "item_label": section["item_label"],
                     "trend": _row(section.get("trend") or [], code),
                     "items": [{"label": i["label"], "rate": i["by_office"].get(code),
                                "all": i["satisfied_rate"]} for i in section["items"]],
                     "offices_reportable": section["offices_reportable"],
                     "distinct": distinct_from(section, code),
                     # the offices its chart compares it with: the chart's data table
                     "compared": [r for r in section["offices"] if r["reportable"]],
                     "themes": top_themes(section, code)}
        else:
            rolling = section.get("rolling_year") or {}
            part |= {"sections": section["sections"], "min_checks": section["min_checks"],
                     "bands": section.get("bands"),
                     "rolling": _row(rolling.get("offices") or [], code),
                     "rolling_label": rolling.get("label"),
                     "compared": [r for r in section["offices"] if r["checks"]]}
        card[key] = part
    return card


def staff_card(report: dict, code: str) -> dict | None:
    """The office's staff-survey row under the report's own rules (shown only with at least
    ``STAFF_MIN_N`` answers), or None when the period has no staff survey for it."""
    section = report.get("staff")
    if not section:
        return None
    mine = _row(section.get("offices") or [], code)
    if mine is None:
        return None
    return {"title": section["title"], "open": bool((section.get("round") or {}).get("open")),
            "min_n": section["min_n"], "items": section.get("items") or [], "office": mine,
            "compare_label": section.get("compare_label")}


def _office(code: str) -> Office:
    """The office the URL names, as the signed-in user may see it: an office manager sees only
    their own office, and another's is not there (404, not 403: it does not say it exists)."""
    place = db.session.scalar(select(Office).where(Office.code == code.upper()))
    if current_user.role == "office" and (place is None or place.id != current_user.office_id):
        abort(404)
    if place is None:
        abort(404, description=_("沒有代碼為 %(code)s 的機關", code=code))
    return place


def _chosen() -> dict:
    """The report page's own period and comparison, over every office and instrument: the
    office's rows mean what they mean in the report."""
    return params() | {"instrument": "all", "kind": None, "codes": None}


@bp.get("/office/<code>")
@roles_required("analyst", "admin", "office")
def office(code: str):
    """An office manager opens only their own office's page; another's is not there (404)."""
    place = _office(code)
    chosen = _chosen()
    period = chosen["period"]
    try:
        report, _key = cache.report(chosen)
    except reporting.ReportError as problem:
        report, error = None, str(problem)
    else:
        error = None
    # each chart is its own image, drawn when the browser first asks for it; the period and
    # the language are in its URL, so a kept image is never another period's or language's
    args = request.args.to_dict(flat=False) | {"period": [str(period)], "lang": [locale_code()]}
    charts = {} if report is None else {
        name: url_for(".office_chart", code=place.code, name=name) + "?"
        + urlencode(args, doseq=True) for name in office_charts.names(report, place.code)}
    halves = aggregates.periods_with_data()
    card = scorecard(report, place.code) if report else {}
    examples = theme_examples.examples(place.id, str(period), [
        t["key"] for part in card.values() for t in part.get("themes", [])],
        by_text=current_user.role == "office")
    return render_template(
        "reports/office.html", place=place, period=period, report=report, error=error,
        card=card, charts=charts, examples=examples,
        staff=staff_card(report, place.code) if report else None,
        offices=aggregates.offices(), halves=halves,
        quarters=aggregates.periods_with_data(quarters=True),
        comments_url=url_for(".comments", period=period, office=place.code))


@bp.get("/office/<code>/chart/<name>.svg")
@private_cache
@roles_required("analyst", "admin", "office")
def office_chart(code: str, name: str):
    """One chart of an office's scorecard (``satisfaction_standing``), as an SVG image, for
    exactly those who may open the scorecard; the same period parameters as the page."""
    place = _office(code)
    try:
        body = office_charts.svg(_chosen(), place.code, name)
    except reporting.ReportError as problem:
        abort(404 if problem.empty else 400, description=str(problem))
    if body is None:
        abort(404, description=_("這份成績單沒有這張圖"))
    tag = cache.etag(body)
    if request.if_none_match.contains(tag):
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    return Response(body, mimetype="image/svg+xml", headers={
        # the user's own browser may keep it: the URL names the data and the ETag its content
        "Cache-Control": "private, max-age=600", "ETag": f'"{tag}"'})
