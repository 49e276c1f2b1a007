"""Change between two periods: Newcombe difference of proportions and Mann-Whitney from counts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from support.counts import RTOL, expand_row

from analysis.change import mann_whitney_from_counts, newcombe_diff

# --------------------------------------------------------------------------------------------
# Newcombe
# --------------------------------------------------------------------------------------------

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score, no continuity
# correction): (x1/n1 - x2/n2) -> (lower, upper).  Our diff is later minus earlier, so the
# paper's first sample is our second period.
NEWCOMBE_TABLE_II = [
    ((56, 70), (48, 80), 0.0524, 0.3339),
    ((9, 10), (3, 10), 0.1705, 0.8090),
    ((6, 7), (2, 7), 0.0582, 0.8062),
    ((5, 56), (0, 29), -0.0381, 0.1926),
    ((0, 10), (0, 20), -0.1611, 0.2775),
    ((0, 10), (0, 10), -0.2775, 0.2775),
    ((10, 10), (0, 20), 0.6791, 1.0000),
    ((10, 10), (0, 10), 0.6075, 1.0000),
]


@pytest.mark.parametrize("later,earlier,low,high", NEWCOMBE_TABLE_II)
def test_newcombe_published_examples(later, earlier, low, high):
    res = newcombe_diff(earlier[0], earlier[1], later[0], later[1])
    assert res.diff == pytest.approx(later[0] / later[1] - earlier[0] / earlier[1], rel=RTOL)
    assert res.ci[0] == pytest.approx(low, abs=5e-5)
    assert res.ci[1] == pytest.approx(high, abs=5e-5)


def test_newcombe_worked_example_both_directions():
    up = newcombe_diff(48, 80, 56, 70)
    assert up.diff == pytest.approx(0.2, rel=1e-12)
    assert up.ci == pytest.approx((0.0524, 0.3339), abs=5e-5)
    down = newcombe_diff(56, 70, 48, 80)
    assert down.diff == pytest.approx(-0.2, rel=1e-12)
    assert down.ci == pytest.approx((-0.3339, -0.0524), abs=5e-5)
    assert up.p1 == 0.6 and up.p2 == 0.8


def test_newcombe_from_scipy_wilson_limits():
    x1, n1, x2, n2 = 130, 200, 171, 230
    w1 = stats.binomtest(x1, n1).proportion_ci(method="wilson")
    w2 = stats.binomtest(x2, n2).proportion_ci(method="wilson")
    p1, p2 = x1 / n1, x2 / n2
    d = p2 - p1
    low = d - math.sqrt((p2 - w2.low) ** 2 + (w1.high - p1) ** 2)
    high = d + math.sqrt((w2.high - p2) ** 2 + (p1 - w1.low) ** 2)
    res = newcombe_diff(x1, n1, x2, n2)
    np.testing.assert_allclose(res.ci, (low, high), rtol=RTOL)


@pytest.mark.parametrize("x1,n1,x2,n2", [(48, 80, 56, 70), (3, 40, 9, 41), (900, 1000, 870, 950)])
def test_two_proportion_z_equals_chi2_contingency(x1, n1, x2, n2):
    res = newcombe_diff(x1, n1, x2, n2)
    ref = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
    np.testing.assert_allclose(res.z**2, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=RTOL)
    assert math.copysign(1, res.z) == math.copysign(1, res.diff)


def test_newcombe_no_change_at_the_extremes():
    res = newcombe_diff(30, 30, 45, 45)  # 100% both times
    assert res.diff == 0.0 and res.z == 0.0 and res.pvalue == 1.0
    assert res.ci[0] < 0 < res.ci[1]


def test_newcombe_empty_period_is_nan_not_error():
    res = newcombe_diff(0, 0, 5, 10)
    assert math.isnan(res.diff) and math.isnan(res.pvalue) and math.isnan(res.ci[0])
    assert res.p2 == 0.5


def test_newcombe_vectorised_equals_scalar():
    x1 = np.array([48, 0, 10, 5, 0])
    n1 = np.array([80, 10, 10, 56, 0])
    x2 = np.array([56, 0, 0, 0, 3])
    n2 = np.array([70, 20, 20, 29, 9])
    res = newcombe_diff(x1, n1, x2, n2)
    assert res.diff.shape == (5,)
    for i in range(5):
        one = newcombe_diff(int(x1[i]), int(n1[i]), int(x2[i]), int(n2[i]))
        for field in ("p1", "p2", "diff", "z", "pvalue"):
            np.testing.assert_array_equal(getattr(res, field)[i], getattr(one, field))
        np.testing.assert_array_equal([res.ci[0][i], res.ci[1][i]], one.ci)


@pytest.mark.parametrize("args", [(11, 10, 1, 2), (1, 2, 3, 2), (-1, 5, 1, 5), (1.5, 5, 1, 5)])
def test_newcombe_rejects_bad_counts(args):
    with pytest.raises(ValueError):
        newcombe_diff(*args)


# --------------------------------------------------------------------------------------------
# Mann-Whitney
# --------------------------------------------------------------------------------------------


def scipy_mwu(a_row, b_row):
    return stats.mannwhitneyu(
        expand_row(a_row), expand_row(b_row), method="asymptotic", use_continuity=True
    )


def direct_rank_biserial(a_row, b_row):
    a, b = expand_row(a_row), expand_row(b_row)
    return float(np.mean(np.sign(b[None, :] - a[:, None])))


CASES = {
    "random": ([12, 20, 31, 40, 22], [5, 14, 30, 51, 35]),
    "heavy_ties": ([0, 0, 40, 60, 0], [0, 0, 30, 70, 0]),
    "one_each": ([0, 1, 0, 0, 0], [0, 0, 0, 1, 0]),
    "one_vs_many": ([0, 0, 0, 0, 1], [3, 8, 12, 9, 4]),
    "no_overlap": ([5, 6, 0, 0, 0], [0, 0, 0, 7, 2]),
    "uneven": ([1, 0, 2, 300, 800], [40, 30, 20, 10, 5]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mann_whitney_matches_scipy(name):
    a, b = CASES[name]
    res = mann_whitney_from_counts(a, b)
    ref = scipy_mwu(a, b)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=RTOL)
    np.testing.assert_allclose(res.rank_biserial, direct_rank_biserial(a, b), rtol=RTOL)
    u2 = sum(a) * sum(b) - ref.statistic
    np.testing.assert_allclose(res.prob_b_greater, u2 / (sum(a) * sum(b)), rtol=RTOL)
    assert res.n1 == sum(a) and res.n2 == sum(b)


def test_mann_whitney_direction():
    better_later = mann_whitney_from_counts([10, 10, 10, 0, 0], [0, 0, 10, 10, 10])
    assert better_later.rank_biserial > 0 and better_later.z > 0
    worse_later = mann_whitney_from_counts([0, 0, 10, 10, 10], [10, 10, 10, 0, 0])
    assert worse_later.rank_biserial < 0 and worse_later.z < 0
    assert better_later.pvalue == pytest.approx(worse_later.pvalue, rel=RTOL)


def test_mann_whitney_all_identical():
    res = mann_whitney_from_counts([0, 0, 4, 0, 0], [0, 0, 9, 0, 0])
    ref = scipy_mwu([0, 0, 4, 0, 0], [0, 0, 9, 0, 0])
    assert res.pvalue == ref.pvalue == 1.0
    assert res.statistic == ref.statistic == 18.0
    assert res.rank_biserial == 0.0 and res.z == 0.0


def test_mann_whitney_empty_sample():
    res = mann_whitney_from_counts([0, 0, 0], [1, 2, 3])
    assert math.isnan(res.pvalue) and math.isnan(res.rank_biserial)
    assert res.n1 == 0 and res.n2 == 6


def test_mann_whitney_table_rows():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 20, size=(12, 5))
    b = rng.integers(0, 20, size=(12, 5))
    a[4] = 0
    res = mann_whitney_from_counts(a, b)
    assert res.pvalue.shape == (12,)
    assert np.isnan(res.pvalue[4])
    for i in range(12):
        if i == 4:
            continue
        ref = scipy_mwu(a[i], b[i])
        np.testing.assert_allclose(res.statistic[i], ref.statistic, rtol=RTOL)
        np.testing.assert_allclose(res.pvalue[i], ref.pvalue, rtol=RTOL)


def test_mann_whitney_rejects_bad_input():
    with pytest.raises(ValueError):
        mann_whitney_from_counts([1, 2, 3], [1, 2])
    with pytest.raises(ValueError):
        mann_whitney_from_counts([1, -2, 3], [1, 2, 3])
    with pytest.raises(ValueError):
        mann_whitney_from_counts(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


@settings(max_examples=150, deadline=None, database=None)
@given(
    data=st.data(),
    n_levels=st.integers(2, 6),
)
def test_property_mann_whitney_equals_scipy(data, n_levels):
    row = st.lists(st.integers(0, 25), min_size=n_levels, max_size=n_levels).filter(
        lambda r: sum(r) > 0
    )
    a = data.draw(row)
    b = data.draw(row)
    res = mann_whitney_from_counts(a, b)
    ref = scipy_mwu(a, b)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=RTOL)
    assert -1.0 <= res.rank_biserial <= 1.0
