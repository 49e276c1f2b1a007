"""Satisfaction by the options of a multiple-choice question ("which services did you use
today?"), from the counts of each combination of options chosen.

A citizen may choose several options, so the options' groups overlap and a chi-square test
across them (``breakdown.homogeneity``) would count people twice.  Each option is instead
compared with the respondents who answered the question without choosing it: a two-sided
pooled two-proportion z test per option (the uncorrected chi-square of its 2 x 2 table),
Holm-adjusted over the options tested, so "differs" is said only when it survives the number
of options looked at.  An option is judged with at least ``min_n`` choosers and ``min_n``
others, the office rule; below it the row shows its n and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from ..pairwise import adjust_pvalues
from .breakdown import group_rows
from .common import DEFAULT_MIN_N, clean

ALPHA = 0.05
NOTE = {
    "zh_TW": "可複選：一位民眾可選多個選項，各列會重疊；每個選項只和「作答但沒選它」的民眾比較，"
             "並以 Holm 法校正比較次數。",
    "en": "Several options may be chosen, so the rows overlap; each option is compared only with "
          "those who answered without choosing it, Holm-adjusted for the number of options.",
}


def chosen_counts(combinations: Mapping[int, tuple[int, int]], options: int
                  ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Per option ``(satisfied, answered)`` among those who chose it, and the totals of all who
    answered the question; ``combinations`` maps a stored bit pattern (bit 0 = first option)
    to ``(satisfied, answered)`` on the main item."""
    good, n = np.zeros(options, dtype=np.int64), np.zeros(options, dtype=np.int64)
    total_good = total_n = 0
    for bits, (satisfied, answered) in combinations.items():
        if not bits:
            continue
        total_good += satisfied
        total_n += answered
        for i in range(options):
            if bits >> i & 1:
                good[i] += satisfied
                n[i] += answered
    return good, n, total_good, total_n


def option_breakdown(by: str, groups: Sequence[tuple[str, str]],
                     combinations: Mapping[int, tuple[int, int]], *,
                     min_n: int = DEFAULT_MIN_N, locale: str = "zh_TW") -> dict:
    """One breakdown row per option (``groups``: ``(key, label)`` in the options' order, the
    bit of each its position), each with its rate among choosers and, when judged, how it
    compares with the others who answered."""
    good, n, total_good, total_n = chosen_counts(combinations, len(groups))
    other_good, other_n = total_good - good, total_n - n
    judged = (n >= min_n) & (other_n >= min_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate, other_rate = good / n, other_good / other_n
        pooled = total_good / total_n if total_n else np.nan
        se = np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / other_n))
        z = np.where(se > 0, (rate - other_rate) / se, 0.0)
    p = np.where(judged, 2 * stats.norm.sf(np.abs(z)), np.nan)
    adjusted = np.full(len(groups), np.nan)
    if judged.any():
        adjusted[judged] = adjust_pvalues(p[judged], "holm")

    def against_the_others(i: int) -> dict:
        return {"others_n": int(other_n[i]), "others_rate": clean(other_rate[i]),
                "difference": clean(rate[i] - other_rate[i]), "z": clean(z[i]), "p": clean(p[i]),
                "p_holm": clean(adjusted[i]), "differs": bool(adjusted[i] < ALPHA)}

    rows = group_rows(groups, good, n, judged, against_the_others)
    return {"by": by, "rows": rows, "min_n": min_n, "several": True, "answered": int(total_n),
            "note": NOTE["en" if locale.startswith("en") else "zh_TW"]}
