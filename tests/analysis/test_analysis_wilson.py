"""The Wilson interval shared by the rate statistics, checked against SciPy and published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from support.counts import RTOL, scipy_wilson

from analysis.wilson import check_confidence, wilson_arrays, wilson_interval, z_for


def test_wilson_published_value():
    # Newcombe (1998), single proportion, 81/263: 0.2553 to 0.3662
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-5)
    assert hi == pytest.approx(0.3662, abs=5e-5)


@pytest.mark.parametrize(
    "x,n", [(81, 263), (0, 10), (10, 10), (1, 1), (0, 1), (29, 30), (500, 1000), (3, 7)]
)
@pytest.mark.parametrize("confidence", [0.95, 0.99, 0.8])
def test_wilson_matches_scipy(x, n, confidence):
    lo, hi = wilson_interval(x, n, confidence)
    ref = scipy_wilson(x, n, confidence)
    np.testing.assert_allclose((lo, hi), ref, rtol=RTOL, atol=0)
    assert isinstance(lo, float) and isinstance(hi, float)


def test_wilson_extremes_and_empty():
    assert wilson_interval(0, 20)[0] == 0.0
    assert wilson_interval(20, 20)[1] == 1.0
    lo, hi = wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


def test_wilson_vectorised():
    x = np.array([0, 5, 9, 0])
    n = np.array([10, 10, 10, 0])
    lo, hi = wilson_interval(x, n)
    assert lo.shape == (4,)
    for i in range(3):
        np.testing.assert_allclose((lo[i], hi[i]), scipy_wilson(x[i], n[i]), rtol=RTOL)
    assert np.isnan(lo[3]) and np.isnan(hi[3])


def test_wilson_rejects_bad_input():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(-1, 10)
    with pytest.raises(ValueError):
        wilson_interval(1, 10, confidence=1.5)


def test_z_for_and_confidence_checks():
    assert z_for(0.95) == stats.norm.ppf(0.975)
    assert check_confidence(0.9) == 0.9
    for bad in (0.0, 1.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
            z_for(bad)
        with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
            check_confidence(bad)


def test_wilson_arrays_is_the_unchecked_core():
    x, n = np.array([0, 3, 7, 0]), np.array([7, 7, 7, 0])
    lo, hi = wilson_arrays(x, n, z_for(0.9))
    ref_lo, ref_hi = wilson_interval(x, n, 0.9)
    np.testing.assert_array_equal(lo, ref_lo)
    np.testing.assert_array_equal(hi, ref_hi)
