"""The report never claims more than its data show: tested on the report dictionary itself,
against independent implementations (statsmodels) where a number is a statistic."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from analysis.report import (
    InspectionTables,
    OfficeInfo,
    inspection_report,
    likert_report,
    survey_summary,
    trend_rows,
)
from analysis.report.inspection import most_missed

RNG = np.random.default_rng(2005)


def offices(k: int) -> list[OfficeInfo]:
    return [OfficeInfo(f"O{i:02d}", f"機關{i:02d}", "household", f"Office {i:02d}")
            for i in range(k)]


def table(rates, sizes) -> np.ndarray:
    """Offices x 5 levels with the given share of answers 4-5, the rest 1-3."""
    rows = []
    for rate, n in zip(rates, sizes, strict=True):
        good = int(round(rate * n))
        rows.append([0, (n - good) // 2, n - good - (n - good) // 2, good // 2, good - good // 2])
    return np.array(rows, dtype=np.int64)


def section(counts: np.ndarray, previous: np.ndarray | None = None, min_n: int = 30) -> dict:
    k = counts.shape[0]
    zeros = np.zeros(k, dtype=np.int64)
    return likert_report(offices(k), {"overall": counts}, {"overall": zeros},
                         {"overall": "整體滿意度"},
                         previous=None if previous is None else ({"overall": previous}, {}),
                         min_n=min_n)


def test_margin_of_error_is_the_agencies_convention_per_office_and_overall():
    s = section(table([0.7, 1.0, 0.5], [1099, 60, 343]))
    assert s["overall"]["margin_of_error"] == pytest.approx(1.96 * (0.25 / 1502) ** 0.5)
    by = {o["code"]: o for o in s["offices"]}
    assert by["O00"]["margin_of_error"] == pytest.approx(0.0296, abs=5e-5)
    assert by["O01"]["margin_of_error"] == pytest.approx(1.96 * (0.25 / 60) ** 0.5)  # not ±0


def test_too_small_offices_show_n_only_but_count_overall():
    s = section(table([0.9, 0.5, 0.8], [100, 29, 30]))
    small = s["offices"][1]
    assert small["reportable"] is False and small["n"] == 29
    assert all(small[k] is None for k in ("satisfied_rate", "margin_of_error", "shrunk_rate",
                                          "rank_interval", "funnel"))
    assert small["group"] == ""
    assert s["offices"][2]["reportable"] is True                  # 30 is enough
    assert s["n"] == 159 and s["offices_reportable"] == 2
    assert s["overall"]["satisfied_rate"] == pytest.approx((90 + 14 + 24) / 159, abs=0.01)
    summary = survey_summary(s)
    assert summary["numbers"]["too_small"] == ["O01"]
    assert any("樣本數不足" in sentence and "機關01" in sentence for sentence in summary["sentences"])


def test_letters_test_the_rate_the_bars_show():
    rates, sizes = [0.95, 0.93, 0.80, 0.78, 0.60], [200, 150, 180, 120, 160]
    s = section(table(rates, sizes))
    rows = s["offices"]
    satisfied = [round(r * n) for r, n in zip(rates, sizes, strict=True)]
    pairs, p = [], []
    for i in range(5):
        for j in range(i + 1, 5):
            pairs.append((i, j))
            p.append(proportions_ztest([satisfied[i], satisfied[j]], [sizes[i], sizes[j]])[1])
    reject = multipletests(p, method="holm")[0]
    for (i, j), different in zip(pairs, reject, strict=True):
        share = set(rows[i]["group"]) & set(rows[j]["group"])
        assert different == (not share), (i, j, rows[i]["group"], rows[j]["group"])
    assert rows[0]["group"].startswith("a")                      # the highest rate gets "a"
    assert s["comparison"]["pairs"] == 10


def test_funnel_marks_only_offices_beyond_its_limits():
    sizes = [400] * 12
    rates = [0.8] * 10 + [0.97, 0.55]
    s = section(table(rates, sizes))
    outside = {o["code"]: o["funnel"]["outside"] for o in s["offices"]}
    assert outside["O10"] == "above" and outside["O11"] == "below"
    assert all(outside[f"O{i:02d}"] is None for i in range(10))
    assert s["funnel"]["target"] == pytest.approx(s["overall"]["satisfied_rate"])
    summary = survey_summary(s)["numbers"]
    assert summary["above"] == ["O10"] and summary["below"] == ["O11"]


def test_shrunk_rates_and_rank_intervals_are_honest_about_small_offices():
    s = section(table([0.97, 0.80, 0.79, 0.81], [34, 500, 500, 500]))
    small, big = s["offices"][0], s["offices"][1]
    assert small["shrunk_rate"] < small["satisfied_rate"]        # pulled toward the others
    best, worst = small["rank_interval"]
    assert best == 1 and worst >= 2                              # not certainly first
    assert 1 <= big["rank_interval"][0] <= big["rank_interval"][1] <= 4


def test_change_arrows_come_from_holm_adjusted_p_only():
    k = 20
    before = table([0.80] * k, [150] * k)
    after_rates = [0.80] * k
    after_rates[0], after_rates[1] = 0.97, 0.86    # a real rise, and a small one
    s = section(table(after_rates, [150] * k), previous=before)
    change = s["change"]
    p = [c["p"] for c in change]
    assert [c["p_adjusted"] for c in change] == pytest.approx(
        list(multipletests(p, method="holm")[1]))
    assert change[0]["direction"] == "up"
    assert change[1]["p"] < 0.2 and change[1]["direction"] is None   # unadjusted it might pass
    assert all(c["direction"] in (None, "up") for c in change)
    assert all(c["mdd"] > 0 for c in change)
    summary = survey_summary(s, compare_label="前期")["numbers"]
    assert summary["changed_up"] == ["O00"] and summary["changed_down"] == []


def test_the_omnibus_change_test_matches_statsmodels():
    before = table([0.8, 0.7, 0.9, 0.75], [120, 80, 150, 60])
    after = table([0.85, 0.78, 0.91, 0.70], [110, 90, 140, 70])
    s = section(after, previous=before)
    strata = []
    for b, a in zip(before, after, strict=True):
        strata.append([[a[3:].sum(), a[:3].sum()], [b[3:].sum(), b[:3].sum()]])
    reference = StratifiedTable(np.array(strata, dtype=float).transpose(1, 2, 0))
    test = s["change_test"]
    assert test["statistic"] == pytest.approx(reference.test_null_odds(correction=False).statistic)
    assert test["p"] == pytest.approx(reference.test_null_odds(correction=False).pvalue)
    assert test["odds_ratio"] == pytest.approx(reference.oddsratio_pooled)


def test_regression_to_the_mean_is_mentioned_where_a_low_office_improved():
    k = 9
    before = table([0.60, 0.62, 0.64] + [0.85] * 6, [300] * k)
    after = table([0.85, 0.63, 0.64] + [0.85] * 6, [300] * k)
    s = section(after, previous=before)
    assert s["change"][0]["direction"] == "up" and s["change"][0]["regression_to_mean"]
    sentences = survey_summary(s, compare_label="前期")["sentences"]
    assert any("均值回歸" in sentence for sentence in sentences)


def inspection_tables(n, scores_sum, scores_sq) -> InspectionTables:
    k = len(n)
    return InspectionTables(np.array(n, float), np.array(scores_sum, float),
                            np.array(scores_sq, float),
                            {"s": ("總機", np.full(k, 8.0), np.full(k, 10.0))},
                            {"greets": ("問候", np.array([2.0] * k), np.array([1.0] * k),
                                        np.zeros(k))})


def test_an_office_grade_needs_three_checks_and_an_interval_needs_two():
    n = [1, 2, 3]
    sums = [70.0, 150.0, 270.0]
    squares = [4900.0, 80.0 ** 2 + 70.0 ** 2, 3 * 90.0 ** 2 + 2]
    report = inspection_report(offices(3), inspection_tables(n, sums, squares),
                               [(90, "優等"), (80, "甲"), (70, "乙"), (60, "丙"), (0, "丁")],
                               individual={0: [70.0], 1: [80.0, 70.0]})
    one, two, three = report["offices"]
    assert one["score_ci"] == [None, None]                     # not "0.0-100.0"
    assert one["grade"] is None and one["graded"] is False
    assert one["check_grades"] == [{"score": 70.0, "grade": "乙"}]
    assert two["score_ci"][0] is not None and two["grade"] is None
    assert [c["grade"] for c in two["check_grades"]] == ["甲", "乙"]
    assert three["graded"] and three["grade"] == "優等" and three["check_grades"] is None
    assert report["offices_graded"] == 1


def test_an_instrument_without_scored_items_does_not_raise():
    empty = InspectionTables(np.zeros(2), np.zeros(2), np.zeros(2), {}, {})
    report = inspection_report(offices(2), empty, [(0, "丁")])
    assert report["scored"] is False and report["checks"] == 0 and report["items"] == []


def test_most_missed_puts_a_single_miss_below_a_frequent_one():
    k = 1
    tables = InspectionTables(np.ones(k), np.ones(k), np.ones(k), {},
                              {"once": ("只錯一次", np.array([0.0]), np.array([1.0]), np.zeros(k)),
                               "often": ("常錯", np.array([700.0]), np.array([300.0]),
                                         np.zeros(k))})
    assert [i["key"] for i in most_missed(tables)] == ["often", "once"]


def test_trend_rows_hide_rates_below_the_minimum():
    rows = trend_rows(offices(2), ["2025H1", "2025H2"], ["114上", "114下"],
                      np.array([[20, 40], [5, 9]]), np.array([[25, 50], [10, 12]]), min_n=20)
    assert [p["rate"] for p in rows[0]["points"]] == [0.8, 0.8]
    assert [p["rate"] for p in rows[1]["points"]] == [None, None]
    assert rows[1]["points"][1]["n"] == 12


# -- issue 26: the summary never contradicts itself, and leaves no office out ------------------

def test_offices_that_moved_in_opposite_directions_are_named_not_called_unchanged():
    k = 12
    before = table([0.50, 0.50, 0.80, 0.80] + [0.70] * (k - 4), [200] * k)
    after = table([0.75, 0.72, 0.50, 0.55] + [0.70] * (k - 4), [200] * k)
    s = section(after, previous=before)
    assert s["change_test"]["p"] > 0.05                       # pooled, they cancel out
    assert s["homogeneity"]["p"] < 1e-6 and s["homogeneity"]["differs"] is True
    strata = [[[b[3:].sum(), b[:3].sum()], [a[3:].sum(), a[:3].sum()]]
              for b, a in zip(before, after, strict=True)]
    reference = StratifiedTable(np.array(strata, dtype=float).transpose(1, 2, 0))
    assert s["homogeneity"]["p"] == pytest.approx(reference.test_equal_odds(adjust=True).pvalue)
    summary = survey_summary(s, compare_label="前期")
    text = "".join(summary["sentences"])
    assert "沒有明確的改變" not in text
    assert "上升：機關00、機關01；下降：機關02、機關03" in text
    assert summary["numbers"]["overall_change"] == "mixed"
    english = "".join(survey_summary(s, "en", compare_label="H1")["sentences"])
    assert "up: Office 00, Office 01; down: Office 02, Office 03" in english


def test_a_homogeneous_change_is_still_read_from_the_pooled_test():
    k = 6
    before = table([0.70] * k, [300] * k)
    s = section(table([0.70] * k, [300] * k), previous=before)
    assert s["homogeneity"]["differs"] is False
    summary = survey_summary(s, compare_label="前期")
    assert summary["numbers"]["overall_change"] == "flat"
    assert any("沒有明確的改變" in sentence for sentence in summary["sentences"])


def test_every_active_office_is_accounted_for_in_the_summary():
    counts = table([0.9, 0.5, 0.8, 0.0, 0.0], [100, 29, 30, 0, 0])
    no_answer = np.array([0, 0, 0, 7, 0], dtype=np.int64)     # O03: only "no answer"
    s = likert_report(offices(5), {"overall": counts}, {"overall": no_answer},
                      {"overall": "整體滿意度"}, min_n=30)
    summary = survey_summary(s)
    numbers = summary["numbers"]
    assert numbers["active_offices"] == 5
    assert numbers["too_small"] == ["O01"] and numbers["only_no_answer"] == ["O03"]
    assert numbers["no_responses"] == ["O04"]
    assert (numbers["reportable"] + len(numbers["too_small"]) + len(numbers["only_no_answer"])
            + len(numbers["no_responses"])) == numbers["active_offices"]
    text = "".join(summary["sentences"])
    assert text.startswith("本期 5 個機關中有 3 個機關、共 159 位民眾填答，")
    assert "機關01（29 人）" in text
    assert "都沒有回答這一題，無法評比：機關03" in text
    assert "沒有任何民眾填答：機關04" in text


def test_real_differences_between_offices_are_never_called_random_error():
    """Issue 26: 30 offices of very unequal size that really differ (overdispersed); the
    additive tau^2 widens the limits so much that 120/120 sits inside them.  The summary says
    the offices differ, names nobody as random error, and the plain binomial verdict is kept."""
    rates = [0.0, 0.0, 1.0] + list(np.linspace(0.45, 0.95, 27))
    sizes = [40, 35, 120] + [int(x) for x in np.linspace(30, 800, 27)]
    s = section(table(rates, sizes))
    assert s["funnel"]["overdispersed"] and s["funnel"]["tau2"] > 0
    rows = {o["code"]: o for o in s["offices"]}
    p0 = s["funnel"]["target"]
    crit = 3.090232306167813                                   # 99.8 %, two-sided
    for i, (rate, n) in enumerate(zip(rates, sizes, strict=True)):
        good = round(rate * n)
        z = (good / n - p0) / np.sqrt(p0 * (1 - p0) / n)       # plain binomial, by hand
        expected = "above" if z > crit else "below" if z < -crit else None
        assert rows[f"O{i:02d}"]["funnel"]["binomial_outside"] == expected, i
    assert rows["O02"]["funnel"]["binomial_outside"] == "above"  # 120 of 120 is no accident
    summary = survey_summary(s)
    text = "".join(summary["sentences"])
    assert "機關之間確有差異" in text and "隨機誤差範圍內" not in text
    numbers = summary["numbers"]
    assert numbers["overdispersed"] is True and "O02" in numbers["beyond_chance"]
    assert f"{len(numbers['beyond_chance'])} 個機關與整體的差距大於隨機誤差" in text
    if numbers["distinguishable_pairs"]:
        assert "不宜排名" not in text


def test_without_overdispersion_the_limits_are_the_binomial_ones_and_the_words_agree():
    sizes = [400] * 12
    s = section(table([0.8] * 10 + [0.97, 0.55], sizes))
    assert not s["funnel"]["overdispersed"] or s["funnel"]["tau2"] == 0
    for o in s["offices"]:
        assert o["funnel"]["binomial_outside"] == o["funnel"]["outside"]


def test_an_inspection_summary_accounts_for_offices_without_checks_and_says_what_plan_grades():
    from analysis.report import inspection_summary

    report = inspection_report(offices(3), inspection_tables([1, 2, 0], [70.0, 150.0, 0.0],
                                                             [4900.0, 11300.0, 0.0]),
                               [(90, "優等"), (80, "甲"), (70, "乙"), (60, "丙"), (0, "丁")],
                               individual={0: [70.0], 1: [80.0, 70.0]})
    summary = inspection_summary(report, "神秘客查核")
    text = "".join(summary["sentences"])
    assert "1 個機關本期沒有查核：機關02" in text
    assert "每個機關每期安排至少 3 次" in text
    numbers = summary["numbers"]
    assert numbers["active_offices"] == 3 and numbers["unchecked"] == ["O02"]
    assert len(numbers["graded"]) + len(numbers["too_few_checks"]) + len(numbers["unchecked"]) == 3
    report["rolling_year"] = {"label": "114年上半年至114年下半年", "offices_graded": 2}
    summary = inspection_summary(report, "神秘客查核")
    assert "合計近一年（114年上半年至114年下半年）的查核，可給等第的機關 2 個。" in summary["sentences"]
    assert summary["numbers"]["rolling_year_graded"] == 2


def test_the_shrinkage_says_where_it_pulls_and_how_hard():
    """Issue 26: the fitted prior's mean is the offices' average (offices as units), not the
    respondent-weighted overall rate; report.json says which, and that the rank intervals leave
    the prior's own uncertainty out."""
    from analysis.shrinkage import fit_beta_binomial

    rates, sizes = [0.0, 0.0] + [0.7] * 6 + [0.9] * 2, [30, 30] + [40] * 6 + [800, 800]
    s = section(table(rates, sizes))
    satisfied = [round(r * n) for r, n in zip(rates, sizes, strict=True)]
    a, b = fit_beta_binomial(satisfied, sizes)
    shrinkage = s["shrinkage"]
    assert shrinkage["prior_mean"] == pytest.approx(a / (a + b))
    assert shrinkage["prior_weight"] == pytest.approx(a + b)
    assert abs(shrinkage["prior_mean"] - s["overall"]["satisfied_rate"]) > 0.05
    assert shrinkage["rank_intervals_include_prior_uncertainty"] is False


