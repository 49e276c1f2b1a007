"""How far one measurement can be trusted, from aggregates that SQL can compute.

Two questions: does the survey's scale measure one thing (Cronbach's alpha), and does one
inspection reflect the office rather than the inspector and the day (the intraclass
correlation ICC(1) of inspection scores).

Alpha needs per-respondent answers, but only through the item covariance matrix, and that is a
function of ``n``, the item sums ``sum x_i`` and the cross-product sums ``sum x_i x_j`` over
complete respondents (those who answered every item on the scale).  The database computes these
in one pass (``SUM(q1), SUM(q1*q2), ...``), so no rows leave it.  The ICC needs only each
office's number of checks, sum of scores and sum of squared scores.

The ICC's one-way ANOVA estimator, :func:`anova_icc`, also serves the data-quality screen for
covered buttons (:mod:`analysis.quality.betabinomial`), which needs the same between-office
share of variance for binary answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table, as_float_array

__all__ = [
    "AnovaIcc",
    "CronbachResult",
    "IccResult",
    "anova_icc",
    "cronbach_alpha_from_sums",
    "cronbach_alpha_from_totals",
    "inspector_icc",
]


@dataclass(frozen=True, slots=True, eq=False)
class CronbachResult:
    """Cronbach's alpha of a k-item scale.

    Attributes
    ----------
    alpha : float
        ``k / (k - 1) * (1 - sum(item variances) / variance of the total score)``.  NaN (with a
        ``note``) when the total score does not vary.  Can be negative when items correlate
        negatively (usually a reverse-coded item that was not recoded).
    k_items : int
        Number of items.
    n : int
        Complete respondents the sums were taken over.
    item_variances : numpy.ndarray, shape (k,)
        Sample variances (``ddof=1``) of the items.
    total_variance : float
        Sample variance of the total (sum) score.
    alpha_if_deleted : numpy.ndarray, shape (k,)
        Alpha of the scale without each item (NaN for every item when ``k = 2``, since one item
        has no alpha); an item whose removal raises alpha is a candidate for revision.
    note : str or None
        Why ``alpha`` is NaN, if it is.
    """

    alpha: float
    k_items: int
    n: int
    item_variances: np.ndarray
    total_variance: float
    alpha_if_deleted: np.ndarray
    note: str | None


def _alpha(k: int, trace: np.ndarray | float, total: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = k / (k - 1.0) * (1.0 - np.asarray(trace) / np.asarray(total))
    return np.where(np.asarray(total) > 0, a, np.nan)


def cronbach_alpha_from_sums(n: int, sums: ArrayLike, cross: ArrayLike) -> CronbachResult:
    """Cronbach's alpha from ``n``, item sums and the matrix of cross-product sums.

    Parameters
    ----------
    n : int
        Number of complete respondents (at least 2).
    sums : array_like, shape (k,)
        ``sum over respondents of x_i`` for each item (at least 2 items).
    cross : array_like, shape (k, k)
        ``sum over respondents of x_i * x_j``; symmetric, diagonal = sums of squares.

    Returns
    -------
    CronbachResult

    Raises
    ------
    ValueError
        If ``n < 2``, ``k < 2``, shapes disagree, values are not finite, ``cross`` is not
        symmetric, or the sums imply a negative variance (inconsistent aggregates).
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"n must be an integer, got {n!r}")
    n = int(n)
    if n < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 respondents, got n = {n}")
    s = np.asarray(sums, dtype=np.float64)
    c = np.asarray(cross, dtype=np.float64)
    if s.ndim != 1:
        raise ValueError(f"sums must be 1-D, got shape {s.shape}")
    k = s.shape[0]
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items, got {k}")
    if c.shape != (k, k):
        raise ValueError(f"cross must have shape ({k}, {k}), got {c.shape}")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(c))):
        raise ValueError("sums and cross must be finite")
    scale = max(float(np.max(np.abs(c))), 1.0)
    if not np.allclose(c, c.T, rtol=1e-12, atol=1e-12 * scale):
        raise ValueError("cross must be symmetric (sum of x_i * x_j equals sum of x_j * x_i)")
    cov = (c - np.outer(s, s) / n) / (n - 1)
    cov = (cov + cov.T) / 2.0
    item_var = np.diag(cov).copy()
    tol = 1e-9 * scale / (n - 1)
    if np.any(item_var < -tol):
        raise ValueError("sums and cross are inconsistent: an item variance is negative")
    item_var = np.maximum(item_var, 0.0)
    total_var = float(cov.sum())
    if total_var < -tol:
        raise ValueError("sums and cross are inconsistent: the total-score variance is negative")
    trace = float(item_var.sum())
    alpha = float(_alpha(k, trace, total_var)) if total_var > tol else float("nan")
    note = None if np.isfinite(alpha) else "the total score does not vary, so alpha is undefined"

    if k > 2:
        row = cov.sum(axis=1)
        total_wo = total_var - 2.0 * row + item_var
        trace_wo = trace - item_var
        total_wo = np.where(total_wo > tol, total_wo, 0.0)
        alpha_del = _alpha(k - 1, trace_wo, total_wo)
    else:
        alpha_del = np.full(k, np.nan)
    return CronbachResult(
        alpha=alpha,
        k_items=k,
        n=n,
        item_variances=item_var,
        total_variance=max(total_var, 0.0),
        alpha_if_deleted=alpha_del,
        note=note,
    )


