"""Assemble the report from count tables into one JSON-ready dictionary.

Everything a report shows (the HTML, the spreadsheets, the web page, report.json) is read from
this one structure, so every published number has a single source.  Inputs are count tables
from SQL; outputs are plain lists, floats and strings (NaN becomes ``None``), rates are
fractions in [0, 1] and intervals are ``[low, high]``.  ``survey`` and ``change`` build a
survey's section, ``inspection`` an inspection instrument's (``rolling`` its grades over a
rolling year), ``staff`` the staff survey's part, ``summary`` the sentences on top.
"""

from .change import change_report, trend_rows
from .common import DEFAULT_MIN_CHECKS, DEFAULT_MIN_N, OfficeInfo, clean, pair
from .inspection import InspectionTables, inspection_report
from .rolling import rolling_report, year_ending, year_label
from .staff import staff_report, staff_summary
from .summary import inspection_summary, survey_summary
from .survey import likert_report

__all__ = ["DEFAULT_MIN_CHECKS", "DEFAULT_MIN_N", "InspectionTables", "OfficeInfo",
           "change_report", "clean", "inspection_report", "inspection_summary", "likert_report",
           "pair", "rolling_report", "staff_report", "staff_summary", "survey_summary", "trend_rows", "year_ending",
           "year_label"]
