"""The references the office-level screens compare an office with: a new office like the others.

Honest offices differ, and that is the main statistical trap (see :mod:`analysis.quality`): a
test against the other offices' pooled rate flags the best honest office for being better than
average.  Both office-level screens therefore ask how probable an office's numbers are for *a
new office drawn from the other offices*, between-office spread included:

* negative answers (:mod:`analysis.quality.negatives`): a beta-binomial whose mean is the other
  offices' pooled rate and whose intraclass correlation is estimated from them, leaving each
  office out of its own reference;
* answer patterns (:mod:`analysis.quality.patterns`): a prediction interval on the logit scale
  of the other offices' top-pattern shares, gross outliers left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table
from analysis.reliability import anova_icc

__all__ = [
    "OUTLIER_Z",
    "LogitReference",
    "beta_params",
    "elogit",
    "logit_reference",
    "loo_reference",
    "lower_tail",
]

#: Above this intraclass correlation the beta distribution is numerically degenerate; ``rho``
#: is capped here (an estimate this large means the offices have almost nothing in common).
_RHO_MAX = 0.999
#: Below this ``rho`` the beta-binomial is the binomial to many digits; use the binomial.
_RHO_MIN = 1e-9


# ---------------------------------------------------------------------------------------------
# negative answers: leave-one-out beta-binomial
# ---------------------------------------------------------------------------------------------


def loo_reference(
    x: np.ndarray, n: np.ndarray, use: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled rate and ANOVA intraclass correlation of the *other* offices, for every office.

    For office ``i`` the reference is every office ``j != i`` with ``use[j]`` (and ``n_j > 0``).
    With ``K`` offices, ``N`` answers and ``X`` events among them, the binary one-way ANOVA is
    ``MSB = (sum x_j^2/n_j - X^2/N) / (K - 1)``, ``MSW = (X - sum x_j^2/n_j) / (N - K)``,
    ``n0 = (N - sum n_j^2 / N) / (K - 1)`` and ``rho = (MSB - MSW) / (MSB + (n0 - 1) MSW)``,
    truncated to ``[0, _RHO_MAX]`` (:func:`analysis.reliability.anova_icc`, the estimator the
    inspection ICC uses too).  All sums are totals minus the office's own term, so the whole
    table costs O(k).

    Returns
    -------
    (rate, rho, k_other)
        ``rate`` is NaN when the other offices have no answers; ``rho`` is NaN when fewer than
        two other offices (or no within-office degrees of freedom) are available.
    """
    use = use & (n > 0)
    xf = np.where(use, x, 0).astype(np.float64)
    nf = np.where(use, n, 0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(use, xf * xf / nf, 0.0)
    own = use.astype(np.float64)
    k_o = own.sum() - own
    n_o = nf.sum() - nf
    x_o = xf.sum() - xf
    q_o = q.sum() - q
    s2_o = (nf * nf).sum() - nf * nf
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n_o > 0, x_o / n_o, np.nan)
        ssb = np.maximum(q_o - x_o * x_o / n_o, 0.0)
        ssw = np.maximum(x_o - q_o, 0.0)
    # no variation at all among the other offices: they are alike, rho = 0 (the binomial)
    rho = anova_icc(ssb, ssw, k_o, n_o, s2_o, undefined=0.0).icc
    rho = np.clip(rho, 0.0, _RHO_MAX)
    rho = np.where((k_o >= 2) & (n_o - k_o > 0), rho, np.nan)
    return rate, rho, k_o.astype(np.int64)


def beta_params(rate: float, rho: float) -> tuple[float, float]:
    """Beta(a, b) with mean ``rate`` and intraclass correlation ``1 / (a + b + 1) = rho``."""
    s = (1.0 - rho) / rho
    return rate * s, (1.0 - rate) * s


def lower_tail(x: int, n: int, rate: float, rho: float) -> float:
    """``P(X <= x)`` for ``X ~ BetaBinomial(n, rate, rho)`` (binomial when ``rho`` is ~0)."""
    if rate <= 0.0 or x >= n:
        return 1.0
    if rate >= 1.0:
        return 0.0
    if rho < _RHO_MIN:
        return float(stats.binom.cdf(x, n, rate))
    a, b = beta_params(rate, rho)
    return float(min(max(stats.betabinom.cdf(x, n, a, b), 0.0), 1.0))


