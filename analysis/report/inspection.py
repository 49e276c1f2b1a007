"""An inspection instrument's section of the report: scores, grades, sections, items, change.

A grade for an office and period needs ``min_checks`` checks: with one or two, the office's
"grade" is one afternoon's call.  Below that each check is listed with its own grade and the
office gets 查核次數不足.  An interval needs at least two checks and some spread among them:
three checks of 100 give no interval (``score_ci`` ``[None, None]``, ``score_ci_note``
``"no_spread"``), not [100, 100]; a change between two periods in which every check scored the
same gives none either (``diff_ci_note``).  Intervals stay inside the scale (0 to 100 for a
score, -100 to 100 for a change).  The most-missed items are ordered by the Wilson lower bound,
so one miss in one applicable check does not top the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .. import effects, inspections, pairwise
from ..descriptive import NO_SPREAD, TOO_FEW
from .common import DEFAULT_MIN_CHECKS, OfficeInfo, clean, office_fields, pair

ALPHA = 0.05
#: A change in mean score can run from -100 to 100.
CHANGE_RANGE = (-100.0, 100.0)


@dataclass(frozen=True)
class InspectionTables:
    """Count tables for one inspector instrument in one period (offices in the report's order).

    ``sections``: key → (label, earned per office, possible per office), pooled over checks.
    ``items``: key → (label, passed, failed, not applicable) per office.
    """

    n: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    sections: Mapping[str, tuple[str, np.ndarray, np.ndarray]]
    items: Mapping[str, tuple[str, np.ndarray, np.ndarray, np.ndarray]]


def _score_ci(summary: inspections.ScoreSummary, i: int) -> list:
    """The mean's interval, already clipped to 0-100 by ``score_summary``; None where its note
    says why there is none (fewer than two checks, or no spread)."""
    if summary.mean_ci_note[i] is not None:
        return [None, None]
    return pair(summary.mean_ci_low[i], summary.mean_ci_high[i])


def inspection_report(offices: Sequence[OfficeInfo], tables: InspectionTables,
                      bands: Sequence[tuple[float, str]], *,
                      min_checks: int = DEFAULT_MIN_CHECKS,
                      individual: Mapping[int, Sequence[float]] | None = None,
                      previous: InspectionTables | None = None) -> dict:
    """Mean score, checks, grade and section sub-scores per office; most-missed items overall.

    ``individual`` maps an office's position to its checks' scores, for offices with fewer
    than ``min_checks`` (their checks are listed one by one); ``previous`` holds the earlier
    period's score tables for the change in mean score.
    """
    if min_checks < 1:
        raise ValueError("min_checks must be at least 1")
    checks = float(np.sum(tables.n))
    scored = bool(tables.sections)
    if checks == 0 and scored:
        raise ValueError("no approved checks in this period")
    summary = inspections.score_summary(tables.n, tables.total, tables.total_sq, bands)
    section_pct = {key: inspections.section_scores(earned, possible)
                   for key, (_label, earned, possible) in tables.sections.items()}
    rows = []
    for i, office in enumerate(offices):
        n = int(summary.n[i])
        graded = n >= min_checks
        row = {**office_fields(office), "n": n, "checks": n, "graded": graded,
               "score_mean": clean(summary.mean[i]), "score_sd": clean(summary.sd[i]),
               "score_ci": _score_ci(summary, i),
               "score_ci_note": summary.mean_ci_note[i] if n else None,
               "grade": summary.grade[i] if graded else None,
               "sections": {key: clean(values[i]) for key, values in section_pct.items()},
               "check_grades": None}
        row["grade_range"], row["grade_certain"] = _grade_range(row, bands)
        if 0 < n < min_checks and individual is not None:
            scores = list(individual.get(i, []))
            row["check_grades"] = [{"score": clean(float(s)), "grade": g} for s, g in
                                   zip(scores, inspections.grade_for(scores, bands), strict=True)]
        rows.append(row)
    result = {
        "checks": int(checks), "scored": scored, "min_checks": min_checks,
        "offices_graded": sum(r["graded"] for r in rows),
        "overall": {"score_mean": clean(float(np.sum(tables.total)) / checks) if checks else None},
        "sections": [{"key": k, "label": label} for k, (label, _e, _p) in tables.sections.items()],
        "bands": [[low, label] for low, label in bands],
        "offices": rows, "items": most_missed(tables),
    }
    if previous is not None:
        result["change"] = score_change(offices, previous, tables, min_checks)
    return result


def _grade_range(row: dict, bands: Sequence[tuple[float, str]]) -> tuple[list | None,
                                                                          bool | None]:
    """The grades of the score interval's two ends: a grade whose interval spans two bands
    (丁 from 3 checks at 13.9-92.0) is marked uncertain, never read as a verdict.  ``None``
    when there is no grade or no interval to judge it by."""
    low, high = row["score_ci"]
    if not row["graded"] or low is None or high is None:
        return None, None
    ends = inspections.grade_for([low, high], bands)
    return ends, ends[0] == ends[1]


def most_missed(tables: InspectionTables) -> list[dict]:
    """Checklist items over all offices, the most often missed first (by Wilson lower bound)."""
    keys = list(tables.items)
    if not keys:
        return []
    passed = np.array([tables.items[k][1].sum() for k in keys], dtype=float)
    failed = np.array([tables.items[k][2].sum() for k in keys], dtype=float)
    not_applicable = np.array([tables.items[k][3].sum() for k in keys], dtype=float)
    rates = inspections.item_failure_rates(passed, failed, not_applicable)
    return [{
        "key": keys[j], "label": tables.items[keys[j]][0],
        "failure_rate": clean(rates.failure_rate[j]),
        "failure_ci": pair(rates.ci_low[j], rates.ci_high[j]), "n": int(rates.n_applicable[j]),
        "failed": int(failed[j]), "not_applicable": int(not_applicable[j]),
    } for j in rates.most_missed(by="lower")]


def score_change(offices: Sequence[OfficeInfo], before: InspectionTables,
                 after: InspectionTables, min_checks: int) -> list[dict]:
    """Mean score later minus earlier per office (Welch interval), Holm-adjusted over offices;
    an office is compared when both periods have ``min_checks`` checks.

    The interval is clipped to -100..100.  When every check of both periods scored the same the
    Welch interval has zero width ("0.0 [0.0, 0.0]" from three checks of 100 each half): it is
    left out (``diff_ci`` ``[None, None]``, ``diff_ci_note`` ``"no_spread"``); ``"too_few"``
    when a period has one check only (``min_checks = 1``).
    """
    both = (np.asarray(before.n) >= min_checks) & (np.asarray(after.n) >= min_checks)
    judged = np.flatnonzero(both)
    rows = [{**office_fields(o), "before_checks": int(before.n[i]),
             "after_checks": int(after.n[i]), "reportable": bool(both[i]), "diff": None,
             "diff_ci": [None, None], "diff_ci_note": None, "p": None, "p_adjusted": None,
             "direction": None}
            for i, o in enumerate(offices)]
    if not len(judged):
        return rows
    then, now = (inspections.score_summary(t.n[judged], t.total[judged], t.total_sq[judged])
                 for t in (before, after))
    d = effects.mean_difference(before.n[judged], before.total[judged], before.total_sq[judged],
                                after.n[judged], after.total[judged], after.total_sq[judged])
    p = np.atleast_1d(d.pvalue)
    ok = np.isfinite(p)
    adjusted = np.full(p.shape, np.nan)
    if ok.any():
        adjusted[ok] = pairwise.adjust_pvalues(p[ok], "holm")
    low, high = (np.clip(np.atleast_1d(x), *CHANGE_RANGE) for x in (d.low, d.high))
    for j, i in enumerate(judged):
        diff = float(np.atleast_1d(d.diff)[j])
        direction = ("up" if diff > 0 else "down") if adjusted[j] < ALPHA else None
        note = _change_note(then, now, j)
        rows[i].update(diff=clean(diff), diff_ci_note=note,
                       diff_ci=[None, None] if note else pair(low[j], high[j]),
                       p=clean(p[j]), p_adjusted=clean(adjusted[j]), direction=direction)
    return rows


def _change_note(then: inspections.ScoreSummary, now: inspections.ScoreSummary,
                 j: int) -> str | None:
    """Why a change has no interval: a period with one check, or no spread in either period
    (with spread in one period only, Welch's interval is a real one)."""
    notes = (then.mean_ci_note[j], now.mean_ci_note[j])
    if TOO_FEW in notes:
        return TOO_FEW
    return NO_SPREAD if notes == (NO_SPREAD, NO_SPREAD) else None
