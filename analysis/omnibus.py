"""Comparisons across offices for one Likert item, computed from the office x level count table.

Likert answers are ordinal, so the primary test is Kruskal-Wallis (with Dunn's pairwise test
and a compact letter display); one-way ANOVA is reported beside it because agencies publish
means, and the chi-square test of independence answers "do offices differ in the distribution
at all".  Every function works on the ``(k_offices, L)`` count table from
``GROUP BY office, value`` and equals the corresponding SciPy function applied to the expanded
raw answers (``np.repeat(values, counts_row)`` per office); the tests check exactly that.

Offices with no answers (rows of zeros) are dropped from the test and counted in the result,
so a report can list them without the test failing.  Degenerate data (every answer on the same
level, fewer than two offices with answers) give NaN statistics and a ``note`` explaining why,
never an exception: such items do occur in real surveys and must not stop a report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.descriptive import as_count_table, as_level_values

__all__ = [
    "AnovaResult",
    "Chi2Result",
    "DunnResult",
    "KruskalResult",
    "adjust_pvalues",
    "anova_from_counts",
    "chi2_from_counts",
    "compact_letter_sets",
    "compact_letters",
    "dunn_from_counts",
    "kruskal_from_counts",
    "letters_from_dunn",
    "satisfied_table",
]

NOTE_IDENTICAL = "all answers are identical (one level only), so ranks carry no information"
NOTE_TOO_FEW = "fewer than two offices have answers, so there is nothing to compare"


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def satisfied_table(counts: ArrayLike, satisfied_top: int = 2) -> np.ndarray:
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


def _midranks(level_totals: np.ndarray) -> np.ndarray:
    """Average rank of each level when all answers are pooled and sorted.

    Level ``j`` occupies ranks ``before_j + 1 .. before_j + t_j``; ties share their mean,
    ``before_j + (t_j + 1) / 2``.
    """
    t = level_totals.astype(np.float64)
    before = np.cumsum(t) - t
    return before + (t + 1.0) / 2.0


@dataclass(frozen=True, slots=True, eq=False)
class _RankPieces:
    """Pooled-rank quantities shared by Kruskal-Wallis and Dunn."""

    n: np.ndarray  # answers per group, all groups (k,)
    keep: np.ndarray  # groups with answers (k,) bool
    n_total: int
    mean_ranks: np.ndarray  # (k,), NaN for empty groups
    centred: np.ndarray  # mean rank minus (N + 1) / 2, (k,), NaN for empty groups
    tie_sum: float  # sum over levels of t^3 - t
    n_levels_used: int


def _rank_pieces(counts: ArrayLike) -> _RankPieces:
    c = as_count_table(counts, ndim=2)
    n = c.sum(axis=1)
    keep = n > 0
    n_total = int(n.sum())
    t = c.sum(axis=0)
    mid = _midranks(t)
    # Work with ranks centred on their mean (N + 1) / 2: the sums stay small, so H does not
    # suffer the cancellation of the textbook formula 12/(N(N+1)) sum R_i^2/n_i - 3(N+1).
    centre = (n_total + 1) / 2.0
    rank_sums_c = c.astype(np.float64) @ (mid - centre)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = np.where(keep, rank_sums_c / n, np.nan)
    tf = t.astype(np.float64)
    return _RankPieces(
        n=n,
        keep=keep,
        n_total=n_total,
        mean_ranks=centred + centre,
        centred=centred,
        tie_sum=float(np.sum(tf**3 - tf)),
        n_levels_used=int(np.count_nonzero(t)),
    )


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
    rp = _rank_pieces(counts)
    k_used = int(rp.keep.sum())
    dropped = int(rp.keep.size - k_used)
    big_n = rp.n_total
    nan = float("nan")

    def result(h: float, p: float, eps: float, tie: float, note: str | None) -> KruskalResult:
        return KruskalResult(
            statistic=h,
            pvalue=p,
            df=max(k_used - 1, 0),
            epsilon2=eps,
            n_total=big_n,
            n_groups=k_used,
            dropped_groups=dropped,
            n=rp.n,
            mean_ranks=rp.mean_ranks,
            tie_correction=tie,
            note=note,
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


# ---------------------------------------------------------------------------------------------
# multiple-comparison adjustment
# ---------------------------------------------------------------------------------------------

_ADJUST_METHODS = ("holm", "bh", "bonferroni", "none")


def adjust_pvalues(pvalues: ArrayLike, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons.

    Parameters
    ----------
    pvalues : array_like
        Raw p-values in [0, 1], any shape.  NaN entries are left NaN and not counted as tests.
    method : {"holm", "bh", "bonferroni", "none"}
        ``"holm"``: Holm's step-down method, controls the family-wise error rate and is
        uniformly more powerful than Bonferroni.  ``"bh"``: Benjamini-Hochberg, controls the
        false discovery rate (``scipy.stats.false_discovery_control``); better when hundreds of
        offices are compared and a few false "differences" are acceptable.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape, capped at 1.
    """
    if method not in _ADJUST_METHODS:
        raise ValueError(f"method must be one of {_ADJUST_METHODS}, got {method!r}")
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    valid = ~np.isnan(p)
    pv = p[valid]
    if np.any((pv < 0.0) | (pv > 1.0)):
        raise ValueError("p-values must be between 0 and 1")
    m = pv.size
    if m == 0:
        return out
    if method == "none":
        adj = pv.copy()
    elif method == "bonferroni":
        adj = np.minimum(pv * m, 1.0)
    elif method == "holm":
        order = np.argsort(pv, kind="stable")
        stepped = (m - np.arange(m)) * pv[order]
        adj = np.empty(m)
        adj[order] = np.minimum(np.maximum.accumulate(stepped), 1.0)
    else:
        adj = stats.false_discovery_control(pv, method="bh")
    out[valid] = adj
    return out