# ---------------------------------------------------------------------------------------------
# answer patterns: logit-scale prediction from the other offices
# ---------------------------------------------------------------------------------------------

#: Other offices whose own top-pattern share is more than this many robust standard deviations
#: (1.4826 x MAD of the logits) above the median are left out of the reference, so that two
#: stuffed offices do not shield each other.  Honest offices are almost never that far out.
OUTLIER_Z = 5.0


def elogit(x: ArrayLike, n: ArrayLike) -> np.ndarray:
    """Empirical logit ``log((x + 1/2) / (n - x + 1/2))``, finite at 0% and 100%."""
    x = np.asarray(x, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    return np.log((x + 0.5) / (n - x + 0.5))


@dataclass(frozen=True, slots=True)
class LogitReference:
    """The other offices' top-pattern shares on the logit scale (see :func:`logit_reference`).

    Attributes
    ----------
    eligible : int
        Other offices with at least ``min_n`` submissions, before outliers are left out.
    offices : int
        Offices in the reference (eligible, outliers left out).
    excluded : int
        Eligible offices left out as gross outliers (:data:`OUTLIER_Z`).
    mean, sd : float
        Mean and sample SD (``ddof=1``) of their top-pattern logits; NaN with fewer than two
        offices.
    share : float
        ``expit(mean)``, the typical top-pattern share; NaN with fewer than two offices.
    max_share : float
        Largest top-pattern share among them; NaN with fewer than two offices.
    """

    eligible: int
    offices: int
    excluded: int
    mean: float
    sd: float
    share: float
    max_share: float


def logit_reference(
    reference_top_counts: ArrayLike, reference_n: ArrayLike, min_n: int
) -> LogitReference:
    """Validate the other offices' top-pattern counts and summarise their logits.

    Offices with fewer than ``min_n`` submissions are ignored (a small office's top share is
    inflated by chance); of the rest, those more than :data:`OUTLIER_Z` robust SDs (1.4826 x
    MAD) above the median logit are left out when at least three remain to judge by.

    Raises
    ------
    ValueError
        On counts that are malformed, of different shapes, larger than their ``n``, or zero for
        an office with submissions.
    """
    rx_raw, rn_raw = np.asarray(reference_top_counts), np.asarray(reference_n)
    if rx_raw.size == 0 and rn_raw.size == 0 and rx_raw.ndim <= 1 and rn_raw.ndim <= 1:
        rx = rn = np.zeros(0, dtype=np.int64)
    else:
        rx = as_count_table(reference_top_counts, ndim=1, name="reference_top_counts")
        rn = as_count_table(reference_n, ndim=1, name="reference_n")
        if rx.shape != rn.shape:
            raise ValueError(
                f"reference_top_counts and reference_n must have the same shape, got "
                f"{rx.shape} and {rn.shape}"
            )
        if np.any(rx > rn):
            raise ValueError("reference_top_counts must not exceed reference_n")
        if np.any((rn > 0) & (rx == 0)):
            raise ValueError("an office with submissions has a most common pattern (count >= 1)")
    big = rn >= min_n
    y_all = elogit(rx[big], rn[big])
    keep = np.ones(y_all.size, dtype=bool)
    if y_all.size >= 3:
        med = float(np.median(y_all))
        mad = 1.4826 * float(np.median(np.abs(y_all - med)))
        if mad > 0:
            keep = y_all <= med + OUTLIER_Z * mad
    y_ref = y_all[keep]
    k_ref = int(y_ref.size)
    excluded = int((~keep).sum())
    nan = float("nan")
    if k_ref >= 2:
        mu = float(y_ref.mean())
        sd = float(y_ref.std(ddof=1))
        ref_share = float(1.0 / (1.0 + math.exp(-mu)))
        ref_max = float(np.max((rx[big] / rn[big])[keep]))
    else:
        mu = sd = ref_share = ref_max = nan
    return LogitReference(
        eligible=int(big.sum()), offices=k_ref, excluded=excluded, mean=mu, sd=sd,
        share=ref_share, max_share=ref_max,
    )

