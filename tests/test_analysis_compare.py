"""Across-office tests from count tables, checked against SciPy on the expanded answers."""

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

from analysis.omnibus import (
    NOTE_IDENTICAL,
    NOTE_TOO_FEW,
    adjust_pvalues,
    anova_from_counts,
    chi2_from_counts,
    compact_letter_sets,
    compact_letters,
    dunn_from_counts,
    kruskal_from_counts,
    letters_from_dunn,
    satisfied_table,
)

RTOL = 1e-9
LEVELS = np.arange(1, 6, dtype=float)


def expand(table, values=None):
    """Raw answers per office (only offices with answers), as SciPy wants them."""
    table = np.asarray(table)
    values = np.arange(1, table.shape[1] + 1) if values is None else np.asarray(values)
    return [np.repeat(values.astype(float), row) for row in table if row.sum() > 0]


def random_table(seed, k=8, n_levels=5, high=40):
    rng = np.random.default_rng(seed)
    return rng.integers(0, high, size=(k, n_levels))


# Tables every count-based statistic is checked on: random, heavy ties (few levels used),
# an office with a single answer, an office with no answers, two offices only, uneven sizes.
TABLES = {
    "random": random_table(1),
    "random_wide": random_table(2, k=15, n_levels=7, high=12),
    "ties": np.array([[0, 0, 30, 30, 0], [0, 0, 10, 50, 0], [0, 0, 45, 15, 0]]),
    "single_answer": np.vstack([random_table(3, k=4), [[0, 0, 0, 1, 0]]]),
    "empty_office": np.vstack([random_table(4, k=4), [[0, 0, 0, 0, 0]]]),
    "two_offices": np.array([[3, 5, 9, 20, 13], [8, 9, 12, 11, 4]]),
    "uneven": np.array([[0, 1, 2, 300, 800], [1, 0, 0, 3, 2], [40, 30, 20, 10, 5]]),
}


def close(actual, desired):
    np.testing.assert_allclose(actual, desired, rtol=RTOL, atol=0)


# --------------------------------------------------------------------------------------------
# Kruskal-Wallis
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLES))
def test_kruskal_matches_scipy(name):
    table = TABLES[name]
    res = kruskal_from_counts(table)
    ref = stats.kruskal(*expand(table))
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
    groups = expand(table)
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
    ref = stats.kruskal(*expand(table))
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
        assert math.isnan(stats.kruskal(*expand(table)).statistic)


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
        ref = stats.kruskal(*expand(table))
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
        ref = stats.kruskal(*expand(table))
    assert abs(ref.statistic) < 1e-12  # SciPy: -6e-14 and p = NaN from cancellation


# --------------------------------------------------------------------------------------------
# ANOVA
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLES))
def test_anova_matches_scipy(name):
    table = TABLES[name]
    res = anova_from_counts(table)
    groups = expand(table)
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
    ref = stats.f_oneway(*expand(table, values))
    close(res.statistic, ref.statistic)
    close(res.means, [g.mean() for g in expand(table, values)])


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
    groups = expand(table)
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


# --------------------------------------------------------------------------------------------
# compact letter display
# --------------------------------------------------------------------------------------------


def sig_matrix(k, pairs):
    s = np.zeros((k, k), dtype=bool)
    for i, j in pairs:
        s[i, j] = s[j, i] = True
    return s


def assert_valid_letters(sets, scores, sig):
    """Non-different pairs share a letter, different pairs do not, every group has one."""
    valid = ~np.isnan(np.asarray(scores, dtype=float))
    n_letters = 1 + max((max(t) for t in sets if t), default=-1)
    member = np.zeros((len(sets), n_letters), dtype=bool)
    for g, t in enumerate(sets):
        member[g, list(t)] = True
    share = (member.astype(int) @ member.T.astype(int)) > 0
    for i in range(len(sets)):
        if not valid[i]:
            assert sets[i] == ()
            continue
        assert sets[i], f"group {i} has no letter"
        for j in range(len(sets)):
            if i != j and valid[j]:
                assert share[i, j] == (not sig[i, j]), (i, j)
    return member


def maximal_cliques_bruteforce(sig):
    m = sig.shape[0]
    cliques = []
    for size in range(m, 0, -1):
        for comb in itertools.combinations(range(m), size):
            if any(sig[a, b] for a, b in itertools.combinations(comb, 2)):
                continue
            if any(set(comb) <= c for c in cliques):
                continue
            cliques.append(set(comb))
    return cliques


def test_letters_three_groups_chain():
    # A ~ B, B ~ C, A differs from C
    sig = sig_matrix(3, [(0, 2)])
    assert compact_letters([3.0, 2.0, 1.0], sig) == ["a", "ab", "b"]


def test_letters_follow_scores_not_input_order():
    sig = sig_matrix(3, [(0, 2)])
    # same relation, but group 2 has the best score: it gets "a"
    assert compact_letters([1.0, 2.0, 3.0], sig) == ["b", "ab", "a"]


def test_letters_four_groups_staircase():
    # A > B > C > D; A differs from C and D, B from D
    sig = sig_matrix(4, [(0, 2), (0, 3), (1, 3)])
    assert compact_letters([4, 3, 2, 1], sig) == ["a", "ab", "bc", "c"]


def test_letters_none_or_all_significant():
    k = 5
    assert compact_letters(np.arange(k, 0, -1), np.zeros((k, k), bool)) == ["a"] * k
    all_sig = ~np.eye(k, dtype=bool)
    assert compact_letters([1, 5, 3, 4, 2], all_sig) == ["e", "a", "c", "b", "d"]


