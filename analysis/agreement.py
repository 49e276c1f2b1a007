"""Do inspectors score alike?  Agreement in a calibration round, where several inspectors score
the same recorded call or visit scenario.

Three views, each for a different question:

- :func:`icc2_1`: ICC(2,1), two-way random effects, absolute agreement, one rater (Shrout &
  Fleiss 1979; McGraw & Wong 1996).  Would one inspector's total score be the score another
  inspector gives?  "Absolute" counts a lenient inspector as disagreement, which is what matters
  when an office's grade rests on one visit.  :func:`icc_reading` puts it in words from its
  confidence interval, as Koo & Li (2016) advise, not from the estimate alone.
- :func:`krippendorff_alpha_nominal`: Krippendorff's alpha for one yes/no item across
  scenarios.  Missing ratings are allowed and agreement by chance is taken out.
- :func:`deviation_from_consensus`: how far each inspector sits from the others on the same
  scenarios, on average.  A positive value marks a lenient inspector and a negative one a
  strict inspector: this is what a coordinator talks through with each of them.

Pure functions over arrays.  ``tests/test_agreement.py`` checks them against pingouin and the
krippendorff package on the same data.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["ICC_BANDS", "Icc21", "IccReading", "deviation_from_consensus", "icc2_1", "icc_band",
           "icc_reading", "krippendorff_alpha_nominal"]

#: Koo & Li (2016), the words for an ICC: below 0.5 poor, 0.5 to 0.75 moderate, 0.75 to 0.9
#: good, above 0.9 excellent.  A value on an edge goes to the band above (0.5 is moderate).
ICC_BANDS = ("poor", "moderate", "good", "excellent")
_EDGES = (0.5, 0.75, 0.9)


@dataclass(frozen=True, slots=True)
class Icc21:
    """ICC(2,1) with its confidence interval and the F test of "no difference between
    scenarios"; NaN (with ``note``) when it cannot be computed."""

    icc: float
    low: float
    high: float
    f: float
    pvalue: float
    n_targets: int
    n_raters: int
    note: str | None = None


def _matrix(ratings: ArrayLike) -> np.ndarray:
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2:
        raise ValueError("ratings must be a 2-D array: one row per scenario, one column per rater")
    return x


def icc2_1(ratings: ArrayLike, confidence: float = 0.95) -> Icc21:
    """ICC(2,1) of a scenarios x inspectors table of total scores.

    A scenario that not every inspector scored is left out: the two-way model needs a complete
    table.  At least two scenarios and two inspectors are needed.
    """
    x = _matrix(ratings)
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if n < 2 or k < 2:
        nan = float("nan")
        return Icc21(nan, nan, nan, nan, nan, n, k,
                     "需要至少 2 個情境、每個情境至少 2 位查核人員的分數")
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    msr, msc = ss_rows / (n - 1), ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    nan = float("nan")
    if mse == 0 and msc == 0 and msr > 0:   # every inspector gave every scenario the same score
        return Icc21(1.0, nan, nan, float("inf"), 0.0, n, k, "各查核人員分數完全一致")
    if denominator <= 0 or mse == 0:
        return Icc21(nan, nan, nan, nan, nan, n, k, "分數沒有足夠的變異，無法估計")
    icc = (msr - mse) / denominator
    f_value = msr / mse
    pvalue = float(stats.f.sf(f_value, n - 1, (n - 1) * (k - 1)))
    # McGraw & Wong (1996), case 2A: Satterthwaite's degrees of freedom for the denominator
    alpha = 1 - confidence
    a = k * icc / (n * (1 - icc))
    b = 1 + k * icc * (n - 1) / (n * (1 - icc))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1)
                                         + (b * mse) ** 2 / ((n - 1) * (k - 1)))
        f_low = stats.f.ppf(1 - alpha / 2, n - 1, v)
        f_high = stats.f.ppf(1 - alpha / 2, v, n - 1)
        low = n * (msr - f_low * mse) / (f_low * (k * msc + (k * n - k - n) * mse) + n * msr)
        high = n * (f_high * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_high * msr)
    if not (np.isfinite(low) and np.isfinite(high) and low <= icc <= high):
        # A negative estimate (scenarios differ less than chance) leaves Satterthwaite's
        # degrees of freedom undefined; pingouin then prints half an interval that does not
        # even hold its estimate.  No interval is honest; a bound that reads as one is not.
        return Icc21(float(icc), nan, nan, float(f_value), pvalue, n, k,
                     "情境之間的差異小於隨機誤差，無法估計信賴區間")
    return Icc21(float(icc), float(low), float(high), float(f_value), pvalue, n, k)


