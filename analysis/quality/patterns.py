"""The copied-patterns screen: one answer pattern far more common at an office than elsewhere.

Someone filling in surveys on behalf of citizens taps the same pattern again and again, usually
非常滿意 on every question.  The office's pattern counts are compared with the top-pattern shares
of the other offices (the logit-scale reference of :mod:`analysis.quality.reference`), because
that pattern is also the most common honest one and honest offices differ a lot in how
uniform their answers are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table
from analysis.quality.common import LEVEL_LABELS_5, check_alpha, check_int, fmt_p
from analysis.quality.reference import elogit, logit_reference

__all__ = ["PatternFlag", "RepeatedPatternsResult", "repeated_patterns"]


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
        Other offices left out as gross outliers
        (:data:`~analysis.quality.reference.OUTLIER_Z`).
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
    return "樣式（" + "、".join("—" if v is None else str(v) for v in pattern) + "）"


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
    ``n_tests * top``.  Reference offices more than
    :data:`~analysis.quality.reference.OUTLIER_Z` robust SDs above the median are left out, so
    that two stuffed offices do not hide each other
    (:func:`~analysis.quality.reference.logit_reference`).

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
    alpha = check_alpha(alpha)
    n = check_int(n, "n", 0)
    top = check_int(top, "top", 1)
    min_n = check_int(min_n, "min_n", 1)
    if not isinstance(pattern_counts, Mapping):
        raise ValueError("pattern_counts must be a mapping of pattern tuple to count")
    name = "" if name is None else str(name)

    # reference offices
    ref = logit_reference(reference_top_counts, reference_n, min_n)
    n_tests = ref.eligible + 1 if n_tests is None else check_int(n_tests, "n_tests", 1)
    mu, sd, k_ref, excluded = ref.mean, ref.sd, ref.offices, ref.excluded
    ref_share, ref_max = ref.share, ref.max_share
    nan = float("nan")

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
            z = float((elogit(c, n) - mu) / scale)
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
                f"一般單位集中到這個程度的機率約 {fmt_p(p)}，低於校正門檻 {fmt_p(threshold)}"
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
