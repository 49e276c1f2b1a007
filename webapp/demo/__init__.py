"""Demo data for a first look (``flask demo-data``): Taipei's household offices, New Taipei's land
offices, one account per role and two half-years of answers and checks.  The top of the house:
it uses every layer below it.
"""

from __future__ import annotations

from flask import Flask

from webapp.platform import register_packages


def register(app: Flask) -> None:
    register_packages(app, "webapp", ("demo",))
