"""The covered-buttons screen: an office with many answers and (almost) no negative ones.

Offices have been caught taping over the negative buttons of the counter tablet.  What that
leaves in the data is an office whose negative answers are improbably few for an office like
the others, given how many answers it has; this module tests exactly that, office by office,
against the beta-binomial reference of :mod:`analysis.quality.reference`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from analysis.arrays import as_count_table
from analysis.quality.common import (
    LEVEL_LABELS_5,
    check_alpha,
    check_int,
    check_labels,
    fmt_num,
    fmt_p,
)
from analysis.quality.reference import loo_reference, lower_tail

__all__ = ["Model", "NegativeAnswersResult", "OfficeNegatives", "no_negative_answers"]

Model = Literal["beta-binomial", "binomial"]
_MODELS = ("beta-binomial", "binomial")


def _check_model(model: str) -> str:
    if model not in _MODELS:
        raise ValueError(f"model must be one of {_MODELS}, got {model!r}")
    return model


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
    alpha = check_alpha(alpha)
    min_n = check_int(min_n, "min_n", 1)
    max_negative = check_int(max_negative, "max_negative", 0)
    model = _check_model(model)
    raw = np.asarray(counts)
    if raw.size == 0 and raw.ndim in (1, 2):
        c = np.zeros((0, raw.shape[1] if raw.ndim == 2 and raw.shape[1] else 5), dtype=np.int64)
    else:
        c = as_count_table(counts, ndim=2)
    k, n_levels = c.shape
    if n_levels < 2:
        raise ValueError(f"counts must have at least 2 levels (columns), got {n_levels}")
    negative_levels = check_int(negative_levels, "negative_levels", 1, n_levels - 1)
    if base_levels is None:
        base_levels = n_levels
    base_levels = check_int(base_levels, "base_levels", negative_levels + 1, n_levels)
    labels = check_labels(names, k, "names")

    n = c.sum(axis=1)
    base = c[:, :base_levels].sum(axis=1)
    neg = c[:, :negative_levels].sum(axis=1)
    rate, rho_est, k_other = loo_reference(neg, base, np.ones(k, dtype=bool))
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
        p = lower_tail(xi, bi, ri, rhoi)
        p_bin = lower_tail(xi, bi, ri, 0.0)
        p_adj = min(1.0, p * m)
        flagged = xi <= max_negative and p_adj < alpha
        reason = None
        if flagged:
            found = f"卻沒有任何{what}的回答" if xi == 0 else f"只有 {xi} 筆{what}的回答"
            among = f"（其中 {bi:,} 筆為{base_what}）" if partial else ""
            ref_what = f"{base_what}回答中{what}的比率" if partial else f"{what}比率"
            extra = (
                f"；考慮單位間差異（ICC {rhoi:.3f}）後約 {fmt_p(p)}" if model != "binomial"
                else ""
            )
            reason = (
                f"{name}：n = {ni:,}{among or ' '}{found}（預期約 {fmt_num(round(bi * ri, 1))} 筆）；"
                f"依其他單位合計的{ref_what} {ri:.1%}，二項機率約 {fmt_p(p_bin)}{extra}，"
                f"低於校正門檻 {fmt_p(threshold)}（{alpha:g} ÷ {m} 個受檢單位）。"
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
