"""Pairwise tests (p-value adjustment, Dunn) from count tables, checked against SciPy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from support.counts import RTOL, TABLES, close, expand_table

from analysis.omnibus import NOTE_IDENTICAL
from analysis.pairwise import adjust_pvalues, dunn_from_counts

# --------------------------------------------------------------------------------------------
# p-value adjustment
# --------------------------------------------------------------------------------------------


def test_holm_hand_checked():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max so far 0.06
    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.03, 0.06, 0.06, 0.02], rtol=RTOL)


def test_holm_caps_at_one_and_keeps_nan():
    p = np.array([0.5, np.nan, 0.4, 0.01])
    out = adjust_pvalues(p, "holm")
    np.testing.assert_allclose(out[[0, 2, 3]], [0.8, 0.8, 0.03], rtol=RTOL)
    assert np.isnan(out[1])
    assert adjust_pvalues([0.6, 0.7], "holm").tolist() == [1.0, 1.0]


def test_bh_hand_checked_and_scipy():
    # sorted p*m/rank: 0.02, 0.02, 0.04, 0.04; running minimum from the top keeps them
    p = [0.01, 0.04, 0.03, 0.005]
    np.testing.assert_allclose(adjust_pvalues(p, "bh"), [0.02, 0.04, 0.04, 0.02], rtol=RTOL)
    rng = np.random.default_rng(5)
    q = rng.uniform(size=200) ** 3
    close(adjust_pvalues(q, "bh"), stats.false_discovery_control(q, method="bh"))


def test_bonferroni_and_none():
    p = [0.01, 0.2, 0.5]
    np.testing.assert_allclose(adjust_pvalues(p, "bonferroni"), [0.03, 0.6, 1.0], rtol=RTOL)
    np.testing.assert_allclose(adjust_pvalues(p, "none"), p)


def test_adjust_rejects_bad_input():
    with pytest.raises(ValueError):
        adjust_pvalues([0.1, 1.2])
    with pytest.raises(ValueError):
        adjust_pvalues([0.1], "sidak")


# --------------------------------------------------------------------------------------------
# Dunn
# --------------------------------------------------------------------------------------------


def dunn_direct(table):
    """Dunn (1964) from the expanded answers with scipy.stats.rankdata, pair by pair."""
    groups = expand_table(table)
    x = np.concatenate(groups)
    n_total = x.size
    ranks = stats.rankdata(x)
    _, t = np.unique(x, return_counts=True)
    ties = np.sum(t.astype(float) ** 3 - t)
    bounds = np.cumsum([0] + [g.size for g in groups])
    mean_rank = [ranks[a:b].mean() for a, b in itertools.pairwise(bounds)]
    k = len(groups)
    z = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            if i != j:
                var = (n_total * (n_total + 1) / 12 - ties / (12 * (n_total - 1))) * (
                    1 / groups[i].size + 1 / groups[j].size
                )
                z[i, j] = (mean_rank[i] - mean_rank[j]) / math.sqrt(var)
    p = 2 * stats.norm.sf(np.abs(z))
    return z, p


@pytest.mark.parametrize("name", sorted(TABLES))
def test_dunn_matches_direct_rank_computation(name):
    table = TABLES[name]
    res = dunn_from_counts(table, adjust="holm")
    keep = np.flatnonzero(table.sum(axis=1) > 0)
    z, p = dunn_direct(table)
    sub = np.ix_(keep, keep)
    off = ~np.eye(keep.size, dtype=bool)
    close(res.z[sub][off], z[off])
    close(res.pvalue[sub][off], p[off])
    iu = np.triu_indices(keep.size, 1)
    close(res.pvalue_adjusted[sub][iu], adjust_pvalues(p[iu], "holm"))
    np.testing.assert_allclose(res.z, -res.z.T)
    np.testing.assert_array_equal(res.pvalue_adjusted, res.pvalue_adjusted.T)
    assert res.n_comparisons == keep.size * (keep.size - 1) // 2
    assert np.all(np.diag(res.pvalue)[keep] == 1.0)


def test_dunn_bh_and_empty_office():
    table = TABLES["empty_office"]
    res = dunn_from_counts(table, adjust="bh")
    z, p = dunn_direct(table)
    iu = np.triu_indices(4, 1)
    close(res.pvalue_adjusted[:4, :4][iu], stats.false_discovery_control(p[iu], method="bh"))
    assert np.all(np.isnan(res.z[4])) and np.all(np.isnan(res.pvalue[:, 4]))
    assert not res.significant()[4].any()


def test_dunn_hand_example():
    # Two offices, answers {1, 2} and {3, 4}: ranks 1, 2 | 3, 4; mean ranks 1.5 and 3.5;
    # no ties: sigma^2 = (4 * 5 / 12) * (1/2 + 1/2) = 5/3; z = -2 / sqrt(5/3).
    res = dunn_from_counts([[1, 1, 0, 0], [0, 0, 1, 1]])
    assert res.z[0, 1] == pytest.approx(-2 / math.sqrt(5 / 3), rel=RTOL)
    assert res.pvalue[0, 1] == pytest.approx(0.1213353, abs=1e-7)
    assert res.pvalue_adjusted[0, 1] == res.pvalue[0, 1]  # one comparison: nothing to adjust


def test_dunn_identical_answers():
    res = dunn_from_counts([[0, 3, 0], [0, 5, 0]])
    assert res.note == NOTE_IDENTICAL
    assert np.isnan(res.z[0, 1]) and not res.significant().any()


def test_dunn_rejects_unknown_adjustment():
    with pytest.raises(ValueError):
        dunn_from_counts(TABLES["random"], adjust="tukey")

