"""What the comments are about, per office and in all: ``comment_themes`` in the report.

The unit is the commenter: a theme's share is the commenters who mention it over those who
wrote a comment, with a Wilson interval; complaints and praise are counted apart (a commenter
may praise one theme and complain of another).  An office with fewer than ``min_n`` commenters
shows its counts but no share: a share of five comments says little and may point to a person.
The change against the compared period is Newcombe's difference of the all-office shares, with
Holm-adjusted p-values over the themes, because looking at eight themes at once finds a
"change" by chance more often than one in twenty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import change, pairwise
from ..wilson import wilson_arrays, z_for
from .common import DEFAULT_MIN_N, OfficeInfo, clean, office_fields, pair

ALPHA = 0.05


@dataclass(frozen=True)
class ThemeCounts:
    """Count tables of one period: ``commenters`` per office (k,), and per office and theme
    (k, t) the commenters who mention it, complain of it and praise it."""

    commenters: np.ndarray
    mentions: np.ndarray
    complaints: np.ndarray
    praise: np.ndarray

    def __post_init__(self) -> None:
        k = len(self.commenters)
        for table in (self.mentions, self.complaints, self.praise):
            if table.ndim != 2 or table.shape[0] != k:
                raise ValueError("theme counts must be offices x themes")
            if np.any(table < 0) or np.any(table > self.commenters[:, None]):
                raise ValueError("a theme cannot have more commenters than the office")
        if np.any(self.complaints + self.praise > self.mentions):
            raise ValueError("complaints and praise are among the mentions")


def _shares(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    low, high = wilson_arrays(x, n, z_for(0.95))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, x / np.maximum(n, 1), np.nan)
    return share, low, high


def _theme_row(key: str, label: str, x: int, n: int, share, low, high, complaints: int,
               praise: int, shown: bool) -> dict:
    return {"key": key, "label": label, "count": int(x), "complaints": int(complaints),
            "praise": int(praise), "share": clean(float(share)) if shown else None,
            "interval": pair(low, high) if shown else [None, None]}


def themes_report(offices: Sequence[OfficeInfo], themes: Sequence[tuple[str, str]],
                  now: ThemeCounts, before: ThemeCounts | None = None, *,
                  min_n: int = DEFAULT_MIN_N) -> dict:
    """``comment_themes``: every theme in all offices together, with its change, and per office."""
    keys = [k for k, _ in themes]
    if now.mentions.shape != (len(offices), len(keys)):
        raise ValueError("theme counts must be offices x themes")
    total = int(now.commenters.sum())
    x = now.mentions.sum(axis=0)
    share, low, high = _shares(x, np.full(len(keys), total))
    rows = [_theme_row(key, label, x[t], total, share[t], low[t], high[t],
                       now.complaints[:, t].sum(), now.praise[:, t].sum(), total >= min_n)
            for t, (key, label) in enumerate(themes)]
    _add_change(rows, now, before, min_n)
    per_office = []
    share, low, high = _shares(now.mentions, np.repeat(now.commenters[:, None], len(keys), 1))
    for i, office in enumerate(offices):
        shown = bool(now.commenters[i] >= min_n)
        per_office.append({**office_fields(office), "commenters": int(now.commenters[i]),
                           "reportable": shown, "themes": [
                               _theme_row(key, label, now.mentions[i, t], now.commenters[i],
                                          share[i, t], low[i, t], high[i, t],
                                          now.complaints[i, t], now.praise[i, t], shown)
                               for t, (key, label) in enumerate(themes)]})
    return {"commenters": total, "min_n": min_n, "adjust": "holm", "themes": rows,
            "offices": per_office}


def _add_change(rows: list[dict], now: ThemeCounts, before: ThemeCounts | None,
                min_n: int) -> None:
    """Each theme's ``change`` in its share since ``before`` (None when either period has fewer
    than ``min_n`` commenters)."""
    n2 = int(now.commenters.sum())
    n1 = int(before.commenters.sum()) if before is not None else 0
    if before is None or n1 < min_n or n2 < min_n:
        for row in rows:
            row["change"] = None
        return
    x1, x2 = before.mentions.sum(axis=0), now.mentions.sum(axis=0)
    diff = change.newcombe_diff(x1, np.full_like(x1, n1), x2, np.full_like(x2, n2))
    adjusted = pairwise.adjust_pvalues(np.atleast_1d(diff.pvalue), "holm")
    for t, row in enumerate(rows):
        d = float(np.atleast_1d(diff.diff)[t])
        significant = bool(adjusted[t] < ALPHA)
        row["change"] = {
            "before_count": int(x1[t]), "before_commenters": n1,
            "before_share": clean(float(np.atleast_1d(diff.p1)[t])), "diff": clean(d),
            "ci": pair(np.atleast_1d(diff.ci[0])[t], np.atleast_1d(diff.ci[1])[t]),
            "p": clean(float(np.atleast_1d(diff.pvalue)[t])), "p_adjusted": clean(adjusted[t]),
            "direction": ("up" if d > 0 else "down") if significant else None}
