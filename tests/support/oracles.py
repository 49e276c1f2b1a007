"""Independent implementations the statistics are checked against (test oracles only)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest


def pingouin_icc2(x: np.ndarray):
    """pingouin's ICC(2,1) row (two-way random, absolute agreement) for a targets x raters table."""
    pingouin = pytest.importorskip("pingouin")
    n, k = x.shape
    long = pd.DataFrame({"target": np.repeat(np.arange(n), k), "rater": np.tile(np.arange(k), n),
                         "score": x.ravel()})
    with warnings.catch_warnings():   # the oracle's own use of a deprecated pandas keyword
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", getattr(pd.errors, "Pandas4Warning", DeprecationWarning))
        warnings.simplefilter("ignore", RuntimeWarning)   # its half interval beside a negative ICC
        table = pingouin.intraclass_corr(long, targets="target", raters="rater", ratings="score")
    table = table.set_index("Type")
    return table.loc["ICC(A,1)" if "ICC(A,1)" in table.index else "ICC2"]   # renamed in pingouin 0.7
