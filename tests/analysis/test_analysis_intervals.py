"""No interval claims a certainty it does not have (issue 26, item 5).

Identical answers, identical checks and a change between two periods of identical checks have
no spread: their t (or Welch) interval would have zero width, "[3.0, 3.0]" from 33 answers of 3.
They give no interval and say why (``"no_spread"``); one answer or one check gives none either
(``"too_few"``).  Every interval that is given stays on its scale: 1-5 for a Likert mean, 0-100
for a score, -100..100 for a change in score.  The non-degenerate intervals are checked against
SciPy and statsmodels on the raw answers.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW
from support.counts import RTOL, expand_row, score_aggregates

from analysis.descriptive import NO_SPREAD, TOO_FEW, describe, describe_arrays
from analysis.inspections import score_summary
from analysis.report.common import OfficeInfo
from analysis.report.inspection import InspectionTables, inspection_report, score_change

LIKERT = np.arange(1, 6, dtype=float)
BANDS = [(90, "優等"), (80, "甲"), (70, "乙"), (60, "丙"), (0, "丁")]


def nan_pair(pair) -> bool:
    return all(math.isnan(v) for v in pair)


# -- a Likert item's mean ---------------------------------------------------------------------


def test_thirty_three_identical_answers_give_no_interval_and_say_why():
    s = describe([0, 0, 33, 0, 0])
    assert s.mean == 3.0 and s.sd == 0.0
    assert nan_pair(s.mean_ci) and s.mean_ci_note == NO_SPREAD == "no_spread"
    # the satisfaction rate's Wilson interval does not collapse, and is still given
    assert s.satisfied_rate == 0.0 and 0.0 == s.satisfied_ci[0] < s.satisfied_ci[1]


def test_the_vectorised_table_says_why_per_office():
    table = describe_arrays([[0, 0, 33, 0, 0], [0, 0, 0, 1, 0], [0] * 5, [1, 2, 3, 4, 5],
                             [0, 0, 0, 0, 40]])
    assert table.mean_ci_note == (NO_SPREAD, TOO_FEW, TOO_FEW, None, NO_SPREAD)
    assert np.isnan(table.mean_ci_low[[0, 1, 2, 4]]).all()
    assert np.isnan(table.mean_ci_high[[0, 1, 2, 4]]).all()
    assert np.isfinite([table.mean_ci_low[3], table.mean_ci_high[3]]).all()


def test_identical_answers_on_a_scale_of_other_values_are_caught_without_rounding():
    # 0.1 * 7 / 7 need not be 0.1 exactly; the levels used decide, not a computed sd
    s = describe([0, 7, 0], values=[0.0, 0.1, 0.2])
    assert s.sd == 0.0 and nan_pair(s.mean_ci) and s.mean_ci_note == NO_SPREAD


def test_the_ordinary_interval_equals_scipy_and_statsmodels():
    row = [3, 7, 12, 40, 38]
    s = describe(row)
    x = expand_row(row)
    ref = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert s.mean_ci == pytest.approx(ref, rel=RTOL)
    assert s.mean_ci == pytest.approx(DescrStatsW(x).tconfint_mean(alpha=0.05), rel=RTOL)
    assert s.mean_ci_note is None


def test_a_mean_interval_is_clipped_to_the_scale():
    # 29 answers of 5 and one of 1: the t-interval reaches 5.14, past the top of the scale
    row = [1, 0, 0, 0, 29]
    x = expand_row(row)
    low, high = DescrStatsW(x).tconfint_mean()
    assert high > 5.0
    s = describe(row)
    assert s.mean_ci == pytest.approx((low, 5.0), rel=RTOL)
    # two answers, 4 and 5: t(0.975, 1) = 12.7 makes [-1.9, 10.9] of a 1-5 scale
    assert describe([0, 0, 0, 1, 1]).mean_ci == (1.0, 5.0)


@settings(max_examples=120, deadline=None, database=None)
@given(row=st.lists(st.integers(0, 60), min_size=5, max_size=5).filter(lambda r: sum(r) >= 2))
def test_property_mean_intervals_stay_on_the_scale(row):
    s = describe(row)
    x = expand_row(row, LIKERT)
    if np.unique(x).size == 1:
        assert nan_pair(s.mean_ci) and s.mean_ci_note == NO_SPREAD
        return
    assert s.mean_ci_note is None
    low, high = s.mean_ci
    assert 1.0 <= low <= s.mean <= high <= 5.0 and low < high
    ref = np.clip(DescrStatsW(x).tconfint_mean(), 1.0, 5.0)
    np.testing.assert_allclose(s.mean_ci, ref, rtol=1e-8)


# -- an inspection score ----------------------------------------------------------------------


def test_three_checks_of_100_give_no_interval_and_say_why():
    res = score_summary(*score_aggregates([[100.0] * 3, [70.0], [], [80.0, 90.0, 85.0]]))
    assert res.mean[0] == 100.0 and res.sd[0] == 0.0
    assert math.isnan(res.mean_ci_low[0]) and math.isnan(res.mean_ci_high[0])
    assert res.mean_ci_note == (NO_SPREAD, TOO_FEW, TOO_FEW, None)
    ref = DescrStatsW(np.array([80.0, 90.0, 85.0])).tconfint_mean()
    assert (res.mean_ci_low[3], res.mean_ci_high[3]) == pytest.approx(ref, rel=RTOL)


def test_identical_checks_with_rounding_in_the_sql_sums_have_no_spread():
    # 5 of 6 points three times: the sums carry rounding, their sum of squares is not exactly 0
    score = 100 * 5 / 6
    n, total, total_sq = score_aggregates([[score] * 3])
    res = score_summary(n, total, total_sq * (1 + 1e-15))
    assert res.sd[0] == 0.0 and math.isnan(res.mean_ci_low[0])
    assert res.mean_ci_note == (NO_SPREAD,)


def test_a_score_interval_is_clipped_to_0_100():
    x = np.array([100.0, 100.0, 88.1])
    res = score_summary(*score_aggregates([x]))
    low, high = DescrStatsW(x).tconfint_mean()
    assert high > 100.0
    assert (res.mean_ci_low[0], res.mean_ci_high[0]) == pytest.approx((low, 100.0), rel=RTOL)


scores = st.lists(st.integers(0, 40).map(lambda e: 100.0 * e / 40), min_size=2, max_size=9)


@settings(max_examples=120, deadline=None, database=None)
@given(checks=st.lists(scores, min_size=1, max_size=5))
def test_property_score_intervals_stay_on_the_scale(checks):
    res = score_summary(*score_aggregates(checks))
    for i, x in enumerate(map(np.asarray, checks)):
        low, high = res.mean_ci_low[i], res.mean_ci_high[i]
        if np.ptp(x) == 0:
            assert math.isnan(low) and math.isnan(high) and res.mean_ci_note[i] == NO_SPREAD
            continue
        assert res.mean_ci_note[i] is None
        assert 0.0 <= low <= res.mean[i] <= high <= 100.0 and low < high
        ref = np.clip(stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x)),
                      0.0, 100.0)
        np.testing.assert_allclose([low, high], ref, rtol=1e-8)


# -- the report's inspection section: score and change ----------------------------------------


def offices(k: int) -> list[OfficeInfo]:
    return [OfficeInfo(f"O{i:02d}", f"機關{i:02d}", "household") for i in range(k)]


def tables(checks) -> InspectionTables:
    n, total, total_sq = score_aggregates(checks)
    return InspectionTables(n=n, total=total, total_sq=total_sq, sections={}, items={})


def scipy_welch(before, after):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # a constant group: scipy's warning
        res = stats.ttest_ind(np.asarray(after, float), np.asarray(before, float),
                              equal_var=False)
        ci = res.confidence_interval(0.95)
    return ci.low, ci.high


def test_the_report_says_no_spread_for_identical_checks_and_their_change():
    before = [[100.0] * 3, [80.0, 85.0, 90.0], [100.0] * 3, [70.0, 75.0, 70.0]]
    after = [[100.0] * 3, [90.0] * 3, [90.0] * 3, [85.0, 92.5, 80.0]]
    section = inspection_report(offices(4), tables(after), BANDS, previous=tables(before))
    row = section["offices"][0]
    assert row["score_mean"] == 100.0 and row["score_sd"] == 0.0
    assert row["score_ci"] == [None, None] and row["score_ci_note"] == "no_spread"
    assert section["offices"][3]["score_ci_note"] is None
    change = section["change"]
    # the "0.0 [0, 0]": three checks of 100 in each half
    assert change[0]["diff"] == 0.0 and change[0]["diff_ci"] == [None, None]
    assert change[0]["diff_ci_note"] == "no_spread"
    assert change[2]["diff"] == -10.0 and change[2]["diff_ci"] == [None, None]
    assert change[2]["diff_ci_note"] == "no_spread"
    # spread in one period only: Welch's interval is a real one, as SciPy gives it
    assert change[1]["diff_ci_note"] is None
    assert change[1]["diff_ci"] == pytest.approx(scipy_welch(before[1], after[1]), rel=1e-8)
    assert change[3]["diff_ci"] == pytest.approx(scipy_welch(before[3], after[3]), rel=1e-8)
    for c in change:                                    # report.json keeps every key
        assert {"diff", "diff_ci", "diff_ci_note", "p", "p_adjusted", "direction"} <= set(c)


def test_a_change_with_one_check_a_period_says_too_few():
    rows = score_change(offices(2), tables([[90.0], [80.0, 90.0]]),
                        tables([[95.0], [85.0, 95.0]]), min_checks=1)
    assert rows[0]["diff"] == 5.0 and rows[0]["diff_ci"] == [None, None]
    assert rows[0]["diff_ci_note"] == "too_few" and rows[1]["diff_ci_note"] is None


def test_a_change_interval_is_clipped_to_plus_minus_100():
    before, after = [0.0, 100.0, 0.0], [100.0, 0.0, 100.0]
    low, high = scipy_welch(before, after)
    assert high > 100.0
    rows = score_change(offices(1), tables([before]), tables([after]), min_checks=3)
    assert rows[0]["diff_ci"] == pytest.approx([low, 100.0], rel=1e-8)


@settings(max_examples=80, deadline=None, database=None)
@given(pairs=st.lists(st.tuples(scores.filter(lambda x: len(x) >= 3),
                                scores.filter(lambda x: len(x) >= 3)), min_size=1, max_size=4))
def test_property_change_intervals_stay_on_the_scale(pairs):
    before, after = [b for b, _a in pairs], [a for _b, a in pairs]
    rows = score_change(offices(len(pairs)), tables(before), tables(after), min_checks=3)
    for row, b, a in zip(rows, before, after, strict=True):
        low, high = row["diff_ci"]
        if np.ptp(b) == 0 and np.ptp(a) == 0:
            assert low is None and high is None and row["diff_ci_note"] == "no_spread"
            continue
        assert row["diff_ci_note"] is None
        assert -100.0 <= low <= row["diff"] <= high <= 100.0 and low < high
        np.testing.assert_allclose([low, high], np.clip(scipy_welch(b, a), -100, 100),
                                   rtol=1e-8, atol=1e-9)
