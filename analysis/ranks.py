"""Pooled midranks from count tables, shared by the rank tests.

Kruskal-Wallis (:mod:`analysis.omnibus`), Dunn's pairwise test (:mod:`analysis.pairwise`) and
the Mann-Whitney test of change (:mod:`analysis.change`) all rank the pooled answers.  With a
count table nobody sorts answers: every answer on level ``j`` shares the midrank of that level,
and the ties enter the variances through ``sum(t^3 - t)`` over the level totals ``t``.  Those
two pieces are computed here once, so the three tests cannot disagree about them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.arrays import as_count_table

__all__ = ["RankPieces", "midranks", "rank_pieces", "tie_sum"]


def midranks(level_totals: np.ndarray) -> np.ndarray:
    """Average rank of each level when all answers are pooled and sorted.

    Level ``j`` occupies ranks ``before_j + 1 .. before_j + t_j``; ties share their mean,
    ``before_j + (t_j + 1) / 2``.

    Parameters
    ----------
    level_totals : numpy.ndarray, shape (L,) or (k, L)
        Answers per level in ascending value order; a 2-D array is ranked row by row.

    Returns
    -------
    numpy.ndarray
        Midranks as ``float64``, the same shape.
    """
    t = level_totals.astype(np.float64)
    before = np.cumsum(t, axis=-1) - t
    return before + (t + 1.0) / 2.0


def tie_sum(level_totals: np.ndarray) -> np.ndarray:
    """``sum(t^3 - t)`` over the levels (the last axis): the tie term of rank variances."""
    t = level_totals.astype(np.float64)
    return np.sum(t**3 - t, axis=-1)


@dataclass(frozen=True, slots=True, eq=False)
class RankPieces:
    """Pooled-rank quantities of an office x level table, shared by Kruskal-Wallis and Dunn.

    Attributes
    ----------
    n : numpy.ndarray
        Answers per office, all offices ``(k,)``.
    keep : numpy.ndarray of bool
        Offices with answers ``(k,)``.
    n_total : int
        All answers.
    mean_ranks : numpy.ndarray
        Mean pooled rank per office ``(k,)``, NaN for offices without answers.
    centred : numpy.ndarray
        Mean rank minus ``(N + 1) / 2`` ``(k,)``, NaN for offices without answers.
    tie_sum : float
        ``sum(t^3 - t)`` over the level totals.
    n_levels_used : int
        Levels with at least one answer.
    """

    n: np.ndarray
    keep: np.ndarray
    n_total: int
    mean_ranks: np.ndarray
    centred: np.ndarray
    tie_sum: float
    n_levels_used: int

    @property
    def n_groups(self) -> int:
        """Offices that take part in a rank test (those with answers)."""
        return int(self.keep.sum())

    def reported(self) -> dict[str, object]:
        """The fields every rank-test result reports from the pooled ranks.

        ``n`` (answers per office, all offices), ``n_total`` and ``mean_ranks``, so that
        Kruskal-Wallis and Dunn describe the same offices with the same numbers.
        """
        return {"n": self.n, "n_total": self.n_total, "mean_ranks": self.mean_ranks}


def rank_pieces(counts: ArrayLike) -> RankPieces:
    """Validate an office x level count table and compute its :class:`RankPieces`.

    Raises
    ------
    ValueError
        On malformed input (not 2-D, empty, negative or fractional counts).
    """
    c = as_count_table(counts, ndim=2)
    n = c.sum(axis=1)
    keep = n > 0
    n_total = int(n.sum())
    t = c.sum(axis=0)
    mid = midranks(t)
    # Work with ranks centred on their mean (N + 1) / 2: the sums stay small, so H does not
    # suffer the cancellation of the textbook formula 12/(N(N+1)) sum R_i^2/n_i - 3(N+1).
    centre = (n_total + 1) / 2.0
    rank_sums_c = c.astype(np.float64) @ (mid - centre)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = np.where(keep, rank_sums_c / n, np.nan)
    return RankPieces(
        n=n,
        keep=keep,
        n_total=n_total,
        mean_ranks=centred + centre,
        centred=centred,
        tie_sum=float(tie_sum(t)),
        n_levels_used=int(np.count_nonzero(t)),
    )
