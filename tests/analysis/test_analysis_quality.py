"""Data-quality flags: exact small cases, simulated honest regions, stuffing and covered buttons.

The honest simulations follow the demo data (webapp/demo/data.py): each office has its own quality,
each citizen one latent impression, each item that impression plus noise, rounded to 1..5, and
4% of answers left blank.  Submission times come from one tablet serving one citizen at a time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.quality import (
    OUTLIER_Z,
    BurstsResult,
    NegativeAnswersResult,
    RepeatedPatternsResult,
    bursts,
    no_negative_answers,
    repeated_patterns,
)

RTOL = 1e-9
K_ITEMS = 8


# ---------------------------------------------------------------------------------------------
# simulated data
# ---------------------------------------------------------------------------------------------


def answers(rng, n, mean, *, person=0.6, noise=0.5, na=0.04, low=1):
    """``n`` x 8 answers (0 = no answer) from one latent impression per citizen."""
    latent = mean + rng.normal(0, person, size=n)
    x = np.clip(np.rint(latent[:, None] + rng.normal(0, noise, size=(n, K_ITEMS))), low, 5)
    return np.where(rng.random(x.shape) < na, 0, x).astype(int)


def region(seed, k=20, *, centre=4.25, spread=(-0.45, 0.5), nrange=(150, 600), **kw):
    """Answers of ``k`` honest offices; office quality uniform in ``spread`` (demo: 4.25 +
    0.8 * U(-0.45, 0.5), about 95% satisfied)."""
    rng = np.random.default_rng(seed)
    quality = rng.uniform(*spread, size=k)
    sizes = rng.integers(*nrange, size=k)
    return rng, [answers(rng, sizes[i], centre + 0.8 * quality[i], **kw) for i in range(k)]


def item_table(offices, item=K_ITEMS - 1):
    """Office x level counts of one item (the last one, 整體滿意度), blanks left out."""
    return np.array([np.bincount(a[:, item], minlength=6)[1:] for a in offices])


def lowest_table(offices):
    """Office x level counts of each submission's lowest answer (SQL: MIN(value))."""
    rows = []
    for a in offices:
        low = np.where(a == 0, 9, a).min(axis=1)
        rows.append(np.bincount(low[low <= 5], minlength=6)[1:])
    return np.array(rows)


def pattern_counts(a):
    return Counter(tuple(None if v == 0 else int(v) for v in row) for row in a)


def marginals(a):
    """k x 6: counts of 1..5 per item, then no answer."""
    return np.array([np.bincount(np.where(col == 0, 6, col), minlength=7)[1:] for col in a.T])


def screen_patterns(offices, names=None, **kw):
    """What the report does: each office against all the others."""
    pcs = [pattern_counts(a) for a in offices]
    tops = np.array([pc.most_common(1)[0][1] for pc in pcs])
    sizes = np.array([a.shape[0] for a in offices])
    return [
        repeated_patterns(
            pcs[i], marginals(a), int(sizes[i]), reference_top_counts=np.delete(tops, i),
            reference_n=np.delete(sizes, i), name=names[i] if names else "", **kw,
        )
        for i, a in enumerate(offices)
    ]


def stuffed(rng, n_honest, n_fake, pattern=(5,) * K_ITEMS):
    honest = answers(rng, n_honest, 4.25)
    fake = np.tile(np.array(pattern), (n_fake, 1))
    return np.vstack([honest, fake])


def covered(rng, n, mean=3.85, person=0.7):
    """An office whose tablet shows no negative buttons: unhappy citizens end up at 普通."""
    return answers(rng, n, mean, person=person, low=3)


OPEN_MINUTES = 9 * 60


def kiosk_times(rng, days, per_day):
    """Submission times (minutes from the first opening) of one tablet.

    Citizens arrive as a Poisson process whose rate has a morning peak, a lunch dip and an
    afternoon peak, busier Mondays and day-to-day variation.  One citizen at a time: a survey
    takes 36 s plus a gamma-distributed time (mean about 1.4 minutes), and a citizen who
    would have to wait more than 2 minutes leaves.
    """
    grid = np.arange(OPEN_MINUTES) / 60.0
    shape = (
        1.0 + 0.8 * np.exp(-(((grid - 1.5) / 1.0) ** 2)) + 0.5 * np.exp(-(((grid - 7) / 1.0) ** 2))
        - 0.5 * np.exp(-(((grid - 4.5) / 0.6) ** 2))
    )
    shape /= shape.sum()
    times = []
    for d in range(days):
        expected = per_day * (1.4 if d % 5 == 0 else 1.0) * rng.gamma(8, 1 / 8)
        per_minute = rng.poisson(expected * shape)
        arrivals = np.repeat(np.arange(OPEN_MINUTES), per_minute) + rng.random(per_minute.sum())
        free = 0.0
        for a in np.sort(arrivals):
            start = max(a, free)
            if start - a > 2.0:
                continue
            free = start + 0.6 + rng.gamma(2.0, 0.4)
            if free < OPEN_MINUTES:
                times.append(d * OPEN_MINUTES + free)
    return np.array(times)


