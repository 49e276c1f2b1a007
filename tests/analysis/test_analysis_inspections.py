"""Inspector instruments: score summaries, grades, section scores, item failure rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from support.counts import RTOL, score_aggregates

from analysis.inspections import (
    DEFAULT_BANDS,
    grade_for,
    item_failure_rates,
    score_summary,
    section_scores,
)

BANDS = [(90, "優等"), (80, "甲"), (70, "乙"), (60, "丙"), (0, "丁")]

SCORES = [
    [92.5, 88.0, 95.0, 90.0],  # 優等 (mean 91.375)
    [81.0, 79.5, 85.0],  # 甲
    [70.0],  # one check
    [],  # not inspected
    [55.0, 62.5, 48.0, 66.0, 59.0],  # 丁
    [100.0, 100.0],  # uniform
]


def test_default_bands_are_the_project_bands():
    assert list(DEFAULT_BANDS) == [(90, "優等"), (80, "甲"), (70, "乙"), (60, "丙"), (0, "丁")]


def test_score_summary_matches_raw_scores():
    res = score_summary(*score_aggregates(SCORES), bands=BANDS)
    np.testing.assert_array_equal(res.n, [4, 3, 1, 0, 5, 2])
    for i, s in enumerate(SCORES):
        if len(s) == 0:
            assert math.isnan(res.mean[i]) and math.isnan(res.sd[i])
            continue
        x = np.asarray(s)
        np.testing.assert_allclose(res.mean[i], x.mean(), rtol=RTOL)
        if len(s) < 2:
            assert math.isnan(res.sd[i]) and math.isnan(res.mean_ci_low[i])
            continue
        np.testing.assert_allclose(res.sd[i], np.std(x, ddof=1), rtol=RTOL, atol=1e-12)
        if np.std(x) > 0:
            lo, hi = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
            np.testing.assert_allclose(
                [res.mean_ci_low[i], res.mean_ci_high[i]], np.clip([lo, hi], 0, 100), rtol=RTOL
            )
    assert res.grade == ("優等", "甲", "乙", "", "丁", "優等")
    assert res.mean[0] == pytest.approx(91.375, rel=RTOL)
    # two checks of 100: no spread, so no interval rather than [100, 100]
    assert res.sd[5] == 0.0 and math.isnan(res.mean_ci_low[5]) and math.isnan(res.mean_ci_high[5])
    assert res.mean_ci_note == (None, None, "too_few", "too_few", None, "no_spread")


def test_score_summary_confidence_level():
    s = np.array([70.0, 80.0, 90.0])
    res = score_summary(*score_aggregates([s]), confidence=0.9)
    lo, hi = stats.t.interval(0.9, 2, loc=80.0, scale=stats.sem(s))
    np.testing.assert_allclose([res.mean_ci_low[0], res.mean_ci_high[0]], [lo, hi], rtol=RTOL)


def test_score_summary_custom_bands():
    bands = [(85, "A"), (0, "B")]
    res = score_summary(*score_aggregates(SCORES), bands=bands)
    assert res.grade == ("A", "B", "B", "", "B", "A")
    # default bands are the project's
    assert score_summary(*score_aggregates(SCORES)).grade[1] == "甲"


def test_grade_for_boundaries():
    scores = [100, 90, 89.999, 80, 79.99, 70, 60, 59.9, 0, np.nan]
    assert grade_for(scores, BANDS) == [
        "優等",
        "優等",
        "甲",
        "甲",
        "乙",
        "乙",
        "丙",
        "丁",
        "丁",
        "",
    ]
    # order of the bands does not matter; below the lowest band there is no grade
    assert grade_for([65, 50], [(70, "pass"), (60, "borderline")]) == ["borderline", ""]
    assert grade_for(91.0) == ["優等"]


@pytest.mark.parametrize(
    "bands",
    [[], [(90, "A"), (90, "B")], [("x", "A")], [(90, 3)], [(90,)], [(math.inf, "A")]],
)
def test_grade_for_rejects_bad_bands(bands):
    with pytest.raises(ValueError):
        grade_for([90], bands)


def test_score_summary_rejects_inconsistent_aggregates():
    with pytest.raises(ValueError, match="negative variance"):
        score_summary([2], [200.0], [100.0])  # sum of squares too small for two scores
    with pytest.raises(ValueError):
        score_summary([0], [10.0], [100.0])  # scores without checks
    with pytest.raises(ValueError):
        score_summary([1, 2], [1.0], [1.0])  # shapes
    with pytest.raises(ValueError):
        score_summary([-1], [0.0], [0.0])
    with pytest.raises(ValueError):
        score_summary([2], [150.0], [11250.0], confidence=95)


def test_section_scores():
    earned = np.array([[8, 0, 5], [10, 3, 0]])
    possible = np.array([[10, 0, 5], [10, 6, 4]])
    out = section_scores(earned, possible)
    np.testing.assert_allclose(out[0, [0, 2]], [80.0, 100.0], rtol=RTOL)
    assert math.isnan(out[0, 1])
    np.testing.assert_allclose(out[1], [100.0, 50.0, 0.0], rtol=RTOL)
    with pytest.raises(ValueError):
        section_scores([5], [4])
    with pytest.raises(ValueError):
        section_scores([-1], [4])


def test_item_failure_rates():
    passed = np.array([90, 1, 0, 700, 0])
    failed = np.array([10, 1, 0, 300, 1])
    na = np.array([0, 98, 100, 0, 99])
    res = item_failure_rates(passed, failed, na)
    np.testing.assert_array_equal(res.n_applicable, [100, 2, 0, 1000, 1])
    np.testing.assert_allclose(res.failure_rate[[0, 1, 3, 4]], [0.1, 0.5, 0.3, 1.0], rtol=RTOL)
    assert math.isnan(res.failure_rate[2]) and math.isnan(res.ci_low[2])
    for i in (0, 1, 3, 4):
        ci = stats.binomtest(int(failed[i]), int(passed[i] + failed[i])).proportion_ci(
            method="wilson"
        )
        np.testing.assert_allclose([res.ci_low[i], res.ci_high[i]], [ci.low, ci.high], rtol=RTOL)
    # by observed rate the single failure in one applicable check tops the list
    np.testing.assert_array_equal(res.most_missed(), [4, 1, 3, 0])
    # by the Wilson lower bound (30% of 1,000: 0.27; 1 of 1: 0.21; 1 of 2: 0.09; 10%: 0.06)
    # the item failed 300 times in 1,000 checks comes first
    np.testing.assert_array_equal(res.most_missed(by="lower"), [3, 4, 1, 0])
    np.testing.assert_array_equal(res.most_missed(top=2, min_applicable=50), [3, 0])
    with pytest.raises(ValueError):
        res.most_missed(by="count")


def test_most_missed_ties_broken_by_failures():
    res = item_failure_rates([5, 50, 5], [5, 50, 5], [0, 0, 0])
    np.testing.assert_array_equal(res.most_missed(), [1, 0, 2])


def test_item_failure_rates_rejects_bad_input():
    with pytest.raises(ValueError):
        item_failure_rates([1, 2], [1], [0, 0])
    with pytest.raises(ValueError):
        item_failure_rates([1, -2], [1, 1], [0, 0])
