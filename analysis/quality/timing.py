"""The stuffing-bursts screen: windows in which one tablet received too many submissions.

Someone filling in surveys on a counter tablet leaves a trace in time: more submissions in a few
minutes than the tablet's citizens ever produce, or more than a person can physically read and
answer.  The input is the tablet's submissions per fixed window; the screen needs no reference
from other offices, only the tablet's own ordinary rhythm.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table
from analysis.quality.common import (
    check_alpha,
    check_int,
    check_labels,
    check_positive,
    fmt_num,
    fmt_p,
)

__all__ = ["BurstWindow", "BurstsResult", "bursts"]


@dataclass(frozen=True, slots=True)
class BurstWindow:
    """One flagged time window.

    Attributes
    ----------
    index : int
        Position of the window in the input (0 = first window of the period).
    label : str
        The window's label (e.g. its start time) or 「第 i 個時段」.
    count : int
        Submissions in the window.
    expected : float
        The tablet's reference rate per window (the same for every window).
    per_minute : float
        ``count / window_minutes``.
    pvalue : float
        ``P(X >= count)`` under the reference model (``BurstsResult.model``): Poisson with
        mean ``expected``, or the negative binomial.  NaN when no reference exists.
    pvalue_adjusted : float
        ``min(1, pvalue * n_windows)`` (Bonferroni over all windows of the period).
    improbable : bool
        Flagged by the count rule (``pvalue_adjusted < alpha`` and ``count >= min_count``).
    implausible_rate : bool
        Flagged by the physical rule (``per_minute > max_per_minute``).
    reason : str
        Why, in Traditional Chinese.
    """

    index: int
    label: str
    count: int
    expected: float
    per_minute: float
    pvalue: float
    pvalue_adjusted: float
    improbable: bool
    implausible_rate: bool
    reason: str


@dataclass(frozen=True, slots=True)
class BurstsResult:
    """Result of :func:`bursts` for one tablet (or office) over one period.

    Attributes
    ----------
    name : str
        Tablet or office name, as passed (may be empty).
    window_minutes : float
        Length of a window.
    n_windows : int
        Windows in the period (zeros included); the Bonferroni factor.
    total : int
        Submissions in the period.
    rate : float
        Reference submissions per window: the mean of the non-empty windows that are not
        flagged (see :func:`bursts`).  NaN when no such window exists.
    rate_windows : int
        Windows the rate was computed from.
    model : str
        ``"poisson"``, or ``"negative-binomial"`` when those windows vary more than Poisson
        counts do (see :func:`bursts`).
    dispersion : float
        Variance / mean of those windows (about 1 for Poisson counts, below 1 for short
        windows, whose non-empty counts are mostly 1).  NaN with fewer than two windows.
    max_count : int
        The largest window count.
    max_index : int or None
        Index of the (first) window with ``max_count``; None when there were no submissions.
    max_label : str or None
        Label of that window.
    threshold : float
        ``alpha / n_windows``.
    limit_count : int or None
        Smallest window count the count rule flags (at least ``min_count``); None when the
        rate is undefined.
    physical_limit : float or None
        ``max_per_minute * window_minutes``; counts above it are flagged.  None if disabled.
    windows : tuple of BurstWindow
        Flagged windows, in time order.
    """

    name: str
    window_minutes: float
    n_windows: int
    total: int
    rate: float
    rate_windows: int
    model: str
    dispersion: float
    max_count: int
    max_index: int | None
    max_label: str | None
    threshold: float
    limit_count: int | None
    physical_limit: float | None
    windows: tuple[BurstWindow, ...]

    @property
    def flagged(self) -> bool:
        """True when at least one window is flagged."""
        return bool(self.windows)


def _count_model(windows: np.ndarray, overdispersion: bool) -> tuple[str, float, float, object]:
    """Reference distribution for one window from the windows taken as ordinary.

    Returns ``(model, mean, dispersion, frozen scipy distribution)``.  Poisson with the mean of
    ``windows``; when ``overdispersion`` is allowed and their sample variance ``v`` exceeds
    the mean ``mu``, a negative binomial with that mean and variance instead
    (``r = mu^2 / (v - mu)``, ``p = mu / v``).
    """
    mu = float(windows.mean())
    v = float(windows.var(ddof=1)) if windows.size >= 2 else 0.0
    dispersion = v / mu if windows.size >= 2 else float("nan")
    if overdispersion and v > mu * (1.0 + 1e-12):
        return "negative-binomial", mu, dispersion, stats.nbinom(mu * mu / (v - mu), mu / v)
    return "poisson", mu, dispersion, stats.poisson(mu)


def _limit_count(dist: object, q: float, min_count: int) -> int:
    """Smallest ``c >= min_count`` with ``P(X >= c) < q``."""
    c = int(dist.isf(q)) + 1  # sf(c - 1) <= q; step to the strict inequality
    while c > 1 and dist.sf(c - 2) < q:
        c -= 1
    while dist.sf(c - 1) >= q:
        c += 1
    return max(c, min_count)


def bursts(
    counts_per_window: ArrayLike,
    *,
    window_minutes: float,
    min_count: int = 5,
    alpha: float = 0.001,
    max_per_minute: float | None = 3.0,
    labels: Sequence[str] | None = None,
    name: str = "",
) -> BurstsResult:
    """Flag windows in which one tablet received improbably or impossibly many submissions.

    Two rules, each enough to flag a window:

    * Count rule: ``P(X >= count) < alpha / n_windows`` and ``count >= min_count``, where
      ``X`` is Poisson with the tablet's own typical rate *while in use*: the mean count of the
      non-empty windows.  Zeros are left out because they are mostly idle or closed time
      (lunch, a quiet afternoon, a tablet switched off); averaging them in would make every
      busy hour look like a burst.  The non-empty mean is also on the safe side: for a Poisson
      count ``E[X | X > 0] = rate / (1 - exp(-rate))`` exceeds the rate, which covers the
      busier hours of the day.  (The median of the non-empty windows is integer-valued and 1
      for most tablets whatever their rate; a trimmed mean that always drops the top windows
      is biased low on honest data.  Both make honest peaks look more improbable than they
      are.)  Flagged windows leave the mean and it is recomputed until nothing changes, so
      that stuffing does not hide by raising the rate it is judged by; on honest data nothing
      is flagged and the rate is computed once.  Then, if the windows kept as ordinary vary
      more than Poisson counts (variance above the mean: the day's rhythm and busy Mondays
      show in windows of 15 minutes or more at busy tablets), the same is repeated with a
      negative binomial of their mean and variance, starting from the Poisson flags so that
      the stuffing is not part of the variance that judges it.  In simulations of honest
      tablets (one citizen at a time, 5 to 200 a day, windows of 1 to 60 minutes) this gave
      no flags; the Poisson alone falsely flagged the peak hours of busy tablets in hourly
      windows.
    * Physical rule: ``count / window_minutes > max_per_minute``.  Nobody reads and answers
      eight questions in less than about 20 seconds, so more than 3 per minute (the default)
      sustained over a window is not citizens.  With 1-minute windows this is exactly "more
      than N submissions in one minute"; with longer windows it is the window's average, so a
      short burst inside a quiet window is left to the count rule.  The application's own
      rate limit (10 per minute per tablet) caps what stuffing can reach.

    Run it at two or three window lengths: 1 minute for the physical rule, 5 minutes for
    bursts, 60 minutes for slow stuffing (one survey every few minutes for hours, which no
    5-minute window shows).  A limitation: stuffing below the physical limit that makes up
    most of a tablet's busy windows raises the rate it is judged by; longer windows and
    :func:`~analysis.quality.patterns.repeated_patterns` are the check for that.

    Parameters
    ----------
    counts_per_window : array_like of int, shape (m,)
        Submissions per fixed window over the opening hours of a period, in time order, zeros
        included (the windows with no submissions are the Bonferroni family too).  Empty means
        no windows.
    window_minutes : float
        Length of one window in minutes.
    min_count : int
        The count rule never flags a window with fewer submissions (a family of four filling
        in one after another is not stuffing, however quiet the tablet usually is).
    alpha : float
        Family-wise error rate over the windows (Bonferroni).
    max_per_minute : float or None
        Physical limit; None disables the physical rule.
    labels : sequence of str, optional
        One label per window for the reasons, e.g. ``"2025-08-04 10:35"``.
    name : str
        Tablet or office name for the reasons.

    Returns
    -------
    BurstsResult
        The flagged windows with counts, expected rate and p-values, and the maximum window.

    Raises
    ------
    ValueError
        On counts that are not a 1-D array of non-negative whole numbers, or settings out of
        range.
    """
    alpha = check_alpha(alpha)
    window_minutes = check_positive(window_minutes, "window_minutes")
    min_count = check_int(min_count, "min_count", 1)
    if max_per_minute is not None:
        max_per_minute = check_positive(max_per_minute, "max_per_minute")
    raw = np.asarray(counts_per_window)
    if raw.size == 0 and raw.ndim == 1:
        c = np.zeros(0, dtype=np.int64)
    else:
        c = as_count_table(counts_per_window, ndim=1, name="counts_per_window")
    m = int(c.size)
    labs = check_labels(labels, m, "labels")
    name = "" if name is None else str(name)

    physical_limit = None if max_per_minute is None else max_per_minute * window_minutes
    physical = (
        np.zeros(m, dtype=bool) if physical_limit is None else c > physical_limit + 1e-9
    )
    threshold = alpha / m if m else float("nan")
    total = int(c.sum())
    summary = dict(
        name=name, window_minutes=window_minutes, n_windows=m, total=total,
        max_count=int(c.max()) if m else 0,
        max_index=int(np.argmax(c)) if total else None,
        max_label=None, threshold=threshold, physical_limit=physical_limit,
    )
    if total:
        i_max = int(np.argmax(c))
        summary["max_label"] = labs[i_max] if labs is not None else f"第 {i_max + 1} 個時段"

    # Stage 1, Poisson: the rate is the mean of the non-empty windows no rule flags; flagged
    # windows leave the mean until nothing changes (flags only grow, so this ends).
    nonempty = c > 0

    def judge(excluded: np.ndarray, overdispersion: bool):
        base = nonempty & ~excluded
        if not base.any():
            return None
        model, mu, dispersion, dist = _count_model(c[base], overdispersion)
        pv = dist.sf(c - 1)
        flags = (np.minimum(pv * m, 1.0) < alpha) & (c >= min_count)
        return model, mu, dispersion, dist, pv, flags, int(base.sum())

    excluded = physical.copy()
    state = judge(excluded, False)
    for _ in range(m + 1):
        if state is None:
            break
        new_excluded = physical | state[5]
        if np.array_equal(new_excluded, excluded):
            break
        excluded = new_excluded
        state = judge(excluded, False)
    # Stage 2, the same with a negative binomial when the windows taken as ordinary vary more
    # than Poisson (the day's rhythm, busy Mondays): windows that only the Poisson found
    # improbable return to the reference.  Starting from stage 1's flags keeps stuffing out
    # of the variance that judges it.
    for _ in range(m + 1):
        if state is None:
            break
        state = judge(excluded, True)
        new_excluded = physical | state[5]
        if np.array_equal(new_excluded, excluded):
            break
        excluded = new_excluded
    if state is None:
        model, rate, dispersion, dist = "poisson", float("nan"), float("nan"), None
        pvals, improbable, rate_windows = np.full(m, np.nan), np.zeros(m, dtype=bool), 0
    else:
        model, rate, dispersion, dist, pvals, improbable, rate_windows = state
    limit_count = None if dist is None else _limit_count(dist, threshold, min_count)

    dist_what = (
        " Poisson 分布" if model == "poisson" else f"負二項分布（時段間起伏為 Poisson 的 {dispersion:.1f} 倍）"
    )
    windows = []
    for i in np.flatnonzero(improbable | physical):
        i = int(i)
        count = int(c[i])
        per_minute = count / window_minutes
        p = float(pvals[i])
        label = labs[i] if labs is not None else f"第 {i + 1} 個時段"
        who = f"{name}：" if name else ""
        minutes = fmt_num(window_minutes)
        when = f"{label} 起 {minutes} 分鐘內" if labs is not None else f"{label}（{minutes} 分鐘）"
        parts = [f"{who}{when}送出 {count} 份（每分鐘 {per_minute:.1f} 份）"]
        if improbable[i]:
            parts.append(
                f"平常有人填答的時段平均每段約 {rate:.2f} 份，依{dist_what}機率約 {fmt_p(p)}，"
                f"低於校正門檻 {fmt_p(threshold)}（{alpha:g} ÷ {m:,} 個時段）"
            )
        if physical[i]:
            parts.append(
                f"超過每分鐘 {fmt_num(max_per_minute)} 份的合理上限"
                f"（每份問卷至少約 {fmt_num(round(60 / max_per_minute, 1))} 秒）"
            )
        windows.append(
            BurstWindow(
                index=i, label=label, count=count, expected=rate, per_minute=per_minute,
                pvalue=p, pvalue_adjusted=min(1.0, p * m) if not math.isnan(p) else p,
                improbable=bool(improbable[i]), implausible_rate=bool(physical[i]),
                reason="；".join(parts) + "。",
            )
        )
    return BurstsResult(
        **summary, rate=rate, rate_windows=rate_windows, model=model, dispersion=dispersion,
        limit_count=limit_count, windows=tuple(windows),
    )