def test_a_grade_whose_interval_spans_bands_is_marked_uncertain():
    """Issue 26: 丁 from 3 checks whose interval runs 13.9-92.0 spans every band; an office with
    three close checks keeps a certain grade."""
    from analysis.inspections import grade_for
    from analysis.report import inspection_summary

    bands = [(90, "優等"), (80, "甲"), (70, "乙"), (60, "丙"), (0, "丁")]
    scores = {0: [20.0, 70.0, 60.0], 1: [92.0, 92.5, 93.0]}
    n = [3, 3]
    sums = [sum(scores[0]), sum(scores[1])]
    squares = [sum(x * x for x in scores[0]), sum(x * x for x in scores[1])]
    report = inspection_report(offices(2), inspection_tables(n, sums, squares), bands)
    wide, tight = report["offices"]
    low, high = wide["score_ci"]
    assert wide["graded"] and wide["grade_certain"] is False
    assert wide["grade_range"] == grade_for([low, high], bands) and wide["grade_range"][0] == "丁"
    assert tight["grade_certain"] is True and tight["grade"] == "優等"
    summary = inspection_summary(report, "神秘客查核")
    assert summary["numbers"]["uncertain_grades"] == ["O00"]
    assert any("等第不確定" in s and "機關00" in s for s in summary["sentences"])


