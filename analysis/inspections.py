"""Inspector instruments (phone test, mystery shopper): scores, grades, sections, items.

Each inspection ("check") already has a 0-100 score stored with it (earned / possible points,
N/A items removed from both, times 100).  SQL aggregates the checks per office and period to
``n`` (checks), ``total`` (sum of scores) and ``total_sq`` (sum of squared scores); per section
to earned and possible points; and per checklist item to passed / failed / not-applicable
counts.  The functions here turn those aggregates into the numbers the report prints, for all
offices (or items) at once.  How well one check reflects its office (the intraclass correlation
of the scores) is a reliability question and lives in :mod:`analysis.reliability`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table, as_float_array
from analysis.descriptive import NO_SPREAD, TOO_FEW
from analysis.wilson import check_confidence, wilson_arrays, z_for

__all__ = [
    "DEFAULT_BANDS",
    "SCORE_RANGE",
    "ItemFailureRates",
    "ScoreSummary",
    "grade_for",
    "item_failure_rates",
    "score_summary",
    "section_scores",
]

#: The scale of a score, and of its interval.
SCORE_RANGE = (0.0, 100.0)

#: Grade bands as (lower bound, label), highest first: 90 and above 優等, 80 甲, 70 乙, 60 丙,
#: below 60 丁.  The project passes its own bands from configuration; this is only a default.
DEFAULT_BANDS: tuple[tuple[float, str], ...] = (
    (90.0, "優等"),
    (80.0, "甲"),
    (70.0, "乙"),
    (60.0, "丙"),
    (0.0, "丁"),
)


def _check_bands(bands: Sequence[tuple[float, str]]) -> tuple[np.ndarray, list[str]]:
    """Return band lower bounds ascending and their labels, after validation."""
    items = list(bands)
    if not items:
        raise ValueError("bands must contain at least one (lower_bound, label) pair")
    bounds = []
    labels = []
    for item in items:
        if not (isinstance(item, Sequence) and len(item) == 2):
            raise ValueError(f"each band must be a (lower_bound, label) pair, got {item!r}")
        bound, label = item
        if isinstance(bound, bool) or not isinstance(bound, int | float | np.integer | np.floating):
            raise ValueError(f"band lower bound must be a number, got {bound!r}")
        if not np.isfinite(bound):
            raise ValueError(f"band lower bound must be finite, got {bound!r}")
        if not isinstance(label, str):
            raise ValueError(f"band label must be a string, got {label!r}")
        bounds.append(float(bound))
        labels.append(label)
    b = np.asarray(bounds)
    if np.unique(b).size != b.size:
        raise ValueError("band lower bounds must be distinct")
    order = np.argsort(b)
    return b[order], [labels[i] for i in order]


def grade_for(scores: ArrayLike, bands: Sequence[tuple[float, str]] = DEFAULT_BANDS) -> list[str]:
    """Grade label for each score: the band with the highest lower bound ``<= score``.

    Parameters
    ----------
    scores : float or array_like
        Scores (NaN allowed: no grade).  Grading uses the value as given; pass rounded scores
        if the published rule grades the printed (rounded) score, so that 89.96 printed as
        "90.0" is not graded 甲.
    bands : sequence of (lower_bound, label)
        In any order; e.g. :data:`DEFAULT_BANDS`.

    Returns
    -------
    list of str
        ``""`` for NaN scores and for scores below the lowest band.
    """
    bounds, labels = _check_bands(bands)
    s = np.atleast_1d(np.asarray(scores, dtype=np.float64))
    idx = np.searchsorted(bounds, np.where(np.isnan(s), -np.inf, s), side="right") - 1
    return ["" if (i < 0 or np.isnan(v)) else labels[i] for i, v in zip(idx, s, strict=True)]


@dataclass(frozen=True, slots=True, eq=False)
class ScoreSummary:
    """Per-office summary of inspection scores (arrays, one entry per office).

    Attributes
    ----------
    n : numpy.ndarray of int
        Number of checks.
    mean : numpy.ndarray
        Mean score (0-100); NaN when ``n = 0``.
    sd : numpy.ndarray
        Sample standard deviation (``ddof=1``); NaN when ``n < 2``, exactly 0 when every check
        scored the same (up to rounding in the SQL sums).
    mean_ci_low, mean_ci_high : numpy.ndarray
        t-interval for the mean at the requested confidence, clipped to 0-100; NaN when
        ``n < 2`` (one check says nothing about how much checks vary) and when every check
        scored the same (three checks of 100 would give [100, 100], a certainty three calls
        do not give).
    mean_ci_note : tuple of (str or None)
        ``None`` where the interval is given, else why not: ``"too_few"`` (``n < 2``) or
        ``"no_spread"`` (``sd = 0``); see :mod:`analysis.descriptive`.
    grade : tuple of str
        Band label of the (unrounded) mean; ``""`` when ``n = 0`` or below all bands.
    """

    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    mean_ci_low: np.ndarray
    mean_ci_high: np.ndarray
    mean_ci_note: tuple[str | None, ...]
    grade: tuple[str, ...]


def score_summary(
    n: ArrayLike,
    total: ArrayLike,
    total_sq: ArrayLike,
    bands: Sequence[tuple[float, str]] = DEFAULT_BANDS,
    confidence: float = 0.95,
) -> ScoreSummary:
    """Mean score, spread, t-interval and grade per office from SQL aggregates.

    Parameters
    ----------
    n : int or array_like of int
        Checks per office.
    total : float or array_like
        Sum of the checks' scores per office.
    total_sq : float or array_like
        Sum of squared scores per office.
    bands : sequence of (lower_bound, label)
        Grade bands; see :func:`grade_for`.
    confidence : float
        Confidence level of the mean's interval, default 0.95.

    Returns
    -------
    ScoreSummary

    Raises
    ------
    ValueError
        On negative / fractional ``n``, mismatched shapes, ``total`` non-zero where ``n = 0``,
        or aggregates that imply a negative variance.
    """
    conf = check_confidence(confidence)
    nn = np.atleast_1d(as_count_table(n, ndim=None, name="n"))
    tot = as_float_array(total, "total")
    tsq = as_float_array(total_sq, "total_sq")
    if nn.ndim != 1 or not (nn.shape == tot.shape == tsq.shape):
        raise ValueError(
            f"n, total and total_sq must have the same 1-D shape, got {nn.shape}, {tot.shape}, "
            f"{tsq.shape}"
        )
    if np.any(tsq < 0):
        raise ValueError("total_sq must not be negative")
    empty = nn == 0
    if np.any(empty & ((tot != 0) | (tsq != 0))):
        raise ValueError("total and total_sq must be 0 for an office with no checks")
    nf = nn.astype(np.float64)
    two = nn > 1
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(empty, np.nan, tot / nf)
        ss = tsq - tot * tot / nf
    tol = 1e-9 * np.maximum(tsq, 1.0)
    if np.any(np.where(two, ss < -tol, False)):
        raise ValueError("total and total_sq are inconsistent: they imply a negative variance")
    # Rounding noise leaves a sum of squares slightly off 0 when every score is equal (83.33...
    # three times): within the tolerance it is 0, and there is no spread to make an interval.
    flat = two & (ss <= tol)
    ss = np.where(two & ~flat, ss, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.where(two, np.sqrt(ss / (nf - 1.0)), np.nan)
    estimable = two & ~flat
    tcrit = np.full(nn.shape, np.nan)
    if np.any(estimable):
        tcrit[estimable] = stats.t.ppf(0.5 + conf / 2.0, nf[estimable] - 1.0)
    half = np.where(estimable, tcrit * sd / np.sqrt(np.maximum(nf, 1.0)), np.nan)
    return ScoreSummary(
        n=nn,
        mean=mean,
        sd=sd,
        mean_ci_low=np.clip(mean - half, *SCORE_RANGE),   # NaN stays NaN
        mean_ci_high=np.clip(mean + half, *SCORE_RANGE),
        mean_ci_note=tuple(None if e else (NO_SPREAD if f else TOO_FEW)
                           for e, f in zip(estimable.tolist(), flat.tolist(), strict=True)),
        grade=tuple(grade_for(mean, bands)),
    )


def section_scores(earned: ArrayLike, possible: ArrayLike) -> np.ndarray:
    """Section sub-scores as percentages, ``100 * earned / possible``.

    Parameters
    ----------
    earned, possible : array_like
        Points earned and applicable points possible (N/A items already removed from both), any
        broadcastable shape, e.g. offices x sections.

    Returns
    -------
    numpy.ndarray
        Percentages; NaN where ``possible = 0`` (every item in the section was N/A, which is
        "not assessed", not 0%).

    Raises
    ------
    ValueError
        On negative or non-finite points, or ``earned > possible``.
    """
    e = np.asarray(earned, dtype=np.float64)
    p = np.asarray(possible, dtype=np.float64)
    e, p = np.broadcast_arrays(e, p)
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(p))):
        raise ValueError("earned and possible must be finite")
    if np.any(e < 0) or np.any(p < 0):
        raise ValueError("earned and possible must not be negative")
    if np.any(e > p):
        raise ValueError("earned points must not exceed possible points")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, 100.0 * e / p, np.nan)


@dataclass(frozen=True, slots=True, eq=False)
class ItemFailureRates:
    """How often each checklist item was missed, across checks (arrays, one entry per item).

    Attributes
    ----------
    passed, failed, not_applicable : numpy.ndarray of int
        The input counts.
    n_applicable : numpy.ndarray of int
        ``passed + failed``; N/A checks say nothing about the item.
    failure_rate : numpy.ndarray
        ``failed / n_applicable``; NaN when the item never applied.
    ci_low, ci_high : numpy.ndarray
        Wilson interval of ``failure_rate`` (NaN when ``n_applicable = 0``).
    """

    passed: np.ndarray
    failed: np.ndarray
    not_applicable: np.ndarray
    n_applicable: np.ndarray
    failure_rate: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray

    def most_missed(
        self, top: int | None = None, by: str = "rate", min_applicable: int = 1
    ) -> np.ndarray:
        """Indices of items, most often missed first.

        Parameters
        ----------
        top : int, optional
            Return at most this many items.
        by : {"rate", "lower"}
            ``"rate"`` sorts by the observed failure rate; ``"lower"`` by the Wilson lower
            bound, which keeps an item failed once in one applicable check (rate 100%, bound
            21%) from topping the list ahead of an item failed 300 times in 1,000.
        min_applicable : int
            Leave out items that applied in fewer checks than this (default 1: items that
            never applied are always left out).

        Returns
        -------
        numpy.ndarray of int
            Item indices.  Ties are broken by more failures, then by item order.
        """
        if by not in ("rate", "lower"):
            raise ValueError(f"by must be 'rate' or 'lower', got {by!r}")
        if top is not None and top < 0:
            raise ValueError("top must not be negative")
        key = self.failure_rate if by == "rate" else self.ci_low
        eligible = np.flatnonzero(self.n_applicable >= max(min_applicable, 1))
        order = np.lexsort((eligible, -self.failed[eligible], -key[eligible]))
        result = eligible[order]
        return result if top is None else result[:top]


def item_failure_rates(
    passed: ArrayLike, failed: ArrayLike, not_applicable: ArrayLike, confidence: float = 0.95
) -> ItemFailureRates:
    """Failure rate of each checklist item with a Wilson interval.

    Parameters
    ----------
    passed, failed, not_applicable : array_like of int, shape (n_items,)
        Counts over all checks in scope (e.g. all offices in a period).
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    ItemFailureRates
        Use :meth:`ItemFailureRates.most_missed` for the "most often missed" list.
    """
    ps = np.atleast_1d(as_count_table(passed, ndim=None, name="passed"))
    fl = np.atleast_1d(as_count_table(failed, ndim=None, name="failed"))
    na = np.atleast_1d(as_count_table(not_applicable, ndim=None, name="not_applicable"))
    if ps.ndim != 1 or not (ps.shape == fl.shape == na.shape):
        raise ValueError(
            f"passed, failed and not_applicable must have the same 1-D shape, got {ps.shape}, "
            f"{fl.shape}, {na.shape}"
        )
    n = ps + fl
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, fl / n, np.nan)
    low, high = wilson_arrays(fl, n, z_for(confidence))
    return ItemFailureRates(
        passed=ps,
        failed=fl,
        not_applicable=na,
        n_applicable=n,
        failure_rate=rate,
        ci_low=low,
        ci_high=high,
    )
