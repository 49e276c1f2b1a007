"""Comparing satisfaction rates between offices: which differences a report may call real.

A report lists every office's satisfaction rate, and readers compare them: is 滿意度 92 % at
one office really better than 89 % at the next?  This module answers with the pooled
two-proportion z test for every pair of offices (array arithmetic on the ``k x k`` matrix, with
the p-values adjusted for the many pairs by :func:`analysis.pairwise.adjust_pvalues`), folds
the result into compact letters (:mod:`analysis.letters`), and gives the two planning numbers
that explain why small differences are not significant: the margin of error agencies publish
(誤差範圍) and the smallest difference two samples of a given size can detect.

Offices without answers (``n = 0``) never raise: their rates and tests are NaN and they take no
part in the comparisons or in the count of comparisons the adjustment uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import (
    as_count_table,
    as_float_scalar_or_array,
    as_successes_and_trials,
    mirrored,
)
from analysis.descriptive import AGENCY_Z
from analysis.letters import compact_letters
from analysis.pairwise import adjust_pvalues
from analysis.wilson import z_for

__all__ = [
    "PairwiseProportions",
    "agency_margin",
    "letters_from_proportions",
    "minimum_detectable_difference",
    "pairwise_proportions",
]

_ADJUST_METHODS = ("holm", "bh", "bonferroni", "none")


def agency_margin(n: ArrayLike) -> float | np.ndarray:
    """誤差範圍 as Taiwan's agencies publish it: ``1.96 * sqrt(0.25 / n)``.

    The worst case ``p = 0.5`` with the rounded z of 1.96, so that readers can reproduce the
    figure by hand (n = 1,099 gives 0.0296, n = 1,502 gives 0.0253).  It depends on ``n`` only.

    Parameters
    ----------
    n : int or array_like of int
        Number of answers.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``n``; NaN where ``n = 0``.

    Raises
    ------
    ValueError
        If ``n`` is negative or fractional.
    """
    nn = as_count_table(n, ndim=None, name="n").astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        moe = np.where(nn > 0, AGENCY_Z * np.sqrt(0.25 / nn), np.nan)
    return as_float_scalar_or_array(moe)


@dataclass(frozen=True, slots=True, eq=False)
class PairwiseProportions:
    """Pooled two-proportion z tests for every pair of offices.

    Attributes
    ----------
    z : numpy.ndarray, shape (k, k)
        ``z[i, j] = (p_i - p_j) / sqrt(pbar (1 - pbar) (1/n_i + 1/n_j))`` with the pooled rate
        ``pbar = (x_i + x_j) / (n_i + n_j)``; positive when office ``i`` has the higher rate,
        antisymmetric.  When both offices are at 0 % or both at 100 % the test is 0/0; the
        rates are identical, so ``z = 0`` (and ``p = 1``).  NaN on the diagonal and in the
        rows and columns of offices without answers.
    pvalue : numpy.ndarray, shape (k, k)
        Two-sided normal p-values, symmetric; NaN where ``z`` is NaN.
    pvalue_adjusted : numpy.ndarray, shape (k, k)
        ``pvalue`` adjusted with ``adjust`` over the ``n_comparisons`` distinct pairs.
    adjust : str
        Adjustment method (see :func:`analysis.pairwise.adjust_pvalues`).
    n_comparisons : int
        Pairs of offices with answers, ``k'(k' - 1) / 2``.
    rates : numpy.ndarray, shape (k,)
        ``x / n``; NaN for offices without answers.
    successes, n : numpy.ndarray, shape (k,)
        The input counts.
    """

    z: np.ndarray
    pvalue: np.ndarray
    pvalue_adjusted: np.ndarray
    adjust: str
    n_comparisons: int
    rates: np.ndarray
    successes: np.ndarray
    n: np.ndarray

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        """Boolean ``(k, k)`` matrix: adjusted p-value below ``alpha`` (NaN counts as not)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(self.pvalue_adjusted < alpha)


