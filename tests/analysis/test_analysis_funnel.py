"""Funnel plot (Spiegelhalter 2005): the paper's formulas written out as plain loops, null and
overdispersed simulations, and the degenerate offices (empty, one answer, 0 %, 100 %)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.funnel import funnel

TOL = 1e-9


def quantile_type7(values, q):
    """Hyndman & Fan type 7 (linear interpolation between order statistics)."""
    v = sorted(values)
    h = (len(v) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (h - lo) * (v[hi] - v[lo])


def paper_funnel(y, n, target=None, winsor=0.1, alpha=0.05, levels=(0.95, 0.998)):
    """Spiegelhalter (2005), sections 5-6, one office at a time."""
    offices = [i for i in range(len(n)) if n[i] > 0]
    big_i = len(offices)
    if target is None:
        p0 = sum(y[i] for i in offices) / sum(n[i] for i in offices)
    else:
        p0 = target
    z = [math.nan] * len(n)
    tau2 = 0.0
    phi = p_over = math.nan
    if p0 in (0.0, 1.0):
        for i in offices:
            z[i] = 0.0
        return dict(p0=p0, z=z, phi=0.0 if big_i > 1 else math.nan, tau2=0.0)
    s2 = {i: p0 * (1 - p0) / n[i] for i in offices}
    raw = {i: (y[i] / n[i] - p0) / math.sqrt(s2[i]) for i in offices}
    if big_i > 1:
        lo = quantile_type7(list(raw.values()), winsor)
        hi = quantile_type7(list(raw.values()), 1 - winsor)
        total = 0.0
        for i in offices:
            zw = min(max(raw[i], lo), hi)
            total += zw * zw
        phi = total / big_i
        p_over = stats.chi2.sf(big_i * phi, big_i - 1)
        if p_over < alpha:
            sw = sum(1 / s2[i] for i in offices)
            sw2 = sum(1 / s2[i] ** 2 for i in offices)
            tau2 = max(0.0, (big_i * phi - (big_i - 1)) / (sw - sw2 / sw))
    for i in offices:
        z[i] = (y[i] / n[i] - p0) / math.sqrt(s2[i] + tau2)
    flags = {}
    for level in levels:
        crit = stats.norm.ppf(0.5 + level / 2)
        row = []
        for i in range(len(n)):
            lower = p0 - crit * math.sqrt(s2[i] + tau2) if n[i] else math.nan
            upper = p0 + crit * math.sqrt(s2[i] + tau2) if n[i] else math.nan
            rate = y[i] / n[i] if n[i] else math.nan
            row.append("above" if rate > upper else "below" if rate < lower else None)
        flags[level] = row
    return dict(p0=p0, z=z, phi=phi, tau2=tau2, p=p_over, flags=flags)


def simulate(seed, k, spread=None, p=0.85, low=30, high=2000):
    rng = np.random.default_rng(seed)
    n = rng.integers(low, high, size=k)
    rates = np.full(k, p) if spread is None else rng.beta(p * spread, (1 - p) * spread, size=k)
    return rng.binomial(n, rates), n


CASES = {
    "overdispersed": simulate(1, 60, spread=80),
    "null": simulate(2, 40),
    "small_offices": simulate(3, 25, spread=30, low=1, high=20),
    "with_empty_and_single": ([40, 0, 1, 88, 0, 17], [50, 0, 1, 100, 3, 30]),
    "two_offices": ([30, 80], [60, 100]),
    "extreme_office": ([10, 95, 190, 420, 12], [10, 100, 200, 450, 30]),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("target", [None, 0.8])
def test_funnel_matches_paper_formulas(name, target):
    y, n = (list(map(int, a)) for a in CASES[name])
    res = funnel(y, n, target=target)
    ref = paper_funnel(y, n, target=target)
    assert res.target == pytest.approx(ref["p0"], rel=TOL)
    np.testing.assert_allclose(res.z, ref["z"], rtol=TOL, atol=1e-12)
    np.testing.assert_allclose(res.phi, ref["phi"], rtol=TOL)
    np.testing.assert_allclose(res.tau2, ref["tau2"], rtol=TOL, atol=1e-15)
    np.testing.assert_allclose(res.overdispersion_p, ref["p"], rtol=1e-7, atol=1e-300)
    assert res.overdispersed == (ref["p"] < 0.05)
    assert res.alert == ref["flags"][0.95]
    assert res.outside == ref["flags"][0.998]
    assert res.n_offices == sum(1 for v in n if v > 0)


def test_limits_match_formula_and_flags():
    y, n = CASES["overdispersed"]
    res = funnel(y, n)
    assert res.overdispersed and res.tau2 > 0
    limits = res.limits(n)
    for level, (lower, upper) in limits.items():
        crit = stats.norm.ppf(0.5 + level / 2)
        for i in range(len(n)):
            sd = math.sqrt(res.target * (1 - res.target) / n[i] + res.tau2)
            assert lower[i] == pytest.approx(max(0.0, res.target - crit * sd), rel=TOL)
            assert upper[i] == pytest.approx(min(1.0, res.target + crit * sd), rel=TOL)
    rate = y / n
    lower, upper = limits[0.998]
    expected = ["above" if r > u else "below" if r < lo else None
                for r, lo, u in zip(rate, lower, upper, strict=True)]
    assert res.outside == expected


def test_limits_are_clipped_and_narrow_with_n():
    res = funnel([5, 50], [10, 100])
    lower, upper = res.limits([0, 1, 10, 100, 10_000])[0.998]
    assert math.isnan(lower[0]) and math.isnan(upper[0])
    assert lower[1] == 0.0 and upper[1] == 1.0
    assert np.all(np.diff(upper[1:]) <= 0) and np.all(np.diff(lower[1:]) >= 0)
    with pytest.raises(ValueError):
        res.limits([-1, 10])


def test_null_simulation_flags_about_the_nominal_share():
    y, n = simulate(11, 4000)
    res = funnel(y, n)
    assert not res.overdispersed and res.tau2 == 0.0
    alert = np.mean([f is not None for f in res.alert])
    outside = np.mean([f is not None for f in res.outside])
    assert 0.035 < alert < 0.065
    assert outside < 0.006
    # both directions, roughly evenly
    above = sum(f == "above" for f in res.alert)
    below = sum(f == "below" for f in res.alert)
    assert 0.5 < above / below < 2.0


def test_obviously_different_offices_are_flagged_on_the_right_side():
    y, n = simulate(12, 30)
    y = np.append(y, [300, 990])
    n = np.append(n, [1000, 1000])
    res = funnel(y, n)
    assert res.outside[-2] == "below" and res.alert[-2] == "below"
    assert res.outside[-1] == "above" and res.alert[-1] == "above"


def test_overdispersion_widens_the_limits():
    y, n = simulate(13, 200, spread=60)
    res = funnel(y, n)
    plain = funnel(y, n, alpha_overdispersion=1e-300)  # never rejects: binomial limits
    assert res.overdispersed and res.tau2 > 0 and res.phi > 2
    assert plain.tau2 == 0.0 and plain.phi == res.phi
    grid = [50, 500, 5000]
    for level in res.levels:
        wide, narrow = res.limits(grid)[level], plain.limits(grid)[level]
        assert np.all(wide[0] < narrow[0])
        assert np.all((wide[1] > narrow[1]) | (wide[1] == 1.0))
    n_flag = sum(f is not None for f in res.alert)
    n_plain = sum(f is not None for f in plain.alert)
    assert n_flag < n_plain
    # adding tau^2 to every variance can only shrink the z-scores
    assert np.all(np.abs(res.z) <= np.abs(plain.z) + 1e-12)


def test_all_offices_at_hundred_or_zero_percent():
    for y in ([30, 5, 1], [0, 0, 0]):
        res = funnel(y, [30, 5, 1] if y[0] else [7, 3, 1])
        assert res.target in (0.0, 1.0)
        np.testing.assert_array_equal(res.z, [0.0, 0.0, 0.0])
        assert res.outside == [None] * 3 and res.alert == [None] * 3
        assert res.tau2 == 0.0 and not res.overdispersed
        lower, upper = res.limits([1, 10])[0.95]
        np.testing.assert_array_equal(lower, [res.target] * 2)
        np.testing.assert_array_equal(upper, [res.target] * 2)


def test_given_target_of_hundred_percent():
    # the pooled rate of a wider set of offices can be 100 % (or 0 %) and is a valid target
    res = funnel([30, 0, 12], [30, 0, 12], target=1.0)
    np.testing.assert_array_equal(res.z[[0, 2]], [0.0, 0.0])
    assert res.outside == [None] * 3 and res.phi == 0.0 and not res.overdispersed
    off = funnel([30, 11, 0], [30, 12, 4], target=1.0)
    assert off.z[0] == 0.0 and off.z[1] == -np.inf and off.z[2] == -np.inf
    assert off.outside == [None, "below", "below"]
    assert math.isnan(off.phi) and math.isnan(off.overdispersion_p) and off.tau2 == 0.0
    low = funnel([0, 3], [10, 10], target=0.0)
    assert low.z[0] == 0.0 and low.z[1] == np.inf and low.alert == [None, "above"]


def test_empty_and_single_office():
    res = funnel([0, 0], [0, 0])
    assert res.n_offices == 0 and math.isnan(res.target)
    assert np.all(np.isnan(res.z)) and res.outside == [None, None]
    assert np.all(np.isnan(res.limits([10])[0.95][0]))
    one = funnel([0, 7], [0, 9])
    assert one.n_offices == 1 and one.z[1] == 0.0 and math.isnan(one.z[0])
    assert math.isnan(one.phi) and math.isnan(one.overdispersion_p) and not one.overdispersed
    against_goal = funnel([0, 7], [0, 9], target=0.95)
    assert against_goal.z[1] < 0


def test_single_answer_office_is_never_outside_the_widest_limit():
    # rate 0 from one answer: z = -sqrt(p0/(1-p0)) is -2.4 for p0 = 0.85, inside 99.8 %
    y, n = simulate(14, 20)
    res = funnel(np.append(y, 0), np.append(n, 1))
    assert res.outside[-1] is None


@pytest.mark.parametrize(
    "kwargs",
    [dict(successes=[3, 2], n=[2, 2]), dict(successes=[1], n=[1, 2]),
     dict(successes=[-1, 2], n=[2, 2]), dict(successes=[1, 2], n=[2, 2], target=1.5),
     dict(successes=[1, 2], n=[2, 2], target=float("nan")),
     dict(successes=[1, 2], n=[2, 2], winsor=0.5),
     dict(successes=[1, 2], n=[2, 2], levels=(0.95, 1.0)),
     dict(successes=[1, 2], n=[2, 2], levels=()),
     dict(successes=[1, 2], n=[2, 2], alpha_overdispersion=0.0)],
)
def test_funnel_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        funnel(**kwargs)


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 80), st.integers(0, 80)).map(lambda t: (min(t), max(t))),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([0.0, 0.1, 0.2]),
)
def test_property_funnel_equals_paper_loops(rows, winsor):
    y = [r[0] for r in rows]
    n = [r[1] for r in rows]
    res = funnel(y, n, winsor=winsor)
    if sum(n) == 0:
        assert np.all(np.isnan(res.z))
        return
    ref = paper_funnel(y, n, winsor=winsor)
    np.testing.assert_allclose(res.z, ref["z"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.tau2, ref["tau2"], rtol=1e-8, atol=1e-14)
    if "flags" in ref:
        # a rate exactly on a limit could go either way by rounding; there are none here
        assert res.outside == ref["flags"][0.998]