def test_letters_empty_offices_get_blank():
    sig = sig_matrix(4, [(0, 2)])
    letters = compact_letters([3.0, np.nan, 1.0, 2.0], sig)
    assert letters[1] == ""
    assert letters == ["a", "", "b", "ab"]
    assert compact_letters([np.nan, np.nan], np.zeros((2, 2), bool)) == ["", ""]


def test_letters_redundant_letter_is_swept():
    # Alike: triangle 0-1-2, plus 3 alike with 0 and 1, 4 with 1 and 2, 5 with 0 and 2.
    # Maximal sets: {0,1,2}, {0,1,3}, {1,2,4}, {0,2,5}.  Every pair of {0,1,2} is also in one
    # of the others, so the sweep drops that letter and three letters remain.
    alike = [(0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (1, 4), (2, 4), (0, 5), (2, 5)]
    k = 6
    sig = ~np.eye(k, dtype=bool)
    for i, j in alike:
        sig[i, j] = sig[j, i] = False
    scores = [6, 5, 4, 3, 2, 1]
    assert len(maximal_cliques_bruteforce(sig)) == 4
    assert compact_letters(scores, sig) == ["ab", "ac", "bc", "a", "c", "b"]
    assert_valid_letters(compact_letter_sets(scores, sig), scores, sig)


def test_letters_over_52_use_tokens():
    k = 60
    sig = ~np.eye(k, dtype=bool)
    letters = compact_letters(np.arange(k, 0, -1), sig)
    assert letters[0] == "a" and letters[25] == "z" and letters[26] == "A"
    assert letters[52] == "a1" and letters[59] == "h1"
    assert len(set(letters)) == k
    sig2 = sig.copy()
    sig2[0, 1] = sig2[1, 0] = False
    letters2 = compact_letters(np.arange(k, 0, -1), sig2)
    assert letters2[0] == "a" and letters2[1] == "a"


@settings(max_examples=200, deadline=None, database=None)
@given(
    m=st.integers(1, 8),
    data=st.data(),
)
def test_property_letters_are_maximal_cliques_and_valid(m, data):
    bits = data.draw(st.lists(st.booleans(), min_size=m * (m - 1) // 2, max_size=m * (m - 1) // 2))
    sig = np.zeros((m, m), dtype=bool)
    sig[np.triu_indices(m, 1)] = bits
    sig = sig | sig.T
    scores = data.draw(st.permutations(list(range(m))))
    sets = compact_letter_sets(np.asarray(scores, float), sig)
    member = assert_valid_letters(sets, scores, sig)
    cliques = maximal_cliques_bruteforce(sig)
    letters = [set(np.flatnonzero(member[:, c])) for c in range(member.shape[1])]
    for letter in letters:
        assert letter in cliques  # insert-absorb letters are maximal sets
    # the best group always gets "a"
    assert 0 in sets[int(np.argmax(scores))]
    # the greedy fallback (forced by a tiny column budget) is valid too
    greedy = compact_letter_sets(np.asarray(scores, float), sig, max_letters=1)
    assert_valid_letters(greedy, scores, sig)


def test_letters_contrived_pattern_uses_bounded_fallback():
    # Complement of a perfect matching: 2**100 maximal sets, far beyond insert-absorb's budget.
    k = 200
    sig = np.zeros((k, k), dtype=bool)
    for i in range(0, k, 2):
        sig[i, i + 1] = sig[i + 1, i] = True
    scores = np.arange(k, 0, -1.0)
    sets = compact_letter_sets(scores, sig)
    member = assert_valid_letters(sets, scores, sig)
    assert member.shape[1] < 400  # a handful per pair of groups, not 2**100


def test_letters_greedy_budget_exhausted_still_valid(monkeypatch):
    import analysis.omnibus as compare_module

    monkeypatch.setattr(compare_module, "_MAX_GREEDY_STEPS", 3)
    rng = np.random.default_rng(12)
    u = np.triu(rng.random((30, 30)) < 0.4, 1)
    sig = u | u.T
    scores = rng.random(30)
    sets = compact_letter_sets(scores, sig, max_letters=1)  # force the greedy fallback
    member = assert_valid_letters(sets, scores, sig)
    assert (member.sum(axis=0) == 2).sum() > 0  # leftover pairs got two-group letters


def test_letters_for_400_offices_are_valid():
    rng = np.random.default_rng(11)
    probs = rng.dirichlet(np.full(5, 30.0), size=400)
    sizes = rng.integers(50, 600, size=400)
    sizes[7] = 0
    table = np.array([rng.multinomial(n, p) for n, p in zip(sizes, probs, strict=True)])
    dunn = dunn_from_counts(table)
    letters = letters_from_dunn(dunn)
    assert letters[7] == ""
    sets = compact_letter_sets(dunn.mean_ranks, dunn.significant())
    assert_valid_letters(sets, dunn.mean_ranks, dunn.significant())
    best = int(np.nanargmax(dunn.mean_ranks))
    assert letters[best].startswith("a")


def test_letters_reject_bad_input():
    with pytest.raises(ValueError, match="symmetric"):
        compact_letters([1, 2], np.array([[False, True], [False, False]]))
    with pytest.raises(ValueError, match="shape"):
        compact_letters([1, 2, 3], np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match="boolean"):
        compact_letters([1, 2], np.array([[0.0, np.nan], [np.nan, 0.0]]))
    with pytest.raises(ValueError):
        compact_letters([], np.zeros((0, 0), bool))


def test_letters_from_dunn_small_example():
    # office 0 clearly best, 1 and 2 alike, 3 clearly worst
    table = np.array(
        [[0, 0, 2, 20, 180], [2, 8, 40, 90, 60], [3, 7, 42, 88, 60], [90, 60, 30, 15, 5]]
    )
    dunn = dunn_from_counts(table)
    assert letters_from_dunn(dunn) == ["a", "b", "b", "c"]
