"""Welch's ANOVA against statsmodels on the expanded answers, the Cramér's V interval against an
independent bisection, an independent brentq from the table and Smithson's worked example,
Feldt's alpha interval against pingouin, the Welch t interval from sums against scipy on the
raw scores."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.oneway import anova_oneway
from support.counts import TABLES, expand_row, score_aggregates

from analysis.effects import (
    cramers_v_interval,
    cronbach_alpha_interval,
    mean_difference,
    welch_anova_from_counts,
)
from analysis.omnibus import NOTE_IDENTICAL, NOTE_TOO_FEW, chi2_from_counts
from analysis.reliability import cronbach_alpha_from_sums

RTOL = 1e-9

# --------------------------------------------------------------------------------------------
# Welch's ANOVA
# --------------------------------------------------------------------------------------------


def statsmodels_welch(table, values=None):
    """anova_oneway on the raw answers of the offices Welch's test can weigh."""
    groups = [expand_row(row, values) for row in np.asarray(table)]
    usable = [g for g in groups if g.size >= 2 and np.ptp(g) > 0]
    res = anova_oneway(usable, use_var="unequal", welch_correction=True)
    return res, len(usable)


WELCH_TABLES = {
    **{name: t for name, t in TABLES.items()},
    "uniform_office": np.array([[3, 5, 9, 20, 13], [0, 0, 0, 0, 6], [8, 9, 12, 11, 4],
                                [1, 2, 3, 4, 5]]),
    "all_satisfied_and_single": np.array([[0, 0, 0, 10, 30], [0, 0, 0, 0, 12], [0, 0, 1, 0, 0],
                                          [2, 0, 3, 1, 9]]),
}


@pytest.mark.parametrize("name", sorted(WELCH_TABLES))
def test_welch_matches_statsmodels(name):
    table = WELCH_TABLES[name]
    res = welch_anova_from_counts(table)
    ref, k = statsmodels_welch(table)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-8)
    np.testing.assert_allclose([res.df_between, res.df_within], ref.df, rtol=RTOL)
    assert res.n_groups == k
    n = table.sum(axis=1)
    used_levels = (table > 0).sum(axis=1)
    expected_out = np.flatnonzero((n > 0) & ((n < 2) | (used_levels < 2)))
    np.testing.assert_array_equal(res.left_out, expected_out)
    assert (res.note is None) == (expected_out.size == 0)


def test_welch_with_level_values():
    table = TABLES["random"]
    values = [0, 25, 50, 75, 100]
    res = welch_anova_from_counts(table, values)
    ref, _ = statsmodels_welch(table, values)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.means[0], expand_row(table[0], values).mean(), rtol=RTOL)


def test_welch_note_names_what_was_left_out():
    res = welch_anova_from_counts(WELCH_TABLES["all_satisfied_and_single"])
    assert "1 office(s) with a single answer" in res.note
    assert "1 office(s) with all answers on one level" in res.note
    np.testing.assert_array_equal(res.left_out, [1, 2])


@pytest.mark.parametrize(
    "table,note",
    [([[0, 0, 4, 0, 0], [0, 0, 9, 0, 0]], NOTE_IDENTICAL),
     ([[1, 2, 3], [0, 0, 0]], NOTE_TOO_FEW),
     ([[1, 0, 0], [0, 0, 1], [0, 5, 0]], "fewer than two offices"),
     ([[0, 0], [0, 0]], NOTE_IDENTICAL)],
)
def test_welch_degenerate_tables_give_nan(table, note):
    res = welch_anova_from_counts(table)
    assert math.isnan(res.statistic) and math.isnan(res.pvalue)
    assert res.note.startswith(note)


def test_welch_rejects_bad_input():
    with pytest.raises(ValueError):
        welch_anova_from_counts([[1, -1, 2]])
    with pytest.raises(ValueError):
        welch_anova_from_counts([1, 2, 3])
    with pytest.raises(ValueError):
        welch_anova_from_counts([[1, 2, 3]], values=[1, 2])


@settings(max_examples=80, deadline=None, database=None)
@given(st.integers(2, 6).flatmap(
    lambda k: st.lists(st.lists(st.integers(0, 15), min_size=4, max_size=4), min_size=k,
                       max_size=k)))
def test_property_welch_equals_statsmodels(rows):
    table = np.array(rows)
    res = welch_anova_from_counts(table)
    groups = [expand_row(r) for r in table]
    if sum(1 for g in groups if g.size >= 2 and np.ptp(g) > 0) < 2:
        assert math.isnan(res.statistic)
        return
    ref, _ = statsmodels_welch(table)
    # equal means: statsmodels' F is rounding noise (1e-30), ours exactly 0
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(res.df_within, ref.df[1], rtol=1e-8)