def cronbach_alpha_from_totals(
    n: int, sums: ArrayLike, squares: ArrayLike, item_total: ArrayLike, total_sq: float
) -> CronbachResult:
    """Cronbach's alpha from the 3k + 1 sums a database computes fastest.

    Alpha and alpha-if-deleted need only the item variances, each item's covariance with the
    total score, and the total score's variance, so the full k x k cross-product matrix is not
    required: with ``T = sum_i x_i`` per respondent, the database sums ``x_i``, ``x_i**2``,
    ``x_i * T`` and ``T**2``.  This equals :func:`cronbach_alpha_from_sums` on the same data.

    Parameters
    ----------
    n : int
        Number of complete respondents (at least 2).
    sums, squares, item_total : array_like, shape (k,)
        Sums of ``x_i``, ``x_i**2`` and ``x_i * T`` over respondents.
    total_sq : float
        Sum of ``T**2`` over respondents.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or int(n) < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 respondents, got n = {n!r}")
    n = int(n)
    s, sq, xt = (np.asarray(a, dtype=np.float64) for a in (sums, squares, item_total))
    if s.ndim != 1 or s.shape != sq.shape or s.shape != xt.shape:
        raise ValueError("sums, squares and item_total must be 1-D arrays of the same length")
    k = s.shape[0]
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items, got {k}")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(sq)) and np.all(np.isfinite(xt))
            and np.isfinite(total_sq)):
        raise ValueError("sums must be finite")
    grand = float(s.sum())
    scale = max(float(total_sq), 1.0)
    tol = 1e-9 * scale / (n - 1)
    item_var = (sq - s * s / n) / (n - 1)
    row = (xt - s * grand / n) / (n - 1)          # covariance of each item with the total
    total_var = (float(total_sq) - grand * grand / n) / (n - 1)
    if np.any(item_var < -tol) or total_var < -tol:
        raise ValueError("the sums are inconsistent: a variance is negative")
    item_var = np.maximum(item_var, 0.0)
    trace = float(item_var.sum())
    alpha = float(_alpha(k, trace, total_var)) if total_var > tol else float("nan")
    note = None if np.isfinite(alpha) else "the total score does not vary, so alpha is undefined"
    if k > 2:
        total_wo = total_var - 2.0 * row + item_var
        total_wo = np.where(total_wo > tol, total_wo, 0.0)
        alpha_del = _alpha(k - 1, trace - item_var, total_wo)
    else:
        alpha_del = np.full(k, np.nan)
    return CronbachResult(alpha=alpha, k_items=k, n=n, item_variances=item_var,
                          total_variance=max(total_var, 0.0), alpha_if_deleted=alpha_del,
                          note=note)


# ---------------------------------------------------------------------------------------------
# intraclass correlation
# ---------------------------------------------------------------------------------------------


class AnovaIcc(NamedTuple):
    """The one-way ANOVA estimate of ICC(1) and the mean squares it is made of (see
    :func:`anova_icc`); floats or arrays, like the input."""

    icc: np.ndarray
    n0: np.ndarray
    ms_between: np.ndarray
    ms_within: np.ndarray


def anova_icc(
    ss_between: ArrayLike,
    ss_within: ArrayLike,
    k: ArrayLike,
    n_total: ArrayLike,
    sum_n_sq: ArrayLike,
    *,
    undefined: float = float("nan"),
) -> AnovaIcc:
    """ICC(1) by the one-way ANOVA estimator, elementwise (Fleiss 1981).

    ``MSB = SSB / (k - 1)``, ``MSW = SSW / (N - k)``, the effective group size for unbalanced
    groups ``n0 = (N - sum n_i^2 / N) / (k - 1)`` and
    ``ICC = (MSB - MSW) / (MSB + (n0 - 1) MSW)``.  For binary data (0/1 answers) the sums of
    squares are those of the rates, which gives the estimator of Ridout, Demetrio & Firth (1999).

    Parameters
    ----------
    ss_between, ss_within : float or array_like
        Between-group and within-group sums of squares.
    k : int or array_like
        Groups.
    n_total : int or array_like
        Observations in all groups.
    sum_n_sq : float or array_like
        ``sum n_i^2`` over the groups.
    undefined : float
        The ICC where the denominator is not positive (no variation at all), default NaN.

    Returns
    -------
    AnovaIcc
        ``icc``, ``n0`` and the two mean squares; no checks, no warnings (divisions by zero
        give infinities and NaN for the caller to mask).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        msb = np.divide(ss_between, np.subtract(k, 1.0))
        msw = np.divide(ss_within, np.subtract(n_total, k))
        n0 = (n_total - np.divide(sum_n_sq, n_total)) / np.subtract(k, 1.0)
        denom = msb + (n0 - 1.0) * msw
        icc = np.where(denom > 0, (msb - msw) / denom, undefined)
    return AnovaIcc(icc=icc, n0=n0, ms_between=msb, ms_within=msw)


