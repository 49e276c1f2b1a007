"""Empirical-Bayes rates: the beta-binomial MLE against an independent likelihood and optimiser,
posteriors against scipy's Beta distribution, rank intervals against a loop over the draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from analysis.shrinkage import (
    MAX_PRECISION,
    MIN_PRECISION,
    fit_beta_binomial,
    rank_intervals,
    shrink,
)


def loglik(a, b, y, n):
    """Beta-binomial log-likelihood from the published pmf, C(n, y) B(y + a, n - y + b) / B(a, b),
    one office at a time with math.lgamma."""
    total = 0.0
    for yi, ni in zip(y, n, strict=True):
        if ni == 0:
            continue
        total += (math.lgamma(ni + 1) - math.lgamma(yi + 1) - math.lgamma(ni - yi + 1)
                  + math.lgamma(yi + a) + math.lgamma(ni - yi + b) - math.lgamma(ni + a + b)
                  - math.lgamma(a) - math.lgamma(b) + math.lgamma(a + b))
    return total


def nelder_mead(y, n, start=(0.0, 0.0)):
    """Independent fit: Nelder-Mead over (log a, log b) from Beta(1, 1)."""
    res = optimize.minimize(lambda t: -loglik(math.exp(t[0]), math.exp(t[1]), y, n), start,
                            method="Nelder-Mead",
                            options=dict(xatol=1e-8, fatol=1e-10, maxiter=20_000, maxfev=40_000))
    return math.exp(res.x[0]), math.exp(res.x[1]), -res.fun


def simulate(seed, k, a, b, low=5, high=400):
    rng = np.random.default_rng(seed)
    n = rng.integers(low, high, size=k)
    return rng.binomial(n, rng.beta(a, b, size=k)), n


SPREAD = {
    "wide": simulate(1, 40, 8.0, 2.0),
    "narrow": simulate(2, 60, 80.0, 12.0),
    "small_offices": simulate(3, 30, 5.0, 1.5, low=1, high=15),
    # plus an empty office, 100 % and 0 % of one answer, 100 % of seven
    "with_edge_offices": tuple(
        np.append(a, extra)
        for a, extra in zip(simulate(4, 25, 9.0, 3.0), ([0, 1, 0, 7], [0, 1, 1, 7]), strict=True)
    ),
}


@pytest.mark.parametrize("name", sorted(SPREAD))
def test_mle_matches_independent_optimiser(name):
    y, n = (list(map(int, v)) for v in SPREAD[name])
    a, b = fit_beta_binomial(y, n)
    ref_a, ref_b, ref_ll = nelder_mead(y, n)
    ours = loglik(a, b, y, n)
    assert ours >= ref_ll - 1e-7 * abs(ref_ll)
    assert a == pytest.approx(ref_a, rel=2e-3) and b == pytest.approx(ref_b, rel=2e-3)
    # and it is the maximum of a grid around it
    for fa in (0.97, 1.0, 1.03):
        for fb in (0.97, 1.0, 1.03):
            assert loglik(a * fa, b * fb, y, n) <= ours + 1e-9 * abs(ours)


def test_no_spread_means_complete_pooling():
    rng = np.random.default_rng(5)
    n = rng.integers(50, 500, size=40)
    # rates exactly at 80 % give less spread than binomial: the likelihood rises with a + b
    y = (n * 0.8).round().astype(int)
    a, b = fit_beta_binomial(y, n)
    assert a + b == pytest.approx(MAX_PRECISION, rel=1e-9)
    assert a / (a + b) == pytest.approx(y.sum() / n.sum(), rel=1e-6)
    ll = [loglik(a / (a + b) * m, b / (a + b) * m, y, n) for m in (10, 100, 1e3, 1e4)]
    assert ll == sorted(ll) and ll[-1] < loglik(a, b, y, n)
    res = shrink(y, n)
    np.testing.assert_allclose(res.shrunk, a / (a + b), rtol=1e-3)


@pytest.mark.parametrize(
    "y,n",
    [([3], [4]), ([0, 3], [0, 4]), ([0, 0], [0, 0]), ([5, 1, 30], [5, 1, 30]), ([0, 0], [3, 9])],
)
def test_degenerate_data_use_jeffreys_and_do_not_raise(y, n):
    assert fit_beta_binomial(y, n) == (0.5, 0.5)
    res = shrink(y, n)
    for i, ni in enumerate(n):
        if ni:
            lo, hi = stats.beta.interval(0.95, y[i] + 0.5, ni - y[i] + 0.5)
            assert res.lower[i] == pytest.approx(lo, rel=1e-12)
            assert res.upper[i] == pytest.approx(hi, rel=1e-12)


def test_all_or_nothing_offices_hit_the_lower_bound():
    y, n = [0, 5, 0, 3, 12], [4, 5, 2, 3, 12]
    a, b = fit_beta_binomial(y, n)
    assert a + b == pytest.approx(MIN_PRECISION, rel=1e-6)
    # the likelihood keeps rising as a + b -> 0; on the bound a + b = 1, the mean is the best
    # on a grid
    grid = [loglik(mu * MIN_PRECISION, (1 - mu) * MIN_PRECISION, y, n)
            for mu in np.linspace(0.001, 0.999, 999)]
    assert loglik(a, b, y, n) >= max(grid) - 1e-9
    assert loglik(a / 10, b / 10, y, n) > loglik(a, b, y, n)


@pytest.mark.parametrize("name", sorted(SPREAD))
def test_posterior_against_scipy_beta(name):
    y, n = SPREAD[name]
    res = shrink(y, n, confidence=0.9)
    a, b = fit_beta_binomial(y, n)
    assert (res.a, res.b) == (a, b)
    np.testing.assert_allclose(res.shrunk, stats.beta.mean(y + a, n - y + b), rtol=1e-12)
    lo, hi = stats.beta.interval(0.9, y + a, n - y + b)
    np.testing.assert_allclose(res.lower, lo, rtol=1e-10)
    np.testing.assert_allclose(res.upper, hi, rtol=1e-10)
    np.testing.assert_allclose(res.weight, n / (n + a + b), rtol=1e-12)


def test_empty_office_gets_the_prior():
    y, n = SPREAD["with_edge_offices"]
    res = shrink(y, n)
    empty = np.flatnonzero(n == 0)
    assert empty.size == 1
    i = int(empty[0])
    assert res.shrunk[i] == pytest.approx(stats.beta.mean(res.a, res.b), rel=1e-12)
    assert res.lower[i] == pytest.approx(stats.beta.ppf(0.025, res.a, res.b), rel=1e-10)
    assert math.isnan(res.rates[i]) and res.weight[i] == 0.0


def test_small_offices_are_pulled_more():
    y, n = simulate(6, 30, 30.0, 6.0, low=100, high=300)
    y = np.append(y, [2, 200])
    n = np.append(n, [2, 200])  # two offices at 100 %: 2 answers and 200 answers
    res = shrink(y, n)
    mean = res.a / (res.a + res.b)
    assert res.shrunk[-2] < res.shrunk[-1] < 1.0
    assert 1.0 - res.shrunk[-2] > 1.0 - res.shrunk[-1]
    assert abs(res.shrunk[-2] - mean) < abs(res.shrunk[-1] - mean)
    order = np.argsort(n)
    assert np.all(np.diff(res.weight[order]) >= 0)


# --------------------------------------------------------------------------------------------
# rank intervals
# --------------------------------------------------------------------------------------------


def loop_rank_intervals(y, n, a, b, draws, seed, confidence):
    """The same draws, ranked with scipy.stats.rankdata and quantiles read off sorted ranks."""
    keep = [i for i in range(len(n)) if n[i] > 0]
    rng = np.random.default_rng(seed)
    yy = np.array([y[i] for i in keep], dtype=float)
    nn = np.array([n[i] for i in keep], dtype=float)
    p = rng.beta(yy + a, nn - yy + b, size=(draws, len(keep)))
    ranks = np.array([stats.rankdata(-row, method="ordinal") for row in p])
    lo_q, hi_q = (1 - confidence) / 2, (1 + confidence) / 2
    out = {i: (-1, -1, -1) for i in range(len(n))}
    for col, i in enumerate(keep):
        s = sorted(ranks[:, col])
        out[i] = (s[math.floor(lo_q * (draws - 1))], s[math.ceil(hi_q * (draws - 1))],
                  s[math.ceil(0.5 * draws) - 1])
    return out


def test_rank_intervals_match_loop():
    y, n = SPREAD["with_edge_offices"]
    a, b = fit_beta_binomial(y, n)
    res = rank_intervals(y, n, a=a, b=b, draws=500, seed=3, confidence=0.9)
    ref = loop_rank_intervals(list(y), list(n), a, b, 500, 3, 0.9)
    for i in range(len(n)):
        assert (res.best[i], res.worst[i], res.median[i]) == ref[i]
    assert res.n_ranked == int(np.sum(n > 0)) and res.draws == 500


def test_rank_intervals_separated_and_identical_offices():
    n = np.full(5, 2000)
    y = (n * np.array([0.5, 0.9, 0.6, 0.8, 0.7])).astype(int)
    a, b = fit_beta_binomial(y, n)
    res = rank_intervals(y, n, a=a, b=b)
    observed = stats.rankdata(-y / n).astype(int)
    assert np.all(res.best <= observed) and np.all(observed <= res.worst)
    np.testing.assert_array_equal(res.median, observed)
    alike_n = np.full(10, 100)
    alike_y = np.array([80, 81, 80, 79, 82, 80, 81, 79, 80, 80])
    a, b = fit_beta_binomial(alike_y, alike_n)
    wide = rank_intervals(alike_y, alike_n, a=a, b=b)
    assert np.all(wide.worst - wide.best >= 5)


def test_two_answers_at_hundred_percent_is_not_certainly_first():
    y, n = simulate(7, 15, 40.0, 5.0, low=150, high=400)
    y, n = np.append(y, 2), np.append(n, 2)
    res = shrink(y, n)
    ranks = rank_intervals(y, n, a=res.a, b=res.b)
    assert ranks.worst[-1] > 1 and ranks.worst[-1] - ranks.best[-1] >= 3


def test_rank_intervals_deterministic_and_empty_offices():
    y, n = [30, 0, 45, 12], [40, 0, 50, 20]
    first = rank_intervals(y, n, a=2.0, b=1.0, draws=300)
    again = rank_intervals(y, n, a=2.0, b=1.0, draws=300)
    np.testing.assert_array_equal(first.best, again.best)
    np.testing.assert_array_equal(first.worst, again.worst)
    assert first.best[1] == first.worst[1] == first.median[1] == -1
    assert set(first.best[[0, 2, 3]]) <= {1, 2, 3} and first.n_ranked == 3
    none = rank_intervals([0, 0], [0, 0], a=1.0, b=1.0)
    np.testing.assert_array_equal(none.best, [-1, -1])
    one = rank_intervals([3], [5], a=1.0, b=1.0)
    assert (one.best[0], one.worst[0], one.median[0]) == (1, 1, 1)


@pytest.mark.parametrize(
    "kwargs",
    [dict(a=0.0, b=1.0), dict(a=1.0, b=float("inf")), dict(a=1.0, b=1.0, draws=0),
     dict(a=1.0, b=1.0, draws=2.5), dict(a=1.0, b=1.0, confidence=1.0)],
)
def test_rank_intervals_reject_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        rank_intervals([1, 2], [3, 3], **kwargs)


@pytest.mark.parametrize("y,n", [([4, 2], [3, 3]), ([1, 2], [3]), ([-1, 2], [3, 3])])
def test_bad_counts_raise(y, n):
    with pytest.raises(ValueError):
        fit_beta_binomial(y, n)
    with pytest.raises(ValueError):
        shrink(y, n)


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (min(t), max(t))),
        min_size=1,
        max_size=10,
    )
)
def test_property_shrinkage_is_between_rate_and_prior(rows):
    y = np.array([r[0] for r in rows])
    n = np.array([r[1] for r in rows])
    res = shrink(y, n)
    mean = res.a / (res.a + res.b)
    has = n > 0
    lo = np.minimum(res.rates[has], mean) - 1e-12
    hi = np.maximum(res.rates[has], mean) + 1e-12
    assert np.all((lo <= res.shrunk[has]) & (res.shrunk[has] <= hi))
    assert np.all((res.lower <= res.shrunk) & (res.shrunk <= res.upper))
    ranks = rank_intervals(y, n, a=res.a, b=res.b, draws=200)
    assert np.all(ranks.best[has] <= ranks.median[has])
    assert np.all(ranks.median[has] <= ranks.worst[has])
    assert np.all(ranks.worst[has] <= has.sum()) and np.all(ranks.best[~has] == -1)


def test_rank_intervals_read_the_same_quantiles_numpy_computes():
    """The sorted-column shortcut gives numpy's "lower", "higher" and "inverted_cdf" ranks."""
    from analysis.shrinkage import rank_intervals

    y, n = np.array([40, 45, 50, 30, 60]), np.array([50, 55, 60, 50, 70])
    result = rank_intervals(y, n, a=8.0, b=2.0, draws=999, seed=7)
    rng = np.random.default_rng(7)
    p = rng.beta(y + 8.0, n - y + 2.0, size=(999, 5))
    ranks = (-p).argsort(axis=1).argsort(axis=1) + 1
    np.testing.assert_array_equal(result.best, np.quantile(ranks, 0.025, axis=0, method="lower"))
    np.testing.assert_array_equal(result.worst,
                                  np.quantile(ranks, 0.975, axis=0, method="higher"))
    np.testing.assert_array_equal(result.median,
                                  np.quantile(ranks, 0.5, axis=0, method="inverted_cdf"))