def icc_band(value: float) -> str:
    """The Koo & Li (2016) band of one ICC value (an interval bound or an estimate)."""
    if math.isnan(value):
        raise ValueError("an ICC of NaN has no band")
    return ICC_BANDS[bisect_right(_EDGES, value)]


@dataclass(frozen=True, slots=True)
class IccReading:
    """An ICC in words: the bands of the interval's two bounds (Koo & Li 2016).

    ``low == high`` when the whole interval lies in one band; otherwise the reading is "low to
    high" ("poor to moderate").  ``from_interval`` is False when there was no interval and both
    are the band of the estimate alone, which is then no more than a tentative reading.
    """

    low: str
    high: str
    from_interval: bool

    @property
    def key(self) -> str:
        """``"poor"`` ... ``"excellent"``, or ``"poor to moderate"`` and the like."""
        return self.low if self.low == self.high else f"{self.low} to {self.high}"


def icc_reading(icc: float, low: float, high: float) -> IccReading | None:
    """Read an ICC from its confidence interval ``low``-``high``, not from the estimate.

    Koo & Li (2016) ask for the reading to come from the 95% interval: an estimate of 0.39 with
    an interval 0.09-0.74 is "poor to moderate", not "poor".  When the interval is NaN (not
    estimable, see :func:`icc2_1`) the estimate's band is given with ``from_interval=False``;
    None when the estimate itself is NaN.
    """
    if math.isnan(icc):
        return None
    if math.isnan(low) or math.isnan(high):
        band = icc_band(icc)
        return IccReading(band, band, from_interval=False)
    return IccReading(icc_band(min(low, high)), icc_band(max(low, high)), from_interval=True)


def krippendorff_alpha_nominal(ratings: ArrayLike) -> float:
    """Krippendorff's alpha (nominal) of a raters x units table; NaN marks a missing rating.

    Values are category codes (1 = yes, 0 = no, or any numbers).  A unit rated by fewer than
    two raters has no pair and is left out.  NaN when there is no pairable value, or when every
    pairable value is the same category (no variation: alpha is undefined).
    """
    x = _matrix(ratings)
    categories = np.unique(x[~np.isnan(x)])
    index = {c: i for i, c in enumerate(categories)}
    coincidence = np.zeros((len(categories), len(categories)))
    for unit in x.T:
        values = unit[~np.isnan(unit)]
        m = len(values)
        if m < 2:
            continue
        counts = np.zeros(len(categories))
        for value in values:
            counts[index[value]] += 1
        # ordered pairs of different raters: c with k (c != k) counts_c counts_k, c with c
        # counts_c (counts_c - 1), each weighted 1 / (m - 1)
        coincidence += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    marginals = coincidence.sum(axis=1)
    total = marginals.sum()
    if total <= 1:
        return float("nan")
    observed = coincidence.sum() - np.trace(coincidence)
    expected = (total ** 2 - (marginals ** 2).sum()) / (total - 1)
    if expected == 0:
        return float("nan")
    return float(1 - observed / expected)


def deviation_from_consensus(ratings: ArrayLike) -> np.ndarray:
    """Each inspector's mean of (their score - the mean of the other inspectors' scores) over
    the scenarios they scored along with at least one other; NaN for an inspector with none.

    The consensus leaves the inspector out: with three inspectors, one lenient inspector would
    otherwise pull a third of the consensus towards themselves.
    """
    x = _matrix(ratings)
    present = ~np.isnan(x)
    filled = np.where(present, x, 0.0)
    count = present.sum(axis=1, keepdims=True)
    total = filled.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        others = (total - filled) / (count - 1)
        gap = np.where(present & (count > 1), x - others, np.nan)
        used = (~np.isnan(gap)).sum(axis=0)
        return np.where(used > 0, np.nansum(np.nan_to_num(gap, nan=0.0), axis=0) / np.maximum(used, 1),
                        np.nan)
