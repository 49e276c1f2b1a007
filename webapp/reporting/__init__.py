"""Rows become numbers and numbers become the report: SQL count tables (scanned, or kept for
ended periods as rollups), the half-year report and its files (``/reports``), de-identified
exports and masking.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from webapp.platform import jobs, register_packages
from webapp.platform.jobs import Job

PACKAGES = ('reports',)


def register(app: Flask) -> None:
    from webapp.reporting import retention, rollups  # rollups: follows every write to answers
    from webapp.reporting.themes import reading  # reads each citizen's comment as stored

    register_packages(app, __name__, PACKAGES)
    jobs.add(app, Job("rollups", timedelta(hours=1), rollups.build_ended,
                      "Keep the count tables of every ended period, also after late paper forms."))
    from webapp.reporting.reports import cache
    jobs.add(app, Job("report-cache", timedelta(days=1), cache.forget_old,
                      "Forget reports and charts kept for the servers more than a week ago."))
    jobs.add(app, Job("themes", timedelta(minutes=10), reading.read_all,
                      "Read comments into themes: those stored before a catalogue, and all "
                      "but the corrected ones after a new catalogue version."))
    jobs.add(app, Job("retention", timedelta(days=1), retention.apply,
                      "Mask old comments and delete old evidence and case photos (RETAIN_*_DAYS)."))
