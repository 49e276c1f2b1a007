"""Per-office descriptive statistics for one Likert item, computed from answer counts.

The report never touches raw answers: SQL returns ``GROUP BY office, value`` counts, and every
number here is a function of that count table.  A count table is an ``(k_offices, L)`` array of
non-negative integers whose columns are the scale levels in ascending order (for the 5-point
scale column 0 is value 1 = 非常不滿意 and column 4 is value 5 = 非常滿意).  "No answer" is
never a column; it is passed separately because it is not a point on the scale.

An office with no answers must still appear in a report, so ``n = 0`` yields NaN statistics
instead of an exception; ``ValueError`` is kept for input that is malformed (negative counts,
wrong shape, non-integer counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table, as_level_values
from analysis.satisfaction import SATISFIED_TOP
from analysis.wilson import wilson_arrays, z_for

__all__ = [
    "AGENCY_Z",
    "NO_SPREAD",
    "TOO_FEW",
    "LikertSummary",
    "LikertTable",
    "describe",
    "describe_arrays",
    "describe_table",
]

#: The z value that Taiwanese agencies (and most survey reports) quote for a 95% margin of
#: error.  ``norm.ppf(0.975)`` is 1.959964; the rounded value is used so that the report's
#: margin of error is the number readers can reproduce by hand.
AGENCY_Z = 1.96

#: Why a mean's interval is missing (``mean_ci_note``): every answer is on the same level, so
#: the t-interval would have zero width and claim a certainty that 33 identical answers do not
#: give (the next respondent may well answer differently).
NO_SPREAD = "no_spread"
#: Why a mean's interval is missing: fewer than two answers say nothing about the spread.
TOO_FEW = "too_few"


# ---------------------------------------------------------------------------------------------
# per-office summaries
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LikertSummary:
    """Descriptive statistics of one Likert item for one office.

    Attributes
    ----------
    n : int
        Valid answers (answers on the scale).
    no_answer : int
        Respondents who left the item blank or chose "no answer"; not part of ``n``.
    no_answer_rate : float
        ``no_answer / (n + no_answer)``; NaN when both are 0.
    counts : tuple of int
        Answers per level, ascending value order.
    values : tuple of float
        Numeric value of each level.
    distribution : tuple of float
        Share of valid answers per level; all NaN when ``n = 0`` (there is no distribution to
        show, and zeros would look like a real "nobody chose this" result).
    mean, sd : float
        Mean and sample standard deviation (``ddof=1``) of the level values.  ``n = 0`` gives
        NaN for both; ``n = 1`` gives a mean but NaN ``sd``.
    mean_ci : (float, float)
        95% t-interval for the mean, ``mean ± t(0.975, n-1)·sd/sqrt(n)``, clipped to the scale
        (lowest to highest level value); ``(nan, nan)`` when ``n < 2`` or when every answer is
        on the same level (a t-interval would have zero width).  ``mean_ci_note`` says which.
    mean_ci_note : str or None
        ``None`` when ``mean_ci`` is given, else why not: :data:`TOO_FEW` (``n < 2``) or
        :data:`NO_SPREAD` (every answer on one level, ``sd = 0``).
    satisfied : int
        Answers in the top ``satisfied_top`` levels ("top-2 box" by default).
    satisfied_rate : float
        ``satisfied / n`` in [0, 1]; NaN when ``n = 0``.
    satisfied_ci : (float, float)
        95% Wilson interval of ``satisfied_rate``; ``(nan, nan)`` when ``n = 0``.
    margin_of_error : float
        ``1.96·sqrt(0.25/n)``: 誤差範圍 as Taiwan's agencies publish it, the worst case
        ``p = 0.5`` (n = 1,099 gives ±2.96 points).  It depends on ``n`` only, so two offices
        with the same n quote the same figure, and an office at 100 % does not quote ±0.
    margin_of_error_observed : float
        ``1.96·sqrt(p(1-p)/n)`` with ``p = satisfied_rate``: narrower, and 0 at 0 % or 100 %,
        which is why it is not what is published; ``satisfied_ci`` (Wilson) is the interval.
    """

    n: int
    no_answer: int
    no_answer_rate: float
    counts: tuple[int, ...]
    values: tuple[float, ...]
    distribution: tuple[float, ...]
    mean: float
    sd: float
    mean_ci: tuple[float, float]
    mean_ci_note: str | None
    satisfied: int
    satisfied_rate: float
    satisfied_ci: tuple[float, float]
    margin_of_error: float
    margin_of_error_observed: float


@dataclass(frozen=True, slots=True, eq=False)
class LikertTable:
    """Column-wise (vectorised) version of :class:`LikertSummary` for ``k`` offices.

    Every attribute is an array with one entry (or row) per office, with the same meaning as
    the field of the same name in :class:`LikertSummary`; the interval bounds are split into
    ``*_low`` / ``*_high`` arrays, and ``mean_ci_note`` is a tuple (one note or ``None`` per
    office).  ``eq=False`` because arrays have no single truth value.  Use :meth:`rows` for the
    per-office dataclasses.
    """

    values: np.ndarray
    counts: np.ndarray
    n: np.ndarray
    no_answer: np.ndarray
    no_answer_rate: np.ndarray
    distribution: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    mean_ci_low: np.ndarray
    mean_ci_high: np.ndarray
    mean_ci_note: tuple[str | None, ...]
    satisfied: np.ndarray
    satisfied_rate: np.ndarray
    satisfied_ci_low: np.ndarray
    satisfied_ci_high: np.ndarray
    margin_of_error: np.ndarray
    margin_of_error_observed: np.ndarray

    def rows(self) -> list[LikertSummary]:
        """Return one :class:`LikertSummary` per office, in table order."""
        values = tuple(float(v) for v in self.values)
        out = []
        for i in range(self.n.shape[0]):
            out.append(
                LikertSummary(
                    n=int(self.n[i]),
                    no_answer=int(self.no_answer[i]),
                    no_answer_rate=float(self.no_answer_rate[i]),
                    counts=tuple(int(c) for c in self.counts[i]),
                    values=values,
                    distribution=tuple(float(p) for p in self.distribution[i]),
                    mean=float(self.mean[i]),
                    sd=float(self.sd[i]),
                    mean_ci=(float(self.mean_ci_low[i]), float(self.mean_ci_high[i])),
                    mean_ci_note=self.mean_ci_note[i],
                    satisfied=int(self.satisfied[i]),
                    satisfied_rate=float(self.satisfied_rate[i]),
                    satisfied_ci=(
                        float(self.satisfied_ci_low[i]),
                        float(self.satisfied_ci_high[i]),
                    ),
                    margin_of_error=float(self.margin_of_error[i]),
                    margin_of_error_observed=float(self.margin_of_error_observed[i]),
                )
            )
        return out


def describe_arrays(
    counts: ArrayLike,
    values: ArrayLike | None = None,
    no_answer: ArrayLike | None = None,
    satisfied_top: int = SATISFIED_TOP,
) -> LikertTable:
    """Describe every office of a count table at once (vectorised).

    Parameters
    ----------
    counts : array_like, shape (k, L)
        Answers per office (row) and level (column, ascending value order).
    values : array_like, shape (L,), optional
        Numeric value of each level; default ``1..L``.
    no_answer : int or array_like, shape (k,), optional
        "No answer" count per office (a scalar applies to all offices); default 0.
    satisfied_top : int
        How many of the highest levels count as "satisfied" (2 = top-2 box).

    Returns
    -------
    LikertTable
        Arrays of per-office statistics; see :class:`LikertSummary` for their meaning.

    Raises
    ------
    ValueError
        On malformed counts, values or ``satisfied_top`` outside ``1..L``.
    """
    c = as_count_table(counts, ndim=2)
    k, n_levels = c.shape
    v = as_level_values(values, n_levels)
    if isinstance(satisfied_top, bool) or not isinstance(satisfied_top, int | np.integer):
        raise ValueError("satisfied_top must be an integer")
    if not 1 <= satisfied_top <= n_levels:
        raise ValueError(f"satisfied_top must be between 1 and {n_levels}, got {satisfied_top}")
    if no_answer is None:
        na = np.zeros(k, dtype=np.int64)
    else:
        na = as_count_table(no_answer, ndim=None, name="no_answer")
        if na.ndim == 0:
            na = np.full(k, int(na), dtype=np.int64)
        elif na.shape != (k,):
            raise ValueError(f"no_answer must be a scalar or have shape ({k},), got {na.shape}")

    n = c.sum(axis=1)
    nf = n.astype(np.float64)
    cf = c.astype(np.float64)
    has = n > 0
    two = n > 1
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = cf / nf[:, None]
        mean = cf @ v / nf
        # Centred sum of squares: stable even when every answer is on the same level.
        ss = np.einsum("ij,ij->i", cf, (v[None, :] - mean[:, None]) ** 2)
        sd = np.where(two, np.sqrt(ss / (nf - 1.0)), np.nan)
        resp = (n + na).astype(np.float64)
        no_answer_rate = na / resp
    mean = np.where(has, mean, np.nan)

    # Every answer on one level: sd is 0 and a t-interval [mean, mean] would claim certainty.
    # Counted from the levels used, not from sd == 0, so no rounding can hide it.
    flat = two & (np.count_nonzero(c, axis=1) <= 1)
    sd = np.where(flat, 0.0, sd)
    estimable = two & ~flat
    tcrit = np.full(k, np.nan)
    if np.any(estimable):
        tcrit[estimable] = stats.t.ppf(0.975, nf[estimable] - 1.0)
    with np.errstate(invalid="ignore"):
        half = np.where(estimable, tcrit * sd / np.sqrt(np.where(two, nf, 1.0)), np.nan)
    # inside the scale: 29 answers of 5 and one of 1 would otherwise reach 5.14 (NaN stays NaN)
    mean_ci_low = np.clip(mean - half, v.min(), v.max())
    mean_ci_high = np.clip(mean + half, v.min(), v.max())
    notes = tuple(None if e else (NO_SPREAD if f else TOO_FEW)
                  for e, f in zip(estimable.tolist(), flat.tolist(), strict=True))

    satisfied = c[:, n_levels - satisfied_top :].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(has, satisfied / nf, np.nan)
        moe = np.where(has, AGENCY_Z * np.sqrt(0.25 / nf), np.nan)
        moe_observed = np.where(has, AGENCY_Z * np.sqrt(rate * (1.0 - rate) / nf), np.nan)
    s_low, s_high = wilson_arrays(satisfied, n, z_for(0.95))

    return LikertTable(
        values=v,
        counts=c,
        n=n,
        no_answer=na,
        no_answer_rate=no_answer_rate,
        distribution=dist,
        mean=mean,
        sd=sd,
        mean_ci_low=mean_ci_low,
        mean_ci_high=mean_ci_high,
        mean_ci_note=notes,
        satisfied=satisfied,
        satisfied_rate=rate,
        satisfied_ci_low=s_low,
        satisfied_ci_high=s_high,
        margin_of_error=moe,
        margin_of_error_observed=moe_observed,
    )


def describe_table(
    counts: ArrayLike,
    values: ArrayLike | None = None,
    no_answer: ArrayLike | None = None,
    satisfied_top: int = SATISFIED_TOP,
) -> list[LikertSummary]:
    """Describe every office of a count table; one :class:`LikertSummary` per row.

    Computed with :func:`describe_arrays` (vectorised) and then split into dataclasses; use
    :func:`describe_arrays` directly when a whole column of numbers is wanted.
    """
    return describe_arrays(counts, values, no_answer, satisfied_top).rows()


def describe(
    counts_row: ArrayLike,
    values: ArrayLike | None = None,
    no_answer: int = 0,
    satisfied_top: int = SATISFIED_TOP,
) -> LikertSummary:
    """Describe one office's answers to one Likert item.

    Parameters
    ----------
    counts_row : array_like, shape (L,)
        Answers per level in ascending value order.
    values : array_like, shape (L,), optional
        Numeric value of each level; default ``1..L``.
    no_answer : int
        Respondents who gave no answer to the item (not part of ``n``).
    satisfied_top : int
        How many of the highest levels count as "satisfied" (2 = top-2 box).

    Returns
    -------
    LikertSummary
        ``n = 0`` is allowed and yields NaN statistics, so an office without answers can still
        be listed in a report.
    """
    row = as_count_table(counts_row, ndim=1, name="counts_row")
    na = as_count_table(no_answer, ndim=0, name="no_answer")
    return describe_arrays(row[None, :], values, na.reshape(1), satisfied_top).rows()[0]