def window_counts(times, days, minutes):
    m = int(days * OPEN_MINUTES / minutes)
    return np.bincount((np.asarray(times) // minutes).astype(int), minlength=m)[:m]


# ---------------------------------------------------------------------------------------------
# 1. no negative answers: exact small cases
# ---------------------------------------------------------------------------------------------


SMALL = np.array([[0, 0, 10, 20, 30], [5, 5, 20, 30, 40], [10, 0, 30, 30, 30]])


def test_binomial_is_one_minus_p_to_the_n():
    res = no_negative_answers(SMALL, model="binomial", min_n=10)
    o = res.offices[0]
    # the other two offices: 10 + 10 negative answers out of 100 + 100
    assert o.reference_rate == pytest.approx(0.1, rel=RTOL)
    assert o.probability == pytest.approx(0.9**60, rel=RTOL)
    assert o.probability_binomial == pytest.approx(0.9**60, rel=RTOL)
    assert o.expected_negative == pytest.approx(6.0, rel=RTOL)
    assert res.n_tested == 3
    assert res.threshold == pytest.approx(0.001 / 3, rel=RTOL)
    assert o.probability_adjusted == pytest.approx(3 * 0.9**60, rel=RTOL)
    assert o.rho == 0.0
    assert not o.flagged and o.reason is None  # 0.0054 after adjustment
    # offices 1 and 2: 10 negatives each, reference (0 + 10) / 160
    for o in res.offices[1:]:
        assert o.reference_rate == pytest.approx(10 / 160, rel=RTOL)
        assert o.probability == pytest.approx(stats.binom.cdf(10, 100, 10 / 160), rel=RTOL)
        assert not o.flagged


def test_flag_and_reason():
    res = no_negative_answers(
        SMALL, model="binomial", min_n=10, alpha=0.01, names=["大安", "信義", "松山"]
    )
    o = res.offices[0]
    assert o.flagged and res.flagged == (o,)
    assert o.reason.startswith("大安：n = 60 卻沒有任何非常不滿意或不滿意的回答")
    assert "10.0%" in o.reason and "0.0018" in o.reason and "3 個受檢單位" in o.reason
    assert o.note is None


def test_beta_binomial_exact_small_case():
    # Reference offices: 0/100 and 20/100 negative.  One-way ANOVA on the 0/1 answers:
    # MSB = 2, MSW = 16/198, n0 = 100, so rho = (2 - 8/99) / (2 + 8) = 19/99; with mean 0.1
    # the beta has a = 0.1 (1 - rho) / rho = 8/19 and b = 72/19.
    table = np.array([[0, 0, 30, 40, 30], [10, 10, 30, 30, 20], [0, 0, 10, 20, 30]])
    o = no_negative_answers(table, min_n=10).offices[2]
    assert o.rho == pytest.approx(19 / 99, rel=RTOL)
    a, b = 8 / 19, 72 / 19
    # P(X = 0) = B(a, b + n) / B(a, b) = prod_{i < n} (b + i) / (a + b + i)
    exact = math.prod((b + i) / (a + b + i) for i in range(60))
    assert o.probability == pytest.approx(exact, rel=RTOL)
    assert o.probability_binomial == pytest.approx(0.9**60, rel=RTOL)
    assert o.probability > 100 * o.probability_binomial  # the spread makes zero plausible


def test_equal_rates_give_the_binomial():
    table = np.array([[5, 5, 30, 30, 30], [10, 10, 60, 60, 60], [0, 0, 20, 20, 20]])
    o = no_negative_answers(table, min_n=10).offices[2]
    assert o.rho == 0.0
    assert o.probability == pytest.approx(0.9**60, rel=RTOL)


def direct_rho(groups):
    """Textbook one-way ANOVA intraclass correlation on raw 0/1 answers."""
    groups = [g for g in groups if g.size]
    k = len(groups)
    n = np.array([g.size for g in groups], dtype=float)
    big_n = n.sum()
    grand = np.concatenate(groups).mean()
    msb = sum(g.size * (g.mean() - grand) ** 2 for g in groups) / (k - 1)
    msw = sum(((g - g.mean()) ** 2).sum() for g in groups) / (big_n - k)
    n0 = (big_n - (n**2).sum() / big_n) / (k - 1)
    denom = msb + (n0 - 1) * msw
    return 0.0 if denom <= 0 else min(max((msb - msw) / denom, 0.0), 0.999)


@pytest.mark.parametrize("seed", range(4))
def test_rho_matches_raw_anova(seed):
    rng = np.random.default_rng(seed)
    table = rng.integers(0, 30, size=(7, 5))
    table[3] = 0  # an office without answers takes no part
    res = no_negative_answers(table, min_n=1)
    neg = table[:, :2].sum(axis=1)
    n = table.sum(axis=1)
    for i, o in enumerate(res.offices):
        others = [
            np.r_[np.ones(neg[j]), np.zeros(n[j] - neg[j])] for j in range(7) if j != i
        ]
        assert o.rho == pytest.approx(direct_rho(others), rel=1e-9, abs=1e-12)
        assert o.reference_rate == pytest.approx(np.concatenate(others).mean(), rel=RTOL)


def test_base_levels_and_max_negative():
    table = np.array([[1, 1, 30, 30, 38], [2, 2, 16, 40, 40], [1, 0, 40, 30, 29], [0, 1, 60, 20, 19]])
    res = no_negative_answers(table, base_levels=3, max_negative=1, model="binomial", min_n=10)
    o = res.offices[3]
    # base: answers at 普通 or lower; reference rate among them (2 + 4 + 1) / (32 + 20 + 41)
    assert o.base == 61 and o.negative == 1
    assert o.reference_rate == pytest.approx(7 / 93, rel=RTOL)
    assert o.probability == pytest.approx(stats.binom.cdf(1, 61, 7 / 93), rel=RTOL)
    assert res.base_levels == 3 and res.max_negative == 1
    default = no_negative_answers(table, base_levels=3, model="binomial", min_n=10)
    assert not default.offices[3].flagged  # one negative is not "none"


# ---------------------------------------------------------------------------------------------
# 1. no negative answers: scenarios
# ---------------------------------------------------------------------------------------------


def covered_region(seed):
    """Twenty similar offices with about 6% negative answers, plus one covered office."""
    rng, offices = region(seed, centre=3.85, spread=(-0.15, 0.15), person=0.7)
    return offices + [covered(rng, 430)]


@pytest.mark.parametrize("seed", range(4))
def test_covered_buttons_are_flagged(seed):
    offices = covered_region(seed)
    names = [f"office{i}" for i in range(20)] + ["大安"]
    table = item_table(offices)
    assert 0.05 < table[:20, :2].sum() / table[:20].sum() < 0.07
    res = no_negative_answers(table, names=names)
    assert [o.name for o in res.flagged] == ["大安"]
    o = res.flagged[0]
    assert o.negative == 0 and o.n > 380
    assert o.probability < res.threshold and o.probability_binomial < 1e-9
    assert o.reason.startswith(f"大安：n = {o.n} 卻沒有任何非常不滿意或不滿意的回答")
    assert "ICC" in o.reason and "21 個受檢單位" in o.reason
    # the recommended input and base are far more decisive
    strong = no_negative_answers(lowest_table(offices), base_levels=3, names=names)
    assert [o.name for o in strong.flagged] == ["大安"]
    assert strong.flagged[0].probability < o.probability


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "setting",
    [
        dict(),  # demo-like: about 95% satisfied, offices differ
        dict(centre=3.85, spread=(-0.15, 0.15), person=0.7),  # about 6% negative, similar
        dict(centre=3.9, person=0.8),  # about 7% negative, offices differ
        dict(centre=4.5, person=0.5),  # about 98% satisfied
    ],
)
def test_honest_regions_are_not_flagged(seed, setting):
    _, offices = region(100 + seed, **setting)
    for table in (item_table(offices), lowest_table(offices)):
        for base in (None, 3):
            res = no_negative_answers(table, base_levels=base)
            assert res.flagged == ()
            assert res.n_tested == 20


def test_naive_binomial_flags_an_excellent_honest_office():
    # Why the default is the beta-binomial: at 98% satisfaction with offices that differ, the
    # best office has almost no unhappy citizens, and the binomial calls that implausible.
    hits = 0
    for seed in range(12):
        _, offices = region(seed, centre=4.5, person=0.5)
        table = lowest_table(offices)
        naive = no_negative_answers(table, model="binomial")
        assert no_negative_answers(table).flagged == ()
        hits += bool(naive.flagged)
    assert hits >= 1


def test_partly_covered_office_with_max_negative():
    offices = covered_region(7)
    extra = answers(np.random.default_rng(5), 1, 1.0)  # one citizen who found a way
    offices[-1] = np.vstack([offices[-1], extra])
    table = lowest_table(offices)
    assert table[-1, :2].sum() == 1
    assert no_negative_answers(table, base_levels=3).flagged == ()
    res = no_negative_answers(table, base_levels=3, max_negative=1)
    assert [o.index for o in res.flagged] == [20]
    assert "只有 1 筆" in res.flagged[0].reason


# ---------------------------------------------------------------------------------------------
# 1. no negative answers: edge cases and validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("empty", [[], np.zeros((0, 5), dtype=int)])
def test_no_offices(empty):
    res = no_negative_answers(empty)
    assert isinstance(res, NegativeAnswersResult)
    assert res.offices == () and res.flagged == () and res.n_tested == 0
    assert math.isnan(res.threshold)


def test_offices_without_answers_and_too_few_references():
    res = no_negative_answers(np.zeros((3, 5), dtype=int))
    assert [o.note for o in res.offices] == ["沒有回答"] * 3
    assert all(not o.tested and math.isnan(o.probability) for o in res.offices)
    two = np.array([[0, 0, 30, 30, 40], [5, 5, 30, 30, 30]])
    bb = no_negative_answers(two, min_n=10)
    assert bb.n_tested == 0 and "只有 1 個" in bb.offices[0].note
    binomial = no_negative_answers(two, min_n=10, model="binomial")
    assert binomial.offices[0].probability == pytest.approx(0.9**100, rel=RTOL)
    one = no_negative_answers([[0, 0, 30, 30, 40]], min_n=10, model="binomial")
    assert one.offices[0].note == "其他單位沒有回答，無從比較"
    small = no_negative_answers(SMALL, min_n=61)
    assert small.offices[0].note == "回答數 60 少於 61，不檢定"


def test_no_negatives_anywhere_is_not_evidence():
    res = no_negative_answers([[0, 0, 10, 40, 50]] * 4, model="binomial")
    assert all(o.probability == 1.0 and not o.flagged for o in res.offices)


@pytest.mark.parametrize(
    "counts, kwargs",
    [
        ([1, 2, 3, 4, 5], {}),
        ([[[1, 2, 3, 4, 5]]], {}),
        ([[1, 2, -3, 4, 5]], {}),
        ([[1, 2, 3.5, 4, 5]], {}),
        ([[1, 2, np.nan, 4, 5]], {}),
        ([["a", "b"]], {}),
        ([[5]], {}),
        (SMALL, {"negative_levels": 0}),
        (SMALL, {"negative_levels": 5}),
        (SMALL, {"negative_levels": 2.0}),
        (SMALL, {"base_levels": 2}),
        (SMALL, {"base_levels": 6}),
        (SMALL, {"alpha": 0}),
        (SMALL, {"alpha": 1}),
        (SMALL, {"alpha": True}),
        (SMALL, {"alpha": "0.01"}),
        (SMALL, {"min_n": 0}),
        (SMALL, {"max_negative": -1}),
        (SMALL, {"model": "poisson"}),
        (SMALL, {"names": ["a", "b"]}),
        (SMALL, {"names": "abc"}),
    ],
)
def test_no_negative_answers_rejects_bad_input(counts, kwargs):
    with pytest.raises(ValueError):
        no_negative_answers(counts, **kwargs)


count_tables = st.integers(1, 8).flatmap(
    lambda k: st.lists(
        st.lists(st.integers(0, 400), min_size=5, max_size=5), min_size=k, max_size=k
    )
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    table=count_tables,
    model=st.sampled_from(["beta-binomial", "binomial"]),
    base=st.sampled_from([None, 3, 4]),
    max_negative=st.integers(0, 3),
)
def test_no_negative_answers_properties(table, model, base, max_negative):
    res = no_negative_answers(
        table, model=model, base_levels=base, max_negative=max_negative, min_n=1
    )
    assert len(res.offices) == len(table)
    for o in res.offices:
        if o.tested:
            assert 0.0 <= o.probability <= 1.0 and 0.0 <= o.probability_binomial <= 1.0
            assert o.probability_adjusted >= o.probability
        else:
            assert math.isnan(o.probability) and o.note
        if o.flagged:
            assert o.tested and o.negative <= max_negative and o.reason
        else:
            assert o.reason is None


# ---------------------------------------------------------------------------------------------
# 2. bursts
# ---------------------------------------------------------------------------------------------


def poisson_tail(k, mu):
    """P(X >= k) for Poisson(mu), summed term by term (no cancellation)."""
    return sum(math.exp(-mu) * mu**j / math.factorial(j) for j in range(k, k + 80))


def test_bursts_exact_small_case():
    counts = [1] * 20 + [0] * 20 + [12]
    res = bursts(counts, window_minutes=5, name="大安 櫃檯平板 1")
    assert isinstance(res, BurstsResult)
    # the mean of the non-empty windows is 32 / 21 at first; the 12 is flagged at that rate,
    # left out, and the rate becomes 1 (the 20 windows with one submission)
    assert res.rate == 1.0 and res.rate_windows == 20
    assert res.n_windows == 41 and res.total == 32
    assert res.max_count == 12 and res.max_index == 40 and res.max_label == "第 41 個時段"
    assert res.threshold == pytest.approx(0.001 / 41, rel=RTOL)
    (w,) = res.windows
    assert (w.index, w.count, w.expected) == (40, 12, 1.0)
    assert w.per_minute == pytest.approx(2.4)
    assert w.pvalue == pytest.approx(poisson_tail(12, 1.0), rel=1e-9)
    assert w.pvalue_adjusted == pytest.approx(41 * poisson_tail(12, 1.0), rel=1e-9)
    assert w.improbable and not w.implausible_rate
    assert w.reason.startswith("大安 櫃檯平板 1：第 41 個時段（5 分鐘）送出 12 份（每分鐘 2.4 份）")
    assert "8.3e-10" in w.reason and "41 個時段" in w.reason
    # smallest count flagged at rate 1: P(X >= 8) = 1.0e-5 < 0.001/41 <= P(X >= 7) = 8.3e-5
    assert poisson_tail(8, 1.0) < res.threshold <= poisson_tail(7, 1.0)
    assert res.limit_count == 8
    assert res.flagged


def test_flagged_windows_leave_the_rate():
    # At the first-pass rate only the 20 is improbable; without it the rate drops and the
    # three 11s are improbable too; without them the rate is that of the honest windows.
    counts = [1] * 30 + [0] * 60 + [20] + [11] * 3
    m = len(counts)
    first = (30 + 20 + 33) / 34
    assert m * poisson_tail(20, first) < 0.001 < m * poisson_tail(11, first)
    second = (30 + 33) / 33
    assert m * poisson_tail(11, second) < 0.001
    res = bursts(counts, window_minutes=5)
    assert res.rate == 1.0 and res.rate_windows == 30
    assert [w.index for w in res.windows] == [90, 91, 92, 93]
    assert all(w.expected == 1.0 for w in res.windows)


def test_stuffing_most_of_a_quiet_tablet_needs_longer_windows():
    # Documented limitation: stuffing below the physical limit that makes up most of a
    # tablet's busy windows raises the rate it is judged by.  Hourly windows catch it.
    counts5 = [1] * 30 + [0] * 60 + [13] * 6
    assert bursts(counts5, window_minutes=5).windows == ()
    hourly = [sum(counts5[i : i + 12]) for i in range(0, len(counts5), 12)]
    assert hourly[-1] >= 78
    res = bursts(hourly, window_minutes=60)
    assert [w.index for w in res.windows] == [len(hourly) - 1]


def test_physical_rule():
    res = bursts([1, 0, 15, 16, 2], window_minutes=5, min_count=100)
    assert [w.index for w in res.windows] == [3]  # more than 3 a minute; 15 is exactly 3
    w = res.windows[0]
    assert w.implausible_rate and not w.improbable
    assert res.physical_limit == 15.0
    assert "超過每分鐘 3 份的合理上限（每份問卷至少約 20 秒）" in w.reason
    # physically flagged windows do not enter the rate: (1 + 15 + 2) / 3
    assert res.rate == pytest.approx(6.0)
    one_minute = bursts([1, 0, 3, 4, 1, 0], window_minutes=1, max_per_minute=3)
    assert [w.index for w in one_minute.windows] == [3]
    off = bursts([1, 0, 15, 16, 2], window_minutes=5, min_count=100, max_per_minute=None)
    assert off.windows == () and off.physical_limit is None


def test_min_count():
    counts = [1] * 100 + [0] * 100 + [9]
    assert [w.index for w in bursts(counts, window_minutes=5, min_count=9).windows] == [200]
    assert bursts(counts, window_minutes=5, min_count=10).windows == ()


def test_labels_in_reason():
    labels = [f"2025-08-04 {9 + i // 12:02d}:{5 * (i % 12):02d}" for i in range(24)]
    counts = [0, 1, 2, 1, 0, 0, 1, 1, 2, 1, 0, 1, 30, 1, 0, 1, 1, 0, 2, 1, 0, 0, 1, 1]
    res = bursts(counts, window_minutes=5, labels=labels)
    assert res.max_label == "2025-08-04 10:00"
    (w,) = res.windows
    assert w.label == "2025-08-04 10:00" and w.improbable and w.implausible_rate
    assert w.reason.startswith("2025-08-04 10:00 起 5 分鐘內送出 30 份（每分鐘 6.0 份）")


@pytest.mark.parametrize("per_day", [5, 25, 80, 200])
@pytest.mark.parametrize("seed", range(3))
def test_honest_tablets_are_not_flagged(per_day, seed):
    days = 60
    times = kiosk_times(np.random.default_rng(seed), days, per_day)
    for minutes in (1, 5, 15, 60):
        res = bursts(window_counts(times, days, minutes), window_minutes=minutes)
        assert res.windows == (), (minutes, res.windows[:2])
        assert res.total == times.size


@pytest.mark.parametrize("per_day", [5, 80])
def test_fast_stuffing_is_flagged(per_day):
    days = 60
    honest = kiosk_times(np.random.default_rng(42), days, per_day)
    start = 20 * OPEN_MINUTES + 200.0  # day 20, 11:20
    fast = start + np.arange(40) * 0.25  # 40 surveys in 10 minutes
    res = bursts(window_counts(np.r_[honest, fast], days, 5), window_minutes=5)
    first = int(start // 5)
    assert [w.index for w in res.windows] == [first, first + 1]
    assert all(w.implausible_rate and w.improbable for w in res.windows)
    assert res.max_index == first or res.max_index == first + 1
    assert res.max_count >= 20
    one_minute = bursts(window_counts(np.r_[honest, fast], days, 1), window_minutes=1)
    assert len(one_minute.windows) == 10 and all(w.implausible_rate for w in one_minute.windows)


def test_slow_stuffing_at_a_quiet_tablet_is_flagged_hourly():
    days = 60
    honest = kiosk_times(np.random.default_rng(43), days, 5)
    start = 30 * OPEN_MINUTES + 60.0  # day 30, 09:00
    slow = start + np.arange(72) * 5.0  # one every five minutes for six hours
    res = bursts(window_counts(np.r_[honest, slow], days, 60), window_minutes=60)
    flagged = [w.index for w in res.windows]
    assert flagged == list(range(30 * 9 + 1, 30 * 9 + 7))
    assert all(w.improbable and not w.implausible_rate for w in res.windows)
    # nothing in it is fast
    assert bursts(window_counts(np.r_[honest, slow], days, 1), window_minutes=1).windows == ()


@pytest.mark.parametrize("empty", [[], np.zeros(0, dtype=int)])
def test_bursts_without_windows(empty):
    res = bursts(empty, window_minutes=5)
    assert res.n_windows == 0 and res.windows == () and res.max_index is None
    assert math.isnan(res.rate) and res.limit_count is None and not res.flagged


def test_bursts_without_submissions():
    res = bursts([0] * 50, window_minutes=5)
    assert res.total == 0 and res.max_count == 0 and res.max_index is None
    assert math.isnan(res.rate) and res.rate_windows == 0 and res.windows == ()
    only_stuffing = bursts([0, 40, 0], window_minutes=5)
    assert math.isnan(only_stuffing.rate)
    (w,) = only_stuffing.windows
    assert w.implausible_rate and not w.improbable and math.isnan(w.pvalue)


@pytest.mark.parametrize(
    "counts, kwargs",
    [
        ([[1, 2], [3, 4]], {}),
        ([1, -2, 3], {}),
        ([1, 2.5, 3], {}),
        ([1, np.inf], {}),
        ([1, 2, 3], {"window_minutes": 0}),
        ([1, 2, 3], {"window_minutes": -5}),
        ([1, 2, 3], {"window_minutes": float("nan")}),
        ([1, 2, 3], {"window_minutes": True}),
        ([1, 2, 3], {"min_count": 0}),
        ([1, 2, 3], {"min_count": 2.5}),
        ([1, 2, 3], {"alpha": 1.5}),
        ([1, 2, 3], {"max_per_minute": 0}),
        ([1, 2, 3], {"labels": ["a"]}),
        ([1, 2, 3], {"labels": "abc"}),
    ],
)
def test_bursts_rejects_bad_input(counts, kwargs):
    kwargs = {"window_minutes": 5, **kwargs}
    with pytest.raises(ValueError):
        bursts(counts, **kwargs)


@settings(max_examples=150, deadline=None, database=None)
@given(
    counts=st.lists(st.integers(0, 60), min_size=0, max_size=200),
    minutes=st.sampled_from([1, 5, 7.5, 60]),
    min_count=st.integers(1, 10),
    limit=st.sampled_from([None, 1.0, 3.0]),
)
def test_bursts_properties(counts, minutes, min_count, limit):
    res = bursts(counts, window_minutes=minutes, min_count=min_count, max_per_minute=limit)
    assert res.total == sum(counts) and res.n_windows == len(counts)
    if counts and sum(counts):
        assert res.max_count == max(counts) and counts[res.max_index] == max(counts)
    for w in res.windows:
        assert w.count == counts[w.index] and w.reason
        assert w.improbable or w.implausible_rate
        if w.improbable:
            assert w.count >= min_count and w.pvalue_adjusted < 0.001
        if w.implausible_rate:
            assert w.per_minute > limit
    if not math.isnan(res.rate):
        assert res.rate >= 1.0  # a mean of non-empty windows
        assert res.limit_count >= min_count


# ---------------------------------------------------------------------------------------------
# 3. repeated patterns
# ---------------------------------------------------------------------------------------------


def test_repeated_patterns_exact_small_case():
    # Two reference offices, so Student's t has 1 degree of freedom (Cauchy), whose upper
    # tail is 1/2 - atan(z)/pi.
    patterns = {(5, 5): 40, (4, 5): 20, (4, 4): 20, (3, None): 20}
    marg = np.array([[0, 0, 20, 40, 40, 0], [0, 0, 0, 20, 60, 20]])
    res = repeated_patterns(
        patterns, marg, 100, reference_top_counts=[9, 19], reference_n=[99, 99], name="大安"
    )
    assert isinstance(res, RepeatedPatternsResult)
    y = [math.log(9.5 / 90.5), math.log(19.5 / 80.5)]
    mu, sd = (y[0] + y[1]) / 2, abs(y[0] - y[1]) / math.sqrt(2)
    share = 1 / (1 + math.exp(-mu))
    own = math.sqrt(1 / (100 * share + 0.5) + 1 / (100 * (1 - share) + 0.5))
    scale = max(sd * math.sqrt(1.5), own)
    assert res.reference_share == pytest.approx(share, rel=RTOL)
    assert res.reference_logit_sd == pytest.approx(sd, rel=RTOL)
    assert res.reference_max_share == pytest.approx(19 / 99, rel=RTOL)
    assert (res.reference_offices, res.excluded_offices, res.n_tests) == (2, 0, 3)
    assert res.n_distinct == 4 and res.tested
    first = res.patterns[0]
    assert first.pattern == (5, 5) and first.count == 40 and first.share == 0.4
    z = (math.log(40.5 / 60.5) - mu) / scale
    assert first.z == pytest.approx(z, rel=RTOL)
    assert first.pvalue == pytest.approx(0.5 - math.atan(z) / math.pi, rel=1e-9)
    assert first.pvalue_adjusted == pytest.approx(min(1.0, 15 * first.pvalue), rel=RTOL)
    binom = sum(math.comb(100, k) * share**k * (1 - share) ** (100 - k) for k in range(40, 101))
    assert first.pvalue_binomial == pytest.approx(binom, rel=1e-9)
    # independence: 100 * P(item 1 = 5) * P(item 2 = 5) = 100 * 0.4 * 0.6
    assert first.expected_independent == pytest.approx(24.0, rel=RTOL)
    # ties in count are ordered by pattern, blanks first
    assert [p.pattern for p in res.patterns] == [(5, 5), (3, None), (4, 4), (4, 5)]
    assert res.patterns[1].expected_independent == pytest.approx(100 * 0.2 * 0.2, rel=RTOL)
    assert not res.flagged  # two references say little


def test_top_limits_the_patterns():
    patterns = {(5, 5): 40, (4, 5): 30, (4, 4): 20}
    marg = np.array([[0, 0, 0, 50, 40, 10], [0, 0, 0, 20, 70, 10]])
    res = repeated_patterns(
        patterns, marg, 100, reference_top_counts=[9, 19, 12], reference_n=[99, 99, 80], top=2
    )
    assert [p.pattern for p in res.patterns] == [(5, 5), (4, 5)]
    assert res.threshold == pytest.approx(0.001 / (4 * 2), rel=RTOL)


@pytest.mark.parametrize("seed", range(4))
def test_ninety_percent_identical_is_flagged(seed):
    rng, offices = region(seed)
    offices.append(stuffed(rng, 30, 270))
    names = [f"office{i}" for i in range(20)] + ["大安"]
    results = screen_patterns(offices, names)
    assert [r.name for r in results if r.flagged] == ["大安"]
    r = results[20]
    top = r.patterns[0]
    assert top.flagged and top.pattern == (5,) * K_ITEMS and top.count >= 270
    assert r.n_tests == 21 and r.reference_offices == 20
    assert top.pvalue_adjusted < 0.001
    assert top.reason.startswith(f"大安：300 份中有 {top.count} 份")
    assert "8 題全選 5 非常滿意" in top.reason and "21 個單位 × 5 個樣式" in top.reason


def test_two_stuffed_offices_do_not_hide_each_other():
    rng, offices = region(3)
    offices += [stuffed(rng, 30, 270), stuffed(rng, 40, 300, pattern=(4,) * K_ITEMS)]
    results = screen_patterns(offices)
    assert [i for i, r in enumerate(results) if r.flagged] == [20, 21]
    assert results[20].excluded_offices == 1 and results[21].excluded_offices == 1
    assert results[21].patterns[0].pattern == (4,) * K_ITEMS
    assert OUTLIER_Z == 5.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "setting",
    [
        dict(),  # demo-like
        dict(centre=3.9),  # less satisfied
        dict(na=0.0, noise=0.3),  # no blanks, items agree closely: many straight-liners
        dict(na=0.01, noise=0.8),  # items agree loosely
    ],
)
def test_honest_offices_are_not_flagged(seed, setting):
    _, offices = region(200 + seed, **setting)
    results = screen_patterns(offices)
    assert not any(r.flagged for r in results)
    assert all(r.tested and r.n_tests == 20 for r in results)


def test_why_not_independence_or_the_binomial():
    _, offices = region(0, na=0.0, noise=0.3)
    results = screen_patterns(offices)
    best = max(results, key=lambda r: r.patterns[0].share)
    top = best.patterns[0]
    # real answers hang together: the top pattern is far more common than independence says
    assert top.count > 5 * top.expected_independent
    # and offices differ far more than binomial noise: the naive test would flag this office
    assert top.pvalue_binomial * best.n_tests * 5 < 0.001
    assert not top.flagged


def test_small_office_and_missing_reference():
    marg = np.array([[0, 0, 0, 0, 10, 0]] * 2)
    small = repeated_patterns(
        {(5, 5): 10}, marg, 10, reference_top_counts=[30, 40], reference_n=[300, 300]
    )
    assert not small.tested and small.note == "回答數 10 少於 30，不檢定"
    p = small.patterns[0]
    assert p.count == 10 and math.isnan(p.pvalue) and not p.flagged and p.reason is None
    marg = np.array([[0, 0, 0, 0, 100, 0]] * 2)
    alone = repeated_patterns(
        {(5, 5): 100}, marg, 100, reference_top_counts=[3, 30], reference_n=[10, 300]
    )
    assert not alone.tested and "不足 2 個" in alone.note
    assert alone.reference_offices == 1 and alone.n_tests == 2


@pytest.mark.parametrize(
    "marg", [np.zeros((K_ITEMS, 6), dtype=int), [], np.zeros((0, 6), dtype=int)]
)
def test_office_without_submissions(marg):
    res = repeated_patterns({}, marg, 0, reference_top_counts=[], reference_n=[])
    assert res.patterns == () and not res.tested and res.note == "沒有回答"
    assert math.isnan(res.reference_share) and not res.flagged


GOOD_MARG = np.array([[0, 0, 0, 40, 50, 10], [0, 0, 10, 40, 50, 0]])
GOOD_REF = {"reference_top_counts": [9, 19, 12], "reference_n": [99, 99, 80]}


@pytest.mark.parametrize(
    "patterns, marg, n, kwargs",
    [
        ({(5, 5): 10}, GOOD_MARG, 100, {"top": 0}),
        ({(5, 5): 10}, GOOD_MARG, 100, {"n_tests": 0}),
        ({(5, 5): 10}, GOOD_MARG, 100, {"min_n": 0}),
        ({(5, 5): 10}, GOOD_MARG, 100, {"alpha": 0.0}),
        ({(5, 5): 10}, GOOD_MARG, -1, {}),
        ({(5, 5): 10}, GOOD_MARG, 100.0, {}),
        ({(5, 5, 5): 10}, GOOD_MARG, 100, {}),  # wrong length
        ({(5, 6): 10}, GOOD_MARG, 100, {}),  # not a level
        ({(0, 5): 10}, GOOD_MARG, 100, {}),
        ({(True, 5): 10}, GOOD_MARG, 100, {}),
        ({(5.0, 5): 10}, GOOD_MARG, 100, {}),
        ({"55": 10}, GOOD_MARG, 100, {}),
        ({5: 10}, GOOD_MARG, 100, {}),
        ({("x", 5): 1}, GOOD_MARG, 100, {}),
        ({(5, 5): 10, (4, 5): 20}, GOOD_MARG, 100, {"alpha": -1}),
        ({(5, 5): -1}, GOOD_MARG, 100, {}),
        ({(5, 5): 1.5}, GOOD_MARG, 100, {}),
        ({(5, 5): 60, (4, 4): 41}, GOOD_MARG, 100, {}),  # more than n
        ({(3, 5): 1}, GOOD_MARG, 100, {}),  # item 0 has no 3s
        ({(None, 5): 11}, GOOD_MARG, 100, {}),  # only 10 blanks on item 0
        ({(5, 5): 10}, GOOD_MARG, 99, {}),  # marginals do not sum to n
        ({(5, 5): 10}, GOOD_MARG[:, :2], 100, {}),
        ({(5, 5): 10}, [1, 2, 3], 100, {}),
        ({(5, 5): 10}, [], 100, {}),
        ([((5, 5), 10)], GOOD_MARG, 100, {}),  # not a mapping
    ],
)
def test_repeated_patterns_rejects_bad_input(patterns, marg, n, kwargs):
    with pytest.raises(ValueError):
        repeated_patterns(patterns, marg, n, **{**GOOD_REF, **kwargs})


class Pairs(Mapping):
    """A mapping built from pairs, so that two keys can name the same pattern."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __getitem__(self, key):
        return next(c for p, c in self.pairs if p is key)

    def __iter__(self):
        return iter(p for p, _ in self.pairs)

    def __len__(self):
        return len(self.pairs)


def test_duplicate_patterns_are_rejected():
    patterns = Pairs([((5, 5), 10), ([np.int64(5), 5], 5)])
    with pytest.raises(ValueError, match="twice"):
        repeated_patterns(patterns, GOOD_MARG, 100, **GOOD_REF)


@pytest.mark.parametrize(
    "ref",
    [
        {"reference_top_counts": [1, 2], "reference_n": [10]},
        {"reference_top_counts": [11], "reference_n": [10]},
        {"reference_top_counts": [0], "reference_n": [10]},
        {"reference_top_counts": [[1]], "reference_n": [[10]]},
        {"reference_top_counts": [-1], "reference_n": [10]},
    ],
)
def test_bad_reference(ref):
    with pytest.raises(ValueError):
        repeated_patterns({(5, 5): 10}, GOOD_MARG, 100, **ref)


patterns_strategy = st.dictionaries(
    st.tuples(*[st.sampled_from([None, 1, 2, 3, 4, 5])] * 3), st.integers(0, 60), max_size=12
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    patterns=patterns_strategy,
    extra=st.integers(0, 50),
    ref=st.lists(st.tuples(st.integers(1, 300), st.integers(0, 300)), max_size=8),
    top=st.integers(1, 6),
)
def test_repeated_patterns_properties(patterns, extra, ref, top):
    n = sum(patterns.values()) + extra
    marg = np.zeros((3, 6), dtype=int)
    for pattern, count in patterns.items():
        for i, v in enumerate(pattern):
            marg[i, 5 if v is None else v - 1] += count
    marg[:, 5] += extra  # submissions outside the given patterns: blanks
    ref_n = [a + b for a, b in ref]
    ref_top = [a for a, _ in ref]
    res = repeated_patterns(
        patterns, marg, n, reference_top_counts=ref_top, reference_n=ref_n, top=top, min_n=1
    )
    assert len(res.patterns) == min(top, sum(1 for c in patterns.values() if c > 0))
    counts = [p.count for p in res.patterns]
    assert counts == sorted(counts, reverse=True)
    for p in res.patterns:
        assert p.count == patterns[p.pattern] and 0.0 < p.share <= 1.0
        assert 0.0 <= p.expected_independent <= n
        if res.tested:
            assert 0.0 <= p.pvalue <= 1.0 and 0.0 <= p.pvalue_binomial <= 1.0
        assert (p.reason is not None) == p.flagged
