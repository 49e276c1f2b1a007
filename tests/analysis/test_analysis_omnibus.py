"""Omnibus tests across offices from count tables, checked against SciPy on the expanded answers."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.stats.contingency import association
from support.counts import RTOL, TABLES, close, expand_table

from analysis.omnibus import (
    NOTE_IDENTICAL,
    NOTE_TOO_FEW,
    anova_from_counts,
    chi2_from_counts,
    kruskal_from_counts,
    satisfied_table,
)

# --------------------------------------------------------------------------------------------
# Kruskal-Wallis
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLES))
def test_kruskal_matches_scipy(name):
    table = TABLES[name]
    res = kruskal_from_counts(table)
    ref = stats.kruskal(*expand_table(table))
    close(res.statistic, ref.statistic)
    close(res.pvalue, ref.pvalue)
    k_used = int(np.sum(table.sum(axis=1) > 0))
    assert res.df == k_used - 1
    assert res.n_groups == k_used
    assert res.dropped_groups == table.shape[0] - k_used
    n_total = int(table.sum())
    assert res.n_total == n_total
    close(res.epsilon2, res.statistic * (n_total + 1) / (n_total**2 - 1))
    assert res.note is None


def test_kruskal_mean_ranks_match_rankdata():
    table = TABLES["empty_office"]
    groups = expand_table(table)
    ranks = stats.rankdata(np.concatenate(groups))
    bounds = np.cumsum([0] + [g.size for g in groups])
    expected = [ranks[a:b].mean() for a, b in itertools.pairwise(bounds)]
    res = kruskal_from_counts(table)
    close(res.mean_ranks[:4], expected)
    assert np.isnan(res.mean_ranks[4])
    np.testing.assert_array_equal(res.n, table.sum(axis=1))


def test_kruskal_empty_office_is_dropped_not_fatal():
    table = TABLES["empty_office"]
    res = kruskal_from_counts(table)
    assert res.dropped_groups == 1
    assert res.df == 3
    close(res.statistic, kruskal_from_counts(table[:4]).statistic)


def test_kruskal_large_table_relative_agreement():
    # 400 offices, ~200,000 answers: the count formula and SciPy agree to a relative 1e-9.
    rng = np.random.default_rng(400)
    probs = rng.dirichlet(np.full(5, 4.0), size=400)
    sizes = rng.integers(1, 1000, size=400)
    sizes[:3] = 0
    table = np.array([rng.multinomial(n, p) for n, p in zip(sizes, probs, strict=True)])
    res = kruskal_from_counts(table)
    ref = stats.kruskal(*expand_table(table))
    close(res.statistic, ref.statistic)
    assert res.dropped_groups == 3 and res.df == 396


def test_kruskal_all_answers_identical_gives_nan_with_note():
    table = np.array([[0, 0, 5, 0, 0], [0, 0, 9, 0, 0], [0, 0, 0, 0, 0]])
    res = kruskal_from_counts(table)
    assert math.isnan(res.statistic) and math.isnan(res.pvalue)
    assert res.note == NOTE_IDENTICAL
    assert res.df == 1 and res.dropped_groups == 1
    # SciPy agrees that there is no answer (it returns NaN with a RuntimeWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(stats.kruskal(*expand_table(table)).statistic)


@pytest.mark.parametrize("table", [[[0, 0, 0], [1, 2, 3]], [[0, 0, 0], [0, 0, 0]], [[4, 5, 6]]])
def test_kruskal_fewer_than_two_offices(table):
    res = kruskal_from_counts(table)
    assert math.isnan(res.statistic)
    assert res.note == NOTE_TOO_FEW


@pytest.mark.parametrize(
    "bad", [[1, 2, 3], [[1, -2], [3, 4]], [[1.5, 2], [3, 4]], np.zeros((0, 5))]
)
def test_kruskal_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        kruskal_from_counts(bad)


@st.composite
def count_tables(draw, max_k=6, max_levels=5, max_count=15):
    k = draw(st.integers(2, max_k))
    n_levels = draw(st.integers(2, max_levels))
    cells = st.integers(0, max_count)
    rows = draw(
        st.lists(st.lists(cells, min_size=n_levels, max_size=n_levels), min_size=k, max_size=k)
    )
    return np.array(rows)


@settings(max_examples=150, deadline=None, database=None)
@given(table=count_tables())
def test_property_kruskal_equals_scipy(table):
    res = kruskal_from_counts(table)
    nonempty = table[table.sum(axis=1) > 0]
    if nonempty.shape[0] < 2:
        assert res.note == NOTE_TOO_FEW
        return
    if np.count_nonzero(nonempty.sum(axis=0)) < 2:
        assert res.note == NOTE_IDENTICAL and math.isnan(res.statistic)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy may warn about its own rounding (see below)
        ref = stats.kruskal(*expand_table(table))
    assert 0.0 <= res.epsilon2 <= 1.0 + 1e-12
    if abs(ref.statistic) < 1e-9:
        # Offices with identical distributions: H is exactly 0.  SciPy's textbook formula
        # leaves cancellation noise of about +-1e-14 there, and a negative H even makes its
        # p-value NaN; the count formula (centred ranks) returns 0 and p = 1.
        assert abs(res.statistic) < 1e-12
        assert res.pvalue == pytest.approx(1.0, abs=1e-6)
        return
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=RTOL)


def test_kruskal_identical_offices_give_exact_zero():
    table = np.tile([5, 10, 9, 4], (6, 1))
    res = kruskal_from_counts(table)
    assert res.statistic == 0.0 and res.pvalue == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = stats.kruskal(*expand_table(table))
    assert abs(ref.statistic) < 1e-12  # SciPy: -6e-14 and p = NaN from cancellation


# --------------------------------------------------------------------------------------------
# ANOVA
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLES))
def test_anova_matches_scipy(name):
    table = TABLES[name]
    res = anova_from_counts(table)
    groups = expand_table(table)
    ref = stats.f_oneway(*groups)
    close(res.statistic, ref.statistic)
    close(res.pvalue, ref.pvalue)
    allx = np.concatenate(groups)
    ss_total = np.sum((allx - allx.mean()) ** 2)
    ss_between = sum(g.size * (g.mean() - allx.mean()) ** 2 for g in groups)
    close(res.eta2, ss_between / ss_total)
    assert res.df_between == len(groups) - 1
    assert res.df_within == allx.size - len(groups)
    assert res.note is None


def test_anova_custom_values():
    table = TABLES["random"]
    values = [-2, -1, 0, 1, 2]
    res = anova_from_counts(table, values)
    ref = stats.f_oneway(*expand_table(table, values))
    close(res.statistic, ref.statistic)
    close(res.means, [g.mean() for g in expand_table(table, values)])


def test_anova_degenerate_cases():
    same = anova_from_counts([[0, 4, 0], [0, 7, 0]])
    assert math.isnan(same.statistic) and same.note is not None
    uniform_but_different = anova_from_counts([[0, 4, 0], [0, 0, 7], [0, 0, 0]])
    assert uniform_but_different.statistic == math.inf
    assert uniform_but_different.pvalue == 0.0
    assert uniform_but_different.eta2 == 1.0
    assert stats.f_oneway([2.0] * 4, [3.0] * 7).statistic == math.inf  # SciPy does the same
    singletons = anova_from_counts([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert math.isnan(singletons.statistic) and singletons.df_within == 0
    few = anova_from_counts([[1, 2, 3], [0, 0, 0]])
    assert few.note == NOTE_TOO_FEW and few.dropped_groups == 1


# --------------------------------------------------------------------------------------------
# chi-square
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLES))
def test_chi2_matches_scipy(name):
    table = TABLES[name]
    res = chi2_from_counts(table)
    reduced = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    ref = stats.chi2_contingency(reduced, correction=False)
    close(res.statistic, ref.statistic)
    close(res.pvalue, ref.pvalue)
    assert res.dof == ref.dof
    close(res.expected, ref.expected_freq)
    close(res.cramers_v, association(reduced, method="cramer", correction=False))
    close(res.min_expected, ref.expected_freq.min())
    close(res.small_expected_share, np.mean(ref.expected_freq < 5))
    assert res.n_total == table.sum()


def test_chi2_drops_empty_rows_and_columns():
    table = np.array([[0, 10, 20, 0], [0, 0, 0, 0], [0, 30, 5, 0]])
    res = chi2_from_counts(table)
    np.testing.assert_array_equal(res.kept_rows, [0, 2])
    np.testing.assert_array_equal(res.kept_columns, [1, 2])
    assert res.dof == 1
    ref = stats.chi2_contingency([[10, 20], [30, 5]], correction=False)
    close(res.statistic, ref.statistic)


def test_chi2_small_expected_warning():
    sparse = np.array([[1, 0, 2, 1, 0], [0, 1, 0, 3, 1], [2, 0, 1, 0, 4]])
    res = chi2_from_counts(sparse)
    assert res.warning is not None and "below 5" in res.warning
    assert res.small_expected_share == 1.0
    roomy = chi2_from_counts(satisfied_table(TABLES["random"]))
    assert roomy.warning is None
    # one tiny expected count (< 1) warns even when most cells are fine
    tiny = np.array([[500, 500, 500, 500, 1]] + [[500, 500, 500, 500, 0]] * 3)
    res = chi2_from_counts(tiny)
    assert res.min_expected < 1 and res.small_expected_share <= 0.2
    assert res.warning is not None


def test_chi2_degenerate():
    one_level = chi2_from_counts([[0, 5, 0], [0, 3, 0]])
    assert math.isnan(one_level.statistic) and one_level.note == NOTE_IDENTICAL
    one_office = chi2_from_counts([[1, 5, 0], [0, 0, 0]])
    assert math.isnan(one_office.statistic) and one_office.note == NOTE_TOO_FEW


def test_satisfied_table():
    table = np.array([[1, 2, 3, 4, 5], [0, 0, 0, 0, 0], [5, 0, 0, 0, 1]])
    np.testing.assert_array_equal(satisfied_table(table), [[6, 9], [0, 0], [5, 1]])
    np.testing.assert_array_equal(satisfied_table(table, 1), [[10, 5], [0, 0], [5, 1]])
    with pytest.raises(ValueError):
        satisfied_table(table, 6)

