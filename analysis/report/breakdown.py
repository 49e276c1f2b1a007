"""Satisfaction broken down by who answered and how: channel, service used, age band.

A group is judged only with at least ``min_n`` answers, the same rule as an office: below it the
row shows its n and no rate.  Whether the judged groups differ is one chi-square test of
homogeneity on their satisfied / not-satisfied table, so a difference is called real only when
the test says so.  The note says what such a difference cannot tell: a channel's respondents are
not a random draw of the others' (a kiosk at the counter and a QR slip taken home reach different
people), so a gap mixes the mode of answering with who chose it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import effects, omnibus
from ..wilson import wilson_interval
from .common import DEFAULT_MIN_N, clean, pair

ALPHA = 0.05
NOTES = {
    "channel": {
        "zh_TW": "各填答管道的民眾不是隨機分派的：差異同時反映填答方式（模式效應）與選擇該管道的人。",
        "en": "Respondents were not assigned to channels at random: a gap reflects both the way "
              "of answering (a mode effect) and who chose that channel.",
    },
    "other": {
        "zh_TW": "依民眾自填的類別分組；未填者不列入。",
        "en": "Grouped by what respondents said about themselves; those who did not say are "
              "left out.",
    },
}


def breakdown(by: str, groups: Sequence[tuple[str, str]], satisfied: Sequence[int],
              answered: Sequence[int], *, min_n: int = DEFAULT_MIN_N,
              locale: str = "zh_TW") -> dict:
    """One breakdown: ``groups`` are ``(key, label)`` in display order, with their satisfied
    and valid answers to the main item.  Groups without any answer are left out."""
    good = np.asarray(satisfied, dtype=np.int64)
    n = np.asarray(answered, dtype=np.int64)
    if good.shape != n.shape or good.shape != (len(groups),):
        raise ValueError("satisfied and answered need one count per group")
    judged = n >= min_n
    rows = group_rows(groups, good, n, judged)
    english = locale.startswith("en")
    result = {"by": by, "rows": rows, "min_n": min_n,
              "note": NOTES["channel" if by == "channel" else "other"][
                  "en" if english else "zh_TW"]}
    test = homogeneity(good[judged], n[judged])
    if test is not None:
        result["test"] = test
    return result


def group_rows(groups: Sequence[tuple[str, str]], good: np.ndarray, n: np.ndarray,
               judged: np.ndarray, more=None) -> list[dict]:
    """A row per group with answers: its n, and for a judged group its rate and Wilson
    interval, plus ``more(i)`` (what a breakdown adds to a judged row)."""
    low, high = wilson_interval(good, n) if len(n) else (np.array([]), np.array([]))
    rows = []
    for i, (key, label) in enumerate(groups):
        if n[i] == 0:
            continue
        row = {"key": key, "label": label, "n": int(n[i]), "judged": bool(judged[i])}
        if judged[i]:
            row |= {"satisfied": int(good[i]), "rate": clean(good[i] / n[i]),
                    "ci": pair(low[i], high[i])} | (more(i) if more else {})
        rows.append(row)
    return rows


def homogeneity(satisfied: np.ndarray, answered: np.ndarray) -> dict | None:
    """Chi-square test that the judged groups share one satisfaction rate (None with fewer
    than two groups), with Cramér's V and its interval as the size of any difference."""
    keep = answered > 0
    satisfied, answered = satisfied[keep], answered[keep]
    if len(answered) < 2:
        return None
    table = np.column_stack([satisfied, answered - satisfied])
    result = omnibus.chi2_from_counts(table)
    if result.note is not None:   # every group at 100% (or 0%): nothing differs
        return {"statistic": 0.0, "df": len(answered) - 1, "p": 1.0, "cramers_v": 0.0,
                "cramers_v_ci": [0.0, 0.0], "differs": False, "warning": None}
    v_low, v_high = effects.cramers_v_interval(result.statistic, result.n_total,
                                               *result.expected.shape)
    return {"statistic": clean(result.statistic), "df": result.dof, "p": clean(result.pvalue),
            "cramers_v": clean(result.cramers_v), "cramers_v_ci": pair(v_low, v_high),
            "differs": bool(result.pvalue < ALPHA), "warning": result.warning}
