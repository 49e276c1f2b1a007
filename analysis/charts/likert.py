"""Diverging Likert bars: how much of each office's answers is negative, neutral, positive.

A 100 % stacked bar hides how much is negative; this chart family centres every office's
five-point distribution on the neutral middle, so that dissatisfaction and satisfaction can be
compared across offices at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import offset_copy
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ['likert_diverging']


@style.styled
def likert_diverging(
    names: Sequence[str],
    proportions: ArrayLike,
    level_labels: Sequence[str],
    *,
    title: str,
) -> Figure:
    """Diverging stacked bars of a five-point scale, centred on the neutral middle.

    Why: a 100 % stacked bar hides how much is negative; centring on 「普通」 puts
    dissatisfaction left of zero and satisfaction right, so both can be compared across
    offices at a glance.  Rows are sorted by the share 「滿意＋非常滿意」, with that share
    printed at the right end and the dissatisfied share at the left.

    *proportions* has shape (k, 5) in ascending order (非常不滿意 … 非常滿意); rows are
    renormalised to sum to 1 (counts work too).  Rows that are all zero/NaN show 「無資料」.
    """
    labels = style.as_labels(names)
    k = len(labels)
    level_labels = style.as_labels(level_labels, "level_labels")
    if len(level_labels) != 5:
        raise ValueError(f"level_labels must have 5 entries, got {len(level_labels)}")
    if k == 0:
        return style.empty_figure(title)
    p = np.asarray(proportions, dtype=float)
    if p.shape != (k, 5):
        raise ValueError(f"proportions has shape {p.shape}, expected ({k}, 5)")
    p = np.where(np.isfinite(p) & (p > 0), p, 0.0)
    total = p.sum(axis=1)
    missing = total <= 0
    p = np.divide(p, total[:, None], out=np.zeros_like(p), where=~missing[:, None]) * 100

    satisfied = np.where(missing, np.nan, p[:, 3] + p[:, 4])
    order = style.sort_order(satisfied)
    labels = [labels[i] for i in order]
    p, missing, satisfied = p[order], missing[order], satisfied[order]
    dissatisfied = p[:, 0] + p[:, 1]

    rows = style.row_layout(k, extra=2.5)
    fig = style.new_figure(rows.height)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    starts = -(dissatisfied + p[:, 2] / 2)
    left = starts.copy()
    # A white gap between segments (WCAG 1.4.11): neighbouring colours are too close in
    # lightness to be told apart by contrast alone.
    for j in range(5):
        style.hbars(ax, y, p[:, j], left=left, height=0.7, color=style.LIKERT_COLORS[j],
                    edgecolor="white", linewidth=style.SEPARATOR)
        left = left + p[:, j]
    ax.axvline(0, color="#444444", lw=0.9, zorder=3)

    # Asymmetric limits: satisfaction is usually far larger than dissatisfaction, and a
    # symmetric axis would waste half the width on empty space left of zero.
    lim_left = max(20.0, math.ceil(float(np.max(-starts, initial=0.0)) / 10.0) * 10.0)
    lim_right = max(20.0, math.ceil(float(np.max(left, initial=0.0)) / 10.0) * 10.0)
    pad = 0.1 * (lim_left + lim_right) if rows.annotate else 1.0
    ax.set_xlim(-lim_left - pad, lim_right + pad)
    step = 20.0 if lim_left + lim_right > 100 else 10.0
    ticks = np.arange(-math.floor(lim_left / step) * step, lim_right + 1e-9, step)
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{abs(x):.0f}%"))
    ax.spines["bottom"].set_bounds(-lim_left, lim_right)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e6e6e6", lw=0.7, zorder=0)
    ax.set_xlabel(t("回答比例（%）：左為不滿意，右為滿意"))
    style.office_axis(ax, labels, rows)

    if rows.annotate:   # texts 4 pt beyond each bar's ends (one shared offset, not annotations)
        after = offset_copy(ax.transData, fig=fig, x=4, y=0, units="points")
        before = offset_copy(ax.transData, fig=fig, x=-4, y=0, units="points")
        for yy in y:
            if missing[yy]:
                ax.text(0, yy, t("無資料"), ha="center", va="center", fontsize=8.5, color=style.MUTED)
                continue
            ax.text(left[yy], yy, f"{satisfied[yy]:.0f}%", transform=after, va="center",
                    ha="left", fontsize=8.5, color=style.LIKERT_COLORS[4], fontweight="bold")
            ax.text(starts[yy], yy, f"{dissatisfied[yy]:.0f}%", transform=before, va="center",
                    ha="right", fontsize=8.5, color=style.LIKERT_COLORS[0])

    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(style.LIKERT_COLORS, level_labels,
                                                                strict=True)]
    style.legend_above(ax, handles, ncols=5)
    note = t("依「{a}＋{b}」比例由高至低排序。", a=level_labels[3], b=level_labels[4])
    if rows.annotate:
        note = t("依「{a}＋{b}」比例由高至低排序；右側數字為{a}以上，左側為{low}以下的合計比例。",
                 a=level_labels[3], b=level_labels[4], low=level_labels[1])
    style.add_footnote(fig, [note])
    return fig
