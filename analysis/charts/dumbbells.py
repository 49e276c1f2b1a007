"""Dumbbell chart of change between two periods: who improved, who slipped?

Directors compare this half-year with the last one; this family draws each office's two values
as a hollow and a filled dot joined by a segment, with the signed change printed beside it so
that direction never depends on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ['dumbbell']


@style.styled
def dumbbell(
    names: Sequence[str],
    before: ArrayLike,
    after: ArrayLike,
    *,
    before_label: str,
    after_label: str,
    title: str,
    value_label: str,
    sort_by: str = "after",
    as_percent: bool = False,
    direction: Sequence[str | None] | None = None,
) -> Figure:
    """Change per office between two periods: hollow dot = before, filled dot = after.

    Why: directors ask "who improved, who slipped?".  The segment is blue when the value
    rose and vermillion when it fell (Okabe-Ito, colour-blind safe), and the signed change
    is printed in a column on the right, so direction never depends on colour alone.
    *direction* (``"up"``, ``"down"`` or ``None`` per office), when given, decides the
    colours instead of the sign: a change that is within chance after adjusting for looking
    at every office is drawn grey, however it points.
    *sort_by* is ``"after"`` (latest standing) or ``"change"``.  Offices present in only
    one period (NaN in the other) keep their single dot and are marked 「僅…」.
    """
    labels = style.as_labels(names)
    k = len(labels)
    if sort_by not in ("after", "change"):
        raise ValueError(f"sort_by must be 'after' or 'change', got {sort_by!r}")
    if k == 0:
        return style.empty_figure(title)
    b = style.as_floats(before, k, "before")
    a = style.as_floats(after, k, "after")
    scale = style.percent_scale([a, b], as_percent, "dumbbell")
    b, a = b * scale, a * scale
    change = a - b
    key = change if sort_by == "change" else np.where(np.isfinite(a), a, b)
    order = style.sort_order(key)
    labels = [labels[i] for i in order]
    b, a, change = b[order], a[order], change[order]
    if direction is not None:
        if len(direction) != k:
            raise ValueError(f"direction must have one entry per office ({k})")
        direction = [direction[i] for i in order]

    rows = style.row_layout(k, extra=2.5)
    fig = style.new_figure(rows.height)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    if direction is None:
        up, down = change > 0, change < 0
    else:
        up = np.array([d == "up" for d in direction])
        down = np.array([d == "down" for d in direction])
    flat = ~(up | down) & np.isfinite(change)
    size = 42 if rows.annotate else max(6.0, rows.fontsize**2 * 0.9)
    lw = 2.2 if rows.annotate else 1.0
    for mask, colour in ((up, style.BLUE), (down, style.VERMILLION), (flat, style.GREY)):
        ax.hlines(y[mask], b[mask], a[mask], color=colour, lw=lw, zorder=2)
    after_colour = np.where(up, style.BLUE, np.where(down, style.VERMILLION, style.DARK))
    fin_b, fin_a = np.isfinite(b), np.isfinite(a)
    ax.scatter(b[fin_b], y[fin_b], s=size, facecolor="white", edgecolor=style.MUTED, linewidth=1.3,
               zorder=3)
    ax.scatter(a[fin_a], y[fin_a], s=size, c=after_colour[fin_a], edgecolor="white",
               linewidth=0.6, zorder=4)

    style.office_axis(ax, labels, rows)
    ax.spines["left"].set_visible(False)
    if rows.annotate:   # a faint line along each office's row, from edge to edge
        ax.hlines(y, 0, 1, transform=ax.get_yaxis_transform(), color="#eeeeee", lw=0.7,
                  zorder=0, gid="decor")   # a guide for the eye, not data
    ax.grid(axis="x", color="#e6e6e6", lw=0.7, zorder=0)
    ax.set_xlabel(value_label)
    both = np.concatenate([a[fin_a], b[fin_b]])
    if both.size:
        lo, hi = float(both.min()), float(both.max())
        span = max(hi - lo, 1.0 if not as_percent else 5.0)
        ax.set_xlim(lo - 0.08 * span, hi + 0.08 * span)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
    if as_percent:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}%"))

    if rows.annotate:
        style.right_column(ax, 0, t("變化"), x_pt=8, header=True, color=style.DARK)
        for yy in y:
            if np.isfinite(change[yy]):
                sign = "+" if change[yy] > 0 else ("−" if change[yy] < 0 else "±")
                colour = style.BLUE if up[yy] else (style.VERMILLION_TEXT if down[yy] else style.MUTED)
                style.right_column(ax, yy, f"{sign}{abs(change[yy]):.1f}", x_pt=8, color=colour,
                              fontweight="bold")
            elif fin_a[yy] or fin_b[yy]:
                only = after_label if fin_a[yy] else before_label
                style.right_column(ax, yy, t("僅{only}", only=only), x_pt=8, fontsize=7.5)
            else:
                style.right_column(ax, yy, t("無資料"), x_pt=8, fontsize=7.5)

    handles = [
        Line2D([], [], ls="", marker="o", markersize=7, markerfacecolor="white",
               markeredgecolor=style.MUTED, markeredgewidth=1.3, label=before_label),
        Line2D([], [], ls="", marker="o", markersize=7, markerfacecolor=style.DARK,
               markeredgecolor="white", label=after_label),
        Line2D([], [], color=style.BLUE, lw=2.2, label=t("上升")),
        Line2D([], [], color=style.VERMILLION, lw=2.2, label=t("下降")),
    ]
    if direction is not None:
        handles.append(Line2D([], [], color=style.GREY, lw=2.2, label=t("未超出隨機誤差")))
    style.legend_above(ax, handles, ncols=len(handles))
    sort_note = t("依最新一期數值") if sort_by == "after" else t("依變化量")
    notes = [t("{sort}由高至低排序；空心點為{before}，實心點為{after}。", sort=sort_note,
               before=before_label, after=after_label)]
    if direction is not None:
        notes.append(t("藍色／紅色只標示同時比較所有機關（Holm 校正）後仍確定的上升／下降，其餘為灰色。"))
    style.add_footnote(fig, notes)
    return fig
