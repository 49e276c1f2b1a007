"""Small multiples of each office's satisfaction rate over the last periods.

One panel per office on a shared scale shows a trend without the clutter of two dozen lines in
one plot; a period with too few respondents is a gap, not a point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from numpy.typing import ArrayLike

from analysis.charts import style

__all__ = ["trend_panels"]

MAX_PANELS = 48  # beyond this (a national comparison) the panels would be unreadable


@style.styled
def trend_panels(names: Sequence[str], periods: Sequence[str], rates: ArrayLike, *,
                 title: str, columns: int = 4) -> Figure:
    """*rates*: offices x periods (fractions, NaN where too few answered), oldest first."""
    labels = style.as_labels(names)
    k, t = len(labels), len(periods)
    values = np.asarray(rates, dtype=float).reshape(k, t) * 100.0 if k and t else None
    if values is None or not np.isfinite(values).any():
        return style.empty_figure(title)
    shown = min(k, MAX_PANELS)
    cols = max(1, min(columns, shown))
    rows = math.ceil(shown / cols)
    fig = style.new_figure(1.2 + 1.55 * rows)
    style.add_title(fig, title)
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    fin = values[np.isfinite(values)]
    low, high = max(0.0, float(fin.min()) - 5.0), min(100.0, float(fin.max()) + 5.0)
    x = np.arange(t)
    for idx, ax in enumerate(axes.flat):
        if idx >= shown:
            ax.set_visible(False)
            continue
        ax.plot(x, values[idx], color=style.BLUE, lw=1.6, marker="o", markersize=3.5)
        ax.set_title(labels[idx], fontsize=8.5, loc="left")
        ax.set_ylim(low, high)
        ax.grid(axis="y", color="#eeeeee", lw=0.6)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
        ax.tick_params(labelsize=7)
        ax.set_xticks(x, [p if len(periods) <= 4 else p[-2:] for p in periods], fontsize=6.5)
    notes = [f"各機關近 {t} 期滿意度；空缺表示該期填答人數不足。"]
    if k > shown:
        notes.append(f"只顯示前 {shown} 個機關，其餘見 report.json 的 trend。")
    style.add_footnote(fig, notes)
    return fig
