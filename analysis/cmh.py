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

__all__ = ["CmhResult", "Homogeneity", "cmh_test", "homogeneity_test"]

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


def _informative_cells(tables: ArrayLike) -> tuple[np.ndarray, ...]:
    """The cells ``a, b, c, d`` of the strata that carry information: all four margins
    positive (an office without answers in a period, or satisfied every time, says nothing)."""
    t = as_count_table(tables, ndim=3, name="tables").astype(np.float64)
    if t.shape[1:] != (2, 2):
        raise ValueError(f"tables must have shape (k, 2, 2), got {t.shape}")
    a, b, c, d = t[:, 0, 0], t[:, 0, 1], t[:, 1, 0], t[:, 1, 1]
    use = (a + b > 0) & (c + d > 0) & (a + c > 0) & (b + d > 0)
    return a[use], b[use], c[use], d[use]


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
    a, b, c, d = _informative_cells(tables)
    big_n = a + b + c + d
    n_strata = len(a)
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


@dataclass(frozen=True, slots=True, eq=False)
class Homogeneity:
    """Breslow-Day test, with Tarone's correction, that every office shares one odds ratio.

    A pooled change means something only when the offices moved alike: four offices changing
    in opposite directions can cancel to a common odds ratio of 1.  ``statistic`` is chi-square
    on ``df = n_strata - 1``; NaN (with ``note``) when fewer than two offices contribute or the
    pooled odds ratio is 0 or infinite.
    """

    statistic: float
    df: int
    pvalue: float
    n_strata: int
    note: str | None


def _expected_a(n1, n2, m1, psi):
    """The count of cell ``a`` each stratum would have at odds ratio ``psi``, its margins
    fixed: the root of ``a (n2 - m1 + a) = psi (n1 - a)(m1 - a)`` inside the margins."""
    low, high = np.maximum(0.0, m1 - n2), np.minimum(n1, m1)
    quad = 1.0 - psi
    lin = n2 - m1 + psi * (n1 + m1)
    const = -psi * n1 * m1
    if abs(quad) < 1e-12:
        return -const / lin
    root = np.sqrt(lin * lin - 4.0 * quad * const)
    first, second = (-lin + root) / (2.0 * quad), (-lin - root) / (2.0 * quad)
    inside = (first >= low - 1e-9) & (first <= high + 1e-9)
    return np.where(inside, first, second)


def homogeneity_test(tables: ArrayLike) -> Homogeneity:
    """Breslow-Day-Tarone test of equal odds ratios over 2 x 2 tables, one per office.

    The strata used are those :func:`cmh_test` uses (all margins positive); the common odds
    ratio is Mantel-Haenszel's.  Equal to statsmodels' ``StratifiedTable.test_equal_odds(
    adjust=True)`` on the same tables.
    """
    a, b, c, d = _informative_cells(tables)
    k = len(a)
    if k < 2:
        return Homogeneity(_NAN, max(k - 1, 0), _NAN, k, "fewer than two offices contribute")
    big_n = a + b + c + d
    top, bottom = float(np.sum(a * d / big_n)), float(np.sum(b * c / big_n))
    if top == 0 or bottom == 0:
        return Homogeneity(_NAN, k - 1, _NAN, k,
                           "the pooled odds ratio is 0 or infinite, so equal odds cannot be tested")
    n1, n2, m1 = a + b, c + d, a + c
    fitted = _expected_a(n1, n2, m1, top / bottom)
    variance = 1.0 / (1.0 / fitted + 1.0 / (n1 - fitted) + 1.0 / (m1 - fitted)
                      + 1.0 / (n2 - m1 + fitted))
    residual = a - fitted
    statistic = float(np.sum(residual**2 / variance)
                      - np.sum(residual) ** 2 / np.sum(variance))   # Tarone (1985)
    return Homogeneity(statistic, k - 1, float(stats.chi2.sf(statistic, k - 1)), k, None)
