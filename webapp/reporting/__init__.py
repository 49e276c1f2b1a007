"""Rows become numbers and numbers become the report: SQL count tables (scanned, or kept for
ended periods as rollups), the half-year report and its files (``/reports``), de-identified
exports and masking.
"""

from __future__ import annotations

from flask import Flask

from webapp.platform import register_packages

PACKAGES = ('reports',)


def register(app: Flask) -> None:
    from webapp.reporting import rollups  # noqa: F401  (follows every write to the answers)

    register_packages(app, __name__, PACKAGES)
