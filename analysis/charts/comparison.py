"""Office comparison chart: which offices are above or below the others, and is it real?

The half-yearly report's first chart: one sorted bar per office with its confidence interval,
the overall average, and optional compact letters for the pairwise tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ['office_comparison']

#: The bars' blue: 3.5:1 on white, and the dark whiskers 4.5:1 on it (Okabe-Ito's sky blue
#: was 2.3:1 on white).
BAR = "#5b8db8"


@style.styled
def office_comparison(
    names: Sequence[str],
    values: ArrayLike,
    ci_low: ArrayLike,
    ci_high: ArrayLike,
    overall: float | None,
    *,
    title: str,
    value_label: str | None = None,
    letters: Sequence[str] | None = None,
    as_percent: bool = True,
    ci_level: float | None = 0.95,
    highlight: int | None = None,
) -> Figure:
    """Horizontal bars per office, sorted, with confidence whiskers and the overall average.

    Why: the half-yearly question is "which offices are above or below the others, and
    is the difference real?".  Whiskers show uncertainty, the dashed 「全體平均」 line the
    benchmark, and optional compact-letter-display *letters* (from a multiple-comparison
    test) the significance: offices that share a letter are not significantly different.
    The letters are printed in one aligned column per letter right of the bars, so a shared
    letter can be scanned vertically.

    *values*, *ci_low*, *ci_high* and *overall* are proportions in [0, 1] when
    *as_percent* is true (drawn as %), otherwise plotted as given.  NaN values sort last
    and are marked 「無資料」.  *ci_level* only words the footnote (None omits it).
    *highlight* (an index into *names*) draws that office's bar in
    :data:`~analysis.charts.style.HIGHLIGHT` among grey ones, its name in bold (a scorecard).

    Bars are 3:1 or more on white and the whiskers 3:1 or more on the bars (WCAG 1.4.11).
    """
    value_label = value_label or t("滿意度（%）")
    labels = style.as_labels(names)
    k = len(labels)
    if k == 0:
        return style.empty_figure(title)
    v = style.as_floats(values, k, "values")
    lo = style.as_floats(ci_low, k, "ci_low")
    hi = style.as_floats(ci_high, k, "ci_high")
    ov = style.as_floats([overall], 1, "overall")[0]
    if letters is not None:
        letters = style.as_labels(letters, "letters")
        if len(letters) != k:
            raise ValueError(f"letters has {len(letters)} entries, expected {k}")
    scale = style.percent_scale([v, lo, hi, np.array([ov])], as_percent, "office_comparison")
    v, lo, hi, ov = v * scale, lo * scale, hi * scale, ov * scale

    order = style.sort_order(v)
    mine = None if highlight is None else int(np.flatnonzero(order == highlight)[0])
    labels = [labels[i] for i in order]
    v, lo, hi = v[order], lo[order], hi[order]
    if letters is not None:
        letters = [letters[i] for i in order]

    rows = style.row_layout(k, extra=2.3 if letters else 2.0)
    fig = style.new_figure(rows.height)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    finite = np.isfinite(v)
    if mine is None:
        style.hbars(ax, y[finite], v[finite], color=BAR)
    else:
        others = finite & (y != mine)
        style.hbars(ax, y[others], v[others], color=style.OTHERS)
        if finite[mine]:
            style.hbars(ax, np.array([mine]), v[[mine]], color=style.HIGHLIGHT)

    has_ci = np.isfinite(lo) & np.isfinite(hi)
    ax.hlines(y[has_ci], lo[has_ci], hi[has_ci], color=style.DARK, lw=1.1, zorder=3)
    if k <= 60:  # whisker caps; at hundreds of rows they would merge into a smear
        cap_y = np.concatenate([y[has_ci], y[has_ci]])
        ax.vlines(np.concatenate([lo[has_ci], hi[has_ci]]), cap_y - 0.16, cap_y + 0.16,
                  color=style.DARK, lw=1.1, zorder=3)

    # Axis extent: from 0 (bars must start at zero) to past the highest whisker + label.
    reach = np.where(np.isfinite(hi), hi, v)
    value_text = [style.fmt_value(x, as_percent) if np.isfinite(x) else t("無資料") for x in v]
    name_in = max((style.text_width_in(n, rows.fontsize) for n in labels), default=1.0)
    letter_in = 0.25 * (len(set("".join(letters or ""))) + 1) if letters else 0.0
    axes_in = style.FIG_WIDTH - name_in - letter_in - 0.5
    known = np.append(reach, ov)
    known = known[np.isfinite(known)]
    top = float(known.max()) if known.size and known.max() > 0 else scale
    floor = top * 1.02
    if rows.annotate:
        xmax = style.room_for_labels(np.where(np.isfinite(reach), reach, 0.0), value_text, 8.5,
                                axes_in, floor)
    else:
        xmax = floor
    ax.set_xlim(0, xmax)
    style.percent_ticks(ax, xmax, as_percent)
    ax.set_xlabel(value_label)
    ax.grid(axis="x", color="#e6e6e6", lw=0.7, zorder=0)
    style.office_axis(ax, labels, rows, highlight=mine)
    ax.spines["left"].set_visible(False)

    if rows.annotate:
        for yy, x, text in zip(y, reach, value_text, strict=True):
            # White backing so the dashed average line never runs through a number.
            ax.annotate(text, (x if np.isfinite(x) else 0.0, yy), xytext=(4, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=8.5,
                        color=style.DARK if text != t("無資料") else style.MUTED, zorder=5,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"})

    if np.isfinite(ov):
        ax.axvline(ov, color=style.VERMILLION, ls=(0, (4, 2)), lw=1.3, zorder=4)
        ax.text(ov, 1.0, t("全體平均 {value}", value=style.fmt_value(ov, as_percent)), color=style.VERMILLION_TEXT,
                fontsize=9, ha="center", va="bottom", fontweight="bold",
                transform=blended_transform_factory(ax.transData, ax.transAxes))

    measure = value_label.split(" (")[0]
    notes = [t("依{measure}由高至低排序。", measure=measure)]
    if ci_level is not None:
        notes[0] = t("細線為 {level} 信賴區間；{rest}", level=f"{ci_level:.0%}", rest=notes[0])
    if mine is not None:
        notes.append(t("▶ 與藍色長條為本機關，灰色為其他機關。"))
    if letters is not None:
        _letter_columns(ax, letters, rows)
        notes.append(t("分組字母：有相同字母的事務所，彼此差異未達統計顯著（Dunn 檢定比較整體回答分布，不只滿意度）。"))
    style.add_footnote(fig, notes)
    return fig


def _letter_columns(ax, letters: Sequence[str], rows: style.RowLayout) -> None:
    """Compact letter display: one column per distinct letter, so shared letters align."""
    distinct = sorted({ch for s in letters for ch in s if not ch.isspace()})
    fontsize = min(9.0, rows.fontsize + 0.5)
    style.right_column(ax, 0, t("分組"), x_pt=6, header=True, color=style.DARK)
    if len(distinct) > 12 or (not rows.annotate and len(letters) > 60):
        # Too many letters for aligned columns: print the strings as they are.
        for yy, s in enumerate(letters):
            style.right_column(ax, yy, s, x_pt=6, fontsize=fontsize, color=style.DARK)
        return
    col = {ch: i for i, ch in enumerate(distinct)}
    for yy, s in enumerate(letters):
        for ch in s:
            if ch in col:
                style.right_column(ax, yy, ch, x_pt=6 + 10 * col[ch], fontsize=fontsize,
                              color=style.DARK, fontweight="bold")
