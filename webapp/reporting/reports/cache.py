"""Reports and their charts, built once and kept while the data they come from are unchanged.

The key holds everything a report depends on: its parameters, the language, the thresholds and a
fingerprint of the data (records, offices, instrument versions), so a cached report never goes
stale.  A chart is drawn the first time it is asked for and kept beside its report: the page
itself never waits for a chart.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator

from flask import current_app
from sqlalchemy import func, select

from analysis import charts
from webapp.capture.staff.models import StaffBallot, StaffRound
from webapp.capture.submissions import Submission
from webapp.cycle.calibration.models import CalibrationScore
from webapp.cycle.cases.models import ImprovementCase
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Office
from webapp.reporting.reports import build

REPORTS = 8  # reports kept per process
_reports: OrderedDict[tuple, tuple[dict, dict[str, bytes]]] = OrderedDict()
_lock = threading.Lock()


def fingerprint() -> tuple:
    """Changes whenever a record is added or edited, an office is renamed or switched on or off,
    an instrument version is published, or a staff round opens, takes an answer or closes, so
    cached reports never go stale."""
    records = tuple(db.session.execute(
        select(func.count(), func.max(Submission.updated_at))).one())
    offices = hash(tuple(db.session.execute(
        select(Office.id, Office.code, Office.name, Office.name_en, Office.kind, Office.active)
        .order_by(Office.id))))
    followups = tuple(db.session.execute(   # a case answered or closed changes the report
        select(func.count(), func.max(ImprovementCase.updated_at))).one())
    calibrated = db.session.scalar(select(func.max(CalibrationScore.id)))   # a new ICC
    # a staff round opened or closed, a sealed answer (the open round's counts)
    staff = tuple(db.session.execute(select(func.count(StaffRound.id), func.max(
        StaffRound.closed_at))).one()) + (db.session.scalar(
            select(func.count()).select_from(StaffBallot)),)
    return (*records, offices, db.session.scalar(select(func.max(InstrumentVersion.id))),
            *followups, calibrated, *staff)


def _key(p: dict) -> tuple:
    limits = build.thresholds(current_app.config)
    return (tuple(sorted((k, str(v)) for k, v in p.items())), locale_code(), fingerprint(),
            tuple(sorted(limits.items())))


def report(p: dict) -> tuple[dict, tuple]:
    """The report for the page's parameters, and its cache key (raises ``build.ReportError``)."""
    key = _key(p)
    with _lock:
        if key in _reports:
            _reports.move_to_end(key)
            return _reports[key][0], key
    made = build.build(p["period"], p["instrument"], p["compare_to"], p["kind"], p["codes"],
                       locale=locale_code(), **build.thresholds(current_app.config))
    with _lock:
        _reports[key] = (made, {})
        while len(_reports) > REPORTS:
            _reports.popitem(last=False)
    return made, key


def chart_svg(p: dict, name: str) -> bytes | None:
    """One chart of the report as SVG (text as text), drawn on first request; None if the
    report has no such chart."""
    made, key = report(p)
    if name not in build.chart_names(made):
        return None
    return _drawn(made, key, name)


def chart_svgs(p: dict) -> Iterator[tuple[str, str]]:
    """Every chart of the report as ``(name, SVG text)``, each drawn only if the page has not
    drawn it already (a download after viewing the page costs no drawing at all).  The report
    and its key are looked up once, not once per chart."""
    made, key = report(p)
    for name in build.chart_names(made):
        svg = _drawn(made, key, name)
        if svg:
            yield name, svg.decode("utf-8")


def _drawn(made: dict, key: tuple, name: str) -> bytes:
    """The chart as kept beside its report, drawn now if it is not there yet."""
    with _lock:
        drawn = _reports.get(key, (None, {}))[1]
        if name in drawn:
            return drawn[name]
    figure = build.figure(made, name)
    svg = b"" if figure is None else charts.to_svg(figure, text=True).encode("utf-8")
    with _lock:
        if key in _reports:
            _reports[key][1][name] = svg
    return svg


def etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def clear() -> None:
    with _lock:
        _reports.clear()
