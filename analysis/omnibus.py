"""Omnibus tests across offices for one Likert item: do the offices differ at all?

One test per item over all offices at once, before any pair is looked at (that is
:mod:`analysis.pairwise`).  Likert answers are ordinal, so the primary test is Kruskal-Wallis;
one-way ANOVA is reported beside it because agencies publish means, and the chi-square test of
independence answers "do offices differ in the distribution at all".  Every function works on
the ``(k_offices, L)`` count table from ``GROUP BY office, value`` and equals the corresponding
SciPy function applied to the expanded raw answers (``np.repeat(values, counts_row)`` per
office); the tests check exactly that.

Offices with no answers (rows of zeros) are dropped from the test and counted in the result,
so a report can list them without the test failing.  Degenerate data (every answer on the same
level, fewer than two offices with answers) give NaN statistics and a ``note`` explaining why,
never an exception: such items do occur in real surveys and must not stop a report.  The notes
are shared with the pairwise tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.arrays import as_count_table, as_level_values
from analysis.ranks import rank_pieces
from analysis.satisfaction import SATISFIED_TOP

__all__ = [
    "NOTE_IDENTICAL",
    "NOTE_TOO_FEW",
    "AnovaResult",
    "Chi2Result",
    "KruskalResult",
    "anova_from_counts",
    "chi2_from_counts",
    "kruskal_from_counts",
    "satisfied_table",
]

NOTE_IDENTICAL = "all answers are identical (one level only), so ranks carry no information"
NOTE_TOO_FEW = "fewer than two offices have answers, so there is nothing to compare"


# ---------------------------------------------------------------------------------------------
# collapsing the table
# ---------------------------------------------------------------------------------------------


def satisfied_table(counts: ArrayLike, satisfied_top: int = SATISFIED_TOP) -> np.ndarray:
    """Collapse a Likert count table to ``(k, 2)``: [not satisfied, satisfied].

    Useful for :func:`chi2_from_counts` when the full office x level table has too many small
    expected counts (the chi-square approximation needs them to be at least 5).
    """
    c = as_count_table(counts, ndim=2)
    n_levels = c.shape[1]
    if not 1 <= satisfied_top <= n_levels:
        raise ValueError(f"satisfied_top must be between 1 and {n_levels}, got {satisfied_top}")
    top = c[:, n_levels - satisfied_top :].sum(axis=1)
    return np.column_stack([c.sum(axis=1) - top, top])


# ---------------------------------------------------------------------------------------------
# Kruskal-Wallis
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class KruskalResult:
    """Kruskal-Wallis H test across offices.

    Attributes
    ----------
    statistic : float
        Tie-corrected H (equals ``scipy.stats.kruskal`` on the expanded answers).
    pvalue : float
        Upper tail of chi-square with ``df`` degrees of freedom.
    df : int
        Non-empty offices minus one.
    epsilon2 : float
        Effect size epsilon-squared, ``H / ((N^2 - 1) / (N + 1)) = H / (N - 1)``, in [0, 1];
        with a million answers every difference is "significant", so this is the number that
        says whether the differences matter.
    n_total : int
        Answers in the non-empty offices.
    n_groups : int
        Offices that took part (had at least one answer).
    dropped_groups : int
        Offices dropped because they had no answers.
    n : numpy.ndarray
        Answers per office, all offices in input order.
    mean_ranks : numpy.ndarray
        Mean pooled rank per office (higher = more satisfied); NaN for dropped offices.
    tie_correction : float
        ``1 - sum(t^3 - t) / (N^3 - N)`` that H has been divided by.
    note : str or None
        Why the statistic is NaN, if it is.
    """

    statistic: float
    pvalue: float
    df: int
    epsilon2: float
    n_total: int
    n_groups: int
    dropped_groups: int
    n: np.ndarray
    mean_ranks: np.ndarray
    tie_correction: float
    note: str | None


def kruskal_from_counts(counts: ArrayLike) -> KruskalResult:
    """Kruskal-Wallis test from an office x level count table.

    With midranks ``r_j`` of the levels, ``Rbar_i = (counts_i @ r) / n_i`` and
    ``H = 12 / (N (N + 1)) * sum_i n_i (Rbar_i - (N + 1)/2)^2 / (1 - sum(t^3 - t)/(N^3 - N))``.
    This costs O(k L) instead of sorting N answers.

    Parameters
    ----------
    counts : array_like, shape (k, L)
        Answers per office and level (ascending value order).

    Returns
    -------
    KruskalResult
        Offices with no answers are dropped (``df = non-empty - 1``) and counted in
        ``dropped_groups``.  If every answer is on the same level H is undefined (0/0);
        ``statistic`` and ``pvalue`` are NaN and ``note`` says so (SciPy also returns NaN).
        Fewer than two non-empty offices give NaN with a note as well.

    Raises
    ------
    ValueError
        On malformed input (not 2-D, empty, negative or fractional counts).
    """
    rp = rank_pieces(counts)
    k_used = rp.n_groups
    big_n = rp.n_total
    nan = float("nan")

    def result(h: float, p: float, eps: float, tie: float, note: str | None) -> KruskalResult:
        return KruskalResult(
            statistic=h,
            pvalue=p,
            df=max(k_used - 1, 0),
            epsilon2=eps,
            n_groups=k_used,
            dropped_groups=int(rp.keep.size - k_used),
            tie_correction=tie,
            note=note,
            **rp.reported(),
        )

    if k_used < 2:
        return result(nan, nan, nan, nan, NOTE_TOO_FEW)
    nf = float(big_n)
    tie = 1.0 - rp.tie_sum / (nf**3 - nf)
    if rp.n_levels_used < 2:
        return result(nan, nan, nan, 0.0, NOTE_IDENTICAL)
    cen = rp.centred[rp.keep]
    nk = rp.n[rp.keep].astype(np.float64)
    h = 12.0 / (nf * (nf + 1.0)) * float(np.sum(nk * cen**2)) / tie
    p = float(stats.chi2.sf(h, k_used - 1))
    return result(h, p, h / (nf - 1.0), tie, None)


# ---------------------------------------------------------------------------------------------
# one-way ANOVA
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class AnovaResult:
    """One-way ANOVA of the level values across offices.

    Attributes
    ----------
    statistic : float
        F (equals ``scipy.stats.f_oneway`` on the expanded answers).  ``inf`` when every office
        answers uniformly but offices differ (SciPy does the same); NaN when undefined.
    pvalue : float
        Upper tail of F(df_between, df_within).
    df_between, df_within : int
        ``k - 1`` and ``N - k`` over non-empty offices.
    eta2 : float
        Effect size eta-squared, between-office sum of squares over total sum of squares.
    n_total, n_groups, dropped_groups : int
        As in :class:`KruskalResult`.
    means : numpy.ndarray
        Mean value per office (NaN for offices without answers).
    note : str or None
        Why the statistic is NaN or infinite, if it is.
    """

    statistic: float
    pvalue: float
    df_between: int
    df_within: int
    eta2: float
    n_total: int
    n_groups: int
    dropped_groups: int
    means: np.ndarray
    note: str | None


def anova_from_counts(counts: ArrayLike, values: ArrayLike | None = None) -> AnovaResult:
    """One-way ANOVA F test from an office x level count table.

    Sums of squares are computed around each office's own mean (``sum_j c_ij (v_j - m_i)^2``),
    which is exact for a table of counts and avoids the cancellation of ``sum x^2 - n m^2``.

    Parameters
    ----------
    counts : array_like, shape (k, L)
        Answers per office and level.
    values : array_like, shape (L,), optional
        Numeric value of each level; default ``1..L``.

    Returns
    -------
    AnovaResult
        Empty offices are dropped.  NaN with a ``note`` when fewer than two offices have
        answers, when no office has two answers (``df_within = 0``), or when all answers are
        identical; ``F = inf, p = 0`` when every office is internally uniform but offices differ.
    """
    c = as_count_table(counts, ndim=2)
    v = as_level_values(values, c.shape[1])
    n = c.sum(axis=1)
    keep = n > 0
    k_used = int(keep.sum())
    dropped = int(keep.size - k_used)
    cf = c.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(keep, cf @ v / n, np.nan)
    big_n = int(n.sum())
    df_b = k_used - 1
    df_w = big_n - k_used
    nan = float("nan")

    def result(f: float, p: float, eta2: float, note: str | None) -> AnovaResult:
        return AnovaResult(
            statistic=f,
            pvalue=p,
            df_between=max(df_b, 0),
            df_within=max(df_w, 0),
            eta2=eta2,
            n_total=big_n,
            n_groups=k_used,
            dropped_groups=dropped,
            means=means,
            note=note,
        )

    if k_used < 2:
        return result(nan, nan, nan, NOTE_TOO_FEW)
    ck = cf[keep]
    mk = means[keep]
    nk = n[keep].astype(np.float64)
    grand = float(ck.sum(axis=0) @ v) / big_n
    ss_between = float(np.sum(nk * (mk - grand) ** 2))
    ss_within = float(np.sum(ck * (v[None, :] - mk[:, None]) ** 2))
    ss_total = ss_between + ss_within
    if ss_total == 0.0:
        return result(nan, nan, nan, NOTE_IDENTICAL)
    eta2 = ss_between / ss_total
    if df_w == 0:
        return result(
            nan,
            nan,
            eta2,
            "every office has a single answer, so there is no "
            "within-office variation to compare against",
        )
    if ss_within == 0.0:
        return result(
            float("inf"),
            0.0,
            eta2,
            "every office answered uniformly (no variation within offices) but offices differ",
        )
    f = (ss_between / df_b) / (ss_within / df_w)
    return result(f, float(stats.f.sf(f, df_b, df_w)), eta2, None)


# ---------------------------------------------------------------------------------------------
# chi-square test of independence
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Chi2Result:
    """Pearson chi-square test of independence (office x level), no continuity correction.

    Attributes
    ----------
    statistic, pvalue : float
        Equal to ``scipy.stats.chi2_contingency(table, correction=False)`` on the table with
        empty rows and columns removed.
    dof : int
        ``(rows - 1) * (columns - 1)`` of the reduced table.
    cramers_v : float
        ``sqrt(chi2 / (N * min(rows - 1, columns - 1)))`` in [0, 1].
    n_total : int
        Total count.
    min_expected : float
        Smallest expected count.
    small_expected_share : float
        Share of cells with expected count below 5.
    warning : str or None
        Set when more than 20% of expected counts are below 5 or any is below 1 (Cochran's
        rule): the p-value is then unreliable; collapse levels (e.g. :func:`satisfied_table`)
        or merge small offices.
    kept_rows, kept_columns : numpy.ndarray
        Indices of the rows and columns of the input that were used.
    expected : numpy.ndarray
        Expected counts of the reduced table.
    note : str or None
        Why the statistic is NaN, if it is.
    """

    statistic: float
    pvalue: float
    dof: int
    cramers_v: float
    n_total: int
    min_expected: float
    small_expected_share: float
    warning: str | None
    kept_rows: np.ndarray
    kept_columns: np.ndarray
    expected: np.ndarray
    note: str | None


def chi2_from_counts(counts: ArrayLike) -> Chi2Result:
    """Chi-square test of independence on an office x level (or office x satisfied) table.

    Rows and columns that are entirely zero carry no information but would make expected
    counts zero, so they are removed first.  If fewer than two rows or two columns remain the
    test is undefined and NaN is returned with a ``note``.
    """
    c = as_count_table(counts, ndim=2)
    rows = np.flatnonzero(c.sum(axis=1) > 0)
    cols = np.flatnonzero(c.sum(axis=0) > 0)
    obs = c[np.ix_(rows, cols)].astype(np.float64)
    big_n = int(c.sum())
    nan = float("nan")
    if rows.size < 2 or cols.size < 2:
        note = NOTE_TOO_FEW if rows.size < 2 else NOTE_IDENTICAL
        return Chi2Result(
            statistic=nan,
            pvalue=nan,
            dof=0,
            cramers_v=nan,
            n_total=big_n,
            min_expected=nan,
            small_expected_share=nan,
            warning=None,
            kept_rows=rows,
            kept_columns=cols,
            expected=np.empty((rows.size, cols.size)),
            note=note,
        )
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / big_n
    stat = float(np.sum((obs - expected) ** 2 / expected))
    dof = (rows.size - 1) * (cols.size - 1)
    p = float(stats.chi2.sf(stat, dof))
    v = float(np.sqrt(stat / (big_n * min(rows.size - 1, cols.size - 1))))
    min_e = float(expected.min())
    share = float(np.mean(expected < 5.0))
    warning = None
    if share > 0.2 or min_e < 1.0:
        warning = (
            f"{share:.0%} of expected counts are below 5 and the smallest is {min_e:.2g}; "
            "the chi-square p-value may be unreliable (merge levels, e.g. satisfied / not "
            "satisfied, or merge small offices)"
        )
    return Chi2Result(
        statistic=stat,
        pvalue=p,
        dof=dof,
        cramers_v=v,
        n_total=big_n,
        min_expected=min_e,
        small_expected_share=share,
        warning=warning,
        kept_rows=rows,
        kept_columns=cols,
        expected=expected,
        note=None,
    )
