"""Funnel plot: each office's satisfaction rate against its number of respondents.

A league table ranks offices whose differences are mostly chance; a funnel plot (Spiegelhalter
2005) shows how far a rate may stray from the overall rate by chance alone at each sample
size, so a director sees at once who really stands out and that the rest do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ["funnel_plot"]

# 95 % limits dashed, 99.8 % solid: the wider the limit, the stronger the line.
LIMIT_STYLE = {0.95: (0, (4, 2)), 0.998: "-"}
MAX_LABELS = 12  # more names than this would overprint each other; the table has them all


@style.styled
def funnel_plot(
    names: Sequence[str],
    rates: ArrayLike,
    n: ArrayLike,
    *,
    target: float,
    grid: ArrayLike,
    limits: Mapping[float, tuple[ArrayLike, ArrayLike]],
    outside: Sequence[str | None],
    title: str,
    alert: Sequence[str | None] | None = None,
    value_label: str | None = None,
    n_label: str | None = None,
) -> Figure:
    """Rate (y, percent) against respondents (x) with control limits around *target*.

    *grid* is the x values at which *limits* (``{level: (lower, upper)}``, fractions) were
    computed.  Offices beyond the widest limit (*outside* ``"above"``/``"below"``) are drawn
    filled and labelled; those beyond only the narrower one (*alert*) half-filled and labelled;
    the others hollow and unlabelled, since naming them invites a ranking the data do not
    support.
    """
    labels = style.as_labels(names)
    k = len(labels)
    if k == 0:
        return style.empty_figure(title)
    r = style.as_floats(rates, k, "rates") * 100.0
    m = style.as_floats(n, k, "n")
    xs = np.asarray(grid, dtype=float)
    if len(outside) != k:
        raise ValueError(f"outside must have one entry per office ({k})")
    fig = style.new_figure(4.8)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    for level, (low, high) in sorted(limits.items()):
        ls = LIMIT_STYLE.get(level, ":")
        ax.plot(xs, np.asarray(low) * 100, color=style.MUTED, ls=ls, lw=1.1, zorder=2)
        ax.plot(xs, np.asarray(high) * 100, color=style.MUTED, ls=ls, lw=1.1, zorder=2)
    ax.axhline(target * 100, color=style.VERMILLION, lw=1.3, zorder=2)
    flagged = np.array([o is not None for o in outside])
    warned = np.array([a is not None for a in (alert or [None] * k)]) & ~flagged
    fin = np.isfinite(r) & np.isfinite(m)
    ax.scatter(m[fin & ~flagged & ~warned], r[fin & ~flagged & ~warned], s=36, facecolor="white",
               edgecolor=style.BLUE, linewidth=1.3, zorder=3)
    ax.scatter(m[fin & warned], r[fin & warned], s=40, facecolor=style.SKY, edgecolor=style.BLUE,
               linewidth=1.3, zorder=3)
    middle = (float(np.nanmin(xs)) + float(np.nanmax(xs))) / 2 if len(xs) else 0.0

    def side(i: int, dy: float) -> dict:
        """A name right of its dot, or left of it in the right half, so it stays inside."""
        left = m[i] > middle
        return {"xytext": (-6 if left else 6, dy), "ha": "right" if left else "left"}

    for i in np.flatnonzero(fin & warned) if (fin & warned).sum() <= MAX_LABELS else []:
        ax.annotate(labels[i], (m[i], r[i]), textcoords="offset points", fontsize=8,
                    color=style.MUTED, zorder=5, **side(i, -3))
    for mark, colour in (("above", style.BLUE), ("below", style.VERMILLION)):
        sel = fin & np.array([o == mark for o in outside])
        ax.scatter(m[sel], r[sel], s=44, color=colour, edgecolor="white", linewidth=0.6,
                   zorder=4, marker="^" if mark == "above" else "v")
        for i in np.flatnonzero(sel):
            ax.annotate(labels[i], (m[i], r[i]), textcoords="offset points", fontsize=8.5,
                        color=style.DARK, zorder=5, **side(i, 4 if mark == "above" else -10))
    ax.set_xlabel(n_label or t("填答人數"))
    ax.set_ylabel(value_label or t("滿意度（%）"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
    ax.grid(color="#e6e6e6", lw=0.7, zorder=0)
    if fin.any():
        low, high = float(r[fin].min()), float(r[fin].max())
        if limits:  # the widest limits in view too: they are the point of the chart
            widest_low, widest_high = limits[max(limits)]
            low = min(low, float(np.nanmin(np.asarray(widest_low, dtype=float) * 100)))
            high = max(high, float(np.nanmax(np.asarray(widest_high, dtype=float) * 100)))
        ax.set_ylim(max(0.0, low - 2.0), min(100.0, high + 2.0) + 0.5)
        ax.set_xlim(0, float(m[fin].max()) * 1.08)
    handles = [
        Line2D([], [], color=style.VERMILLION, lw=1.3, label=t("全體 {value}", value=f"{target * 100:.1f}%")),
        Line2D([], [], color=style.MUTED, ls=(0, (4, 2)), lw=1.1, label=t("95% 界限")),
        Line2D([], [], color=style.MUTED, lw=1.1, label=t("99.8% 界限")),
        Line2D([], [], ls="", marker="o", markerfacecolor=style.SKY, markeredgecolor=style.BLUE,
               label=t("超出 95%")),
        Line2D([], [], ls="", marker="^", color=style.BLUE, label=t("明顯較高")),
        Line2D([], [], ls="", marker="v", color=style.VERMILLION, label=t("明顯較低")),
    ]
    style.legend_above(ax, handles, ncols=6)
    style.add_footnote(fig, [
        t("每點為一個機關；界限內的機關與全體的差距可用隨機誤差解釋，不宜排名。"),
        t("超出 99.8% 界限為明顯較高／較低，只超出 95% 界限的值得留意；樣本數不足的機關不列入。"),
    ])
    return fig
