"""Reference computations that the count-based analysis tests check against.

The analysis modules compute everything from count tables and SQL sums; the tests check them
against NumPy / SciPy on the raw answers those aggregates stand for.  The expansion back to raw
answers, the tables every count-based statistic is tried on, and the tolerance live here so
the test modules of descriptive statistics, omnibus and pairwise tests, change and
reliability agree on them.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

RTOL = 1e-9
LEVELS = np.arange(1, 6, dtype=float)


def expand_row(row, values=None):
    """Raw answers behind one count row (level values default to ``1..L``)."""
    row = np.asarray(row)
    values = np.arange(1, row.shape[-1] + 1) if values is None else values
    return np.repeat(np.asarray(values, dtype=float), row)


def expand_table(table, values=None):
    """Raw answers per office (only offices with answers), as SciPy wants them."""
    return [expand_row(row, values) for row in np.asarray(table) if row.sum() > 0]


def random_table(seed, k=8, n_levels=5, high=40):
    rng = np.random.default_rng(seed)
    return rng.integers(0, high, size=(k, n_levels))


# Tables every count-based statistic is checked on: random, heavy ties (few levels used),
# an office with a single answer, an office with no answers, two offices only, uneven sizes.
TABLES = {
    "random": random_table(1),
    "random_wide": random_table(2, k=15, n_levels=7, high=12),
    "ties": np.array([[0, 0, 30, 30, 0], [0, 0, 10, 50, 0], [0, 0, 45, 15, 0]]),
    "single_answer": np.vstack([random_table(3, k=4), [[0, 0, 0, 1, 0]]]),
    "empty_office": np.vstack([random_table(4, k=4), [[0, 0, 0, 0, 0]]]),
    "two_offices": np.array([[3, 5, 9, 20, 13], [8, 9, 12, 11, 4]]),
    "uneven": np.array([[0, 1, 2, 300, 800], [1, 0, 0, 3, 2], [40, 30, 20, 10, 5]]),
}



def close(actual, desired):
    np.testing.assert_allclose(actual, desired, rtol=RTOL, atol=0)


def scipy_wilson(x, n, confidence=0.95):
    ci = stats.binomtest(int(x), int(n)).proportion_ci(confidence, method="wilson")
    return ci.low, ci.high


def score_aggregates(score_lists):
    """What SQL returns per office for inspection scores: COUNT, SUM(score), SUM(score^2)."""
    n = np.array([len(s) for s in score_lists])
    total = np.array([float(np.sum(s)) for s in score_lists])
    total_sq = np.array([float(np.sum(np.square(s))) for s in score_lists])
    return n, total, total_sq