@dataclass(frozen=True, slots=True)
class IccResult:
    """One-way random-effects intraclass correlation ICC(1) of inspection scores.

    Attributes
    ----------
    icc : float
        ``(MSB - MSW) / (MSB + (n0 - 1) MSW)``: the share of score variance that lies between
        offices, i.e. how well a single check by one inspector reflects the office rather than
        the inspector and the day.  Can be negative (then checks of the same office disagree
        more than offices differ).
    n0 : float
        Effective checks per office for unbalanced data, ``(N - sum n_i^2 / N) / (k - 1)``.
    statistic, pvalue : float
        One-way ANOVA F and p across offices (``scipy.stats.f_oneway`` on the scores).
    df_between, df_within : int
    n_offices, n_checks : int
        Offices and checks used.
    note : str or None
        Why ``icc`` is NaN, if it is.
    """

    icc: float
    n0: float
    statistic: float
    pvalue: float
    df_between: int
    df_within: int
    n_offices: int
    n_checks: int
    note: str | None


def inspector_icc(
    n: ArrayLike, total: ArrayLike, total_sq: ArrayLike, min_checks: int = 2
) -> IccResult:
    """Agreement of inspection scores within offices: ICC(1) from per-office aggregates.

    When several inspectors check the same office in a period, different inspectors visit
    different offices, so the one-way model (office as the random target, checks nested in
    it) is the appropriate one.  Only offices with at least ``min_checks`` checks are used
    (default 2: an office checked once shows nothing about agreement).

    Parameters
    ----------
    n, total, total_sq : array_like, shape (k,)
        Checks, sum of scores and sum of squared scores per office (as for
        :func:`analysis.inspections.score_summary`).
    min_checks : int
        Minimum checks for an office to be included.

    Returns
    -------
    IccResult
        NaN with a ``note`` when fewer than two offices qualify or the scores do not vary.
    """
    nn = np.atleast_1d(as_count_table(n, ndim=None, name="n"))
    tot = as_float_array(total, "total")
    tsq = as_float_array(total_sq, "total_sq")
    if nn.ndim != 1 or not (nn.shape == tot.shape == tsq.shape):
        raise ValueError("n, total and total_sq must have the same 1-D shape")
    use = nn >= max(int(min_checks), 1)
    k = int(use.sum())
    big_n = int(nn[use].sum())
    nan = float("nan")
    if k < 2 or big_n - k < 1:
        return IccResult(
            nan,
            nan,
            nan,
            nan,
            max(k - 1, 0),
            max(big_n - k, 0),
            k,
            big_n,
            "fewer than two offices with enough checks",
        )
    ni = nn[use].astype(np.float64)
    ti = tot[use]
    si = tsq[use]
    means = ti / ni
    grand = ti.sum() / big_n
    ssb = float(np.sum(ni * (means - grand) ** 2))
    ssw = float(np.sum(np.maximum(si - ti * ti / ni, 0.0)))
    df_b, df_w = k - 1, big_n - k
    est = anova_icc(ssb, ssw, k, big_n, float(np.sum(ni**2)))
    n0 = float(est.n0)
    if np.isnan(est.icc):  # the denominator MSB + (n0 - 1) MSW is not positive
        return IccResult(nan, n0, nan, nan, df_b, df_w, k, big_n, "the scores do not vary")
    icc, msb, msw = float(est.icc), float(est.ms_between), float(est.ms_within)
    if msw == 0.0:
        f, p = float("inf"), 0.0
    else:
        f = msb / msw
        p = float(stats.f.sf(f, df_b, df_w))
    return IccResult(icc, n0, f, p, df_b, df_w, k, big_n, None)