# --------------------------------------------------------------------------------------------
# Cramér's V interval
# --------------------------------------------------------------------------------------------


def bisect_lambda(chi2, df, cdf_target):
    """Plain bisection on ncx2.cdf(chi2, df, lam) = cdf_target (decreasing in lam)."""
    if stats.chi2.cdf(chi2, df) <= cdf_target:
        return 0.0
    lo, hi = 0.0, 1.0
    while stats.ncx2.cdf(chi2, df, hi) > cdf_target:
        lo, hi = hi, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if stats.ncx2.cdf(chi2, df, mid) > cdf_target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def reference_v(chi2, n, rows, cols, confidence):
    df = (rows - 1) * (cols - 1)
    q = min(rows, cols) - 1
    lam_lo = bisect_lambda(chi2, df, (1 + confidence) / 2)
    lam_hi = bisect_lambda(chi2, df, (1 - confidence) / 2)
    low = 0.0 if lam_lo == 0 else math.sqrt((lam_lo + df) / (n * q))
    return min(low, 1.0), min(math.sqrt((lam_hi + df) / (n * q)), 1.0)


@pytest.mark.parametrize(
    "chi2,n,rows,cols,confidence",
    [(20.0, 200, 3, 4, 0.95), (7.5, 90, 2, 2, 0.95), (0.5, 200, 3, 4, 0.95),
     (0.0, 50, 2, 2, 0.9), (5000.0, 10_000, 5, 5, 0.99), (180.0, 200, 2, 3, 0.95),
     (3.2, 1, 2, 2, 0.95), (12.0, 400, 20, 5, 0.8)],
)
def test_cramers_v_interval_matches_bisection(chi2, n, rows, cols, confidence):
    low, high = cramers_v_interval(chi2, n, rows, cols, confidence=confidence)
    ref_low, ref_high = reference_v(chi2, n, rows, cols, confidence)
    assert low == pytest.approx(ref_low, rel=1e-8, abs=1e-12)
    assert high == pytest.approx(ref_high, rel=1e-8)
    assert 0.0 <= low <= high <= 1.0


def test_cramers_v_interval_of_an_undefined_test_is_nan():
    # chi2_from_counts gives NaN when every answer is satisfied (one column left)
    chi = chi2_from_counts([[0, 30], [0, 12]])
    low, high = cramers_v_interval(chi.statistic, 42, 2, 2)
    assert math.isnan(chi.statistic) and math.isnan(low) and math.isnan(high)


def test_cramers_v_interval_contains_the_estimate():
    rng = np.random.default_rng(8)
    table = rng.integers(5, 60, size=(6, 5))
    table[0] += [40, 30, 0, 0, 0]
    chi = chi2_from_counts(table)
    low, high = cramers_v_interval(chi.statistic, chi.n_total, 6, 5)
    assert chi.pvalue < 0.05 and 0 < low < chi.cramers_v < high < 1


#: Smithson (2003, p. 41): school type x test-score band, Cramér's V 0.368, 95% CI 0.223-0.545
SMITHSON_P41 = [[6, 14, 17, 9], [30, 32, 17, 3]]


def brentq_smithson_v(table, confidence):
    """Smithson's interval from the raw table, on its own: scipy's Pearson chi-square, each
    noncentrality bound by brentq on ncx2.cdf, then sqrt((lam + df) / (N (q - 1)))."""
    table = np.asarray(table, dtype=float)
    chi2, _, df, _ = stats.chi2_contingency(table, correction=False)
    n, q = table.sum(), min(table.shape) - 1

    def lam(target):
        if stats.chi2.cdf(chi2, df) <= target:      # even no association is too far: 0
            return 0.0
        hi = 1.0
        while stats.ncx2.cdf(chi2, df, hi) > target:
            hi *= 2
        return optimize.brentq(lambda x: stats.ncx2.cdf(chi2, df, x) - target, 0.0, hi,
                               xtol=1e-13, rtol=1e-13)

    low, high = lam((1 + confidence) / 2), lam((1 - confidence) / 2)
    v_low = 0.0 if low == 0.0 else math.sqrt((low + df) / (n * q))
    return min(v_low, 1.0), min(math.sqrt((high + df) / (n * q)), 1.0)


