"""Satisfaction by the options of a multiple-choice question, checked against statsmodels:
each option against those who answered without it (proportions_ztest), Holm over the options
(multipletests), the interval against proportion_confint's Wilson."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from analysis.report.options import chosen_counts, option_breakdown

GROUPS = [("transcript", "謄本"), ("move", "遷徙"), ("other", "其他")]


def respondents(seed: int = 7, n: int = 900) -> tuple[list[int], list[bool]]:
    """Simulated citizens: which options each chose (a bit pattern) and whether satisfied;
    those who moved house were less satisfied."""
    rng = np.random.default_rng(seed)
    bits, satisfied = [], []
    for _ in range(n):
        chosen = 0
        while chosen == 0:
            chosen = sum(1 << i for i, share in enumerate((.6, .3, .1)) if rng.random() < share)
        bits.append(chosen)
        satisfied.append(bool(rng.random() < (.6 if chosen & 2 else .85)))
    return bits, satisfied


def combinations(bits, satisfied) -> dict[int, tuple[int, int]]:
    table: dict[int, list[int]] = {}
    for b, s in zip(bits, satisfied, strict=True):
        cell = table.setdefault(b, [0, 0])
        cell[0] += s
        cell[1] += 1
    return {b: (c[0], c[1]) for b, c in table.items()}


def test_each_option_against_the_others_who_answered_matches_statsmodels():
    bits, satisfied = respondents()
    result = option_breakdown("services", GROUPS, combinations(bits, satisfied), min_n=30)
    rows = {r["key"]: r for r in result["rows"]}
    raw = []
    for i, (key, _label) in enumerate(GROUPS):
        chose = np.array([b >> i & 1 for b in bits], dtype=bool)
        happy = np.array(satisfied)
        counts = [happy[chose].sum(), happy[~chose].sum()]
        nobs = [chose.sum(), (~chose).sum()]
        z, p = proportions_ztest(counts, nobs)
        raw.append(p)
        row = rows[key]
        assert row["n"] == nobs[0] and row["others_n"] == nobs[1]
        assert row["z"] == pytest.approx(z, rel=1e-9) and row["p"] == pytest.approx(p, rel=1e-9)
        low, high = proportion_confint(counts[0], nobs[0], method="wilson")
        assert row["ci"] == pytest.approx([low, high], rel=1e-9)
    _reject, holm, _s, _b = multipletests(raw, method="holm")
    assert [rows[k]["p_holm"] for k, _ in GROUPS] == pytest.approx(list(holm), rel=1e-9)
    assert rows["move"]["differs"] and rows["move"]["difference"] < 0   # the real gap is found


def test_a_group_counted_twice_is_never_tested_as_if_apart_and_small_groups_are_not_judged():
    bits, satisfied = respondents(n=200)
    result = option_breakdown("services", GROUPS, combinations(bits, satisfied), min_n=30)
    other = next(r for r in result["rows"] if r["key"] == "other")
    assert not other["judged"] and set(other) == {"key", "label", "n", "judged"}
    assert result["several"] and "各列會重疊" in result["note"]
    # every answer counts once in the total, however many options it chose
    good, n, total_good, total_n = chosen_counts(combinations(bits, satisfied), 3)
    assert total_n == 200 and total_good == sum(satisfied) and n.sum() > total_n


def test_an_option_nobody_chose_is_left_out_and_no_answers_mean_no_rows():
    result = option_breakdown("services", GROUPS, {1: (40, 50), 3: (10, 20)}, min_n=5)
    assert [r["key"] for r in result["rows"]] == ["transcript", "move"]
    assert option_breakdown("services", GROUPS, {})["rows"] == []
