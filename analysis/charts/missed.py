"""The checklist items most often missed: what to train first.

Inspection checklists have dozens of courtesy items; this family shows the few with the highest
failure rates as labelled bars, each with the number of checks behind it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from analysis.charts import style
from analysis.charts.words import t

__all__ = ['most_missed']


@style.styled
def most_missed(
    item_labels: Sequence[str],
    failure_rates: ArrayLike,
    n: int | ArrayLike,
    *,
    title: str,
    top: int = 10,
    as_percent: bool = True,
) -> Figure:
    """The courtesy items most often missed, as horizontal bars of failure rate.

    Why: tells a director what to train first.  Items are sorted by failure rate and the
    *top* ones shown, each labelled with its rate and the number of checks *n* behind it
    (a single ``int`` if every item was checked equally often, else one per item).
    *failure_rates* are proportions in [0, 1] when *as_percent* is true.  Items with a
    NaN rate are left out.
    """
    labels = style.as_labels(item_labels, "item_labels")
    m = len(labels)
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    r = style.as_floats(failure_rates, m, "failure_rates")
    same_n = np.ndim(n) == 0
    counts = np.full(m, float(n)) if same_n else style.as_floats(n, m, "n")
    scale = style.percent_scale([r], as_percent, "most_missed")
    r = r * scale
    keep = [i for i in style.sort_order(r) if np.isfinite(r[i])][:top]
    if not keep:
        return style.empty_figure(title)
    labels = [style.wrap_label(labels[i], 16) for i in keep]
    r, counts = r[keep], counts[keep]
    k = len(keep)

    lines = sum(lab.count("\n") + 1 for lab in labels)
    rows = style.row_layout(k, extra=1.9, row=max(0.34, 0.2 * lines / k + 0.14))
    fig = style.new_figure(rows.height)
    style.add_title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    style.hbars(ax, y, r, color=style.VERMILLION)
    texts = [
        t("{value}（n={n}）", value=style.fmt_value(rate, as_percent), n=f"{c:.0f}")
        if np.isfinite(c) and not same_n
        else style.fmt_value(rate, as_percent)
        for rate, c in zip(r, counts, strict=True)
    ]
    name_in = max(style.text_width_in(line, 9.5) for lab in labels for line in lab.split("\n"))
    xmax = style.room_for_labels(r, texts, 8.5, style.FIG_WIDTH - name_in - 0.5,
                                 max(float(r.max()), 1e-9))
    ax.set_xlim(0, xmax)
    style.percent_ticks(ax, xmax, as_percent)
    for yy, rate, text in zip(y, r, texts, strict=True):
        ax.annotate(text, (rate, yy), xytext=(4, 0), textcoords="offset points", va="center",
                    ha="left", fontsize=8.5, color=style.DARK)
    style.office_axis(ax, labels, rows)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e6e6e6", lw=0.7, zorder=0)
    ax.set_xlabel(t("未做到比例（%）") if as_percent else t("未做到比例"))
    shown = t("前 {k} 項", k=k) if m > k else t("全部 {k} 項", k=k)
    n_note = t("每項查核 {n} 次", n=f"{float(n):.0f}") if same_n else t("n 為該項查核次數")
    style.add_footnote(fig, [t("依未做到比例由高至低排序，顯示{shown}；{n_note}。", shown=shown,
                                n_note=n_note)])
    return fig