# ---------------------------------------------------------------------------------------------
# Dunn's test
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class DunnResult:
    """Dunn's (1964) pairwise rank test after Kruskal-Wallis.

    Attributes
    ----------
    z : numpy.ndarray, shape (k, k)
        ``z[i, j] = (Rbar_i - Rbar_j) / sigma_ij``; positive when office ``i`` ranks higher.
        Diagonal 0; rows and columns of offices without answers are NaN.
    pvalue : numpy.ndarray, shape (k, k)
        Two-sided normal p-values; diagonal 1.
    pvalue_adjusted : numpy.ndarray, shape (k, k)
        ``pvalue`` adjusted over the ``n_comparisons`` distinct pairs with ``adjust``.
    adjust : str
        Adjustment method (see :func:`adjust_pvalues`).
    mean_ranks : numpy.ndarray, shape (k,)
        Mean pooled rank per office (NaN if empty); the order used for letters.
    n : numpy.ndarray, shape (k,)
        Answers per office.
    n_total : int
        Total answers.
    n_comparisons : int
        Number of pairs of non-empty offices, ``k'(k'-1)/2``.
    note : str or None
        Why the matrices are NaN, if they are.
    """

    z: np.ndarray
    pvalue: np.ndarray
    pvalue_adjusted: np.ndarray
    adjust: str
    mean_ranks: np.ndarray
    n: np.ndarray
    n_total: int
    n_comparisons: int
    note: str | None

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        """Boolean ``(k, k)`` matrix: adjusted p-value below ``alpha`` (NaN counts as not)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(self.pvalue_adjusted < alpha)


def dunn_from_counts(counts: ArrayLike, adjust: str = "holm") -> DunnResult:
    """Dunn's pairwise test with tie correction, for all pairs of offices at once.

    ``sigma_ij^2 = (N(N+1)/12 - sum(t^3 - t) / (12 (N - 1))) * (1/n_i + 1/n_j)`` with pooled
    midranks; the whole ``k x k`` matrix is array arithmetic, so 400 offices (79,800 pairs)
    take milliseconds.

    Parameters
    ----------
    counts : array_like, shape (k, L)
        Answers per office and level.
    adjust : {"holm", "bh", "bonferroni", "none"}
        Multiple-comparison adjustment over the distinct pairs of non-empty offices.

    Returns
    -------
    DunnResult
        Offices with no answers get NaN rows/columns.  When all answers are identical the
        variance is 0 and every off-diagonal entry is NaN with a ``note``.
    """
    if adjust not in _ADJUST_METHODS:
        raise ValueError(f"adjust must be one of {_ADJUST_METHODS}, got {adjust!r}")
    rp = _rank_pieces(counts)
    k = rp.n.size
    keep = rp.keep
    k_used = int(keep.sum())
    nf = float(rp.n_total)
    z = np.full((k, k), np.nan)
    note = None
    if k_used < 2:
        note = NOTE_TOO_FEW
    elif rp.n_levels_used < 2:
        note = NOTE_IDENTICAL
    else:
        a = nf * (nf + 1.0) / 12.0 - rp.tie_sum / (12.0 * (nf - 1.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_n = np.where(keep, 1.0 / rp.n, np.nan)
        sigma = np.sqrt(a * (inv_n[:, None] + inv_n[None, :]))
        z = (rp.centred[:, None] - rp.centred[None, :]) / sigma
    idx = np.flatnonzero(keep)
    z[idx, idx] = 0.0
    # Each pair once (upper triangle), mirrored: halves the work for 400 offices.
    iu = np.triu_indices(k, 1)
    p_upper = 2.0 * stats.norm.sf(np.abs(z[iu]))
    p = np.full((k, k), np.nan)
    p[iu] = p_upper
    p.T[iu] = p_upper
    p[idx, idx] = 1.0
    p_adj = np.full((k, k), np.nan)
    adj_upper = adjust_pvalues(p_upper, adjust)
    p_adj[iu] = adj_upper
    p_adj.T[iu] = adj_upper
    p_adj[idx, idx] = 1.0
    return DunnResult(
        z=z,
        pvalue=p,
        pvalue_adjusted=p_adj,
        adjust=adjust,
        mean_ranks=rp.mean_ranks,
        n=rp.n,
        n_total=rp.n_total,
        n_comparisons=k_used * (k_used - 1) // 2,
        note=note,
    )


# ---------------------------------------------------------------------------------------------
# compact letter display
# ---------------------------------------------------------------------------------------------

_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Budget for insert-absorb's containment tests (about 10 ms of work); beyond it the greedy
#: cover is used instead.  Dunn results for 400 offices of similar size need ~50,000.
_MAX_WORK = 100_000
#: Budget for the greedy cover, in steps (about 0.15 s of work); pairs still uncovered then get
#: two-group letters.
_MAX_GREEDY_STEPS = 200_000
#: The redundancy sweep is skipped above this many letters (the display is unreadable anyway,
#: and the sweep's pair-coverage table grows with letters x groups^2).
_MAX_SWEEP_LETTERS = 4096


def _as_significance(significant: ArrayLike, k: int) -> np.ndarray:
    s = np.asarray(significant)
    if s.shape != (k, k):
        raise ValueError(f"significant must have shape ({k}, {k}), got {s.shape}")
    if s.dtype != bool:
        if s.dtype.kind not in "iu" or np.any((s != 0) & (s != 1)):
            raise ValueError("significant must be a boolean matrix")
        s = s.astype(bool)
    if not np.array_equal(s, s.T):
        raise ValueError("significant must be symmetric")
    s = s.copy()
    np.fill_diagonal(s, False)
    return s


def _bits_to_ints(member: np.ndarray) -> list[int]:
    """Bool ``(r, m)`` -> Python ints with bit ``g`` set when group ``g`` is a member."""
    m = member.shape[1]
    packed = np.packbits(member, axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed] if m else [0] * len(member)


def _ints_to_bits(sets: list[int], m: int) -> np.ndarray:
    """Inverse of :func:`_bits_to_ints`."""
    n_bytes = (m + 7) // 8
    buf = b"".join(s.to_bytes(n_bytes, "little") for s in sets)
    raw = np.frombuffer(buf, dtype=np.uint8).reshape(len(sets), n_bytes)
    return np.unpackbits(raw, axis=1, bitorder="little", count=m).astype(bool)


def _insert_absorb(sig: np.ndarray, max_columns: int, max_work: int) -> list[np.ndarray] | None:
    """Piepho's insert-absorb; returns the letters' member positions, or None over budget.

    Columns are sets of groups held as Python integers used as bit sets (subset test
    ``a & b == a`` is a few machine words for hundreds of groups).  The columns end up being
    exactly the maximal sets of mutually non-different groups.  Pairs are processed one group
    at a time: for group ``i`` and its significant partners ``J`` (``j > i``), every column
    holding ``i`` and a member of ``J`` is split into "without ``i``" and "without ``J``",
    which yields the same columns as splitting pair by pair.  Absorption (dropping a new column
    contained in another) only needs the columns that can contain it: a column without ``i``
    still holds a partner, so only columns lacking ``i`` can contain it; a column without
    ``J`` holds ``i``, so only columns holding ``i`` can.  Gives up when the columns exceed
    ``max_columns`` or the subset tests exceed ``max_work``.
    """
    m = sig.shape[0]
    partners = _bits_to_ints(np.triu(sig, 1))
    cols = [(1 << m) - 1]
    work = 0
    for i in range(m):
        pm = partners[i]
        if not pm:
            continue
        bit = 1 << i
        hit: list[int] = []
        with_i: list[int] = []
        without_i: list[int] = []
        for c in cols:
            if c & bit:
                (hit if c & pm else with_i).append(c)
            else:
                without_i.append(c)
        if not hit:
            continue
        work += len(hit) * (len(cols) + len(hit))
        if work > max_work:
            return None
        new: list[int] = []
        for cands, others in (
            ([h ^ bit for h in hit], without_i),
            ([h & ~pm for h in hit], with_i),
        ):
            for idx, a in enumerate(cands):
                if any(a & b == a for b in others):
                    continue
                # another new column containing it (of two equal ones, keep the first)
                if any(a & b == a and (a != b or j < idx) for j, b in enumerate(cands) if j != idx):
                    continue
                new.append(a)
        cols = without_i + with_i + new
        if len(cols) > max_columns:
            return None
    return [np.flatnonzero(row) for row in _ints_to_bits(cols, m)]


def _greedy_cover(sig: np.ndarray, max_steps: int) -> list[np.ndarray]:
    """Valid letters for any significance pattern at bounded cost (fallback).

    While a non-different pair shares no letter, the first such pair in score order seeds a new
    letter, which is grown one group at a time: among the groups not different from any member,
    the best-scoring one that brings in a still-uncovered pair, else the best-scoring one.  Sets
    are Python-integer bit sets, so a step costs a few word operations.  After ``max_steps``
    steps every pair still uncovered gets a two-group letter of its own, so the result is always
    valid (every non-different pair shares a letter, no letter holds a different pair).
    """
    m = sig.shape[0]
    alike_matrix = ~sig
    np.fill_diagonal(alike_matrix, False)
    alike = _bits_to_ints(alike_matrix)
    uncovered = list(alike)  # per group: partners it shares no letter with yet (symmetric)
    letters: list[np.ndarray] = []
    steps = 0
    row = 0
    while steps < max_steps:
        # rows only lose bits and are symmetric, so the first non-empty row holds the first
        # uncovered pair (i, j) with i < j
        while row < m and not uncovered[row]:
            row += 1
        if row == m:
            break
        i = row
        j = (uncovered[i] & -uncovered[i]).bit_length() - 1
        members = [i, j]
        mask = (1 << i) | (1 << j)
        cand = alike[i] & alike[j]
        brings_new = uncovered[i] | uncovered[j]
        while cand and steps < max_steps:
            pick = cand & brings_new or cand
            c = (pick & -pick).bit_length() - 1
            members.append(c)
            mask |= 1 << c
            cand &= alike[c]
            brings_new |= uncovered[c]
            steps += 1
        for a in members:
            uncovered[a] &= ~mask
        letters.append(np.array(sorted(members)))
        steps += 1
    for a in range(row, m):
        rest = uncovered[a] >> (a + 1)
        while rest:
            low = rest & -rest
            letters.append(np.array([a, a + low.bit_length()]))
            rest ^= low
    has_letter = np.zeros(m, dtype=bool)
    for idx in letters:
        has_letter[idx] = True
    letters.extend(np.array([g]) for g in np.flatnonzero(~has_letter))
    return letters


def _sweep(letters: list[np.ndarray], m: int) -> list[np.ndarray]:
    """Drop letters that are redundant, from the last letter backwards.

    A letter is redundant when every member keeps another letter and every pair inside it
    shares another letter (Piepho's sweeping step applied to whole letters).  The number of
    letters each pair of groups shares is a popcount of the AND of the groups' letter bit sets,
    computed in blocks of groups to keep memory at a few tens of megabytes.
    """
    n = len(letters)
    n_words = -(-n // 64)
    member = np.zeros((m, n_words * 64), dtype=bool)
    for c, idx in enumerate(letters):
        member[idx, c] = True
    words = np.packbits(member, axis=1, bitorder="little").view("<u8")  # (m, n_words)
    cover = np.empty((m, m), dtype=np.int64)
    needed_words = np.zeros(n_words, dtype="<u8")
    block = max(1, (4_000_000 // max(m * n_words, 1)))
    for start in range(0, m, block):
        both = words[start : start + block, None, :] & words[None, :, :]
        cover[start : start + block] = np.bitwise_count(both).sum(axis=2, dtype=np.int64)
        # a letter is needed if it is the only one shared by some pair (or a group's only one)
        unique = cover[start : start + block] == 1
        if unique.any():
            needed_words |= np.bitwise_or.reduce(both[unique], axis=0)
    needed = np.unpackbits(needed_words.view(np.uint8), bitorder="little", count=n).astype(bool)
    keep = np.ones(n, dtype=bool)
    for c in np.flatnonzero(~needed)[::-1]:
        sub = np.ix_(letters[c], letters[c])
        if cover[sub].min() >= 2:
            keep[c] = False
            cover[sub] -= 1
    return [idx for idx, k in zip(letters, keep, strict=True) if k]


def compact_letter_sets(
    scores: ArrayLike, significant: ArrayLike, *, max_letters: int | None = None
) -> list[tuple[int, ...]]:
    """Letter indices per group for a compact letter display (see :func:`compact_letters`).

    Returns a list with, for each group, the sorted tuple of letter indices (0 = "a"); groups
    with a NaN score get ``()``.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1 or s.size == 0:
        raise ValueError(f"scores must be a non-empty 1-D array, got shape {s.shape}")
    k = s.size
    sig = _as_significance(significant, k)
    if max_letters is not None and max_letters < 1:
        raise ValueError(f"max_letters must be at least 1, got {max_letters}")
    valid = np.flatnonzero(~np.isnan(s))
    out: list[tuple[int, ...]] = [()] * k
    if valid.size == 0:
        return out
    order = valid[np.argsort(-s[valid], kind="stable")]
    m = order.size
    sub = sig[np.ix_(order, order)]
    limit = max(52, 2 * m) if max_letters is None else max_letters
    letters = _insert_absorb(sub, limit, _MAX_WORK)
    if letters is None:
        letters = _greedy_cover(sub, _MAX_GREEDY_STEPS)
    # Letter order: lexicographic in the members' score positions, so "a" holds the best group.
    letters.sort(key=lambda idx: tuple(idx.tolist()))
    if len(letters) <= _MAX_SWEEP_LETTERS:
        letters = _sweep(letters, m)
    sizes = np.array([idx.size for idx in letters])
    pos = np.concatenate(letters)
    letter_id = np.repeat(np.arange(len(letters)), sizes)
    by_group = np.lexsort((letter_id, pos))
    per_group = np.split(letter_id[by_group], np.cumsum(np.bincount(pos, minlength=m))[:-1])
    for p, g in enumerate(order):
        out[int(g)] = tuple(per_group[p].tolist())
    return out


def compact_letters(
    scores: ArrayLike, significant: ArrayLike, *, max_letters: int | None = None
) -> list[str]:
    """Compact letter display: groups that share a letter are not significantly different.

    Uses Piepho's (2004) insert-absorb algorithm, whose letters are exactly the maximal sets of
    mutually non-different groups, followed by a sweep that drops letters whose every pair is
    also covered by another letter.  Letters are assigned in score order, so the group with
    the highest score (mean rank) gets "a".

    Parameters
    ----------
    scores : array_like, shape (k,)
        Ordering score per group, higher = better (mean ranks, or means).  NaN marks a group
        without answers; it gets ``""`` and takes no part.
    significant : array_like of bool, shape (k, k)
        Symmetric matrix, True where two groups differ significantly (diagonal ignored),
        e.g. :meth:`DunnResult.significant`.
    max_letters : int, optional
        Bound on the number of letter columns insert-absorb may hold while it runs (default
        ``max(52, 2 * k)``).

    Returns
    -------
    list of str
        One string per group.  Up to 52 letters: ``a-z`` then ``A-Z``, concatenated
        (``"ab"``).  Beyond 52 letters every letter becomes a token ``a``..``Z`` followed by a
        cycle number from the 53rd on (``a1``, ``b1``, ...) and tokens are joined with ``"."``
        so the string stays unambiguous (``"a.Z.c1"``); a display that long is hard to read, and
        a table of intervals serves readers better.

    Notes
    -----
    Cost.  Insert-absorb makes one pass per group and tests each new column for containment in
    the existing ones, with columns held as integer bit sets.  For Dunn results on 400 offices
    of similar size this takes 10-20 ms (plus ~10 ms for the sweep).  The number of maximal
    sets can, however, grow quickly (exponentially for contrived patterns; to several hundred
    when office sizes differ a lot), so insert-absorb runs under a budget: if its columns
    exceed ``max_letters`` or its containment tests exceed about 100,000 (~10 ms), the letters
    are built instead by a greedy clique cover: the first (in score order) non-different pair
    that shares no letter yet seeds a new letter, which is grown by the best-scoring compatible
    group that covers a new pair (else the best-scoring compatible group).  The greedy cover is
    valid too (every non-different pair shares a letter, no letter holds a different pair) and
    after the sweep usually needs no more letters than insert-absorb; on Dunn results it takes
    10-25 ms for 400 offices.  It is itself capped at 200,000 steps; pairs still uncovered then
    get two-group letters, so any 400 x 400 pattern, however contrived, is done in well under
    a second.  The sweep is skipped above 4,096 letters.
    """
    sets = compact_letter_sets(scores, significant, max_letters=max_letters)
    n_letters = 1 + max((max(t) for t in sets if t), default=-1)
    if n_letters <= len(_ALPHABET):
        return ["".join(_ALPHABET[i] for i in t) for t in sets]

    def token(i: int) -> str:
        cycle, r = divmod(i, len(_ALPHABET))
        return _ALPHABET[r] + (str(cycle) if cycle else "")

    return [".".join(token(i) for i in t) for t in sets]


def letters_from_dunn(dunn: DunnResult, alpha: float = 0.05) -> list[str]:
    """Compact letters from a Dunn result: mean ranks as scores, adjusted p < ``alpha``."""
    return compact_letters(dunn.mean_ranks, dunn.significant(alpha))