@pytest.mark.parametrize("table,confidence,zero_low", [
    (SMITHSON_P41, 0.95, False),
    ([[20, 22, 19], [21, 18, 23], [19, 21, 20]], 0.95, True),    # no association: lower 0
    ([[40, 10], [12, 38]], 0.95, False),
    ([[14, 6], [11, 9], [9, 11], [6, 14], [10, 10]], 0.9, True),   # office x satisfied
    ([[16, 4], [11, 9], [9, 11], [4, 16], [10, 10]], 0.9, False),
    ([[30, 25, 10, 5, 2], [12, 20, 25, 15, 8], [5, 9, 14, 22, 30], [8, 8, 9, 7, 8]], 0.99,
     False),
    ([[9, 11], [12, 8]], 0.95, True),
])
def test_cramers_v_interval_is_smithsons_from_the_table(table, confidence, zero_low):
    chi = chi2_from_counts(table)
    low, high = cramers_v_interval(chi.statistic, chi.n_total, *np.shape(table),
                                   confidence=confidence)
    ref_low, ref_high = brentq_smithson_v(table, confidence)
    assert low == pytest.approx(ref_low, rel=1e-8, abs=1e-12)
    assert high == pytest.approx(ref_high, rel=1e-8)
    assert (low == 0.0) is zero_low and (chi.pvalue >= 1 - confidence) is zero_low


def test_cramers_v_interval_gives_smithsons_worked_example():
    chi = chi2_from_counts(SMITHSON_P41)
    low, high = cramers_v_interval(chi.statistic, chi.n_total, 2, 4)
    assert round(chi.cramers_v, 3) == pytest.approx(0.367, abs=0.0015)   # he prints 0.368
    assert (round(low, 3), round(high, 3)) == (0.223, 0.545)


@pytest.mark.parametrize(
    "args", [(-1.0, 10, 2, 2), (float("inf"), 10, 2, 2), (1.0, 0, 2, 2), (1.0, 10, 1, 2),
             (1.0, 10.5, 2, 2), (float("nan"), 10, 1, 2)],
)
def test_cramers_v_interval_rejects_bad_input(args):
    with pytest.raises(ValueError):
        cramers_v_interval(*args)
    with pytest.raises(ValueError):
        cramers_v_interval(1.0, 10, 2, 2, confidence=1.0)


# --------------------------------------------------------------------------------------------
# Feldt's interval for alpha
# --------------------------------------------------------------------------------------------


def item_matrix(seed, n, k, noise):
    rng = np.random.default_rng(seed)
    raw = 3 + rng.normal(size=(n, 1)) + noise * rng.normal(size=(n, k))
    return np.clip(np.rint(raw), 1, 5)


@pytest.mark.parametrize(
    "seed,n,k,noise,confidence",
    [(1, 300, 6, 1.0, 0.95), (2, 40, 3, 0.7, 0.9), (3, 12, 10, 2.5, 0.95), (4, 1000, 2, 0.3, 0.99),
     (5, 5, 4, 1.0, 0.95)],
)
def test_feldt_interval_matches_pingouin(seed, n, k, noise, confidence):
    x = item_matrix(seed, n, k, noise)
    ref_alpha, ref_ci = pingouin.cronbach_alpha(pd.DataFrame(x), ci=confidence)
    ours = cronbach_alpha_from_sums(n, x.sum(axis=0), x.T @ x).alpha
    assert ours == pytest.approx(ref_alpha, rel=1e-9)
    low, high = cronbach_alpha_interval(ours, n, k, confidence=confidence)
    # pingouin rounds its interval to three decimals
    assert low == pytest.approx(ref_ci[0], abs=5e-4 + 1e-12)
    assert high == pytest.approx(ref_ci[1], abs=5e-4 + 1e-12)
    assert low < ours < high <= 1.0


def test_feldt_interval_edges():
    assert cronbach_alpha_interval(1.0, 30, 5) == (1.0, 1.0)
    low, high = cronbach_alpha_interval(float("nan"), 30, 5)
    assert math.isnan(low) and math.isnan(high)
    low, high = cronbach_alpha_interval(-0.4, 30, 5)
    assert low < -0.4 < high < 1
    narrow = cronbach_alpha_interval(0.8, 3000, 5)
    wide = cronbach_alpha_interval(0.8, 30, 5)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


@pytest.mark.parametrize(
    "args", [(1.2, 30, 5), (float("inf"), 30, 5), (0.8, 1, 5), (0.8, 30, 1), (0.8, 30.0, 5)]
)
def test_feldt_interval_rejects_bad_input(args):
    with pytest.raises(ValueError):
        cronbach_alpha_interval(*args)


