"""Cochran-Mantel-Haenszel across offices against statsmodels' StratifiedTable, and the strata
that carry no information (an empty period, one answer, everyone satisfied both times)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import StratifiedTable

from analysis.cmh import cmh_test
from analysis.effects import cmh_test as reexported

RTOL = 1e-9


def statsmodels_cmh(tables, confidence=0.95, with_odds=True):
    """StratifiedTable wants 2 x 2 x K; rows swapped so that its odds ratio is later vs earlier.
    Strata with fewer than two answers make its variance 0/0, so they are not passed."""
    t = np.asarray(tables)
    t = t[t.sum(axis=(1, 2)) >= 2]
    st_ = StratifiedTable(np.transpose(t[:, ::-1, :], (1, 2, 0)).astype(float))
    test = st_.test_null_odds(correction=False)
    if not with_odds:  # statsmodels divides by zero when the pooled odds ratio is 0 or inf
        return test.statistic, test.pvalue, None, None
    return (test.statistic, test.pvalue, st_.oddsratio_pooled,
            st_.oddsratio_pooled_confint(alpha=1 - confidence))


def simulate(seed, k, change=0.4):
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 300, size=(k, 2))
    base = rng.uniform(0.5, 0.9, size=k)
    logit = np.log(base / (1 - base))
    later = 1 / (1 + np.exp(-(logit + change)))
    sat = np.column_stack([rng.binomial(n[:, 0], base), rng.binomial(n[:, 1], later)])
    return np.stack([sat, n - sat], axis=2)  # (k, period, [satisfied, not])


CASES = {
    "improved": simulate(1, 12),
    "no_change": simulate(2, 20, change=0.0),
    "small_offices": simulate(3, 8) // 9,
    "with_uninformative_strata": np.concatenate([
        simulate(4, 6),
        [[[0, 0], [3, 4]],    # no answers in the earlier period
         [[5, 0], [6, 0]],    # everyone satisfied both times
         [[0, 0], [0, 0]],    # empty office
         [[1, 0], [0, 0]],    # one answer
         [[0, 2], [0, 7]]],   # nobody satisfied
    ]),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_cmh_matches_statsmodels(name, confidence):
    tables = CASES[name]
    res = cmh_test(tables, confidence=confidence)
    stat, p, odds, ci = statsmodels_cmh(tables, confidence)
    assert res.statistic == pytest.approx(stat, rel=RTOL)
    assert res.pvalue == pytest.approx(p, rel=1e-8, abs=1e-12)
    assert res.odds_ratio == pytest.approx(odds, rel=RTOL)
    assert res.odds_ratio_ci == pytest.approx(ci, rel=RTOL)
    t = np.asarray(tables)
    rows, cols = t.sum(axis=2), t.sum(axis=1)
    assert res.n_strata == int(np.sum((rows > 0).all(axis=1) & (cols > 0).all(axis=1)))
    assert res.note is None


def test_cmh_direction_and_reexport():
    better = cmh_test(CASES["improved"])
    assert better.odds_ratio > 1 and better.odds_ratio_ci[0] > 1 and better.pvalue < 0.05
    worse = cmh_test(CASES["improved"][:, ::-1, :])
    assert worse.odds_ratio == pytest.approx(1 / better.odds_ratio, rel=RTOL)
    assert worse.statistic == pytest.approx(better.statistic, rel=RTOL)
    assert reexported is cmh_test


def test_cmh_nothing_to_test():
    res = cmh_test([[[5, 0], [6, 0]], [[0, 0], [0, 0]], [[1, 0], [0, 0]]])
    assert math.isnan(res.statistic) and math.isnan(res.odds_ratio)
    assert res.n_strata == 0 and res.note


def test_cmh_infinite_odds_ratio():
    # every earlier answer satisfied, some later answers not: odds fell to 0 (later vs earlier)
    res = cmh_test([[[10, 0], [7, 3]], [[4, 0], [5, 2]]])
    assert res.odds_ratio == 0.0 and all(math.isnan(v) for v in res.odds_ratio_ci)
    assert res.note and res.pvalue < 0.05
    up = cmh_test([[[7, 3], [10, 0]], [[5, 2], [4, 0]]])
    assert math.isinf(up.odds_ratio)


@pytest.mark.parametrize(
    "tables", [np.zeros((2, 2, 3)), np.zeros((2, 2)), [[[1, -1], [2, 2]]], [[[1.5, 1], [2, 2]]]]
)
def test_cmh_rejects_bad_input(tables):
    with pytest.raises(ValueError):
        cmh_test(tables)


@settings(max_examples=80, deadline=None, database=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=4, max_size=4), min_size=1, max_size=8))
def test_property_cmh_equals_statsmodels(cells):
    tables = np.array(cells).reshape(-1, 2, 2)
    res = cmh_test(tables)
    rows, cols = tables.sum(axis=2), tables.sum(axis=1)
    informative = (rows > 0).all(axis=1) & (cols > 0).all(axis=1)
    if not informative.any():
        assert math.isnan(res.statistic)
        return
    finite = bool(np.isfinite(res.odds_ratio) and res.odds_ratio > 0)
    stat, p, odds, ci = statsmodels_cmh(tables[informative], with_odds=finite)
    # strata that cancel exactly give a statistic of 0, which both sides compute as rounding
    # noise (7e-33 against 3e-32): relative agreement means nothing there
    np.testing.assert_allclose(res.statistic, stat, rtol=1e-8, atol=1e-12)
    # statsmodels computes p as 1 - cdf, which loses the digits of very small p-values
    np.testing.assert_allclose(res.pvalue, p, rtol=1e-8, atol=1e-12)
    if finite:
        np.testing.assert_allclose(res.odds_ratio, odds, rtol=1e-8)
        np.testing.assert_allclose(res.odds_ratio_ci, ci, rtol=1e-8)


# -- Breslow-Day-Tarone: did the offices move alike? (issue 26) -------------------------------

@given(st.integers(2, 12), st.integers(0, 10_000))
@settings(max_examples=80, deadline=None)
def test_homogeneity_matches_statsmodels_test_equal_odds(k, seed):
    from analysis.cmh import homogeneity_test

    rng = np.random.default_rng(seed)
    tables = rng.integers(0, 80, size=(k, 2, 2))
    ours = homogeneity_test(tables)
    use = (tables.sum(axis=2) > 0).all(axis=1) & (tables.sum(axis=1) > 0).all(axis=1)
    if use.sum() < 2 or np.isnan(ours.statistic):
        assert np.isnan(ours.pvalue) and ours.note
        return
    reference = StratifiedTable(np.moveaxis(tables[use], 0, -1).astype(float))
    theirs = reference.test_equal_odds(adjust=True)
    assert ours.statistic == pytest.approx(theirs.statistic, rel=1e-7)
    assert ours.pvalue == pytest.approx(theirs.pvalue, rel=1e-4, abs=1e-12)
    assert ours.df == use.sum() - 1


def test_homogeneity_sees_opposite_changes_that_cancel_out():
    from analysis.cmh import homogeneity_test

    # earlier (satisfied, not), later (satisfied, not): two rise, two fall by as much
    tables = [[[50, 50], [80, 20]], [[50, 50], [80, 20]], [[80, 20], [50, 50]],
              [[80, 20], [50, 50]]]
    pooled = cmh_test(tables)
    assert pooled.odds_ratio == pytest.approx(1.0) and pooled.pvalue > 0.9
    assert homogeneity_test(tables).pvalue < 1e-6


def test_homogeneity_needs_two_offices():
    from analysis.cmh import homogeneity_test

    result = homogeneity_test([[[10, 5], [8, 7]]])
    assert math.isnan(result.pvalue) and result.note
