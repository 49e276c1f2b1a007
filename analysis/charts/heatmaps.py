"""Office x item heatmap: which item pulls which office down, in one chart.

The report asks eight or more questions; rather than one chart per item, this family shows the
whole office x item matrix as coloured cells, with missing cells hatched so that "no data" is
never read as a low value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ['heatmap']


contrast = style.contrast   # the heatmap's labels were the first to be measured


def label_colour(face) -> str:
    """Black or white, whichever reads better on ``face``: at least 4.6:1 on any colour
    (WCAG 1.4.3 asks 4.5:1), where a fixed luminance cut-off left 4.3:1 on viridis' teal."""
    return "black" if contrast("black", face) >= contrast("white", face) else "white"



@style.styled
def heatmap(
    office_names: Sequence[str],
    item_labels: Sequence[str],
    matrix: ArrayLike,
    *,
    title: str,
    value_label: str,
    as_percent: bool = False,
    sort_rows: bool = True,
) -> Figure:
    """Office × item matrix as colour cells, annotated with values when cells are big enough.

    Why: shows which item pulls which office down without one chart per item.  Offices
    are sorted by their row mean (best at top; *sort_rows=False* keeps the given order),
    items keep their questionnaire order.  Missing cells (NaN) are hatched grey with 「—」
    so "no data" is never mistaken for a low value.  viridis is colour-blind safe and
    prints legibly in greyscale.
    """
    rows_l = style.as_labels(office_names, "office_names")
    cols_l = style.as_labels(item_labels, "item_labels")
    k, m = len(rows_l), len(cols_l)
    if k == 0 or m == 0:
        return style.empty_figure(title)
    a = np.asarray(matrix, dtype=float)
    if a.shape != (k, m):
        raise ValueError(f"matrix has shape {a.shape}, expected ({k}, {m})")
    scale = style.percent_scale([a.ravel()], as_percent, "heatmap")
    a = a * scale
    if sort_rows:
        with np.errstate(all="ignore"):
            counts = np.isfinite(a).sum(axis=1)
            means = np.where(counts > 0, np.nansum(a, axis=1) / np.maximum(counts, 1), np.nan)
        order = style.sort_order(means)
        rows_l = [rows_l[i] for i in order]
        a = a[order]

    rows = style.row_layout(k, extra=2.9, row=0.34)
    width = float(np.clip(2.6 + 0.85 * m, 6.0, 20.0))
    col_in = (width - 2.6) / m
    fig = style.new_figure(rows.height, width)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    cmap = colormaps["viridis"].with_extremes(bad=style.NAN_FACE)
    finite = np.isfinite(a)
    vmin = float(a[finite].min()) if finite.any() else 0.0
    vmax = float(a[finite].max()) if finite.any() else 1.0
    if vmax - vmin < 1e-9:
        vmin, vmax = vmin - 1.0, vmax + 1.0
    edge = "white" if k <= 60 else "face"
    mesh = ax.pcolormesh(np.ma.masked_invalid(a), cmap=cmap, vmin=vmin, vmax=vmax,
                         edgecolors=edge, linewidth=0.8 if k <= 60 else 0)
    for i, j in zip(*np.nonzero(~finite), strict=True):
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor="none", hatch="////", edgecolor="#b0b0b0",
                               linewidth=0))
    ax.set_xlim(0, m)
    ax.set_ylim(k, 0)
    y_step = rows.step
    style.row_labels(ax, np.arange(k)[::y_step] + 0.5, rows_l[::y_step], rows.fontsize)
    style.make_room(fig, left=max(style.text_width_in(r, rows.fontsize) for r in rows_l) + 0.2)
    wrap = max(3, int(col_in * 72 / 9.0))
    headers = [style.wrap_label(c, wrap) for c in cols_l]
    ax.set_xticks(np.arange(m) + 0.5, headers, fontsize=9)
    style.make_room(fig, top=max(h.count("\n") + 1 for h in headers) * 9 * 1.3 / 72 + 0.1)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)

    annotate = rows.annotate and col_in >= 0.42 and k <= 30  # more: the table has the values
    if annotate:
        for i in range(k):
            for j in range(m):
                if finite[i, j]:
                    colour = label_colour(cmap(mesh.norm(a[i, j])))
                    ax.text(j + 0.5, i + 0.5, style.fmt_value(a[i, j], False), ha="center",
                            va="center", fontsize=8.5, color=colour)
                else:
                    ax.text(j + 0.5, i + 0.5, "—", ha="center", va="center", fontsize=10,
                            color="#444444", fontweight="bold")
    # The colour scale under the matrix, placed once the matrix is (style.fit): a bar in
    # inches, the same whatever the number of rows.
    bar_in = 0.14
    style.make_room(fig, bottom=bar_in + 0.75)

    def colour_scale() -> None:
        box = ax.get_position()
        fig_w, fig_h = fig.get_size_inches()
        cax = fig.add_axes((box.x0 + box.width * 0.25, box.y0 - (0.2 + bar_in) / fig_h,
                            box.width * 0.5, bar_in / fig_h))
        cbar = fig.colorbar(mesh, cax=cax, orientation="horizontal")
        cbar.set_label(value_label, fontsize=9)
        cbar.outline.set_visible(False)
        if as_percent:
            cbar.formatter = FuncFormatter(lambda x, _pos: f"{x:.0f}%")
            cbar.update_ticks()

    style.room(fig).after.append(colour_scale)
    notes = [t("灰色斜線格（—）表示無資料。")] if not finite.all() else []
    if sort_rows:
        notes.append(t("事務所依各項平均由高至低排序。"))
    style.add_footnote(fig, [" ".join(notes)])
    return fig
