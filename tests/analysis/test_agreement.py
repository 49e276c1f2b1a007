"""Calibration agreement (issue 13, item 6) against independent implementations: ICC(2,1)
against pingouin, Krippendorff's alpha against the krippendorff package, the deviation from
consensus against a plain pandas computation, on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.oracles import pingouin_icc2

from analysis import agreement

krippendorff = pytest.importorskip("krippendorff")
pingouin = pytest.importorskip("pingouin")


def test_icc2_1_matches_pingouin_on_shrout_and_fleiss_data():
    # Shrout & Fleiss (1979), table 2: 6 targets, 4 judges; ICC(2,1) = 0.29
    x = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
                  [6, 2, 4, 7]], dtype=float)
    ours, theirs = agreement.icc2_1(x), pingouin_icc2(x)
    assert ours.icc == pytest.approx(0.29, abs=0.005)
    assert ours.icc == pytest.approx(theirs["ICC"], abs=1e-9)
    assert ours.f == pytest.approx(theirs["F"]) and ours.pvalue == pytest.approx(theirs["pval"])
    low, high = theirs["CI95"]
    assert (round(ours.low, 2), round(ours.high, 2)) == (pytest.approx(low), pytest.approx(high))


@given(st.integers(3, 12), st.integers(2, 6), st.integers(0, 10_000))
@settings(max_examples=40, deadline=None)
def test_icc2_1_matches_pingouin_on_random_tables(n, k, seed):
    rng = np.random.default_rng(seed)
    scenario = rng.normal(80, 8, size=(n, 1))
    leniency = rng.normal(0, 3, size=(1, k))
    x = np.round(scenario + leniency + rng.normal(0, 4, size=(n, k)), 1)
    ours, theirs = agreement.icc2_1(x), pingouin_icc2(x)
    assert ours.icc == pytest.approx(theirs["ICC"], abs=1e-9)
    assert ours.pvalue == pytest.approx(theirs["pval"], rel=1e-6, abs=1e-12)
    low, high = theirs["CI95"]   # pingouin rounds its interval to 2 decimals
    if np.isnan(low) or np.isnan(high) or not low - 0.006 <= theirs["ICC"] <= high + 0.006:
        # pingouin's half interval beside a negative estimate: we give none, and say why
        assert np.isnan(ours.low) and np.isnan(ours.high) and ours.note
        return
    assert ours.low == pytest.approx(low, abs=0.006) and ours.high == pytest.approx(high, abs=0.006)


def test_icc2_1_gives_no_half_interval_when_scenarios_differ_less_than_chance():
    rng = np.random.default_rng(82)      # a 3 x 2 table where pingouin prints [nan, -2.32]
    x = np.round(rng.normal(80, 8, size=(3, 1)) + rng.normal(0, 3, size=(1, 2))
                 + rng.normal(0, 4, size=(3, 2)), 1)
    ours, theirs = agreement.icc2_1(x), pingouin_icc2(x)
    assert ours.icc == pytest.approx(theirs["ICC"]) and ours.icc < 0
    assert np.isnan(theirs["CI95"][0]) and np.isnan(ours.low) and np.isnan(ours.high)
    assert "無法估計信賴區間" in ours.note


def test_icc2_1_drops_incomplete_scenarios_and_says_when_it_cannot():
    x = np.array([[80, 82], [70, np.nan], [90, 88], [60, 65]], dtype=float)
    assert agreement.icc2_1(x).n_targets == 3
    assert np.isnan(agreement.icc2_1([[80, 81]]).icc)
    perfect = agreement.icc2_1([[80, 80], [70, 70], [90, 90]])
    assert perfect.icc == 1.0 and perfect.note


@given(st.integers(2, 6), st.integers(2, 15), st.integers(0, 10_000), st.floats(0, 0.4))
@settings(max_examples=60, deadline=None)
def test_krippendorff_alpha_matches_the_krippendorff_package(raters, units, seed, missing):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, size=units)
    x = np.where(rng.random((raters, units)) < 0.8, truth, 1 - truth).astype(float)
    x[rng.random((raters, units)) < missing] = np.nan
    ours = agreement.krippendorff_alpha_nominal(x)
    pairable = x[:, (~np.isnan(x)).sum(axis=0) >= 2]    # units rated at least twice
    if len(np.unique(pairable[~np.isnan(pairable)])) < 2:  # no pair, or no variation: undefined
        assert np.isnan(ours)
        return
    theirs = krippendorff.alpha(reliability_data=x, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_krippendorff_alpha_on_krippendorffs_own_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha", the nominal example: alpha 0.743
    x = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
                  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
                  [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
                  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan]])
    assert agreement.krippendorff_alpha_nominal(x) == pytest.approx(0.743, abs=0.001)


def test_deviation_from_consensus_against_pandas():
    x = np.array([[80, 85, 70], [60, 66, np.nan], [90, 95, 84], [75, np.nan, 70]], dtype=float)
    frame = pd.DataFrame(x)
    expected = []
    for rater in frame.columns:
        others = frame.drop(columns=rater)
        gaps = (frame[rater] - others.mean(axis=1))[frame[rater].notna() & others.notna().any(axis=1)]
        expected.append(gaps.mean())
    assert agreement.deviation_from_consensus(x) == pytest.approx(expected)
    # the lenient second inspector is above the others, the third below
    ours = agreement.deviation_from_consensus(x)
    assert ours[1] > 0 > ours[2]
    assert np.isnan(agreement.deviation_from_consensus([[80, np.nan]])).all()


# --- reading an ICC from its interval (issue 26, item 7; Koo & Li 2016) -----------------------

NAN = float("nan")


@pytest.mark.parametrize("value,band", [
    (-0.3, "poor"), (0.0, "poor"), (0.4999, "poor"), (0.5, "moderate"), (0.7499, "moderate"),
    (0.75, "good"), (0.8999, "good"), (0.9, "excellent"), (1.0, "excellent")])
def test_icc_band_at_koo_and_li_edges(value, band):
    assert agreement.icc_band(value) == band


def test_icc_band_refuses_nan():
    with pytest.raises(ValueError):
        agreement.icc_band(NAN)


@pytest.mark.parametrize("icc,low,high,bands,key", [
    (0.388, 0.093, 0.736, ("poor", "moderate"), "poor to moderate"),
    (0.60, 0.50, 0.7499, ("moderate", "moderate"), "moderate"),   # edges inside one band
    (0.60, 0.4999, 0.7499, ("poor", "moderate"), "poor to moderate"),
    (0.80, 0.75, 0.90, ("good", "excellent"), "good to excellent"),   # 0.9 is excellent
    (0.80, 0.75, 0.8999, ("good", "good"), "good"),
    (0.35, -0.04, 0.96, ("poor", "excellent"), "poor to excellent"),  # a negative bound: poor
    (0.70, 0.60, 0.95, ("moderate", "excellent"), "moderate to excellent"),
    (0.95, 0.91, 0.99, ("excellent", "excellent"), "excellent"),
    (0.20, -0.50, 0.49, ("poor", "poor"), "poor")])
def test_icc_reading_comes_from_the_interval(icc, low, high, bands, key):
    reading = agreement.icc_reading(icc, low, high)
    assert (reading.low, reading.high) == bands
    assert reading.key == key and reading.from_interval


def test_icc_reading_without_an_interval_is_the_estimate_marked_as_such():
    # identical scores (ICC 1, no interval) and a negative estimate (no interval)
    perfect = agreement.icc_reading(1.0, NAN, NAN)
    assert (perfect.key, perfect.from_interval) == ("excellent", False)
    negative = agreement.icc_reading(-0.4, NAN, NAN)
    assert (negative.key, negative.from_interval) == ("poor", False)
    assert agreement.icc_reading(NAN, NAN, NAN) is None
    # what icc2_1 returns flows through unchanged
    found = agreement.icc2_1([[80, 80], [70, 70], [90, 90]])
    assert agreement.icc_reading(found.icc, found.low, found.high).from_interval is False
