"""The Wilson score interval for proportions, shared by every module that reports a rate.

The satisfaction rate (:mod:`analysis.descriptive`), a change in it (Newcombe's interval in
:mod:`analysis.change`) and checklist failure rates (:mod:`analysis.inspections`) all put a
Wilson interval around a proportion, at a confidence level the caller chooses.  One
implementation, so that the report's intervals agree with each other to the last digit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table, as_float_scalar_or_array

__all__ = ["check_confidence", "wilson_arrays", "wilson_interval", "z_for"]


def check_confidence(confidence: float) -> float:
    """Validate a two-sided confidence level (strictly between 0 and 1) and return it as float.

    Raises
    ------
    ValueError
        If ``confidence`` is not between 0 and 1.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return float(confidence)


def z_for(confidence: float) -> float:
    """The normal quantile of a two-sided ``confidence`` level (1.959964 for 0.95).

    Raises
    ------
    ValueError
        If ``confidence`` is not between 0 and 1.
    """
    check_confidence(confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_arrays(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval on validated count arrays; NaN where ``n == 0``.

    The building block for callers that validate their own counts and want arrays back
    (:func:`wilson_interval` is the checked, scalar-friendly front end).

    Parameters
    ----------
    x, n : numpy.ndarray
        Successes and trials, already validated (``0 <= x <= n``) and broadcast.
    z : float
        Two-sided normal quantile, from :func:`z_for`.

    Returns
    -------
    (low, high) : numpy.ndarray
        Bounds clipped to [0, 1], exactly 0 at ``x = 0`` and 1 at ``x = n``.
    """
    x = x.astype(np.float64)
    n = n.astype(np.float64)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = n + z2
        centre = (x + z2 / 2.0) / denom
        half = z * np.sqrt(x * (n - x) / n + z2 / 4.0) / denom
        low = centre - half
        high = centre + half
    # The bounds are exactly 0 and 1 at the extremes; remove rounding noise there.
    low = np.where(x == 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(x == n, 1.0, np.clip(high, 0.0, 1.0))
    empty = n == 0
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    return low, high


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Wilson score confidence interval for a proportion.

    The Wilson interval is used instead of the Wald interval ``p ± z·sqrt(p(1-p)/n)`` because
    the good offices the report cares about sit near 100% satisfaction, where the Wald interval
    collapses to zero width (or exceeds 1) and claims a certainty the data do not have.

    Parameters
    ----------
    successes, n : int or array_like of int
        Number of successes and of trials; broadcast against each other.
    confidence : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    (low, high)
        Floats for scalar input, arrays otherwise.  ``n = 0`` gives ``(nan, nan)``.  Equal to
        ``scipy.stats.binomtest(x, n).proportion_ci(confidence, method="wilson")``.

    Raises
    ------
    ValueError
        If counts are negative or fractional, or ``successes > n``.
    """
    x = as_count_table(successes, ndim=None, name="successes")
    nn = as_count_table(n, ndim=None, name="n")
    x, nn = np.broadcast_arrays(x, nn)
    if np.any(x > nn):
        raise ValueError("successes must not exceed n")
    low, high = wilson_arrays(x, nn, z_for(confidence))
    return as_float_scalar_or_array(low), as_float_scalar_or_array(high)
