"""The staff survey's report part against independent implementations: statsmodels' Wilson
interval, its Holm adjustment and a direct Newcombe hybrid interval; and its protection rules
(an office under ``min_n`` shows no rate, the pooled line has only the shown offices)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from analysis.report import OfficeInfo, staff_report, staff_summary

OFFICES = [OfficeInfo("A", "甲", "household"), OfficeInfo("B", "乙", "land"),
           OfficeInfo("C", "丙", "household")]
LABELS = {"overall": "整體", "workload": "工作量"}


def table(*rows):
    return np.array(rows, dtype=np.int64)


def newcombe(x1, n1, x2, n2):
    """Newcombe (1998) method 10 from statsmodels' Wilson limits: p2 - p1."""
    l1, u1 = proportion_confint(x1, n1, method="wilson")
    l2, u2 = proportion_confint(x2, n2, method="wilson")
    p1, p2 = x1 / n1, x2 / n2
    d = p2 - p1
    return d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


def test_rates_intervals_and_the_protection_rules():
    counts = {"overall": table([0, 1, 1, 4, 2], [0, 0, 1, 1, 1], [1, 1, 2, 3, 3]),
              "workload": table([2, 2, 1, 2, 0], [1, 1, 1, 0, 0], [0, 0, 0, 0, 4])}
    found = staff_report(OFFICES, counts, LABELS, staff=[10, 6, 0], comments=[3, 1, 2], min_n=5)
    a, b, c = found["offices"]
    assert a["reportable"] and not b["reportable"] and c["reportable"]
    assert b["items"] == {} and b["comments"] is None and b["n"] == 3
    assert b["response_rate"] == pytest.approx(0.5) and c["response_rate"] is None
    assert a["items"]["overall"]["rate"] == pytest.approx(6 / 8)
    assert a["items"]["overall"]["ci"] == pytest.approx(list(proportion_confint(6, 8, method="wilson")))
    # C answered workload 4 times only: under min_n, not shown although C is
    assert "workload" not in c["items"] and "overall" in c["items"]
    # pooled from A and C only: B's 2 of 3 cannot be subtracted back out
    assert found["overall"]["n"] == 8 + 10 and found["overall"]["offices"] == 2
    assert found["overall"]["items"]["overall"]["agree"] == 6 + 6
    assert found["too_few"] == ["B"]
    said = " ".join(staff_summary(found))
    assert "1 個機關回答不足 5 人" in said and "2 個機關" in said


def test_no_answers_at_all_is_an_error():
    with pytest.raises(ValueError):
        staff_report(OFFICES, {"overall": np.zeros((3, 5), dtype=np.int64)}, LABELS,
                     staff=[1, 1, 1], comments=[0, 0, 0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(5, 40), st.integers(5, 40), st.floats(0, 1),
                          st.floats(0, 1)), min_size=3, max_size=3))
def test_changes_match_newcombe_and_holm(rows):
    now, then = [], []
    for n2, n1, r2, r1 in rows:
        x2, x1 = round(n2 * r2), round(n1 * r1)
        now.append([n2 - x2, 0, 0, x2, 0])
        then.append([n1 - x1, 0, 0, 0, x1])
    found = staff_report(OFFICES, {"overall": table(*now)}, LABELS, staff=[0, 0, 0],
                         comments=[0, 0, 0], previous={"overall": table(*then)}, min_n=5)
    x1, n1 = np.array([t[4] for t in then]), np.array([sum(t) for t in then])
    x2, n2 = np.array([t[3] for t in now]), np.array([sum(t) for t in now])
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(se > 0, 2 * norm.sf(np.abs((x2 / n2 - x1 / n1) / np.where(se > 0, se, 1))), 1.0)
    holm = multipletests(p, method="holm")[1]
    for i, office in enumerate(found["offices"]):
        change = office["items"]["overall"]["change"]
        low, high = newcombe(x1[i], n1[i], x2[i], n2[i])
        assert change["diff_ci"] == pytest.approx([low, high], abs=1e-9)
        assert change["p_adjusted"] == pytest.approx(holm[i], abs=1e-9)
        assert (change["direction"] is not None) == (holm[i] < 0.05 and x2[i] / n2[i] != x1[i] / n1[i])
