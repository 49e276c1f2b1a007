"""Pooled midranks and tie terms from count tables, checked against scipy.stats.rankdata."""

from __future__ import annotations

import numpy as np
from scipy import stats
from support.counts import expand_row, random_table

from analysis.ranks import midranks, rank_pieces, tie_sum


def test_midranks_match_rankdata_per_level():
    totals = np.array([3, 0, 5, 1, 7])
    ranks = stats.rankdata(expand_row(totals))
    starts = np.cumsum(totals) - totals
    got = midranks(totals)
    for level, (start, t) in enumerate(zip(starts, totals, strict=True)):
        if t:
            assert got[level] == ranks[start]


def test_midranks_and_tie_sum_rank_a_table_row_by_row():
    table = random_table(7, k=6, n_levels=5, high=9)
    np.testing.assert_array_equal(midranks(table), [midranks(row) for row in table])
    np.testing.assert_array_equal(tie_sum(table), [tie_sum(row) for row in table])
    t = table[0].astype(float)
    assert tie_sum(table[0]) == np.sum(t**3 - t)


def test_rank_pieces_mean_ranks():
    table = np.array([[2, 1, 0], [0, 0, 0], [0, 3, 4]])
    rp = rank_pieces(table)
    ranks = stats.rankdata(np.concatenate([expand_row(r) for r in table]))
    np.testing.assert_allclose(rp.mean_ranks[[0, 2]], [ranks[:3].mean(), ranks[3:].mean()])
    assert np.isnan(rp.mean_ranks[1]) and rp.n_total == 10 and rp.n_levels_used == 3
