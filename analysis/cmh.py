"""Did satisfaction change between two periods, office by office?  Cochran-Mantel-Haenszel.

Comparing the pooled rate of two half-years mixes two things: offices changing, and the mix of
offices changing (a large, less satisfied office surveyed more in one period moves the pooled
rate although no office changed; Simpson's paradox).  The CMH test asks the question within
each office and combines the answers, and the Mantel-Haenszel odds ratio is the common change
in the odds of satisfaction, with the Robins-Breslow-Greenland interval.  Counts only.

Convention as in :mod:`analysis.change`: the earlier period is the first row, and the odds
ratio is later versus earlier, so above 1 is an improvement.  Re-exported by
:mod:`analysis.effects`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table
from analysis.wilson import z_for

__all__ = ["CmhResult", "cmh_test"]

_NAN = float("nan")


@dataclass(frozen=True, slots=True, eq=False)
class CmhResult:
    """Cochran-Mantel-Haenszel test of "no change" across offices, with the pooled odds ratio.

    Attributes
    ----------
    statistic, pvalue : float
        CMH chi-square (1 df) without continuity correction.
    odds_ratio : float
        Mantel-Haenszel odds ratio of satisfaction, later period versus earlier (above 1 is an
        improvement): ``sum(b c / N) / sum(a d / N)`` for strata ``[[a, b], [c, d]]``; 0 or inf
        when one of the sums is 0.
    odds_ratio_ci : (float, float)
        Robins-Breslow-Greenland (1986) interval; NaN when the odds ratio is 0 or inf.
    n_strata : int
        Strata (offices) that contributed: all four margins positive.
    note : str or None
        Why a value is NaN, if one is.
    """

    statistic: float
    pvalue: float
    odds_ratio: float
    odds_ratio_ci: tuple[float, float]
    n_strata: int
    note: str | None


def cmh_test(tables: ArrayLike, *, confidence: float = 0.95) -> CmhResult:
    """Cochran-Mantel-Haenszel test and pooled odds ratio over 2 x 2 tables, one per office.

    Parameters
    ----------
    tables : array_like, shape (k, 2, 2)
        Per office: rows are the periods (earlier, later), columns (satisfied, not satisfied).
    confidence : float
        Level of the odds-ratio interval, default 0.95.

    Returns
    -------
    CmhResult
        Strata with a zero margin (an office without answers in a period, or with every answer
        satisfied in both) carry no information and are skipped.  Equal to statsmodels'
        ``StratifiedTable`` (``test_null_odds(correction=False)``, ``oddsratio_pooled``,
        ``oddsratio_pooled_confint``) on the tables with the rows swapped.

    Raises
    ------
    ValueError
        On malformed counts or a shape other than ``(k, 2, 2)``.
    """
    zc = z_for(confidence)
    t = as_count_table(tables, ndim=3, name="tables").astype(np.float64)
    if t.shape[1:] != (2, 2):
        raise ValueError(f"tables must have shape (k, 2, 2), got {t.shape}")
    a, b, c, d = t[:, 0, 0], t[:, 0, 1], t[:, 1, 0], t[:, 1, 1]
    use = (a + b > 0) & (c + d > 0) & (a + c > 0) & (b + d > 0)
    a, b, c, d = a[use], b[use], c[use], d[use]
    big_n = a + b + c + d
    n_strata = int(use.sum())
    if n_strata == 0:
        return CmhResult(_NAN, _NAN, _NAN, (_NAN, _NAN), 0,
                         "no office has answers in both periods and both outcomes")
    expected = (a + b) * (a + c) / big_n
    var = (a + b) * (c + d) * (a + c) * (b + d) / (big_n**2 * (big_n - 1.0))
    stat = float(np.sum(a - expected) ** 2 / np.sum(var))
    # later versus earlier: the standard formulas on [[c, d], [a, b]]
    r_k, s_k = b * c / big_n, a * d / big_n
    p_k, q_k = (b + c) / big_n, (a + d) / big_n
    r, s = float(r_k.sum()), float(s_k.sum())
    note = None
    ci = (_NAN, _NAN)
    if r > 0 and s > 0:
        odds = r / s
        var_log = (np.sum(p_k * r_k) / (2 * r * r) + np.sum(p_k * s_k + q_k * r_k) / (2 * r * s)
                   + np.sum(q_k * s_k) / (2 * s * s))
        half = zc * float(np.sqrt(var_log))
        ci = (float(np.exp(np.log(odds) - half)), float(np.exp(np.log(odds) + half)))
    else:
        odds = 0.0 if s > 0 else float("inf")
        note = "the odds ratio is 0 or infinite, so it has no Robins-Breslow-Greenland interval"
    return CmhResult(stat, float(stats.chi2.sf(stat, 1)), odds, ci, n_strata, note)
