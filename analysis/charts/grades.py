"""Inspection scores per office against the grade bands (優等/甲/乙/丙/丁).

Mystery-shopper and phone-test offices are graded, so the reader needs the grade as much as the
score; this family draws the mean score of each office as a dot over shaded grade bands.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ['inspector_scores']

#: The line between two grade bands: 3.4:1 on the band's tint and 4:1 on white.
BOUNDARY = "#6f8195"


@style.styled
def inspector_scores(
    names: Sequence[str],
    scores: ArrayLike,
    *,
    bands: Sequence[tuple[float, str]],
    title: str,
    n: ArrayLike | None = None,
    low: ArrayLike | None = None,
    high: ArrayLike | None = None,
    value_label: str | None = None,
    highlight: int | None = None,
) -> Figure:
    """Mean 0-100 mystery-shopper score per office as dots over shaded grade bands.

    Why: offices are graded (優等/甲/乙/丙/丁), so the reader needs the grade as much as
    the score; alternating background bands show both without a legend.  Dots rather
    than bars because scores cluster at 70-100 and the axis starts near the lowest score,
    where a bar would exaggerate differences.  *bands* are ``(lower bound, name)``
    pairs in any order; the top band ends at 100.  *n* (number of checks) is shown in a
    column beside the dots; *low*/*high* (the mean's interval, NaN with fewer than two
    checks) are drawn as error bars, so one or two checks look as uncertain as they are.
    *highlight* (an index into *names*) draws that office's dot larger, as a diamond in
    :data:`~analysis.charts.style.HIGHLIGHT` among grey ones, its name in bold (a scorecard).
    """
    labels = style.as_labels(names)
    k = len(labels)
    if k == 0:
        return style.empty_figure(title)
    s = style.as_floats(scores, k, "scores")
    counts = None if n is None else style.as_floats(n, k, "n")
    lo_ci = None if low is None else style.as_floats(low, k, "low")
    hi_ci = None if high is None else style.as_floats(high, k, "high")
    band_list = sorted(((float(lo), str(name)) for lo, name in bands), reverse=True)
    if not band_list:
        raise ValueError("bands must contain at least one (lower bound, name) pair")
    order = style.sort_order(s)
    mine = None if highlight is None else int(np.flatnonzero(order == highlight)[0])
    labels = [labels[i] for i in order]
    s = s[order]
    if counts is not None:
        counts = counts[order]
    if lo_ci is not None and hi_ci is not None:
        lo_ci, hi_ci = lo_ci[order], hi_ci[order]

    rows = style.row_layout(k, extra=2.3)
    fig = style.new_figure(rows.height)
    style.add_title(fig, title)
    # the bands' names and bounds, two lines above the plot, under the title
    style.make_room(fig, top=9 * 2.2 / 72 + 0.08)
    ax = fig.add_subplot()
    y = np.arange(k)
    fin = np.isfinite(s)
    smin = float(s[fin].min()) if fin.any() else band_list[0][0]
    left = max(0.0, math.floor((smin - 4.0) / 5.0) * 5.0)
    left = min(left, max(band_list[0][0] - 20.0, 0.0))  # always show a few bands
    top = max(100.0, float(s[fin].max()) if fin.any() else 100.0)
    right = top + (0.09 * (top - left) if rows.annotate else 1.0)
    ax.set_xlim(left, right)

    upper = 100.0
    band_faces = ("#e8eef5", "#ffffff")
    band_tf = blended_transform_factory(ax.transData, ax.transAxes)
    for idx, (lower, name) in enumerate(band_list):
        lo_b, hi_b = max(lower, left), upper
        if hi_b > lo_b:
            ax.axvspan(lo_b, hi_b, color=band_faces[idx % 2], zorder=0, lw=0)
            if lower > left:   # 3.4:1 on the tint, 4:1 on white (WCAG 1.4.11)
                ax.axvline(lower, color=BOUNDARY, lw=0.8, zorder=1)
            bound = f"≥{lower:g}" if lower > 0 else f"<{upper:g}"
            ax.text((lo_b + hi_b) / 2, 1.0, f"{name}\n{bound}", transform=band_tf, ha="center",
                    va="bottom", fontsize=9, color="#3b5068", fontweight="bold",
                    linespacing=1.2)
        upper = lower
        if upper <= left:
            break

    with_bars = lo_ci is not None and hi_ci is not None
    if rows.annotate and not with_bars:
        ax.hlines(y[fin], left, s[fin], color="#c9c9c9", lw=0.8, zorder=2, gid="decor")
    size = 50 if rows.annotate else max(6.0, rows.fontsize**2 * 0.9)
    if lo_ci is not None and hi_ci is not None:
        bars = fin & np.isfinite(lo_ci) & np.isfinite(hi_ci)
        ax.hlines(y[bars], np.maximum(lo_ci[bars], left), hi_ci[bars], color=style.DARK,
                  lw=1.4, zorder=3)
    if mine is None:
        ax.scatter(s[fin], y[fin], s=size, color=style.BLUE, zorder=3, edgecolor="white",
                   linewidth=0.6)
    else:
        others = fin & (y != mine)
        ax.scatter(s[others], y[others], s=size, color=style.OTHERS, zorder=3,
                   edgecolor="white", linewidth=0.6)
        if fin[mine]:
            ax.scatter([s[mine]], [mine], s=size * 1.8, color=style.HIGHLIGHT, marker="D",
                       zorder=4, edgecolor="white", linewidth=0.8)
    if rows.annotate:
        for yy in y:
            text = f"{s[yy]:.1f}" if fin[yy] else t("無資料")
            x = s[yy] if fin[yy] else left
            # above the dot when an interval runs through it, beside it otherwise
            offset, ha, va = ((0, 5), "center", "bottom") if with_bars else ((6, 0), "left",
                                                                             "center")
            ax.annotate(text, (x, yy), xytext=offset, textcoords="offset points", va=va,
                        ha=ha, fontsize=8.5, color=style.DARK if fin[yy] else style.MUTED,
                        zorder=4)
    style.office_axis(ax, labels, rows, highlight=mine)
    if rows.annotate and with_bars:   # the first row's number above its dot, under the bands
        bottom, top = ax.get_ylim()
        ax.set_ylim(bottom, top - 0.3)
    ax.spines["left"].set_visible(False)
    ticks = [t for t in range(int(math.ceil(left / 10.0) * 10), 101, 10)]
    ax.set_xticks(ticks)
    ax.spines["bottom"].set_bounds(left, top)
    ax.set_xlabel(value_label or t("平均分數"))

    if counts is not None and rows.annotate:
        style.right_column(ax, 0, t("查核次數"), x_pt=6, header=True, color=style.DARK)
        for yy in y:
            c = counts[yy]
            style.right_column(ax, yy, f"n={c:.0f}" if np.isfinite(c) else "—", x_pt=6)
    notes = [t("依平均分數由高至低排序；底色區塊為等第。")]
    if mine is not None:
        notes.append(t("▶ 與菱形為本機關，圓點為其他機關。"))
    if lo_ci is not None:
        notes.append(t("橫線為平均分數的 95% 信賴區間；只查核一次的機關沒有區間。"))
    style.add_footnote(fig, notes)
    return fig