def pairwise_proportions(
    successes: ArrayLike, n: ArrayLike, *, adjust: str = "holm"
) -> PairwiseProportions:
    """Two-sided pooled two-proportion z test for every pair of offices at once.

    Each pair gives the same z as ``statsmodels.stats.proportion.proportions_ztest`` with its
    default pooled variance (and ``z**2`` is the uncorrected chi-square of the pair's 2 x 2
    table); the whole matrix is array arithmetic, so 400 offices take milliseconds.

    Parameters
    ----------
    successes, n : array_like of int, shape (k,)
        Satisfied answers and answers per office.
    adjust : {"holm", "bh", "bonferroni", "none"}
        Multiple-comparison adjustment over the pairs of offices with answers.

    Returns
    -------
    PairwiseProportions

    Raises
    ------
    ValueError
        On negative or fractional counts, shapes that differ, ``successes > n`` or an unknown
        ``adjust``.
    """
    if adjust not in _ADJUST_METHODS:
        raise ValueError(f"adjust must be one of {_ADJUST_METHODS}, got {adjust!r}")
    x, nn = as_successes_and_trials(successes, n)
    k = x.size
    has = nn > 0
    xf, nf = x.astype(np.float64), nn.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(has, xf / nf, np.nan)
        pooled = (xf[:, None] + xf[None, :]) / (nf[:, None] + nf[None, :])
        inv_n = np.where(has, 1.0 / nf, np.nan)
        se = np.sqrt(pooled * (1.0 - pooled) * (inv_n[:, None] + inv_n[None, :]))
        diff = rates[:, None] - rates[None, :]
        # se = 0 only when both offices are at 0 % or both at 100 %: identical rates, z = 0.
        z = np.where(se > 0, diff / se, 0.0)
    both = has[:, None] & has[None, :]
    np.fill_diagonal(both, False)
    z = np.where(both, z, np.nan)
    iu = np.triu_indices(k, 1)
    p_upper = 2.0 * stats.norm.sf(np.abs(z[iu]))
    adj_upper = adjust_pvalues(p_upper, adjust)
    p, p_adj = mirrored(k, p_upper), mirrored(k, adj_upper)
    k_used = int(has.sum())
    return PairwiseProportions(
        z=z,
        pvalue=p,
        pvalue_adjusted=p_adj,
        adjust=adjust,
        n_comparisons=k_used * (k_used - 1) // 2,
        rates=rates,
        successes=x,
        n=nn,
    )


def letters_from_proportions(result: PairwiseProportions, alpha: float = 0.05) -> list[str]:
    """Compact letters from pairwise proportion tests: rates as scores, adjusted p < ``alpha``.

    The office with the highest rate gets "a"; offices that share a letter are not
    significantly different; offices without answers get ``""``.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    return compact_letters(result.rates, result.significant(alpha))


def minimum_detectable_difference(
    n1: ArrayLike,
    n2: ArrayLike,
    p: ArrayLike,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float | np.ndarray:
    """Smallest true difference of proportions that two samples detect with the given power.

    ``(z_{1-alpha/2} + z_{power}) * sqrt(p (1 - p) (1/n1 + 1/n2))``: the normal approximation
    of the two-sided two-proportion z test around a common proportion ``p``, ignoring the
    negligible chance of rejecting in the wrong direction.  With 300 answers per office at
    p = 0.9 this is about 0.069, which is why a report cannot rank offices 2 points apart.

    Parameters
    ----------
    n1, n2 : int or array_like of int
        Sample sizes; broadcast with ``p``.
    p : float or array_like
        Proportion around which the difference is sought, in [0, 1].
    alpha : float
        Two-sided significance level, default 0.05.
    power : float
        Required power, default 0.8.

    Returns
    -------
    float or numpy.ndarray
        NaN where ``n1`` or ``n2`` is 0; 0 where ``p`` is 0 or 1.

    Raises
    ------
    ValueError
        On negative or fractional sizes, ``p`` outside [0, 1], or ``alpha`` or ``power``
        outside (0, 1).
    """
    for name, value in (("alpha", alpha), ("power", power)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    a = as_count_table(n1, ndim=None, name="n1").astype(np.float64)
    b = as_count_table(n2, ndim=None, name="n2").astype(np.float64)
    pp = np.asarray(p)
    if pp.dtype == bool or pp.dtype.kind not in "iuf":
        raise ValueError(f"p must contain numbers, got dtype {pp.dtype}")
    pp = pp.astype(np.float64)
    if not np.all(np.isfinite(pp)) or np.any((pp < 0.0) | (pp > 1.0)):
        raise ValueError("p must be between 0 and 1")
    a, b, pp = np.broadcast_arrays(a, b, pp)
    z = z_for(1.0 - alpha) + float(stats.norm.ppf(power))
    with np.errstate(divide="ignore", invalid="ignore"):
        mdd = z * np.sqrt(pp * (1.0 - pp) * (1.0 / a + 1.0 / b))
    return as_float_scalar_or_array(np.where((a > 0) & (b > 0), mdd, np.nan))
