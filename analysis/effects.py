"""Tests that survive unequal offices, and intervals for the effect sizes a report quotes.

The omnibus tests of :mod:`analysis.omnibus` assume what survey data rarely give: one-way ANOVA
assumes every office has the same variance, yet a small office where everyone ticks 5 and a
large, divided one are the norm.  Welch's ANOVA does not.  A report also quotes effect sizes
(Cramér's V, Cronbach's alpha) as bare numbers, which invites over-reading a V of 0.12 from 40
answers; the intervals here are the cheap, published ones that need only the statistic and the
sizes.  Finally, "did satisfaction change between two half-years across offices" is one
stratified question, the Cochran-Mantel-Haenszel test, and "did the inspection score change"
a Welch t interval from per-period sums.  Everything works from counts or SQL sums.  (The
Cochran-Mantel-Haenszel test lives in :mod:`analysis.cmh` to keep modules short and is
re-exported here.)

Convention as in :mod:`analysis.change`: the earlier period comes first and effects are
"later versus earlier", so a positive difference or an odds ratio above 1 is an improvement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

from analysis.arrays import as_count_table, as_float_scalar_or_array, as_level_values
from analysis.cmh import CmhResult, cmh_test
from analysis.omnibus import NOTE_IDENTICAL, NOTE_TOO_FEW
from analysis.wilson import check_confidence

__all__ = [
    "CmhResult",
    "MeanDifference",
    "WelchAnovaResult",
    "cmh_test",
    "cramers_v_interval",
    "cronbach_alpha_interval",
    "mean_difference",
    "welch_anova_from_counts",
]

_NAN = float("nan")


def _whole(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer of at least {minimum}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Welch's ANOVA
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class WelchAnovaResult:
    """Welch's (1951) heteroscedastic one-way ANOVA across offices.

    Attributes
    ----------
    statistic : float
        Welch's F.  NaN (with a ``note``) when fewer than two offices can take part.
    df_between, df_within : float
        ``k - 1`` and Welch's ``(k^2 - 1) / (3 sum (1 - w_i/W)^2 / (n_i - 1))``.
    pvalue : float
        Upper tail of F(df_between, df_within).
    note : str or None
        Which offices were left out and why, or why the statistic is NaN.
    n_groups : int
        Offices that took part.
    left_out : numpy.ndarray of int
        Indices of offices with answers that were left out (one answer, or all answers on one
        level).  Offices without answers are dropped silently, as in :mod:`analysis.omnibus`.
    means : numpy.ndarray, shape (k,)
        Mean value per office (NaN without answers).
    """

    statistic: float
    df_between: float
    df_within: float
    pvalue: float
    note: str | None
    n_groups: int
    left_out: np.ndarray
    means: np.ndarray


def welch_anova_from_counts(counts: ArrayLike, values: ArrayLike | None = None) -> WelchAnovaResult:
    """Welch's one-way ANOVA from an office x level count table.

    With weights ``w_i = n_i / s_i^2`` and ``W = sum w_i``, the weighted grand mean is
    ``m = sum w_i xbar_i / W``, ``A = sum w_i (xbar_i - m)^2 / (k - 1)``,
    ``lam = sum (1 - w_i / W)^2 / (n_i - 1)`` and ``F = A / (1 + 2 (k - 2) lam / (k^2 - 1))``
    on ``k - 1`` and ``(k^2 - 1) / (3 lam)`` degrees of freedom; this equals
    ``statsmodels.stats.oneway.anova_oneway(..., use_var="unequal", welch_correction=True)``.

    The weights need a non-zero variance, so offices with a single answer and offices whose
    answers are all on one level (zero variance: a small office where everyone answered 5) are
    left out, and ``note`` says how many.  Returning NaN instead would let one uniform office
    among 400 silence the test; leaving it out keeps the test, and the report can still show
    that office's mean.

    Parameters
    ----------
    counts : array_like, shape (k, L)
        Answers per office and level (ascending value order).
    values : array_like, shape (L,), optional
        Value of each level; default ``1..L``.

    Returns
    -------
    WelchAnovaResult

    Raises
    ------
    ValueError
        On malformed counts or level values.
    """
    c = as_count_table(counts, ndim=2)
    v = as_level_values(values, c.shape[1])
    n = c.sum(axis=1)
    cf = c.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(n > 0, cf @ v / n, np.nan)
        var = np.sum(cf * (v[None, :] - means[:, None]) ** 2, axis=1) / (n - 1.0)
    spread = (c > 0).sum(axis=1) >= 2  # exact test for zero variance
    keep = (n >= 2) & spread
    left_out = np.flatnonzero((n > 0) & ~keep)
    k = int(keep.sum())
    notes = []
    if np.any(n == 1):
        notes.append(f"{int(np.sum(n == 1))} office(s) with a single answer")
    if np.any((n >= 2) & ~spread):
        notes.append(f"{int(np.sum((n >= 2) & ~spread))} office(s) with all answers on one level")
    note = (" and ".join(notes) + " left out: Welch's test weights offices by n / variance"
            if notes else None)

    def result(f: float, df1: float, df2: float, p: float, why: str | None) -> WelchAnovaResult:
        return WelchAnovaResult(f, df1, df2, p, why, k, left_out, means)

    if k < 2:
        if (c.sum(axis=0) > 0).sum() < 2:
            why = NOTE_IDENTICAL
        elif np.sum(n > 0) < 2:
            why = NOTE_TOO_FEW
        else:
            why = "fewer than two offices have two or more answers that vary"
        return result(_NAN, _NAN, _NAN, _NAN, why if note is None else f"{why}; {note}")
    nk, mk, vk = n[keep].astype(np.float64), means[keep], var[keep]
    w = nk / vk
    big_w = w.sum()
    grand = float(np.sum(w * mk) / big_w)
    a = float(np.sum(w * (mk - grand) ** 2)) / (k - 1)
    lam = float(np.sum((1.0 - w / big_w) ** 2 / (nk - 1.0)))
    f = a / (1.0 + 2.0 * (k - 2) * lam / (k * k - 1.0))
    df2 = (k * k - 1.0) / (3.0 * lam)
    return result(f, float(k - 1), df2, float(stats.f.sf(f, k - 1, df2)), note)


# ---------------------------------------------------------------------------------------------
# intervals for effect sizes
# ---------------------------------------------------------------------------------------------


def _noncentrality(chi2: float, df: int, cdf_target: float) -> float:
    """``lam`` with ``ncx2.cdf(chi2, df, lam) = cdf_target`` (0 if even ``lam = 0`` is below)."""
    if stats.chi2.cdf(chi2, df) <= cdf_target:
        return 0.0

    def gap(lam: float) -> float:
        return float(stats.ncx2.cdf(chi2, df, lam)) - cdf_target

    hi = max(1.0, chi2)
    while gap(hi) > 0:  # the cdf falls to 0 as lam grows; a few doublings bracket the root
        hi *= 2.0
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-12, rtol=1e-12))


def cramers_v_interval(
    chi2: float, n: int, rows: int, cols: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Confidence interval for Cramér's V as Smithson (2003, pp. 40-41) defines it.

    The noncentrality ``lam`` of the chi-square statistic is bracketed by the values for which
    the observed ``chi2`` is the ``(1 + c)/2`` and ``(1 - c)/2`` quantile of the noncentral
    chi-square, and Smithson turns each bound into ``V = sqrt((lam + df) / (n (q - 1)))``,
    ``q = min(rows, cols)``: the V of a table whose expected chi-square is ``lam + df``.  His
    worked example (2 x 4, N = 128, chi2 = 17.29) gives 0.223-0.545, as this does; the other
    convention, ``sqrt(lam / (n (q - 1)))``, is not his.  When the lower ``lam`` is 0 the lower
    V is 0 (no association is compatible with the data); the lower bound therefore jumps from
    0 to ``sqrt(df / (n (q - 1)))`` as ``chi2`` passes the critical value.

    Parameters
    ----------
    chi2 : float
        Observed Pearson chi-square (e.g. :attr:`analysis.omnibus.Chi2Result.statistic`); NaN
        (the test was undefined) gives ``(nan, nan)``.
    n : int
        Total count of the table.
    rows, cols : int
        Dimensions of the table the statistic was computed on (at least 2 each).
    confidence : float
        Two-sided level, default 0.95.

    Returns
    -------
    (low, high) : float
        Clipped to [0, 1].

    Raises
    ------
    ValueError
        If ``chi2`` is negative or infinite, ``n < 1``, ``rows`` or ``cols < 2``, or
        ``confidence`` is outside (0, 1).
    """
    c = check_confidence(confidence)
    x = float(chi2)
    n = _whole(n, "n", 1)
    rows, cols = _whole(rows, "rows", 2), _whole(cols, "cols", 2)
    if np.isnan(x):
        return _NAN, _NAN
    if not np.isfinite(x) or x < 0:
        raise ValueError(f"chi2 must be a non-negative number, got {chi2!r}")
    df = (rows - 1) * (cols - 1)
    scale = n * (min(rows, cols) - 1.0)
    lam_low = _noncentrality(x, df, (1.0 + c) / 2.0)
    lam_high = _noncentrality(x, df, (1.0 - c) / 2.0)
    low = 0.0 if lam_low == 0.0 else float(np.sqrt((lam_low + df) / scale))
    high = float(np.sqrt((lam_high + df) / scale))
    return min(low, 1.0), min(high, 1.0)


