"""Change of one office between two periods (e.g. two half-years), from counts.

Two questions: did the satisfaction rate change (:func:`newcombe_diff`, a difference of
proportions with Newcombe's hybrid Wilson interval and the pooled two-proportion z test), and
did the whole answer distribution shift (:func:`mann_whitney_from_counts`, the tie-corrected
Mann-Whitney U test).  Both accept a single office (scalars / 1-D rows) or all offices at once
(arrays / 2-D tables paired row by row), because the report runs them for every office and
item and a Python loop over SciPy calls would dominate its run time.

Convention: the first argument is the earlier period, the second the later one, and effect
sizes are "later minus earlier", so a positive number is an improvement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table, as_float_scalar_or_array
from analysis.ranks import midranks, tie_sum
from analysis.wilson import wilson_arrays, z_for

__all__ = [
    "MannWhitneyResult",
    "NewcombeResult",
    "mann_whitney_from_counts",
    "newcombe_diff",
]


@dataclass(frozen=True, slots=True, eq=False)
class NewcombeResult:
    """Difference of two proportions ``p2 - p1`` (later minus earlier).

    Fields are floats for scalar input and arrays for array input.

    Attributes
    ----------
    p1, p2 : float or numpy.ndarray
        ``x1 / n1`` and ``x2 / n2``; NaN when the period has no answers.
    diff : float or numpy.ndarray
        ``p2 - p1``.
    ci : (low, high)
        Newcombe's (1998) hybrid score interval (his method 10), built from the two Wilson
        intervals; unlike the Wald interval it stays inside [-1, 1] and behaves near 0% / 100%.
    z : float or numpy.ndarray
        Pooled two-proportion z statistic ``(p2 - p1) / sqrt(p(1-p)(1/n1 + 1/n2))``; its square
        is the uncorrected chi-square of the 2 x 2 table.
    pvalue : float or numpy.ndarray
        Two-sided p-value of ``z``.  When both periods are 0% or both 100% the test is 0/0; the
        data show no change, so ``z = 0`` and ``pvalue = 1`` are returned (SciPy's Mann-Whitney
        makes the same choice for all-tied data).  NaN when a period has no answers.
    x1, n1, x2, n2 : int or numpy.ndarray
        The input counts.
    """

    p1: float | np.ndarray
    p2: float | np.ndarray
    diff: float | np.ndarray
    ci: tuple[float | np.ndarray, float | np.ndarray]
    z: float | np.ndarray
    pvalue: float | np.ndarray
    x1: int | np.ndarray
    n1: int | np.ndarray
    x2: int | np.ndarray
    n2: int | np.ndarray


def newcombe_diff(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> NewcombeResult:
    """Change in a proportion between two independent samples, with Newcombe's interval.

    With Wilson limits ``(l1, u1)`` and ``(l2, u2)``, ``d = p2 - p1`` has limits
    ``d - sqrt((p2 - l2)^2 + (u1 - p1)^2)`` and ``d + sqrt((u2 - p2)^2 + (p1 - l1)^2)``.

    Parameters
    ----------
    x1, n1 : int or array_like
        Successes (e.g. satisfied answers) and answers in the earlier period.
    x2, n2 : int or array_like
        The same for the later period.  All four broadcast together.
    confidence : float
        Confidence level of the interval, default 0.95.

    Returns
    -------
    NewcombeResult
        A period with ``n = 0`` gives NaN for everything that needs it.

    Raises
    ------
    ValueError
        On negative or fractional counts or successes exceeding answers.
    """
    a1 = as_count_table(x1, ndim=None, name="x1")
    b1 = as_count_table(n1, ndim=None, name="n1")
    a2 = as_count_table(x2, ndim=None, name="x2")
    b2 = as_count_table(n2, ndim=None, name="n2")
    a1, b1, a2, b2 = np.broadcast_arrays(a1, b1, a2, b2)
    if np.any(a1 > b1) or np.any(a2 > b2):
        raise ValueError("successes must not exceed the number of answers")
    zc = z_for(confidence)
    l1, u1 = wilson_arrays(a1, b1, zc)
    l2, u2 = wilson_arrays(a2, b2, zc)
    f1, f2 = b1.astype(np.float64), b2.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = a1 / f1
        p2 = a2 / f2
        d = p2 - p1
        low = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        high = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
        pooled = (a1 + a2) / (f1 + f2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / f1 + 1.0 / f2))
        z = np.where(se > 0, d / se, 0.0)
    empty = (b1 == 0) | (b2 == 0)
    z = np.where(empty, np.nan, z)
    p = np.where(empty, np.nan, 2.0 * stats.norm.sf(np.abs(z)))
    return NewcombeResult(
        p1=as_float_scalar_or_array(p1),
        p2=as_float_scalar_or_array(p2),
        diff=as_float_scalar_or_array(d),
        ci=(as_float_scalar_or_array(low), as_float_scalar_or_array(high)),
        z=as_float_scalar_or_array(z),
        pvalue=as_float_scalar_or_array(p),
        x1=int(a1) if a1.ndim == 0 else a1,
        n1=int(b1) if b1.ndim == 0 else b1,
        x2=int(a2) if a2.ndim == 0 else a2,
        n2=int(b2) if b2.ndim == 0 else b2,
    )


@dataclass(frozen=True, slots=True, eq=False)
class MannWhitneyResult:
    """Mann-Whitney U test of sample a (earlier) against sample b (later).

    Fields are floats for 1-D input and arrays (one entry per row) for 2-D input.

    Attributes
    ----------
    statistic : float or numpy.ndarray
        ``U1``, the U statistic of sample a, as ``scipy.stats.mannwhitneyu(a, b)`` reports it.
    pvalue : float or numpy.ndarray
        Two-sided, normal approximation with tie correction and continuity correction
        (``method="asymptotic", use_continuity=True``).  1.0 when every answer in both samples
        is the same level (SciPy's result); NaN when a sample is empty.
    z : float or numpy.ndarray
        ``(U2 - U1) / 2 / sigma`` without continuity correction: positive when b ranks higher.
    rank_biserial : float or numpy.ndarray
        ``P(b > a) - P(a > b) = (U2 - U1) / (n1 n2)`` in [-1, 1]; positive means the later
        period is more satisfied.
    prob_b_greater : float or numpy.ndarray
        ``U2 / (n1 n2)``: probability that a random later answer beats a random earlier one,
        ties counting half (the "common-language effect size").
    n1, n2 : int or numpy.ndarray
        Sample sizes.
    """

    statistic: float | np.ndarray
    pvalue: float | np.ndarray
    z: float | np.ndarray
    rank_biserial: float | np.ndarray
    prob_b_greater: float | np.ndarray
    n1: int | np.ndarray
    n2: int | np.ndarray


def mann_whitney_from_counts(counts_a: ArrayLike, counts_b: ArrayLike) -> MannWhitneyResult:
    """Mann-Whitney U test from two count rows (or two tables paired row by row).

    Pooling both samples, level ``j`` has ``t_j = a_j + b_j`` answers and midrank
    ``before_j + (t_j + 1) / 2``; ``U1 = a @ midranks - n1 (n1 + 1) / 2`` and
    ``sigma^2 = n1 n2 / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))``.

    Parameters
    ----------
    counts_a, counts_b : array_like, shape (L,) or (k, L)
        Answers per level (ascending value order) of the earlier (a) and later (b) period.

    Returns
    -------
    MannWhitneyResult
        Matches ``scipy.stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)``
        on the expanded answers.

    Raises
    ------
    ValueError
        On malformed counts or tables of different shapes.
    """
    a = as_count_table(counts_a, ndim=None, name="counts_a")
    b = as_count_table(counts_b, ndim=None, name="counts_b")
    if a.ndim not in (1, 2) or a.shape != b.shape:
        raise ValueError(
            f"counts_a and counts_b must both be 1-D rows or 2-D tables of the same shape, got "
            f"{a.shape} and {b.shape}"
        )
    scalar = a.ndim == 1
    a2 = np.atleast_2d(a).astype(np.float64)
    b2 = np.atleast_2d(b).astype(np.float64)
    t = a2 + b2
    n1 = a2.sum(axis=1)
    n2 = b2.sum(axis=1)
    big_n = n1 + n2
    mid = midranks(t)
    u1 = np.einsum("ij,ij->i", a2, mid) - n1 * (n1 + 1.0) / 2.0
    nn = n1 * n2
    u2 = nn - u1
    tie = tie_sum(t)
    empty = nn == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(nn / 12.0 * ((big_n + 1.0) - tie / (big_n * (big_n - 1.0))))
        # SciPy: z from max(U1, U2) minus 0.5, p = 2 * sf(z), clipped to [0, 1].  With all
        # answers tied s = 0 and the numerator is -0.5, so z = -inf and p = 1.
        zc = (np.maximum(u1, u2) - nn / 2.0 - 0.5) / s
        z = np.where(s > 0, (u2 - u1) / 2.0 / s, 0.0)
        rb = (u2 - u1) / nn
        pb = u2 / nn
    p = np.clip(2.0 * stats.norm.sf(zc), 0.0, 1.0)
    p = np.where(empty, np.nan, p)
    z = np.where(empty, np.nan, z)
    u1 = np.where(empty, np.nan, u1)

    def out(x: np.ndarray) -> float | np.ndarray:
        return float(x[0]) if scalar else x

    return MannWhitneyResult(
        statistic=out(u1),
        pvalue=out(p),
        z=out(z),
        rank_biserial=out(rb),
        prob_b_greater=out(pb),
        n1=int(n1[0]) if scalar else n1.astype(np.int64),
        n2=int(n2[0]) if scalar else n2.astype(np.int64),
    )
