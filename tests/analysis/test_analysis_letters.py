"""Compact letter display: validity, maximality, budgets and the letters of Dunn results."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.letters import compact_letter_sets, compact_letters, letters_from_dunn
from analysis.pairwise import dunn_from_counts

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
    import analysis.letters as letters_module

    monkeypatch.setattr(letters_module, "_MAX_GREEDY_STEPS", 3)
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
