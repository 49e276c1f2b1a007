"""An inspection grade over a rolling year, for plans too thin to grade a single period.

A plan of one phone test per office a quarter, or one mystery visit a half-year, never gives an
office ``min_checks`` checks in one period, so the period's table never grades it.  The rolling
year pools the approved checks of the twelve months ending with the report's period: that
period and the periods of the same kind before it (2025H1 and 2025H2 for 2025H2; 2024Q4 to
2025Q3 for 2025Q3).  Mean, interval (clipped to 0-100, none with one check or no spread) and
grade are the period's own, computed the same way from the pooled counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import inspections
from ..periods import Period
from .common import DEFAULT_MIN_CHECKS, OfficeInfo, clean, office_fields
from .inspection import _grade_range, _score_ci


def year_ending(period: Period) -> list[Period]:
    """The periods of ``period``'s kind covering the year that ends with it, oldest first."""
    count = 2 if period.kind == "H" else 4
    periods = [period]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    return periods


def year_label(periods: Sequence[Period], locale: str) -> str:
    """``114年上半年至114年下半年`` / ``2025 H1 (ROC 114) to 2025 H2 (ROC 114)``."""
    first, last = periods[0].label(locale), periods[-1].label(locale)
    return f"{first} to {last}" if locale.startswith("en") else f"{first}至{last}"


def pooled(tables: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checks, sum of scores and sum of squared scores per office over several periods.

    A check belongs to exactly one period of a kind, so the year's counts, sums and sums of
    squares are the periods' added up: the pooled mean and variance are exactly those of all
    the year's checks taken together (nothing is averaged per period first).
    """
    if not tables:
        raise ValueError("a rolling year needs at least one period")
    n, total, total_sq = (np.sum([np.asarray(t[j], dtype=float) for t in tables], axis=0)
                          for j in range(3))
    return n, total, total_sq


def rolling_report(offices: Sequence[OfficeInfo], periods: Sequence[Period],
                   tables: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
                   bands: Sequence[tuple[float, str]], *, locale: str = "zh_TW",
                   min_checks: int = DEFAULT_MIN_CHECKS) -> dict:
    """Per office, the rolling year's checks, mean score, interval and grade.

    ``tables`` holds ``(n, total, total_sq)`` per period of ``periods`` (offices in the
    report's order).  An office is graded with ``min_checks`` checks in the year; its grade is
    marked uncertain (``grade_certain`` false) when the interval's ends fall in two bands.
    """
    if min_checks < 1:
        raise ValueError("min_checks must be at least 1")
    if len(tables) != len(periods):
        raise ValueError("one count table per period")
    n, total, total_sq = pooled(tables)
    summary = inspections.score_summary(n, total, total_sq, bands)
    rows = []
    for i, office in enumerate(offices):
        checks = int(summary.n[i])
        graded = checks >= min_checks
        row = {**office_fields(office), "checks": checks, "graded": graded,
               "score_mean": clean(summary.mean[i]), "score_ci": _score_ci(summary, i),
               "score_ci_note": summary.mean_ci_note[i] if checks else None,
               "grade": summary.grade[i] if graded else None}
        row["grade_range"], row["grade_certain"] = _grade_range(row, bands)
        rows.append(row)
    return {"periods": [str(p) for p in periods], "label": year_label(periods, locale),
            "min_checks": min_checks, "checks": int(np.sum(n)),
            "offices": rows, "offices_graded": sum(r["graded"] for r in rows)}