def cronbach_alpha_interval(
    alpha: float, n: int, k: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """Feldt's (1965) F-based confidence interval for Cronbach's alpha.

    ``(1 - alpha_true) / (1 - alpha)`` follows F(n - 1, (n - 1)(k - 1)), so the bounds are
    ``1 - (1 - alpha) F_{(1-c)/2}`` and ``1 - (1 - alpha) F_{(1+c)/2}`` with upper-tail
    quantiles of that F (what ``pingouin.cronbach_alpha`` reports, unrounded).

    Parameters
    ----------
    alpha : float
        Sample alpha (:attr:`analysis.reliability.CronbachResult.alpha`); at most 1.  NaN (alpha
        undefined) gives ``(nan, nan)``.
    n : int
        Respondents (at least 2).
    k : int
        Items (at least 2).
    confidence : float
        Two-sided level, default 0.95.

    Raises
    ------
    ValueError
        If ``alpha > 1`` or infinite, ``n < 2``, ``k < 2``, or ``confidence`` is outside (0, 1).
    """
    c = check_confidence(confidence)
    a = float(alpha)
    n = _whole(n, "n", 2)
    k = _whole(k, "k", 2)
    if np.isnan(a):
        return _NAN, _NAN
    if not np.isfinite(a) or a > 1.0:
        raise ValueError(f"alpha must be a finite number of at most 1, got {alpha!r}")
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1.0 - (1.0 - a) * float(stats.f.isf((1.0 - c) / 2.0, df1, df2))
    high = 1.0 - (1.0 - a) * float(stats.f.isf((1.0 + c) / 2.0, df1, df2))
    return low, high


# ---------------------------------------------------------------------------------------------
# difference of two means from sums
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class MeanDifference:
    """Welch's t for ``mean2 - mean1`` (later minus earlier); floats or arrays like the input.

    Attributes
    ----------
    diff : float or numpy.ndarray
        ``mean2 - mean1``.
    low, high : float or numpy.ndarray
        Welch t confidence interval.
    pvalue : float or numpy.ndarray
        Two-sided.  When neither group varies the test is 0/0; as elsewhere in the package,
        equal means give ``p = 1`` and different ones ``p = 0``, with ``low = high = diff``.
    df : float or numpy.ndarray
        Welch-Satterthwaite degrees of freedom (NaN when neither group varies).
    statistic : float or numpy.ndarray
        ``diff / se``.
    se : float or numpy.ndarray
        ``sqrt(s1^2 / n1 + s2^2 / n2)``.

    Everything but ``diff`` is NaN where a group has fewer than 2 scores (``diff`` too when a
    group has none).
    """

    diff: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    pvalue: float | np.ndarray
    df: float | np.ndarray
    statistic: float | np.ndarray
    se: float | np.ndarray


def _finite(x: ArrayLike, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == bool or a.dtype.kind not in "iuf":
        raise ValueError(f"{name} must contain numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _mean_var(n: np.ndarray, total: np.ndarray, total_sq: np.ndarray, name: str):
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        ss = total_sq - total * mean
        tol = 1e-9 * np.maximum(np.abs(total_sq), 1.0)
        if np.any((n > 0) & (ss < -tol)):
            raise ValueError(f"the sums of group {name} are inconsistent: negative variance")
        var = np.maximum(ss, 0.0) / (n - 1.0)
    return np.where(n > 0, mean, np.nan), np.where(n >= 2, var, np.nan)


def mean_difference(
    n1: ArrayLike,
    sum1: ArrayLike,
    sumsq1: ArrayLike,
    n2: ArrayLike,
    sum2: ArrayLike,
    sumsq2: ArrayLike,
    *,
    confidence: float = 0.95,
) -> MeanDifference:
    """Welch t interval and test for ``mean2 - mean1`` from ``COUNT``, ``SUM`` and ``SUM(x^2)``.

    Parameters
    ----------
    n1, sum1, sumsq1 : array_like
        Number of scores, their sum and their sum of squares in the earlier period.
    n2, sum2, sumsq2 : array_like
        The same for the later period.  All six broadcast (e.g. one entry per office).
    confidence : float
        Level of the interval, default 0.95.

    Returns
    -------
    MeanDifference
        Equal to ``scipy.stats.ttest_ind(x2, x1, equal_var=False)`` and its
        ``confidence_interval`` on the raw scores.

    Raises
    ------
    ValueError
        On negative or fractional ``n``, sums that are not finite, sums implying a negative
        variance, shapes that do not broadcast, or ``confidence`` outside (0, 1).
    """
    c = check_confidence(confidence)
    a1 = as_count_table(n1, ndim=None, name="n1").astype(np.float64)
    a2 = as_count_table(n2, ndim=None, name="n2").astype(np.float64)
    parts = (a1, _finite(sum1, "sum1"), _finite(sumsq1, "sumsq1"),
             a2, _finite(sum2, "sum2"), _finite(sumsq2, "sumsq2"))
    try:
        f1, s1, q1, f2, s2, q2 = np.broadcast_arrays(*parts)
    except ValueError as exc:
        raise ValueError(f"n, sums and sums of squares do not broadcast: {exc}") from None
    m1, v1 = _mean_var(f1, s1, q1, "1")
    m2, v2 = _mean_var(f2, s2, q2, "2")
    diff = m2 - m1
    with np.errstate(divide="ignore", invalid="ignore"):
        u1, u2 = v1 / f1, v2 / f2
        se = np.sqrt(u1 + u2)
        df = (u1 + u2) ** 2 / (u1**2 / (f1 - 1.0) + u2**2 / (f2 - 1.0))
        tstat = diff / se
        half = stats.t.ppf(0.5 + c / 2.0, df) * se
        p = 2.0 * stats.t.sf(np.abs(tstat), df)
    flat = se == 0  # neither group varies
    p = np.where(flat, np.where(diff == 0, 1.0, 0.0), p)
    tstat = np.where(flat & (diff == 0), 0.0, tstat)
    half = np.where(flat, 0.0, half)
    df = np.where(flat, np.nan, df)
    out = as_float_scalar_or_array
    return MeanDifference(diff=out(diff), low=out(diff - half), high=out(diff + half),
                          pvalue=out(p), df=out(df), statistic=out(tstat), se=out(se))
