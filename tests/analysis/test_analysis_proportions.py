"""Comparing rates between offices: pairwise z tests against statsmodels, letters against the
significance matrix, the agencies' margin of error and the minimum detectable difference
against statsmodels' power calculations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportions_ztest
from support.counts import RTOL

from analysis.proportions import (
    agency_margin,
    letters_from_proportions,
    minimum_detectable_difference,
    pairwise_proportions,
)

# --------------------------------------------------------------------------------------------
# margin of error
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,published", [(1099, 0.0296), (1502, 0.0253), (1067, 0.0300)])
def test_agency_margin_published_figures(n, published):
    assert agency_margin(n) == pytest.approx(published, abs=5e-5)
    assert isinstance(agency_margin(n), float)


def test_agency_margin_arrays_and_empty_office():
    out = agency_margin([0, 1, 100, 10_000])
    assert math.isnan(out[0])
    np.testing.assert_allclose(out[1:], [0.98, 0.098, 0.0098], rtol=RTOL)
    assert math.isnan(agency_margin(0))


@pytest.mark.parametrize("bad", [-1, 2.5, [3, -2], "100"])
def test_agency_margin_rejects_bad_n(bad):
    with pytest.raises(ValueError):
        agency_margin(bad)


# --------------------------------------------------------------------------------------------
# pairwise two-proportion z tests
# --------------------------------------------------------------------------------------------


def statsmodels_pair(x1, n1, x2, n2):
    """proportions_ztest per pair; 0/0 (both 0 % or both 100 %) means identical rates."""
    if x1 + x2 in (0, n1 + n2):
        return 0.0, 1.0
    z, p = proportions_ztest([x1, x2], [n1, n2])
    return float(z), float(p)


def holm_loop(raw):
    """Holm's step-down adjustment written out (statsmodels' multipletests takes ~50 ms a call,
    too slow for a property test)."""
    m = len(raw)
    order = sorted(range(m), key=lambda i: raw[i])
    out = [0.0] * m
    running = 0.0
    for step, i in enumerate(order):
        running = max(running, min(1.0, (m - step) * raw[i]))
        out[i] = running
    return out


def reference(x, n, method="holm"):
    k = len(x)
    z = np.full((k, k), np.nan)
    p = np.full((k, k), np.nan)
    pairs = [(i, j) for i, j in itertools.combinations(range(k), 2) if n[i] > 0 and n[j] > 0]
    for i, j in pairs:
        z[i, j], p[i, j] = statsmodels_pair(x[i], n[i], x[j], n[j])
        z[j, i], p[j, i] = -z[i, j], p[i, j]
    adj = np.full((k, k), np.nan)
    if pairs:
        raw = [p[i, j] for i, j in pairs]
        adjusted = holm_loop(raw) if method == "loop" else multipletests(raw, method=method)[1]
        for (i, j), a in zip(pairs, adjusted, strict=True):
            adj[i, j] = adj[j, i] = a
    return z, p, adj, len(pairs)


CASES = {
    "random": ([85, 120, 40, 300, 9], [100, 150, 60, 320, 10]),
    "single_answer": ([1, 0, 50, 45], [1, 1, 60, 60]),
    "all_satisfied": ([30, 12, 80], [30, 12, 80]),
    "none_satisfied": ([0, 0, 0], [5, 40, 7]),
    "hundred_and_zero": ([30, 0, 12, 0], [30, 25, 12, 3]),
    "empty_office": ([40, 0, 33, 50], [50, 0, 40, 51]),
    "all_empty": ([0, 0], [0, 0]),
    "one_office": ([7], [9]),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("method", ["holm", "bonferroni"])
def test_pairwise_matches_statsmodels(name, method):
    x, n = CASES[name]
    res = pairwise_proportions(x, n, adjust=method)
    z, p, adj, m = reference(x, n, method)
    np.testing.assert_allclose(res.z, z, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(res.pvalue, p, rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(res.pvalue_adjusted, adj, rtol=RTOL, atol=1e-15)
    assert res.n_comparisons == m
    assert np.all(np.isnan(np.diag(res.z))) and np.all(np.isnan(np.diag(res.pvalue)))
    np.testing.assert_array_equal(res.z, -res.z.T)
    np.testing.assert_array_equal(res.pvalue, res.pvalue.T)
    np.testing.assert_array_equal(res.pvalue_adjusted, res.pvalue_adjusted.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected_rates = np.where(np.asarray(n) > 0, np.asarray(x) / np.asarray(n), np.nan)
    np.testing.assert_array_equal(res.rates, expected_rates)


def test_pairwise_bh_matches_statsmodels():
    rng = np.random.default_rng(7)
    n = rng.integers(20, 400, size=12)
    x = rng.binomial(n, rng.uniform(0.6, 0.95, size=12))
    res = pairwise_proportions(x, n, adjust="bh")
    _, _, adj, _ = reference(x, n, "fdr_bh")
    np.testing.assert_allclose(res.pvalue_adjusted, adj, rtol=RTOL)


def test_identical_extremes_are_not_different():
    res = pairwise_proportions([10, 3, 0, 0], [10, 3, 8, 1])
    assert res.z[0, 1] == 0.0 and res.pvalue[0, 1] == 1.0
    assert res.z[2, 3] == 0.0 and res.pvalue[2, 3] == 1.0
    assert res.z[0, 2] > 0 and res.pvalue[0, 2] < 0.001


def test_empty_office_is_left_out():
    res = pairwise_proportions([40, 0, 33], [50, 0, 40])
    assert np.all(np.isnan(res.z[1])) and np.all(np.isnan(res.pvalue_adjusted[:, 1]))
    assert res.n_comparisons == 1
    assert not res.significant().any()
    assert math.isnan(res.rates[1])


@pytest.mark.parametrize(
    "x,n",
    [([1, 2], [2, 1]), ([1, 2], [1, 2, 3]), ([-1, 2], [3, 3]), ([1.5, 2], [3, 3]),
     ([[1]], [[2]])],
)
def test_pairwise_rejects_bad_counts(x, n):
    with pytest.raises(ValueError):
        pairwise_proportions(x, n)


def test_pairwise_rejects_unknown_adjustment():
    with pytest.raises(ValueError):
        pairwise_proportions([1, 2], [3, 3], adjust="sidak")


offices = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (min(t), max(t))),
    min_size=1,
    max_size=9,
)


@settings(max_examples=120, deadline=None, database=None)
@given(offices)
def test_property_pairwise_equals_statsmodels(rows):
    x = [r[0] for r in rows]
    n = [r[1] for r in rows]
    res = pairwise_proportions(x, n)
    z, p, adj, m = reference(x, n, "loop")
    np.testing.assert_allclose(res.z, z, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.pvalue_adjusted, adj, rtol=1e-8, atol=1e-12)
    assert res.n_comparisons == m


# --------------------------------------------------------------------------------------------
# letters
# --------------------------------------------------------------------------------------------


def check_letters(res, letters, alpha=0.05):
    sig = res.significant(alpha)
    k = len(letters)
    for i, j in itertools.combinations(range(k), 2):
        if res.n[i] == 0 or res.n[j] == 0:
            continue
        share = bool(set(letters[i]) & set(letters[j]))
        assert share == (not sig[i, j]), (i, j, letters, sig[i, j])


def test_letters_highest_rate_gets_a():
    x, n = [50, 290, 0, 95, 130], [100, 300, 0, 100, 200]
    res = pairwise_proportions(x, n)
    letters = letters_from_proportions(res)
    assert letters[1].startswith("a") and letters[2] == ""
    check_letters(res, letters)
    assert letters[0] != letters[1]  # 50 % against 97 % is significant


def test_letters_all_empty_and_all_equal():
    assert letters_from_proportions(pairwise_proportions([0, 0], [0, 0])) == ["", ""]
    same = pairwise_proportions([5, 5, 5], [5, 5, 5])
    assert letters_from_proportions(same) == ["a", "a", "a"]


def test_letters_reject_bad_alpha():
    with pytest.raises(ValueError):
        letters_from_proportions(pairwise_proportions([1, 2], [3, 3]), alpha=1.5)


@settings(max_examples=80, deadline=None, database=None)
@given(offices, st.sampled_from([0.01, 0.05, 0.2]))
def test_property_letters_agree_with_significance(rows, alpha):
    x = [r[0] for r in rows]
    n = [r[1] * 5 for r in rows]  # larger samples, so that some pairs differ
    res = pairwise_proportions(x, n)
    letters = letters_from_proportions(res, alpha)
    check_letters(res, letters, alpha)
    assert all(letters[i] == "" for i in range(len(n)) if n[i] == 0)


# --------------------------------------------------------------------------------------------
# minimum detectable difference
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n1,n2,p,alpha,power",
    [(300, 300, 0.9, 0.05, 0.8), (1099, 1502, 0.85, 0.05, 0.9), (40, 900, 0.5, 0.01, 0.8),
     (1, 1, 0.5, 0.05, 0.8), (25, 60, 0.97, 0.1, 0.7)],
)
def test_mdd_gives_back_the_power(n1, n2, p, alpha, power):
    mdd = minimum_detectable_difference(n1, n2, p, alpha=alpha, power=power)
    sd = math.sqrt(p * (1 - p))
    # statsmodels' two-sided power also counts rejections in the wrong direction (~1e-6 here)
    sm_power = NormalIndPower().power(mdd / sd, n1, alpha, ratio=n2 / n1)
    assert sm_power == pytest.approx(power, abs=2e-4)
    assert sm_power >= power - 1e-12
    # and solving statsmodels for the effect size gives the same difference
    effect = NormalIndPower().solve_power(None, nobs1=n1, alpha=alpha, power=power, ratio=n2 / n1)
    assert effect * sd == pytest.approx(mdd, rel=2e-4)
    # one-tailed power of the z test at the MDD, straight from scipy's normal distribution
    se = sd * math.sqrt(1 / n1 + 1 / n2)
    crit = stats.norm.isf(alpha / 2)
    assert stats.norm.sf(crit - mdd / se) == pytest.approx(power, rel=1e-9)


def test_mdd_edge_cases_and_broadcasting():
    out = minimum_detectable_difference([0, 5, 5, 5], 10, [0.5, 0.0, 1.0, 0.5])
    assert math.isnan(out[0]) and out[1] == 0.0 and out[2] == 0.0 and out[3] > 0
    grid = minimum_detectable_difference(np.array([[100], [400]]), [100, 400], 0.9)
    assert grid.shape == (2, 2)
    np.testing.assert_allclose(grid, grid.T, rtol=RTOL)
    assert grid[1, 1] == pytest.approx(grid[0, 0] / 2, rel=RTOL)
    assert math.isnan(minimum_detectable_difference(3, 0, 0.5))
    assert isinstance(minimum_detectable_difference(3, 4, 0.5), float)


@pytest.mark.parametrize(
    "kwargs",
    [dict(n1=-1, n2=3, p=0.5), dict(n1=3, n2=3, p=1.2), dict(n1=3, n2=3, p=float("nan")),
     dict(n1=3, n2=3, p=0.5, alpha=0.0), dict(n1=3, n2=3, p=0.5, power=1.0),
     dict(n1=[1, 2], n2=[1, 2, 3], p=0.5)],
)
def test_mdd_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        minimum_detectable_difference(**kwargs)