def awkward() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offices with 0, 1, 2, 29, 30, 31 and 800 answers, one at 100 %, one at 0 %, one with
    every answer on one level, and four that changed in opposite directions."""
    sizes = [0, 1, 2, 29, 30, 31, 800, 120, 60, 40, 200, 200, 200, 200]
    now = table([0, 1, 0.5, 0.7, 0.6, 0.8, 0.75, 1.0, 0.0, 0, 0.9, 0.9, 0.5, 0.5], sizes)
    now[9] = [0, 0, 40, 0, 0]                                  # everyone answered 3
    before = table([0, 0, 0, 0.7, 0.6, 0.8, 0.75, 1.0, 0.0, 0, 0.5, 0.5, 0.9, 0.9],
                   [0, 0, 0, 30, 30, 30, 800, 120, 60, 40, 200, 200, 200, 200])
    before[9] = [0, 0, 40, 0, 0]
    no_answer = np.zeros(len(sizes), dtype=np.int64)
    no_answer[0] = 4                                            # answered only "no answer"
    return now, before, no_answer


def test_awkward_data_reads_consistently_and_leaves_no_office_out():
    now, before, no_answer = awkward()
    k = len(now)
    s = likert_report(offices(k), {"overall": now}, {"overall": no_answer},
                      {"overall": "整體滿意度"},
                      previous=({"overall": before}, {"overall": np.zeros(k, np.int64)}),
                      min_n=30)
    summary = survey_summary(s, compare_label="前期")
    numbers, text = summary["numbers"], "".join(summary["sentences"])
    accounted = (numbers["reportable"] + len(numbers["too_small"])
                 + len(numbers["only_no_answer"]) + len(numbers["no_responses"]))
    assert accounted == numbers["active_offices"] == k
    for o in s["offices"]:                                   # every office is named somewhere
        assert o["reportable"] or o["name"] in text, o["code"]
    if numbers["overdispersed"]:
        assert "隨機誤差範圍內" not in text and "機關之間確有差異" in text
    if numbers["distinguishable_pairs"]:
        assert "不宜排名" not in text
    assert numbers["overall_change"] == "mixed" and "沒有明確的改變" not in text
    assert "上升：機關10、機關11；下降：機關12、機關13" in text
    one_level = s["offices"][9]
    assert one_level["mean_ci"] == [None, None]              # no interval of zero width
