"""What changed since the period compared against, adjusted for looking at every office at once.

With 23 offices and unadjusted 95 % intervals about one office "changes" by chance alone, so
arrows and colours come from Holm-adjusted p-values only.  One omnibus test (Cochran-Mantel-
Haenszel over offices) says whether satisfaction moved overall.  Each office gets its minimum
detectable difference, so that "no significant change" is not read as "no change", and an office
that was low and improved is flagged for regression to the mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import change, cmh, descriptive, effects, pairwise, proportions
from .common import DEFAULT_MIN_N, OfficeInfo, clean, office_fields, pair

ALPHA = 0.05


def change_report(offices: Sequence[OfficeInfo], current: np.ndarray, before: np.ndarray | None,
                  *, min_n: int = DEFAULT_MIN_N) -> dict:
    """``{"change": rows, "change_test": ...}`` for the satisfaction rate, office by office.

    An office is compared only when both periods have at least ``min_n`` answers.
    """
    if before is None:
        before = np.zeros_like(current)
    now = descriptive.describe_arrays(current)
    then = descriptive.describe_arrays(before)
    both = (then.n >= min_n) & (now.n >= min_n)
    judged = np.flatnonzero(both)
    diff = shift = None
    adjusted = np.full(len(offices), np.nan)
    mdd = np.full(len(offices), np.nan)
    if len(judged):
        diff = change.newcombe_diff(then.satisfied[judged], then.n[judged], now.satisfied[judged],
                                    now.n[judged])
        shift = change.mann_whitney_from_counts(before[judged], current[judged])
        adjusted[judged] = pairwise.adjust_pvalues(np.atleast_1d(diff.pvalue), "holm")
        pooled = ((then.satisfied[judged] + now.satisfied[judged])
                  / (then.n[judged] + now.n[judged]))
        mdd[judged] = proportions.minimum_detectable_difference(then.n[judged], now.n[judged],
                                                                pooled)
    low_before = _bottom_third(then.satisfied_rate, judged)
    where = {office: j for j, office in enumerate(judged)}
    rows = []
    for i, office in enumerate(offices):
        row = {**office_fields(office), "before_n": int(then.n[i]), "after_n": int(now.n[i]),
               "reportable": bool(both[i]),
               "before_rate": clean(then.satisfied_rate[i]) if then.n[i] >= min_n else None,
               "after_rate": clean(now.satisfied_rate[i]) if now.n[i] >= min_n else None,
               "diff": None, "diff_ci": [None, None], "p": None, "p_adjusted": None,
               "direction": None, "mdd": None, "regression_to_mean": False,
               "mann_whitney": None}
        if both[i]:
            j = where[i]
            d = float(np.atleast_1d(diff.diff)[j])
            direction = None
            if adjusted[i] < ALPHA:
                direction = "up" if d > 0 else "down"
            row.update(diff=clean(d), diff_ci=pair(np.atleast_1d(diff.ci[0])[j],
                                                   np.atleast_1d(diff.ci[1])[j]),
                       p=clean(float(np.atleast_1d(diff.pvalue)[j])),
                       p_adjusted=clean(adjusted[i]), direction=direction,
                       mdd=clean(mdd[i]), regression_to_mean=bool(low_before[i] and d > 0))
            row["mann_whitney"] = {"U": clean(np.atleast_1d(shift.statistic)[j]),
                                   "p": clean(np.atleast_1d(shift.pvalue)[j]),
                                   "rank_biserial": clean(np.atleast_1d(shift.rank_biserial)[j])}
        rows.append(row)
    tables = _strata(then, now, judged)
    return {"change": rows, "change_test": omnibus_change(then, now, judged),
            "homogeneity": homogeneity(tables)}


def _bottom_third(rates: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """Offices among the lowest third of the earlier period's rates (those judged)."""
    low = np.zeros(rates.shape, dtype=bool)
    if len(judged) >= 3:
        cut = np.quantile(rates[judged], 1 / 3)
        low[judged] = rates[judged] <= cut
    return low


def omnibus_change(then, now, judged: np.ndarray) -> dict | None:
    """Did satisfaction move across all offices?  Cochran-Mantel-Haenszel over offices, each a
    2 x 2 table of period x satisfied; the pooled odds ratio says which way and how much."""
    if len(judged) == 0:
        return None
    result = effects.cmh_test(_strata(then, now, judged))
    return {"test": "Cochran-Mantel-Haenszel", "offices": len(judged),
            "statistic": clean(result.statistic), "p": clean(result.pvalue),
            "odds_ratio": clean(result.odds_ratio), "odds_ratio_ci": pair(*result.odds_ratio_ci)}


def _strata(then, now, judged: np.ndarray) -> np.ndarray:
    """offices x period (before, after) x (satisfied, not)"""
    return np.stack([
        np.stack([then.satisfied[judged], then.n[judged] - then.satisfied[judged]], axis=-1),
        np.stack([now.satisfied[judged], now.n[judged] - now.satisfied[judged]], axis=-1),
    ], axis=1)


def homogeneity(tables: np.ndarray) -> dict | None:
    """Did the offices move alike?  Without it a pooled "no change" can hide offices that
    moved in opposite directions and cancelled out."""
    if len(tables) == 0:
        return None
    result = cmh.homogeneity_test(tables)
    return {"test": "Breslow-Day (Tarone)", "offices": result.n_strata,
            "statistic": clean(result.statistic), "df": result.df, "p": clean(result.pvalue),
            "differs": bool(result.pvalue < ALPHA) if np.isfinite(result.pvalue) else None}


def trend_rows(offices: Sequence[OfficeInfo], periods: Sequence[str], labels: Sequence[str],
               satisfied: np.ndarray, n: np.ndarray, *, min_n: int = DEFAULT_MIN_N) -> list[dict]:
    """Each office's satisfaction rate over the last periods of one kind, oldest first; a period
    with fewer than ``min_n`` answers shows its n and no rate."""
    satisfied, n = np.asarray(satisfied), np.asarray(n)
    if satisfied.shape != n.shape or satisfied.shape != (len(offices), len(periods)):
        raise ValueError("satisfied and n must be offices x periods")
    from ..wilson import wilson_arrays, z_for

    low, high = wilson_arrays(satisfied, n, z_for(0.95))
    rows = []
    for i, office in enumerate(offices):
        points = []
        for t, period in enumerate(periods):
            ok = n[i, t] >= min_n
            points.append({"period": period, "label": labels[t], "n": int(n[i, t]),
                           "rate": clean(satisfied[i, t] / n[i, t]) if ok else None,
                           "ci": pair(low[i, t], high[i, t]) if ok else [None, None]})
        rows.append({**office_fields(office), "points": points})
    return rows
