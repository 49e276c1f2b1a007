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
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ["office_trend", "trend_panels"]

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
              zorder=0, gid="decor")   # a faint rule under each row, one collection, not k lines
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


@style.styled
def office_trend(periods: Sequence[str], rates: ArrayLike, low: ArrayLike, high: ArrayLike, *,
                 title: str, value_label: str | None = None) -> Figure:
    """One office's rate over the periods (fractions, NaN where too few answered), oldest
    first, each with its interval (*low*, *high*) and its value printed above it.

    Why a chart of its own and not one row of :func:`trend_panels`: an office manager reads
    the numbers of their own office, and whether a change is bigger than the intervals.
    """
    n_periods = len(periods)
    values = style.as_floats(rates, n_periods, "rates") * 100.0
    lo = style.as_floats(low, n_periods, "low") * 100.0
    hi = style.as_floats(high, n_periods, "high") * 100.0
    if not n_periods or not np.isfinite(values).any():
        return style.empty_figure(title)
    fig = style.new_figure(3.4, 6.5)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    x = np.arange(n_periods, dtype=float)
    fin = np.isfinite(values)
    bars = fin & np.isfinite(lo) & np.isfinite(hi)
    ax.vlines(x[bars], lo[bars], hi[bars], color=style.DARK, lw=1.2, zorder=2)
    run: list[int] = []
    for j in [*range(n_periods), None]:      # a line through consecutive periods only
        if j is not None and fin[j]:
            run.append(j)
            continue
        if len(run) > 1:
            ax.plot(x[run], values[run], color=style.BLUE, lw=1.8, zorder=3)
        run = []
    ax.scatter(x[fin], values[fin], s=36, color=style.BLUE, edgecolor="white", linewidth=0.8,
               zorder=4)
    for j in np.flatnonzero(fin):   # above the interval, clear of the line and the whisker
        ax.annotate(f"{values[j]:.1f}%", (x[j], hi[j] if bars[j] else values[j]),
                    xytext=(0, 4), textcoords="offset points", ha="center", va="bottom",
                    fontsize=9, color=style.DARK, zorder=5)
    seen = np.concatenate([values[fin], lo[bars], hi[bars]])
    bottom, top = max(0.0, float(seen.min()) - 3.0), float(seen.max())
    span = max(top - bottom, 5.0)
    ax.set_ylim(bottom, top + 0.18 * span)     # room for the numbers above the top
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    ax.set_yticks([v for v in ax.get_yticks() if bottom <= v <= min(top + 0.18 * span, 100.0)])
    ax.set_xlim(-0.5, n_periods - 0.3)
    ax.set_xticks(x, list(periods), fontsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
    ax.set_ylabel(value_label or t("滿意度（%）"))
    ax.grid(axis="y", color="#e6e6e6", lw=0.7, zorder=0)
    notes = [t("細線為 95% 信賴區間；兩個區間重疊多時，變化可能只是隨機誤差。")]
    if not fin.all():
        notes.append(t("空缺表示該期填答人數不足。"))
    style.add_footnote(fig, notes)
    return fig