# --------------------------------------------------------------------------------------------
# Welch t interval from sums
# --------------------------------------------------------------------------------------------


def scipy_welch(x1, x2, confidence=0.95):
    with warnings.catch_warnings():
        # scipy warns about precision loss when a group is constant; the result is still exact
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.ttest_ind(np.asarray(x2, float), np.asarray(x1, float), equal_var=False)
        ci = res.confidence_interval(confidence)
    return res, ci


SCORE_CASES = {
    "inspections": ([82, 90, 77, 95, 88, 91, 70], [93, 97, 89, 99, 94]),
    "uneven": (list(range(60, 100)), [75.5, 99.0]),
    "one_constant_group": ([100, 100, 100], [88, 92, 97, 90]),
    "two_each": ([50, 60], [70, 90]),
}


@pytest.mark.parametrize("name", sorted(SCORE_CASES))
@pytest.mark.parametrize("confidence", [0.95, 0.8])
def test_mean_difference_matches_scipy(name, confidence):
    x1, x2 = SCORE_CASES[name]
    (n1,), (s1,), (q1,) = score_aggregates([x1])
    (n2,), (s2,), (q2,) = score_aggregates([x2])
    res = mean_difference(n1, s1, q1, n2, s2, q2, confidence=confidence)
    ref, ci = scipy_welch(x1, x2, confidence)
    assert res.diff == pytest.approx(np.mean(x2) - np.mean(x1), rel=RTOL)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-8)
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    assert res.df == pytest.approx(ref.df, rel=1e-8)
    assert (res.low, res.high) == pytest.approx((ci.low, ci.high), rel=1e-8)


def test_mean_difference_per_office_arrays():
    rng = np.random.default_rng(9)
    before = [rng.normal(85, 6, size=m).round() for m in (5, 12, 1, 0, 30)]
    after = [rng.normal(88, 4, size=m).round() for m in (7, 3, 9, 6, 0)]
    res = mean_difference(*score_aggregates(before), *score_aggregates(after))
    assert res.diff.shape == (5,)
    for i in range(2):
        ref, ci = scipy_welch(before[i], after[i])
        assert res.pvalue[i] == pytest.approx(ref.pvalue, rel=1e-8)
        assert res.low[i] == pytest.approx(ci.low, rel=1e-8)
    assert math.isnan(res.pvalue[2]) and math.isnan(res.low[2]) and np.isfinite(res.diff[2])
    assert math.isnan(res.diff[3]) and math.isnan(res.diff[4]) and math.isnan(res.df[4])


def test_mean_difference_when_nothing_varies():
    same = mean_difference(3, 300.0, 30_000.0, 4, 400.0, 40_000.0)  # all 100 both times
    assert same.diff == 0.0 and same.pvalue == 1.0 and same.statistic == 0.0
    assert same.low == same.high == 0.0 and math.isnan(same.df)
    moved = mean_difference(2, 160.0, 12_800.0, 2, 180.0, 16_200.0)  # all 80, then all 90
    assert moved.diff == pytest.approx(10.0) and moved.pvalue == 0.0
    assert moved.low == moved.high == pytest.approx(10.0)
    assert isinstance(moved.pvalue, float)


@pytest.mark.parametrize(
    "args",
    [(-1, 1.0, 1.0, 2, 1.0, 1.0), (3, float("nan"), 1.0, 2, 1.0, 1.0),
     (3, 30.0, 100.0, 2, 1.0, 1.0),  # sum of squares too small: negative variance
     ([1, 2], [1.0, 2.0, 3.0], 1.0, 2, 1.0, 1.0), (2.5, 1.0, 1.0, 2, 1.0, 1.0)],
)
def test_mean_difference_rejects_bad_input(args):
    with pytest.raises(ValueError):
        mean_difference(*args)
    with pytest.raises(ValueError):
        mean_difference(3, 3.0, 5.0, 3, 3.0, 5.0, confidence=0.0)


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.lists(st.integers(0, 100), min_size=2, max_size=25).filter(lambda v: len(set(v)) > 1),
    st.lists(st.integers(0, 100), min_size=2, max_size=25),
)
def test_property_mean_difference_equals_scipy(x1, x2):
    res = mean_difference(*(a[0] for a in score_aggregates([x1])),
                          *(a[0] for a in score_aggregates([x2])))
    ref, ci = scipy_welch(x1, x2)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-7, atol=1e-300)
    np.testing.assert_allclose([res.low, res.high], [ci.low, ci.high], rtol=1e-7, atol=1e-9)
