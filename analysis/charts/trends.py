"""Each office's satisfaction rate over the last periods, one sparkline per row.

Small multiples in one column: every office's line on the same scale, side by side with its
name and its latest rate, so a trend reads without the clutter of two dozen lines in one plot.
One axes for all rows (not a panel each): a panel per office cost a second to draw.  A period
with too few respondents is a gap, not a point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ["trend_panels"]

MAX_ROWS = 60


@style.styled
def trend_panels(names: Sequence[str], periods: Sequence[str], rates: ArrayLike, *,
                 title: str) -> Figure:
    """*rates*: offices x periods (fractions, NaN where too few answered), oldest first."""
    labels = style.as_labels(names)
    k, n_periods = len(labels), len(periods)
    values = np.asarray(rates, dtype=float).reshape(k, n_periods) * 100.0 if k and n_periods else None
    if values is None or not np.isfinite(values).any():
        return style.empty_figure(title)
    labels, values = labels[:MAX_ROWS], values[:MAX_ROWS]
    k = len(labels)
    fin = values[np.isfinite(values)]
    low, high = max(0.0, float(fin.min()) - 2.0), min(100.0, float(fin.max()) + 2.0)
    span = max(high - low, 1.0)
    rows = style.row_layout(k, extra=2.2, row=0.42)
    fig = style.new_figure(rows.height, 6.5)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    x = np.arange(n_periods, dtype=float)
    y = np.arange(k, dtype=float)
    # each row's band: rate low..high drawn from y + 0.38 (bottom) to y - 0.38 (top)
    heights = y[:, None] + 0.38 - 0.76 * (values - low) / span
    segments, points = [], []
    for i in range(k):
        run = []
        for j in range(n_periods):
            if np.isfinite(values[i, j]):
                run.append((x[j], heights[i, j]))
                points.append((x[j], heights[i, j]))
            elif len(run) > 1:
                segments.append(run)
                run = []
            else:
                run = []
        if len(run) > 1:
            segments.append(run)
    ax.add_collection(LineCollection(segments, colors=style.BLUE, linewidths=1.6))
    if points:
        px, py = zip(*points, strict=True)
        ax.scatter(px, py, s=12, color=style.BLUE, zorder=3)
    ax.hlines(y + 0.5, 0, 1, transform=ax.get_yaxis_transform(), color="#eeeeee", lw=0.6,
              zorder=0)   # a faint rule under each row, one collection rather than k lines
    for i in range(k):
        last = next((v for v in values[i][::-1] if np.isfinite(v)), np.nan)
        style.right_column(ax, i, "—" if not np.isfinite(last) else f"{last:.0f}%", x_pt=6,
                           color=style.DARK)
    style.right_column(ax, 0, t("最近一期"), x_pt=6, header=True, color=style.DARK)
    style.office_axis(ax, labels, rows)
    ax.set_xlim(-0.3, n_periods - 0.7)
    ax.set_xticks(x, list(periods), fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    style.make_room(fig, top=0.25)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    notes = [t("每列為一個機關近 {t} 期的滿意度，各列縱軸相同（{low}%–{high}%）；"
               "空缺表示該期填答人數不足。",
               t=n_periods, low=f"{low:.0f}", high=f"{high:.0f}")]
    if len(names) > k:
        notes.append(t("只列出 {k} 個機關，其餘見 report.json 的 trend。", k=k))
    style.add_footnote(fig, notes)
    return fig
