"""Reports and their charts, built once and kept while the data they come from are unchanged.

The key holds everything a report depends on: its parameters, the language, the thresholds and a
fingerprint of the data (records, offices, instrument versions), so a cached report never goes
stale.  A chart is drawn the first time it is asked for and kept beside its report: the page
itself never waits for a chart.

Two levels: each process keeps its latest reports in memory, and every report and chart also
goes into the database (``report_cache``), so with several app servers a report built on one is
read, not built again, on the others (``source`` says which happened, for ``Server-Timing``).
A report is kept as its report.json text: what a process holds is exactly what the others read.
The ``report-cache`` job forgets entries after ``SHARED_DAYS``; a changed fingerprint makes
new keys long before that.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import LargeBinary, String, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from analysis import charts
from webapp.capture.staff.models import StaffBallot, StaffRound
from webapp.capture.submissions import Submission
from webapp.cycle.calibration.models import CalibrationScore
from webapp.cycle.cases.models import ImprovementCase
from webapp.cycle.contacts.models import ContactCase
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Office
from webapp.reporting.reports import build, files
from webapp.reporting.themes.models import CommentCode

REPORTS = 8  # reports kept per process
SHARED_DAYS = 7  # days a shared entry is kept
_reports: OrderedDict[tuple, tuple[dict, dict[str, bytes]]] = OrderedDict()
_lock = threading.Lock()
#: where the last report came from in this request: "memory", "shared" or "built"
source: ContextVar[str] = ContextVar("report_source", default="built")


class CachedReport(db.Model):
    """A report (``name`` "") or one of its charts (``name`` the chart's), by its key's hash."""

    __tablename__ = "report_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def _shared(key: tuple, name: str = "") -> bytes | None:
    row = db.session.get(CachedReport, (_hash(key), name))
    return None if row is None else row.body


def _share(key: tuple, name: str, body: bytes) -> None:
    """Keep ``body`` for the other servers; one that got there first has kept the same."""
    try:
        with db.session.begin_nested():
            db.session.add(CachedReport(key=_hash(key), name=name, body=body))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def _hash(key: tuple) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()


def forget_old() -> int:
    """The ``report-cache`` job: shared entries older than ``SHARED_DAYS``."""
    return db.session.execute(delete(CachedReport).where(
        CachedReport.created_at < utcnow() - timedelta(days=SHARED_DAYS))).rowcount


def fingerprint() -> tuple:
    """Changes whenever a record is added or edited, an office is renamed or switched on or off,
    an instrument version is published, a staff round opens, takes an answer or closes, a
    comment is read into themes or corrected, or a contact case opens or moves, so cached
    reports never go stale."""
    records = tuple(db.session.execute(
        select(func.count(), func.max(Submission.updated_at))).one())
    offices = hashlib.sha256(repr(tuple(db.session.execute(   # the same in every process
        select(Office.id, Office.code, Office.name, Office.name_en, Office.kind, Office.active)
        .order_by(Office.id)))).encode()).hexdigest()
    followups = tuple(db.session.execute(   # a case answered or closed changes the report
        select(func.count(), func.max(ImprovementCase.updated_at))).one()) + tuple(
        db.session.execute(select(func.count(), func.max(ContactCase.updated_at))).one())
    calibrated = db.session.scalar(select(func.max(CalibrationScore.id)))   # a new ICC
    # a staff round opened or closed, a sealed answer (the open round's counts)
    staff = tuple(db.session.execute(select(func.count(StaffRound.id), func.max(
        StaffRound.closed_at))).one()) + (db.session.scalar(
            select(func.count()).select_from(StaffBallot)),)
    # comments read (again, batch by batch, after a new catalogue) or corrected by an analyst
    themes = tuple(db.session.execute(select(
        func.count(), func.sum(CommentCode.catalogue_version_id),
        func.max(CommentCode.corrected_at))).one())
    return (*records, offices, db.session.scalar(select(func.max(InstrumentVersion.id))),
            *followups, calibrated, *staff, *themes)


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
            source.set("memory")
            return _reports[key][0], key
    kept = _shared(key)
    if kept is not None:
        made = json.loads(kept)
        source.set("shared")
    else:
        built = build.build(p["period"], p["instrument"], p["compare_to"], p["kind"], p["codes"],
                            locale=locale_code(), **build.thresholds(current_app.config))
        body = files.report_json(built).encode()
        made = json.loads(body)      # as every other server will read it
        _share(key, "", body)
        source.set("built")
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
    svg = _shared(key, name)
    if svg is None:
        figure = build.figure(made, name)
        svg = b"" if figure is None else charts.to_svg(figure, text=True).encode("utf-8")
        _share(key, name, svg)
    with _lock:
        if key in _reports:
            _reports[key][1][name] = svg
    return svg


def etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def clear() -> None:
    with _lock:
        _reports.clear()
