"""Scale quality: Cronbach's alpha from aggregates that SQL can compute.

Alpha needs per-respondent answers, but only through the item covariance matrix, and that is a
function of ``n``, the item sums ``sum x_i`` and the cross-product sums ``sum x_i x_j`` over
complete respondents (those who answered every item on the scale).  The database computes these
in one pass (``SUM(q1), SUM(q1*q2), ...``), so no rows leave it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["CronbachResult", "cronbach_alpha_from_sums", "cronbach_alpha_from_totals"]


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
