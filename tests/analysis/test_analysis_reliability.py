"""Reliability from SQL-style aggregates: Cronbach's alpha against the respondent x item matrix,
the inspection ICC against the ANOVA of the raw scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from support.counts import RTOL, score_aggregates

from analysis.reliability import anova_icc, cronbach_alpha_from_sums, inspector_icc


def aggregates(x):
    """What SQL returns: COUNT(*), SUM(q_i), SUM(q_i * q_j) over complete respondents."""
    x = np.asarray(x, dtype=float)
    return x.shape[0], x.sum(axis=0), x.T @ x


def alpha_direct(x):
    """Textbook alpha from the raw matrix via np.cov."""
    x = np.asarray(x, dtype=float)
    k = x.shape[1]
    cov = np.cov(x, rowvar=False)
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def likert_matrix(seed, n=300, k=6, noise=1.0):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    raw = 3 + latent + noise * rng.normal(size=(n, k))
    return np.clip(np.rint(raw), 1, 5)


@pytest.mark.parametrize("seed,k,noise", [(1, 6, 1.0), (2, 2, 0.7), (3, 10, 2.5), (4, 3, 0.3)])
def test_alpha_matches_raw_matrix(seed, k, noise):
    x = likert_matrix(seed, k=k, noise=noise)
    res = cronbach_alpha_from_sums(*aggregates(x))
    np.testing.assert_allclose(res.alpha, alpha_direct(x), rtol=RTOL)
    np.testing.assert_allclose(res.item_variances, x.var(axis=0, ddof=1), rtol=RTOL)
    np.testing.assert_allclose(res.total_variance, x.sum(axis=1).var(ddof=1), rtol=RTOL)
    assert res.k_items == k and res.n == x.shape[0]
    assert res.note is None


def test_alpha_if_item_deleted():
    x = likert_matrix(5, k=5)
    x[:, 3] = np.random.default_rng(9).integers(1, 6, size=x.shape[0])  # an unrelated item
    res = cronbach_alpha_from_sums(*aggregates(x))
    for i in range(5):
        np.testing.assert_allclose(
            res.alpha_if_deleted[i], alpha_direct(np.delete(x, i, axis=1)), rtol=RTOL
        )
    assert int(np.argmax(res.alpha_if_deleted)) == 3
    assert res.alpha_if_deleted[3] > res.alpha


def test_two_items_have_no_alpha_if_deleted():
    res = cronbach_alpha_from_sums(*aggregates(likert_matrix(6, k=2)))
    assert np.all(np.isnan(res.alpha_if_deleted))


def test_hand_example():
    # 4 respondents, 3 items.  Item variances 2/3, 11/12, 5/3 (sum 3.25); the totals 3, 6, 9, 9
    # have variance 8.25; alpha = 3/2 * (1 - 3.25 / 8.25) = 10/11.
    x = np.array([[1, 1, 1], [2, 2, 2], [3, 3, 3], [2, 3, 4]], dtype=float)
    res = cronbach_alpha_from_sums(*aggregates(x))
    assert res.alpha == pytest.approx(10 / 11, rel=RTOL)
    np.testing.assert_allclose(res.item_variances, [2 / 3, 11 / 12, 5 / 3], rtol=RTOL)
    assert res.total_variance == pytest.approx(8.25, rel=RTOL)
    # identical items are perfectly consistent
    same = np.repeat(np.array([[1.0], [2], [4], [5], [3]]), 4, axis=1)
    assert cronbach_alpha_from_sums(*aggregates(same)).alpha == pytest.approx(1.0, rel=RTOL)


def test_items_that_cancel_out_leave_alpha_undefined():
    # item 2 is item 1 reversed, so every respondent's total is 6 and has no variance
    x = np.array([[1, 5], [2, 4], [3, 3], [4, 2], [5, 1]], dtype=float)
    res = cronbach_alpha_from_sums(*aggregates(x))
    assert math.isnan(res.alpha)
    assert res.total_variance == pytest.approx(0.0, abs=1e-12)
    assert res.note is not None


def test_constant_answers_give_nan_with_note():
    x = np.full((10, 3), 4.0)
    res = cronbach_alpha_from_sums(*aggregates(x))
    assert math.isnan(res.alpha)
    assert res.note is not None


def test_reversed_item_gives_negative_alpha():
    x = likert_matrix(7, k=2, noise=0.5)
    x[:, 1] = 6 - x[:, 1]
    x[0, 1] = 5  # break the perfect cancellation of the total
    res = cronbach_alpha_from_sums(*aggregates(x))
    np.testing.assert_allclose(res.alpha, alpha_direct(x), rtol=RTOL)
    assert res.alpha < 0


@pytest.mark.parametrize(
    "n,sums,cross",
    [
        (1, [3, 4], [[9, 12], [12, 16]]),  # n < 2
        (5, [3], [[9]]),  # k < 2
        (5, [3, 4], [[9, 12, 0], [12, 16, 0], [0, 0, 0]]),  # shape mismatch
        (5, [3, 4], [[9, 12], [11, 16]]),  # not symmetric
        (5, [[3, 4]], [[9, 12], [12, 16]]),  # sums not 1-D
        (5, [3, np.nan], [[9, 12], [12, 16]]),  # not finite
        (5, [10, 10], [[1, 1], [1, 1]]),  # negative variance: inconsistent aggregates
        (2.5, [3, 4], [[9, 12], [12, 16]]),  # n not an integer
    ],
)
def test_rejects_bad_input(n, sums, cross):
    with pytest.raises(ValueError):
        cronbach_alpha_from_sums(n, sums, cross)


def test_alpha_from_totals_equals_alpha_from_the_full_cross_matrix():
    from analysis.reliability import cronbach_alpha_from_sums, cronbach_alpha_from_totals

    rng = np.random.default_rng(11)
    latent = rng.normal(size=(300, 1))
    x = np.clip(np.rint(3 + latent + rng.normal(0, 0.8, size=(300, 6))), 1, 5)
    t = x.sum(axis=1)
    full = cronbach_alpha_from_sums(300, x.sum(axis=0), x.T @ x)
    fast = cronbach_alpha_from_totals(300, x.sum(axis=0), (x * x).sum(axis=0), x.T @ t,
                                      float((t * t).sum()))
    assert fast.alpha == pytest.approx(full.alpha, rel=1e-12)
    np.testing.assert_allclose(fast.alpha_if_deleted, full.alpha_if_deleted, rtol=1e-12)
    with pytest.raises(ValueError):
        cronbach_alpha_from_totals(1, [1, 2], [1, 4], [3, 6], 9.0)


# --------------------------------------------------------------------------------------------
# intraclass correlation of inspection scores
# --------------------------------------------------------------------------------------------


def test_icc_shrout_fleiss_example():
    # Shrout & Fleiss (1979), 6 targets x 4 judges; published ICC(1,1) = .17
    x = np.array(
        [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
        dtype=float,
    )
    res = inspector_icc(*score_aggregates(list(x)))
    assert res.icc == pytest.approx(0.17, abs=0.005)
    ref = stats.f_oneway(*x)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=RTOL)
    assert res.n0 == 4.0
    # ICC(1) from its ANOVA: (F - 1) / (F + n0 - 1)
    f = ref.statistic
    np.testing.assert_allclose(res.icc, (f - 1) / (f + 4 - 1), rtol=RTOL)


def test_icc_unbalanced_matches_anova():
    rng = np.random.default_rng(8)
    offices = [70 + 10 * rng.normal() + 5 * rng.normal(size=int(m)) for m in rng.integers(1, 6, 30)]
    res = inspector_icc(*score_aggregates(offices))
    used = [o for o in offices if len(o) >= 2]
    ref = stats.f_oneway(*used)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    big_n = sum(len(o) for o in used)
    n0 = (big_n - sum(len(o) ** 2 for o in used) / big_n) / (len(used) - 1)
    np.testing.assert_allclose(res.n0, n0, rtol=RTOL)
    np.testing.assert_allclose(res.icc, (ref.statistic - 1) / (ref.statistic + n0 - 1), rtol=RTOL)
    assert res.n_offices == len(used)


def test_icc_too_few_offices():
    res = inspector_icc([3, 1, 0], [240.0, 80.0, 0.0], [19250.0, 6400.0, 0.0])
    assert math.isnan(res.icc) and res.note is not None


def test_anova_icc_elementwise_and_undefined():
    ssb, ssw = np.array([12.0, 0.0, 3.0]), np.array([30.0, 0.0, 40.0])
    k, n_total, sum_n_sq = np.array([4, 4, 5]), np.array([20, 20, 30]), np.array([100, 100, 200])
    est = anova_icc(ssb, ssw, k, n_total, sum_n_sq)
    for i in range(3):
        one = anova_icc(
            float(ssb[i]), float(ssw[i]), int(k[i]), int(n_total[i]), float(sum_n_sq[i])
        )
        np.testing.assert_array_equal([one.icc, one.n0], [est.icc[i], est.n0[i]])
    msb, msw, n0 = 12.0 / 3, 30.0 / 16, (20 - 100 / 20) / 3
    np.testing.assert_allclose(est.icc[0], (msb - msw) / (msb + (n0 - 1) * msw), rtol=RTOL)
    assert np.isnan(est.icc[1])  # no variation at all
    assert anova_icc(0.0, 0.0, 4, 20, 100.0, undefined=0.0).icc == 0.0
