"""``comment_themes``: shares of commenters with Wilson intervals, the small-n rule, and the
change per theme with Holm's adjustment, checked against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from analysis.report.common import OfficeInfo
from analysis.report.themes import ThemeCounts, themes_report

OFFICES = [OfficeInfo("A", "甲", "household"), OfficeInfo("B", "乙", "land"),
           OfficeInfo("C", "丙", "land")]
THEMES = [("wait", "等候時間"), ("attitude", "服務態度"), ("parking", "停車與交通")]


def counts(commenters, mentions, complaints=None, praise=None) -> ThemeCounts:
    mentions = np.array(mentions)
    return ThemeCounts(np.array(commenters), mentions,
                       np.array(complaints) if complaints is not None else mentions * 0,
                       np.array(praise) if praise is not None else mentions * 0)


NOW = counts([40, 35, 4], [[12, 5, 0], [20, 2, 7], [4, 0, 1]],
             complaints=[[10, 1, 0], [15, 2, 5], [4, 0, 0]], praise=[[1, 4, 0], [3, 0, 1], [0, 0, 1]])
BEFORE = counts([50, 30, 6], [[5, 6, 1], [8, 3, 6], [1, 1, 0]])


def test_shares_and_intervals_agree_with_statsmodels():
    report = themes_report(OFFICES, THEMES, NOW, BEFORE, min_n=30)
    assert report["commenters"] == 79
    wait = report["themes"][0]
    assert (wait["count"], wait["complaints"], wait["praise"]) == (36, 29, 4)
    assert wait["share"] == pytest.approx(36 / 79)
    assert wait["interval"] == pytest.approx(list(proportion_confint(36, 79, method="wilson")))
    office = report["offices"][1]["themes"][2]
    assert office["share"] == pytest.approx(7 / 35)
    assert office["interval"] == pytest.approx(list(proportion_confint(7, 35, method="wilson")))


def test_an_office_below_the_minimum_shows_counts_but_no_share():
    small = themes_report(OFFICES, THEMES, NOW, min_n=30)["offices"][2]
    assert small["reportable"] is False and small["commenters"] == 4
    assert small["themes"][0] == {"key": "wait", "label": "等候時間", "count": 4, "complaints": 4,
                                  "praise": 0, "share": None, "interval": [None, None]}


def test_change_is_newcombes_difference_with_holm_over_the_themes():
    report = themes_report(OFFICES, THEMES, NOW, BEFORE, min_n=30)
    x1, x2 = BEFORE.mentions.sum(axis=0), NOW.mentions.sum(axis=0)
    p = []
    for t, row in enumerate(report["themes"]):
        low, high = confint_proportions_2indep(x2[t], 79, x1[t], 86, method="newcomb",
                                               compare="diff")
        assert row["change"]["diff"] == pytest.approx(x2[t] / 79 - x1[t] / 86)
        assert row["change"]["ci"] == pytest.approx([low, high])
        p.append(row["change"]["p"])
    holm = multipletests(p, method="holm")[1]
    assert [r["change"]["p_adjusted"] for r in report["themes"]] == pytest.approx(list(holm))
    assert report["themes"][0]["change"]["direction"] == "up"   # 36/79 against 14/86
    assert report["themes"][1]["change"]["direction"] is None


def test_no_change_without_enough_commenters_before():
    few = counts([10, 5, 1], [[1, 0, 0], [0, 0, 0], [0, 0, 0]])
    rows = themes_report(OFFICES, THEMES, NOW, few, min_n=30)["themes"]
    assert all(r["change"] is None for r in rows)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        counts([3, 1, 1], [[4, 0, 0], [0, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError):
        counts([3, 1, 1], [[1, 0, 0], [0, 0, 0], [0, 0, 0]], complaints=[[1, 0, 0], [0] * 3, [0] * 3],
               praise=[[1, 0, 0], [0] * 3, [0] * 3])
