"""Per-office Likert summaries from counts, checked against NumPy / SciPy on expanded answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from support.counts import LEVELS, RTOL, expand_row, scipy_wilson

from analysis.descriptive import AGENCY_Z, LikertSummary, describe, describe_arrays, describe_table


def check_against_raw(s: LikertSummary, row, values=LEVELS, top=2):
    x = expand_row(row, values)
    n = x.size
    assert s.n == n
    np.testing.assert_allclose(s.mean, x.mean(), rtol=RTOL)
    np.testing.assert_allclose(s.sd, np.std(x, ddof=1), rtol=RTOL)
    if np.unique(x).size > 1:
        lo, hi = stats.t.interval(0.95, n - 1, loc=x.mean(), scale=stats.sem(x))
        # the interval stays on the scale: clipped to the lowest and highest level value
        expected = np.clip([lo, hi], np.min(values), np.max(values))
        np.testing.assert_allclose(s.mean_ci, expected, rtol=RTOL)
        assert s.mean_ci_note is None
    else:
        assert all(math.isnan(v) for v in s.mean_ci) and s.mean_ci_note == "no_spread"
    sat = int(np.sum(x >= np.asarray(values)[-top]))
    assert s.satisfied == sat
    np.testing.assert_allclose(s.satisfied_rate, sat / n, rtol=RTOL)
    np.testing.assert_allclose(s.satisfied_ci, scipy_wilson(sat, n), rtol=RTOL)
    np.testing.assert_allclose(s.distribution, np.asarray(row) / n, rtol=RTOL)
    p = sat / n
    np.testing.assert_allclose(s.margin_of_error_observed, 1.96 * math.sqrt(p * (1 - p) / n),
                               rtol=RTOL)
    np.testing.assert_allclose(s.margin_of_error, 1.96 * math.sqrt(0.25 / n))


def test_describe_matches_raw_answers():
    row = [3, 7, 12, 40, 38]
    s = describe(row, no_answer=5)
    check_against_raw(s, row)
    assert s.no_answer == 5
    assert s.no_answer_rate == pytest.approx(5 / 105, rel=RTOL)
    assert s.counts == (3, 7, 12, 40, 38)
    assert s.values == (1.0, 2.0, 3.0, 4.0, 5.0)
    # hand check: mean = (3 + 14 + 36 + 160 + 190) / 100
    assert s.mean == pytest.approx(4.03, rel=RTOL)
    assert s.satisfied == 78
    assert s.satisfied_rate == pytest.approx(0.78, rel=RTOL)


def test_margin_of_error_as_agencies_quote_it():
    s = describe([250, 0, 0, 0, 750])
    assert AGENCY_Z == 1.96
    # 誤差範圍 is the worst case p = 0.5: "plus or minus 3.1 points" for 1,000 respondents
    assert s.margin_of_error == pytest.approx(0.030990, abs=5e-7)
    # the observed-p figure, p = 0.75: 1.96 * sqrt(0.1875 / 1000), narrower and not published
    assert s.margin_of_error_observed == pytest.approx(0.026838, abs=5e-7)
    # the figures: n = 1,099 gives ±2.96 points, n = 1,502 gives ±2.53
    assert describe([0, 0, 0, 0, 1099]).margin_of_error == pytest.approx(0.0296, abs=5e-5)
    assert describe([502, 0, 0, 0, 1000]).margin_of_error == pytest.approx(0.0253, abs=5e-5)


def test_random_rows_match_scipy():
    rng = np.random.default_rng(20240501)
    for _ in range(25):
        L = int(rng.integers(2, 8))
        row = rng.integers(0, 30, size=L)
        row[rng.integers(0, L)] += 2  # at least two answers
        values = np.sort(rng.choice(np.arange(-5, 12), size=L, replace=False)).astype(float)
        top = int(rng.integers(1, L + 1))
        s = describe(row, values=values, satisfied_top=top)
        check_against_raw(s, row, values, top)


def test_custom_values_and_top_box():
    row = [1, 2, 3, 4, 5]
    s = describe(row, values=[-2, -1, 0, 1, 2], satisfied_top=1)
    check_against_raw(s, row, [-2, -1, 0, 1, 2], top=1)
    assert s.satisfied == 5
    s3 = describe(row, satisfied_top=3)
    assert s3.satisfied == 12


def test_office_without_answers_is_reportable():
    s = describe([0, 0, 0, 0, 0], no_answer=3)
    assert s.n == 0
    assert s.no_answer == 3
    assert s.no_answer_rate == 1.0
    for value in (
        s.mean,
        s.sd,
        s.satisfied_rate,
        s.margin_of_error,
        s.margin_of_error_observed,
        *s.mean_ci,
        *s.satisfied_ci,
        *s.distribution,
    ):
        assert math.isnan(value)
    assert s.satisfied == 0
    assert len(s.distribution) == 5


def test_nobody_at_all():
    s = describe([0, 0, 0, 0, 0])
    assert math.isnan(s.no_answer_rate)


def test_single_answer():
    s = describe([0, 0, 0, 1, 0])
    assert s.n == 1
    assert s.mean == 4.0
    assert math.isnan(s.sd)
    assert all(math.isnan(v) for v in s.mean_ci) and s.mean_ci_note == "too_few"
    assert s.satisfied == 1 and s.satisfied_rate == 1.0
    np.testing.assert_allclose(s.satisfied_ci, scipy_wilson(1, 1), rtol=RTOL)
    assert s.satisfied_ci[1] == 1.0
    assert s.distribution == (0.0, 0.0, 0.0, 1.0, 0.0)


def test_all_answers_on_one_level():
    s = describe([0, 0, 0, 0, 40])
    assert s.mean == 5.0
    assert s.sd == 0.0
    # no spread: not the zero-width [5.0, 5.0], which would claim a certainty 40 answers lack
    assert all(math.isnan(v) for v in s.mean_ci) and s.mean_ci_note == "no_spread"
    assert s.satisfied_rate == 1.0
    assert s.margin_of_error_observed == 0.0  # why it is not what is published
    assert s.margin_of_error == pytest.approx(1.96 * math.sqrt(0.25 / 40))
    lo, hi = s.satisfied_ci
    assert hi == 1.0
    np.testing.assert_allclose(lo, scipy_wilson(40, 40)[0], rtol=RTOL)
    assert lo < 0.92


def test_describe_table_equals_describe_per_row():
    rng = np.random.default_rng(7)
    table = rng.integers(0, 15, size=(9, 5))
    table[2] = 0
    table[5] = [0, 0, 1, 0, 0]
    na = rng.integers(0, 4, size=9)
    rows = describe_table(table, no_answer=na)
    assert len(rows) == 9
    for i, s in enumerate(rows):
        one = describe(table[i], no_answer=int(na[i]))
        for field in LikertSummary.__slots__:
            a, b = getattr(s, field), getattr(one, field)
            if field == "mean_ci_note":
                assert a == b
                continue
            np.testing.assert_array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    arr = describe_arrays(table, no_answer=na)
    np.testing.assert_array_equal(arr.n, table.sum(axis=1))
    assert np.isnan(arr.mean[2]) and arr.mean[5] == 3.0
    for i in (0, 1, 3, 4, 6, 7, 8):
        check_against_raw(rows[i], table[i])


def test_describe_table_scalar_no_answer_and_default():
    rows = describe_table([[1, 2, 3], [0, 0, 4]], no_answer=2)
    assert [r.no_answer for r in rows] == [2, 2]
    rows = describe_table([[1, 2, 3], [0, 0, 4]])
    assert [r.no_answer for r in rows] == [0, 0]
    assert rows[1].satisfied == 4


def test_result_is_frozen():
    s = describe([1, 1, 1, 1, 1])
    with pytest.raises(AttributeError):
        s.n = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"counts_row": [1, -1, 2]},
        {"counts_row": [1.5, 2, 3]},
        {"counts_row": [[1, 2, 3]]},
        {"counts_row": []},
        {"counts_row": [1, np.nan, 3]},
        {"counts_row": ["a", "b"]},
        {"counts_row": [1, 2, 3], "values": [1, 2]},
        {"counts_row": [1, 2, 3], "values": [1, 3, 2]},
        {"counts_row": [1, 2, 3], "values": [1, 1, 2]},
        {"counts_row": [1, 2, 3], "satisfied_top": 0},
        {"counts_row": [1, 2, 3], "satisfied_top": 4},
        {"counts_row": [1, 2, 3], "no_answer": -1},
    ],
)
def test_describe_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        describe(**kwargs)


def test_describe_table_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        describe_table([1, 2, 3])
    with pytest.raises(ValueError, match="empty"):
        describe_table(np.zeros((0, 5)))
    with pytest.raises(ValueError, match="no_answer"):
        describe_table([[1, 2], [3, 4]], no_answer=[1, 2, 3])
    with pytest.raises(ValueError, match="negative"):
        describe_table([[1, 2], [3, -4]])


def test_float_counts_from_database_are_accepted():
    s = describe(np.array([1.0, 2.0, 3.0]))
    assert s.n == 6 and isinstance(s.n, int)


@settings(max_examples=60, deadline=None, database=None)
@given(
    row=st.lists(st.integers(0, 40), min_size=2, max_size=7).filter(lambda r: sum(r) >= 2),
    top=st.integers(1, 2),
)
def test_property_describe_matches_raw(row, top):
    s = describe(row, values=np.arange(1, len(row) + 1), satisfied_top=top)
    x = expand_row(row, np.arange(1, len(row) + 1))
    np.testing.assert_allclose(s.mean, x.mean(), rtol=RTOL)
    np.testing.assert_allclose(s.sd, np.std(x, ddof=1), rtol=RTOL, atol=1e-12)
    sat = int(sum(row[-top:]))
    np.testing.assert_allclose(s.satisfied_ci, scipy_wilson(sat, x.size), rtol=RTOL)
    assert 0.0 <= s.satisfied_ci[0] <= s.satisfied_rate <= s.satisfied_ci[1] <= 1.0


def test_satisfied_is_the_top_two_levels_everywhere():
    """One rule: the share the report's rate, the open data and the SQL counts all use."""
    from analysis import satisfaction

    table = np.array([[1, 2, 3, 4, 5], [0, 0, 0, 0, 0], [9, 0, 0, 0, 1]])
    np.testing.assert_array_equal(satisfaction.satisfied(table), [9, 0, 1])
    assert [satisfaction.is_satisfied(v) for v in range(1, 6)] == [False] * 3 + [True] * 2
    rows = describe_arrays(table, np.arange(1, 6), np.zeros(3, dtype=int))
    assert rows.satisfied.tolist() == [9, 0, 1]
