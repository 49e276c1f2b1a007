"""Breakdowns by channel, service and age band, checked against statsmodels on the same counts."""

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_chisquare

from analysis.report.breakdown import breakdown

GROUPS = [("kiosk", "臨櫃平板"), ("personal", "個人手機"), ("paper", "紙本"), ("other", "其他")]


def test_rates_intervals_and_the_test_match_statsmodels():
    satisfied, answered = [180, 40, 10, 0], [200, 60, 12, 0]
    result = breakdown("channel", GROUPS, satisfied, answered, min_n=30)
    rows = {r["key"]: r for r in result["rows"]}
    assert set(rows) == {"kiosk", "personal", "paper"}           # no answers: no row
    assert rows["paper"] == {"key": "paper", "label": "紙本", "n": 12, "judged": False}
    for key, good, n in (("kiosk", 180, 200), ("personal", 40, 60)):
        assert rows[key]["rate"] == pytest.approx(good / n)
        assert rows[key]["ci"] == pytest.approx(list(proportion_confint(good, n, method="wilson")))
    # the test is over the judged groups only: paper (12 answers) is below min_n
    chi2, p, _table = proportions_chisquare(np.array([180, 40]), np.array([200, 60]))
    assert result["test"]["statistic"] == pytest.approx(chi2)
    assert result["test"]["p"] == pytest.approx(p)
    assert result["test"]["df"] == 1 and result["test"]["differs"] is bool(p < 0.05)
    assert "模式效應" in result["note"]


def test_groups_that_do_not_differ_are_not_called_different():
    result = breakdown("age_band", GROUPS[:2], [40, 41], [50, 50], min_n=30)
    assert result["test"]["differs"] is False and result["test"]["p"] > 0.5
    everyone = breakdown("age_band", GROUPS[:2], [50, 40], [50, 40], min_n=30)
    assert everyone["test"]["differs"] is False and everyone["test"]["statistic"] == 0


def test_one_judged_group_gets_no_test_and_english_notes():
    result = breakdown("service_used", GROUPS[:2], [40, 5], [50, 6], min_n=30, locale="en")
    assert "test" not in result and result["note"].startswith("Grouped by")
    with pytest.raises(ValueError):
        breakdown("channel", GROUPS, [1, 2], [3, 4])
