"""Data-quality flags for the citizen survey: covered buttons, stuffing bursts, copied patterns.

Offices have been caught taping over the negative buttons of the counter tablet and filling in
surveys themselves.  The three screens here look for the traces those leave in aggregates that
SQL computes (no raw rows leave the database):

* :func:`no_negative_answers`: an office with many answers and (almost) no negative ones, when
  the other offices make that improbable.  Input: an office x level count table (of each
  submission's lowest answer, or of one item).
* :func:`bursts`: time windows in which one tablet received improbably many submissions, or
  more than a person can physically fill in.  Input: submissions per fixed window.
* :func:`repeated_patterns`: one answer pattern (the same button on every question) far more
  common at an office than at honest offices.  Input: the office's pattern counts and item
  marginals, and every other office's top-pattern count.

A flag is evidence for an analyst to look at, not a verdict: every flag carries the numbers
behind it and a ``reason`` in Traditional Chinese that can be shown as is.  Each screen adjusts
for everything it screens in one run (Bonferroni over offices, windows or offices x patterns),
so ``alpha = 0.001`` is the chance that an honest region produces any flag at all; the tests
check this on simulated honest regions.

Honest offices differ, and that is the main statistical trap.  A plain binomial test against
the pooled rate of the other offices assumes every office has the same true rate; with
hundreds of answers per office it then "detects" the ordinary difference between the best
office and the average one (in data like the demo data the best office's true negative rate
on an item is about 0.3% against a pooled 1.5%, and its most common answer pattern is several
times as common as the average office's).  Both office-level screens therefore compare an office with *a new
office drawn from the other offices*, between-office spread included:

* negative answers: a beta-binomial whose mean is the other offices' pooled rate and whose
  intraclass correlation ``rho`` is estimated from them (the ANOVA estimator for binary data,
  Fleiss 1981; Ridout, Demetrio & Firth 1999).  ``rho = 0`` is exactly the binomial;
* answer patterns: a prediction interval on the logit scale, where the spread of the top
  pattern's share between offices is roughly normal, with Student's t for a mean and SD
  estimated from a few offices.

The naive binomial probabilities are reported beside them, so the difference can be seen.

The aggregates, for one instrument and period, kiosk channel (``submissions.channel =
'kiosk'``, status ``submitted``):

* :func:`no_negative_answers`: per office, the number of submissions whose *lowest* Likert
  answer is 1, 2, ..., 5 (``MIN(answers.value)`` per submission over the Likert items, then
  ``GROUP BY office_id, lowest``), or the ``GROUP BY office_id, value`` counts of one item;
* :func:`bursts`: per tablet, ``COUNT(*)`` per window of ``submitted_at`` (e.g.
  ``floor(epoch / 300)``), with the empty windows of the opening hours filled in as zeros;
* :func:`repeated_patterns`: per office, the submissions pivoted to one row of answers
  (``MAX(CASE WHEN item_key = ... THEN value END)`` per item, NULL = no answer), then
  ``COUNT(*) GROUP BY office_id, q1, ..., qk``; the per-item ``GROUP BY value`` counts with
  no answer as its own column; and each office's largest pattern count and its total.

Malformed input raises ``ValueError``; empty input (no offices, no windows, an office without
submissions) gives a result with nothing tested, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.descriptive import as_count_table

__all__ = [
    "BurstWindow",
    "BurstsResult",
    "NegativeAnswersResult",
    "OfficeNegatives",
    "OUTLIER_Z",
    "PatternFlag",
    "RepeatedPatternsResult",
    "bursts",
    "no_negative_answers",
    "repeated_patterns",
]

#: Labels of the five levels, ascending (column 0 = value 1).
LEVEL_LABELS_5 = ("非常不滿意", "不滿意", "普通", "滿意", "非常滿意")

#: Above this intraclass correlation the beta distribution is numerically degenerate; ``rho``
#: is capped here (an estimate this large means the offices have almost nothing in common).
_RHO_MAX = 0.999
#: Below this ``rho`` the beta-binomial is the binomial to many digits; use the binomial.
_RHO_MIN = 1e-9

Model = Literal["beta-binomial", "binomial"]
_MODELS = ("beta-binomial", "binomial")


# ---------------------------------------------------------------------------------------------
# validation and formatting helpers
# ---------------------------------------------------------------------------------------------


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating | np.integer):
        raise ValueError(f"alpha must be a number, got {alpha!r}")
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    return float(alpha)


def _check_int(value: object, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    if v < low or (high is not None and v > high):
        upper = "" if high is None else f" and at most {high}"
        raise ValueError(f"{name} must be at least {low}{upper}, got {v}")
    return v


def _check_positive(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must be a number, got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and v > 0.0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def _check_model(model: str) -> str:
    if model not in _MODELS:
        raise ValueError(f"model must be one of {_MODELS}, got {model!r}")
    return model


def _check_labels(labels: Sequence[object] | None, k: int, name: str) -> tuple[str, ...] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        raise ValueError(f"{name} must be a sequence of labels, not a single string")
    out = tuple("" if x is None else str(x) for x in labels)
    if len(out) != k:
        raise ValueError(f"{name} must have one entry per row ({k}), got {len(out)}")
    return out


def _fmt_p(p: float) -> str:
    """A probability the way the reasons print it: ``7.9e-12``, ``0.0032``, ``< 1e-300``."""
    if not math.isfinite(p):
        return "—"
    if p == 0.0:
        return "< 1e-300"
    if p < 0.001:
        mantissa, exponent = f"{p:.1e}".split("e")
        return f"{mantissa}e-{int(exponent[1:])}"
    return f"{p:.2g}"


def _fmt_num(x: float) -> str:
    """Counts and rates: integers without decimals, otherwise two decimals (one from 10 up)."""
    if not math.isfinite(x):
        return "—"
    if x == round(x) and abs(x) < 1e15:
        return f"{int(round(x)):,}"
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


# ---------------------------------------------------------------------------------------------
# leave-one-out beta-binomial reference
# ---------------------------------------------------------------------------------------------


def _loo_reference(
    x: np.ndarray, n: np.ndarray, use: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pooled rate and ANOVA intraclass correlation of the *other* offices, for every office.

    For office ``i`` the reference is every office ``j != i`` with ``use[j]`` (and ``n_j > 0``).
    With ``K`` offices, ``N`` answers and ``X`` events among them, the binary one-way ANOVA is
    ``MSB = (sum x_j^2/n_j - X^2/N) / (K - 1)``, ``MSW = (X - sum x_j^2/n_j) / (N - K)``,
    ``n0 = (N - sum n_j^2 / N) / (K - 1)`` and ``rho = (MSB - MSW) / (MSB + (n0 - 1) MSW)``,
    truncated to ``[0, _RHO_MAX]``.  All sums are totals minus the office's own term, so the
    whole table costs O(k).

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
        msb = ssb / (k_o - 1.0)
        msw = ssw / (n_o - k_o)
        n0 = (n_o - s2_o / n_o) / (k_o - 1.0)
        denom = msb + (n0 - 1.0) * msw
        rho = np.where(denom > 0, (msb - msw) / denom, 0.0)
    rho = np.clip(rho, 0.0, _RHO_MAX)
    rho = np.where((k_o >= 2) & (n_o - k_o > 0), rho, np.nan)
    return rate, rho, k_o.astype(np.int64)


def _beta_params(rate: float, rho: float) -> tuple[float, float]:
    """Beta(a, b) with mean ``rate`` and intraclass correlation ``1 / (a + b + 1) = rho``."""
    s = (1.0 - rho) / rho
    return rate * s, (1.0 - rate) * s


def _lower_tail(x: int, n: int, rate: float, rho: float) -> float:
    """``P(X <= x)`` for ``X ~ BetaBinomial(n, rate, rho)`` (binomial when ``rho`` is ~0)."""
    if rate <= 0.0 or x >= n:
        return 1.0
    if rate >= 1.0:
        return 0.0
    if rho < _RHO_MIN:
        return float(stats.binom.cdf(x, n, rate))
    a, b = _beta_params(rate, rho)
    return float(min(max(stats.betabinom.cdf(x, n, a, b), 0.0), 1.0))


# ---------------------------------------------------------------------------------------------
# 1. no negative answers (covered buttons)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfficeNegatives:
    """The negative-answer screen for one office.

    Attributes
    ----------
    index : int
        Row of the office in the input table.
    name : str
        Office name (from ``names``) or 「第 i 個單位」.
    n : int
        Answers on the scale (all levels).
    base : int
        Answers the rate is taken over: all answers, or those in the lowest ``base_levels``
        levels (e.g. 普通 or lower) when ``base_levels`` is set.
    negative : int
        Answers in the lowest ``negative_levels`` levels.
    reference_rate : float
        ``negative / base`` of all *other* offices pooled (the office's own answers are left
        out, so that a covered office does not lower its own reference).  NaN when the other
        offices have no answers in the base.
    rho : float
        Between-office intraclass correlation of that rate among the other offices (ANOVA
        estimator); 0 for ``model="binomial"``, NaN when it cannot be estimated.
    expected_negative : float
        ``base * reference_rate``: what an average office would have had.
    probability : float
        ``P(X <= negative)`` for ``X`` the negative count of an office with this ``base``
        drawn from the other offices (beta-binomial, or binomial for ``model="binomial"``).
        For ``negative = 0`` and the binomial this is ``(1 - reference_rate) ** base``.
        NaN when not tested.
    probability_binomial : float
        The same under the plain binomial (every office with the same true rate), for
        comparison: much smaller, and too small when offices really differ.
    probability_adjusted : float
        ``min(1, probability * n_tested)`` (Bonferroni over the offices tested).
    tested : bool
        Whether the office was screened (``n >= min_n`` and a reference available).
    flagged : bool
        ``negative <= max_negative`` and ``probability_adjusted < alpha``.
    reason : str or None
        Why the office is flagged, in Traditional Chinese, for the analyst; None if not.
    note : str or None
        Why the office was not tested, if it was not.
    """

    index: int
    name: str
    n: int
    base: int
    negative: int
    reference_rate: float
    rho: float
    expected_negative: float
    probability: float
    probability_binomial: float
    probability_adjusted: float
    tested: bool
    flagged: bool
    reason: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class NegativeAnswersResult:
    """Result of :func:`no_negative_answers` for all offices.

    Attributes
    ----------
    offices : tuple of OfficeNegatives
        One entry per input row, in input order.
    n_tested : int
        Offices screened; the Bonferroni factor.
    threshold : float
        ``alpha / n_tested``, the probability below which an office is flagged (NaN when no
        office was tested).
    alpha : float
        Family-wise error rate over the offices tested.
    model : str
        ``"beta-binomial"`` or ``"binomial"``.
    negative_levels, base_levels, max_negative, min_n : int
        The screen's settings (``base_levels`` = number of levels when all answers count).
    """

    offices: tuple[OfficeNegatives, ...]
    n_tested: int
    threshold: float
    alpha: float
    model: str
    negative_levels: int
    base_levels: int
    max_negative: int
    min_n: int

    @property
    def flagged(self) -> tuple[OfficeNegatives, ...]:
        """The flagged offices, most improbable first."""
        return tuple(sorted((o for o in self.offices if o.flagged), key=lambda o: o.probability))


def _level_span(n_levels: int, levels: int) -> str:
    """「非常不滿意或不滿意」 for the two lowest of five levels, 「普通以下」 for three."""
    if n_levels == 5:
        if levels <= 2:
            return "或".join(LEVEL_LABELS_5[:levels])
        return f"{LEVEL_LABELS_5[levels - 1]}以下"
    return f"最低 {levels} 級"


def no_negative_answers(
    counts: ArrayLike,
    *,
    min_n: int = 50,
    alpha: float = 0.001,
    negative_levels: int = 2,
    base_levels: int | None = None,
    max_negative: int = 0,
    model: Model = "beta-binomial",
    names: Sequence[str] | None = None,
) -> NegativeAnswersResult:
    """Flag offices with many answers but no negative ones (the covered-buttons pattern).

    An honest office with ``n`` answers and true negative rate ``p`` has no negative answer
    with probability ``(1 - p) ** n``; for 412 answers and 6.1% that is about 5e-12.  ``p`` is
    the pooled rate of the *other* offices, so a covered office cannot lower its own reference.

    Offices really differ, and the plain binomial ignores that: once ``n`` is a few hundred it
    flags a genuinely excellent office for being better than average (in simulated regions of
    20 honest offices it flagged some office in about 2% of demo-like regions, and in 14% of
    regions where 98% of submissions have no negative answer, with the lowest-answer table;
    ``alpha = 0.001`` promises 0.1%.  The beta-binomial flagged none in over 1,000 regions).
    The default ``model="beta-binomial"`` therefore treats the other offices' true rates as
    draws from a beta distribution with their pooled mean and their between-office intraclass
    correlation ``rho`` (ANOVA estimator for binary data), and asks how probable the count is
    for a new office drawn from it.  With ``rho = 0`` (offices
    no more different than chance) this is the binomial.  The price is power: a covered
    average office looks like an excellent one, and the more offices differ, the less a zero
    proves.  Two ways to get the power back are built in and recommended:

    * Input the table of each submission's *lowest* answer over all Likert items (SQL:
      ``MIN(value)`` per submission).  Covered buttons remove negatives from every item, so the
      share of citizens with at least one negative answer (several times the share on one
      item) drops to zero, and each citizen still counts once.
    * ``base_levels=3``: take the rate among citizens who were not satisfied (普通 or lower)
      instead of among all.  An excellent office has few such citizens, so its zero proves
      little, while a covered office's unhappy citizens all end up at 普通, so its zero among
      many 普通 proves a lot; the rate among the not-satisfied also differs less between
      offices.  In simulations of a covered average office (480 submissions) among 20 honest
      ones with 7% negative answers on the overall item, the chance of flagging it rose from
      57% to 100%; in demo-like regions (1.5% negative on the item, 6.6% of submissions with
      some negative answer), with the lowest-answer table, from 6% to 94%; no honest office
      was flagged either way.  Where under 2% of submissions have any negative answer, an
      office without one is ordinary and no test can tell a covered one.

    Parameters
    ----------
    counts : array_like, shape (k, L)
        Answers per office (row) and level (column, ascending: column 0 = 非常不滿意, column
        4 = 非常滿意) for one period, kiosk channel.  Either one item (e.g. 整體滿意度) or, better,
        each submission's lowest answer over the items.  Do not sum several items: one
        citizen's answers are not independent, and the test would count each citizen up to
        eight times.  An empty array means no offices.
    min_n : int
        Offices with fewer answers (all levels) are not tested: at small ``n`` zero negatives
        is ordinary, and such offices only dilute the Bonferroni adjustment.  They still count
        towards the other offices' reference.
    alpha : float
        Family-wise error rate over the offices tested (Bonferroni: flagged when
        ``probability < alpha / n_tested``).  Bonferroni rather than Holm so that the reason
        can quote one threshold; covered buttons give probabilities far below it.
    negative_levels : int
        How many of the lowest levels count as negative (2 = 非常不滿意 and 不滿意).
    base_levels : int, optional
        Take the rate over the lowest ``base_levels`` levels only (3 = 普通 or lower); must
        exceed ``negative_levels``.  Default: all levels.
    max_negative : int
        Offices with at most this many negative answers can be flagged (default 0, "none").
        Raise it to catch buttons that were covered for most, not all, of the period;
        ``probability`` is always the lower tail ``P(X <= negative)``.
    model : {"beta-binomial", "binomial"}
        Reference distribution, see above.  The beta-binomial needs at least two other offices
        with answers in the base; offices without such a reference are not tested.
    names : sequence of str, optional
        Office names for the reasons.

    Returns
    -------
    NegativeAnswersResult
        One :class:`OfficeNegatives` per office; ``.flagged`` lists the flagged ones.

    Raises
    ------
    ValueError
        On malformed counts (not 2-D, negative, fractional, fewer than 2 levels) or settings
        out of range.
    """
    alpha = _check_alpha(alpha)
    min_n = _check_int(min_n, "min_n", 1)
    max_negative = _check_int(max_negative, "max_negative", 0)
    model = _check_model(model)
    raw = np.asarray(counts)
    if raw.size == 0 and raw.ndim in (1, 2):
        c = np.zeros((0, raw.shape[1] if raw.ndim == 2 and raw.shape[1] else 5), dtype=np.int64)
    else:
        c = as_count_table(counts, ndim=2)
    k, n_levels = c.shape
    if n_levels < 2:
        raise ValueError(f"counts must have at least 2 levels (columns), got {n_levels}")
    negative_levels = _check_int(negative_levels, "negative_levels", 1, n_levels - 1)
    if base_levels is None:
        base_levels = n_levels
    base_levels = _check_int(base_levels, "base_levels", negative_levels + 1, n_levels)
    labels = _check_labels(names, k, "names")

    n = c.sum(axis=1)
    base = c[:, :base_levels].sum(axis=1)
    neg = c[:, :negative_levels].sum(axis=1)
    rate, rho_est, k_other = _loo_reference(neg, base, np.ones(k, dtype=bool))
    rho = np.zeros(k) if model == "binomial" else rho_est
    tested = (n >= min_n) & ~np.isnan(rate) & ~np.isnan(rho)
    m = int(tested.sum())
    threshold = alpha / m if m else float("nan")
    what = _level_span(n_levels, negative_levels)
    partial = base_levels < n_levels
    base_what = _level_span(n_levels, base_levels)

    rows = []
    for i in range(k):
        name = labels[i] if labels is not None else f"第 {i + 1} 個單位"
        ni, bi, xi = int(n[i]), int(base[i]), int(neg[i])
        ri, rhoi = float(rate[i]), float(rho[i])
        common = dict(
            index=i, name=name, n=ni, base=bi, negative=xi, reference_rate=ri, rho=rhoi,
            expected_negative=bi * ri,
        )
        if not tested[i]:
            if ni == 0:
                note = "沒有回答"
            elif ni < min_n:
                note = f"回答數 {ni} 少於 {min_n}，不檢定"
            elif math.isnan(ri):
                note = f"其他單位沒有{base_what}的回答，無從比較" if partial else "其他單位沒有回答，無從比較"
            else:
                note = f"其他有回答的單位只有 {int(k_other[i])} 個，無法估計單位間差異"
            rows.append(
                OfficeNegatives(
                    **common, probability=float("nan"), probability_binomial=float("nan"),
                    probability_adjusted=float("nan"), tested=False, flagged=False,
                    reason=None, note=note,
                )
            )
            continue
        p = _lower_tail(xi, bi, ri, rhoi)
        p_bin = _lower_tail(xi, bi, ri, 0.0)
        p_adj = min(1.0, p * m)
        flagged = xi <= max_negative and p_adj < alpha
        reason = None
        if flagged:
            found = f"卻沒有任何{what}的回答" if xi == 0 else f"只有 {xi} 筆{what}的回答"
            among = f"（其中 {bi:,} 筆為{base_what}）" if partial else ""
            ref_what = f"{base_what}回答中{what}的比率" if partial else f"{what}比率"
            extra = (
                f"；考慮單位間差異（ICC {rhoi:.3f}）後約 {_fmt_p(p)}" if model != "binomial"
                else ""
            )
            reason = (
                f"{name}：n = {ni:,}{among or ' '}{found}（預期約 {_fmt_num(round(bi * ri, 1))} 筆）；"
                f"依其他單位合計的{ref_what} {ri:.1%}，二項機率約 {_fmt_p(p_bin)}{extra}，"
                f"低於校正門檻 {_fmt_p(threshold)}（{alpha:g} ÷ {m} 個受檢單位）。"
                "請檢查平板的負面選項是否被遮住或停用。"
            )
        rows.append(
            OfficeNegatives(
                **common, probability=p, probability_binomial=p_bin, probability_adjusted=p_adj,
                tested=True, flagged=flagged, reason=reason, note=None,
            )
        )
    return NegativeAnswersResult(
        offices=tuple(rows), n_tested=m, threshold=threshold, alpha=alpha, model=model,
        negative_levels=negative_levels, base_levels=base_levels, max_negative=max_negative,
        min_n=min_n,
    )


# ---------------------------------------------------------------------------------------------
# 2. bursts of submissions from one tablet
# ---------------------------------------------------------------------------------------------


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
    :func:`repeated_patterns` are the check for that.

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
    alpha = _check_alpha(alpha)
    window_minutes = _check_positive(window_minutes, "window_minutes")
    min_count = _check_int(min_count, "min_count", 1)
    if max_per_minute is not None:
        max_per_minute = _check_positive(max_per_minute, "max_per_minute")
    raw = np.asarray(counts_per_window)
    if raw.size == 0 and raw.ndim == 1:
        c = np.zeros(0, dtype=np.int64)
    else:
        c = as_count_table(counts_per_window, ndim=1, name="counts_per_window")
    m = int(c.size)
    labs = _check_labels(labels, m, "labels")
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
        minutes = _fmt_num(window_minutes)
        when = f"{label} 起 {minutes} 分鐘內" if labs is not None else f"{label}（{minutes} 分鐘）"
        parts = [f"{who}{when}送出 {count} 份（每分鐘 {per_minute:.1f} 份）"]
        if improbable[i]:
            parts.append(
                f"平常有人填答的時段平均每段約 {rate:.2f} 份，依{dist_what}機率約 {_fmt_p(p)}，"
                f"低於校正門檻 {_fmt_p(threshold)}（{alpha:g} ÷ {m:,} 個時段）"
            )
        if physical[i]:
            parts.append(
                f"超過每分鐘 {_fmt_num(max_per_minute)} 份的合理上限"
                f"（每份問卷至少約 {_fmt_num(round(60 / max_per_minute, 1))} 秒）"
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


# ---------------------------------------------------------------------------------------------
# 3. repeated answer patterns
# ---------------------------------------------------------------------------------------------

#: Other offices whose own top-pattern share is more than this many robust standard deviations
#: (1.4826 x MAD of the logits) above the median are left out of the reference, so that two
#: stuffed offices do not shield each other.  Honest offices are almost never that far out.
OUTLIER_Z = 5.0


@dataclass(frozen=True, slots=True)
class PatternFlag:
    """One of an office's most common answer patterns.

    Attributes
    ----------
    pattern : tuple of (int or None)
        The answer to each item, in item order; None = no answer.
    count : int
        Submissions with exactly this pattern.
    share : float
        ``count / n``.
    z : float
        ``(logit(share) - reference mean) / predictive SD`` on the logit scale (see
        :func:`repeated_patterns`); NaN when not tested.
    pvalue : float
        ``P(T >= z)`` for Student's t with ``reference_offices - 1`` degrees of freedom: the
        probability that an honest office's most common pattern is at least this common.
    pvalue_binomial : float
        ``P(X >= count)`` for ``X ~ Binomial(n, reference_share)``, the naive test that treats
        every office as having the same true share; for comparison only (it flags honest
        offices that are merely more uniform than the typical one).
    pvalue_adjusted : float
        ``min(1, pvalue * n_tests * top)`` (Bonferroni).
    expected_independent : float
        ``n * prod_i p_i(value_i)`` from the office's own item marginals, as if the items were
        answered independently.  Context only: real answers correlate (a satisfied citizen
        answers 5 everywhere), so this is far too small for straight-lining.
    flagged : bool
        ``pvalue_adjusted < alpha``.
    reason : str or None
        Why it is flagged, in Traditional Chinese; None if not flagged.
    """

    pattern: tuple[int | None, ...]
    count: int
    share: float
    z: float
    pvalue: float
    pvalue_binomial: float
    pvalue_adjusted: float
    expected_independent: float
    flagged: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class RepeatedPatternsResult:
    """Result of :func:`repeated_patterns` for one office.

    Attributes
    ----------
    name : str
        Office name.
    n : int
        Submissions.
    k_items : int
        Items in a pattern.
    n_distinct : int
        Distinct patterns with a positive count in ``pattern_counts``.
    reference_share : float
        Typical top-pattern share of the reference offices, ``expit(mean logit)`` (close to
        their median).  NaN without reference.
    reference_max_share : float
        Largest top-pattern share among the reference offices.
    reference_logit_mean, reference_logit_sd : float
        Mean and sample SD (``ddof=1``) of the reference offices' top-pattern logits.
    reference_offices : int
        Offices in the reference (other offices with ``n >= min_n``, outliers removed).
    excluded_offices : int
        Other offices left out as gross outliers (:data:`OUTLIER_Z`).
    n_tests : int
        Offices screened in the run (Bonferroni factor, times ``top``).
    threshold : float
        ``alpha / (n_tests * top)``.
    tested : bool
        False when ``n < min_n`` or fewer than two reference offices exist.
    note : str or None
        Why the office was not tested.
    patterns : tuple of PatternFlag
        The ``top`` most common patterns, most common first.
    """

    name: str
    n: int
    k_items: int
    n_distinct: int
    reference_share: float
    reference_max_share: float
    reference_logit_mean: float
    reference_logit_sd: float
    reference_offices: int
    excluded_offices: int
    n_tests: int
    threshold: float
    tested: bool
    note: str | None
    patterns: tuple[PatternFlag, ...]

    @property
    def flagged(self) -> bool:
        """True when any listed pattern is flagged."""
        return any(p.flagged for p in self.patterns)


def _as_pattern(key: object, k: int, n_levels: int) -> tuple[int | None, ...]:
    if isinstance(key, str | bytes) or not isinstance(key, Sequence | np.ndarray):
        raise ValueError(f"pattern must be a tuple of answers, got {key!r}")
    out: list[int | None] = []
    for v in key:
        if v is None:
            out.append(None)
        elif isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise ValueError(f"pattern values must be integers or None, got {v!r} in {key!r}")
        elif not 1 <= int(v) <= n_levels:
            raise ValueError(f"pattern values must be between 1 and {n_levels}, got {v!r}")
        else:
            out.append(int(v))
    if len(out) != k:
        raise ValueError(f"pattern {key!r} has {len(out)} answers, expected {k} (one per item)")
    return tuple(out)


def _describe_pattern(pattern: tuple[int | None, ...], n_levels: int) -> str:
    values = set(pattern)
    if len(values) == 1:
        (v,) = values
        if v is None:
            return f"{len(pattern)} 題全部未答"
        label = f" {LEVEL_LABELS_5[v - 1]}" if n_levels == 5 else ""
        return f"{len(pattern)} 題全選 {v}{label}"
    return "樣式 (" + ", ".join("—" if v is None else str(v) for v in pattern) + ")"


def _elogit(x: ArrayLike, n: ArrayLike) -> np.ndarray:
    """Empirical logit ``log((x + 1/2) / (n - x + 1/2))``, finite at 0% and 100%."""
    x = np.asarray(x, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    return np.log((x + 0.5) / (n - x + 0.5))


def repeated_patterns(
    pattern_counts: Mapping[Sequence[int | None], int],
    item_marginals: ArrayLike,
    n: int,
    *,
    reference_top_counts: ArrayLike,
    reference_n: ArrayLike,
    n_tests: int | None = None,
    alpha: float = 0.001,
    top: int = 5,
    min_n: int = 30,
    name: str = "",
) -> RepeatedPatternsResult:
    """Flag an office where one answer pattern is far more common than at honest offices.

    Someone filling in surveys on behalf of citizens taps the same pattern again and again,
    usually 非常滿意 everywhere.  That pattern is also the most common honest one, so the
    question is not "is it common" but "is it more common than honest offices show".

    Why not independence: under independent items the expected count of a pattern is
    ``n * prod_i p_i(value_i)``; with eight items answered 5 by 60% each that is 1.7% of the
    submissions, while citizens with one overall impression give all 5s several times as often.
    The independence model would flag every good office, so its expected count is reported
    (``expected_independent``) but not tested.  The office's own marginals cannot be the
    reference either: stuffed submissions are part of them.

    Why not a binomial test against the pooled share: honest offices differ a lot in how
    uniform their answers are (the share of the most common pattern rises steeply with
    satisfaction: a few percent at an average office, 10-17% at the best one), far more than
    binomial noise; with a few hundred submissions the binomial flagged an honest office in
    44% to 99% of simulated regions of 20 offices (the test below: 1 region in 1,200).
    ``pvalue_binomial`` is reported to show this.

    The test: each reference office's top-pattern share (its most common pattern, whatever it
    is) is put on the logit scale, where the spread between offices is roughly normal and
    does not depend on the level.  An honest office is a new draw from that population, so
    its logit lies in the prediction interval ``mean ± t(K-1) · SD · sqrt(1 + 1/K)``, with
    ``K`` reference offices; Student's t accounts for estimating the mean and SD from a few
    offices.  The SD is floored at the office's own sampling SD of the logit at the reference
    share, so a small office is not judged by the spread of large ones.  The shares compared
    are maxima over patterns at every office, tested and reference alike, so like is compared
    with like.  All ``top`` patterns are tested against this reference (conservative for the
    less common ones; it catches stuffing that alternates two patterns), Bonferroni over
    ``n_tests * top``.  Reference offices more than :data:`OUTLIER_Z` robust SDs above the
    median are left out, so that two stuffed offices do not hide each other.

    Parameters
    ----------
    pattern_counts : mapping of tuple to int
        For this office, each answer pattern (a tuple with one value per item, ``1..L`` or
        None for no answer) and the number of submissions that gave exactly it.  The mapping
        may be cut to the most common patterns; its counts must not add up to more than ``n``.
    item_marginals : array_like of int, shape (k, L + 1)
        Per item, the counts of each level ``1..L`` and, in the last column, of no answer; each
        row sums to ``n``.  Used for ``expected_independent`` and to check the input.
    n : int
        Submissions of this office.
    reference_top_counts, reference_n : array_like of int, shape (m,)
        For the OTHER offices (leave this office out): the count of each one's most common
        pattern, and its number of submissions.  Offices with ``n < min_n`` are ignored (a
        small office's top share is inflated by chance: with 5 submissions it is at least 20%).
    n_tests : int, optional
        Offices screened in the same run; default: this office plus the reference offices
        with ``n >= min_n``.
    alpha : float
        Family-wise error rate over ``n_tests * top`` tests.
    top : int
        How many of the most common patterns to report and test.
    min_n : int
        Offices with fewer submissions are neither tested nor used as reference.
    name : str
        Office name for the reasons.

    Returns
    -------
    RepeatedPatternsResult
        The top patterns with count, share, reference, p-values and flags.

    Raises
    ------
    ValueError
        On malformed patterns or marginals, patterns that do not match the marginals' items or
        levels, counts that exceed ``n``, reference counts that exceed their ``n``, or settings
        out of range.
    """
    alpha = _check_alpha(alpha)
    n = _check_int(n, "n", 0)
    top = _check_int(top, "top", 1)
    min_n = _check_int(min_n, "min_n", 1)
    if not isinstance(pattern_counts, Mapping):
        raise ValueError("pattern_counts must be a mapping of pattern tuple to count")
    name = "" if name is None else str(name)

    # reference offices
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
    n_tests = int(big.sum()) + 1 if n_tests is None else _check_int(n_tests, "n_tests", 1)
    y_all = _elogit(rx[big], rn[big])
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

    # this office
    raw = np.asarray(item_marginals)
    if raw.size == 0:
        if n or any(pattern_counts.values()):
            raise ValueError("item_marginals is empty but there are submissions")
        k, n_levels, marg = 0, 5, np.zeros((0, 6), dtype=np.int64)
    else:
        marg = as_count_table(item_marginals, ndim=2, name="item_marginals")
        k, n_levels = marg.shape[0], marg.shape[1] - 1
        if n_levels < 2:
            raise ValueError("item_marginals needs at least 2 levels plus the no-answer column")
        sums = marg.sum(axis=1)
        if np.any(sums != n):
            raise ValueError(f"every row of item_marginals must sum to n = {n}, got {sums.tolist()}")

    counted: dict[tuple[int | None, ...], int] = {}
    for key, cnt in pattern_counts.items():
        pattern = _as_pattern(key, k, n_levels)
        c = int(as_count_table(cnt, ndim=0, name="pattern count"))
        if pattern in counted:
            raise ValueError(f"pattern {pattern!r} is given twice")
        counted[pattern] = c
    if sum(counted.values()) > n:
        raise ValueError(f"pattern counts add up to {sum(counted.values())}, more than n = {n}")
    for pattern, c in counted.items():
        for item, v in enumerate(pattern):
            available = int(marg[item, n_levels if v is None else v - 1])
            if c > available:
                raise ValueError(
                    f"pattern {pattern!r} occurs {c} times but item {item} has only "
                    f"{available} such answers"
                )

    ranked = sorted(
        ((p, c) for p, c in counted.items() if c > 0),
        key=lambda pc: (-pc[1], tuple(-1 if v is None else v for v in pc[0])),
    )
    m = n_tests * top
    threshold = alpha / m
    note = None
    if n == 0:
        note = "沒有回答"
    elif n < min_n:
        note = f"回答數 {n} 少於 {min_n}，不檢定"
    elif k_ref < 2:
        note = f"回答數達 {min_n} 的其他單位不足 2 個，無從比較"
    tested = note is None
    if tested:
        # predictive SD for a new office, floored at this office's own sampling SD
        own = math.sqrt(1.0 / (n * ref_share + 0.5) + 1.0 / (n * (1.0 - ref_share) + 0.5))
        scale = max(sd * math.sqrt(1.0 + 1.0 / k_ref), own)
    who = f"{name}：" if name else ""

    flags = []
    for pattern, c in ranked[:top]:
        share = c / n
        probs = [marg[i, n_levels if v is None else v - 1] / n for i, v in enumerate(pattern)]
        expected_ind = float(n * math.prod(probs))
        if tested:
            z = float((_elogit(c, n) - mu) / scale)
            p = float(stats.t.sf(z, k_ref - 1))
            p_bin = float(stats.binom.sf(c - 1, n, ref_share))
            p_adj = min(1.0, p * m)
        else:
            z = p = p_bin = p_adj = nan
        flagged = tested and p_adj < alpha
        reason = None
        if flagged:
            reason = (
                f"{who}{n:,} 份中有 {c:,} 份（{share:.1%}）答案完全相同"
                f"（{_describe_pattern(pattern, n_levels)}）；其他 {k_ref} 個單位最常見的樣式"
                f"通常只占 {ref_share:.1%}（最高 {ref_max:.1%}）；依單位間的差異推算，"
                f"一般單位集中到這個程度的機率約 {_fmt_p(p)}，低於校正門檻 {_fmt_p(threshold)}"
                f"（{alpha:g} ÷ {n_tests} 個單位 × {top} 個樣式）。"
                "請檢查送出時間是否集中、是否有人代填。"
            )
        flags.append(
            PatternFlag(
                pattern=pattern, count=c, share=share, z=z, pvalue=p, pvalue_binomial=p_bin,
                pvalue_adjusted=p_adj, expected_independent=expected_ind, flagged=flagged,
                reason=reason,
            )
        )
    return RepeatedPatternsResult(
        name=name, n=n, k_items=k, n_distinct=len(ranked), reference_share=ref_share,
        reference_max_share=ref_max, reference_logit_mean=mu, reference_logit_sd=sd,
        reference_offices=k_ref, excluded_offices=excluded, n_tests=n_tests,
        threshold=threshold, tested=tested, note=note, patterns=tuple(flags),
    )
