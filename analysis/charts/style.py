"""Charts for the half-yearly office comparisons (Traditional Chinese, print resolution).

Why these choices:

* Only ``matplotlib.figure.Figure`` is used, never ``pyplot``: pyplot keeps global state
  (open figures, current axes) that leaks memory and races between requests in a web
  server.  Rendering goes through ``Figure.savefig`` which picks the Agg canvas.
* Every function takes plain Python / numpy data and returns a ``Figure``; the statistics
  are computed elsewhere, so the charts stay dumb and easy to test.
* Readers are directors looking for "where do we stand": values are sorted, labelled
  directly, office names sit on the y axis, and colours come from colour-blind-safe
  palettes (Okabe-Ito, ColorBrewer RdBu, viridis) with a second cue (marker fill, sign,
  hatching) wherever colour carries meaning.
* Heights grow with the number of offices (12-25 is typical) but are capped, with smaller
  labels, thinned labels and no per-bar annotations when there are hundreds of rows, so a
  400-office national comparison still renders quickly instead of crashing Agg.
* Fonts come from :mod:`analysis.fonts`; a missing Traditional Chinese font raises a
  ``RuntimeError`` with install instructions instead of drawing empty boxes.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ParamSpec

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory, offset_copy
from numpy.typing import ArrayLike

from analysis import fonts

__all__ = [
    "dumbbell",
    "heatmap",
    "inspector_scores",
    "likert_diverging",
    "most_missed",
    "office_comparison",
    "to_png",
    "to_svg",
]

# Okabe & Ito (2008) colour-blind-safe palette.
BLUE = "#0072B2"
SKY = "#56B4E9"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
GREY = "#8c8c8c"
DARK = "#222222"
MUTED = "#666666"
#: Five-point Likert scale, ColorBrewer RdBu (colour-blind safe) with a grey neutral.
LIKERT_COLORS = ("#ca0020", "#f4a582", "#cfcfcf", "#92c5de", "#0571b0")
NAN_FACE = "#eeeeee"

FIG_WIDTH = 8.0  # inches: 1600 px at the default 200 dpi, fits an A4 page with margins
MAX_HEIGHT = 40.0  # inches: 8000 px at 200 dpi, far below Agg's limits


# --------------------------------------------------------------------------- rendering


def to_svg(fig: Figure, *, close: bool = True) -> str:
    """Render *fig* as an SVG document (text as glyph paths, so no font needed to view it).

    Why paths: the reader's browser or the print shop may not have a CJK font; paths look
    the same everywhere.  Output is deterministic (fixed hash salt, no date) so identical
    data give identical bytes, which makes caching and ETags trivial.

    With ``close=True`` (the default) the figure is cleared afterwards to free its artists;
    pass ``close=False`` to render the same figure again, e.g. as PNG.
    """
    buf = io.BytesIO()
    with fonts.rc_context():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    if close:
        fig.clear()
    return buf.getvalue().decode("utf-8")


def to_png(fig: Figure, dpi: int = 200, *, close: bool = True) -> bytes:
    """Render *fig* as PNG bytes at *dpi* (200 = print quality for A4 reports).

    The PNG records *dpi* in its pHYs chunk and measures exactly ``figsize * dpi`` pixels
    (no ``bbox_inches="tight"``; constrained layout already fits the content).  See
    :func:`to_svg` for *close*.
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}")
    buf = io.BytesIO()
    with fonts.rc_context():
        fig.savefig(buf, format="png", dpi=dpi)
    if close:
        fig.clear()
    return buf.getvalue()


# --------------------------------------------------------------------------- helpers

_P = ParamSpec("_P")


def _styled(build: Callable[_P, Figure]) -> Callable[_P, Figure]:
    """Build the figure under the chart style (CJK font) and the rendering lock."""

    @functools.wraps(build)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Figure:
        with fonts.rc_context():
            return build(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class _Rows:
    """Vertical layout for a chart with one row per office."""

    height: float  # figure height in inches
    fontsize: float  # y tick label size in points
    step: int  # label every step-th row (1 = all)
    annotate: bool  # enough room for per-row value labels


def _rows(k: int, *, extra: float = 1.9, row: float = 0.34, min_height: float = 2.4) -> _Rows:
    """Figure height and label density for *k* rows.

    Why: 12-25 offices get a comfortable 0.34 in per row; beyond ~110 rows the height is
    capped (a 400-row PNG at 200 dpi would otherwise be 27 000 px tall), labels shrink to no
    less than 4.5 pt, and if even that does not fit only every n-th label is printed.
    """
    k = max(k, 1)
    height = float(np.clip(extra + row * k, min_height, MAX_HEIGHT))
    pitch = (height - extra) * 72.0 / k  # points per row
    fontsize = float(np.clip(pitch * 0.62, 4.5, 9.5))
    step = max(1, math.ceil(fontsize * 1.15 / pitch))
    return _Rows(height=height, fontsize=fontsize, step=step, annotate=pitch >= 11.0)


def _labels(names: Sequence[object], what: str = "names") -> list[str]:
    if isinstance(names, str):
        raise TypeError(f"{what} must be a sequence of labels, not a single string")
    return ["" if n is None else str(n) for n in names]


def _floats(values: ArrayLike | None, k: int, what: str) -> np.ndarray:
    """1-D float array of length *k*; None becomes all-NaN, None items become NaN."""
    if values is None:
        return np.full(k, np.nan)
    arr = np.asarray(
        [np.nan if v is None else v for v in np.asarray(values, dtype=object).ravel()],
        dtype=float,
    )
    if arr.shape != (k,):
        raise ValueError(f"{what} has {arr.size} values, expected {k} (one per label)")
    return arr


def _scale(arrays: Sequence[np.ndarray], as_percent: bool, what: str) -> float:
    """100 for proportions shown as percent, else 1; rejects percentages passed as proportions.

    Why: a caller passing 87.3 with ``as_percent=True`` would get an axis up to 8730 %; a
    clear error is better than a silently absurd chart in a director's report.
    """
    if not as_percent:
        return 1.0
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays] or [np.empty(0)])
    if finite.size and (finite.max() > 1.0 + 1e-9 or finite.min() < -1e-9):
        raise ValueError(
            f"{what}: as_percent=True expects proportions in [0, 1]; "
            "pass as_percent=False if the values are already percentages"
        )
    return 100.0


def _fmt(value: float, as_percent: bool, digits: int = 1) -> str:
    if not np.isfinite(value):
        return "—"
    return f"{value:.{digits}f}%" if as_percent else f"{value:.{digits}f}"


def _order(key: np.ndarray, *, descending: bool = True) -> np.ndarray:
    """Stable sort by *key*, NaN last (a missing value must not top a ranking)."""
    filled = np.where(np.isfinite(key), -key if descending else key, np.inf)
    return np.argsort(filled, kind="stable")


def _new_figure(height: float, width: float = FIG_WIDTH) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _title(fig: Figure, title: str) -> None:
    """Left-aligned bold title; a figure-level title so constrained layout reserves room."""
    fig.suptitle(str(title), x=0.01, ha="left", fontsize=13, fontweight="bold")


def _footnote(fig: Figure, lines: Sequence[str]) -> None:
    """Small grey note under the chart (what whiskers mean, how rows are sorted)."""
    text = "\n".join(line for line in lines if line)
    if text:
        fig.supxlabel(text, x=0.01, ha="left", fontsize=8, color=MUTED, linespacing=1.4)


def _office_axis(ax, labels: Sequence[str], rows: _Rows) -> None:
    """Office names on the y axis, first row at the top."""
    y = np.arange(len(labels))
    ax.set_yticks(y[:: rows.step], [labels[i] for i in y[:: rows.step]], fontsize=rows.fontsize)
    ax.tick_params(axis="y", length=0, pad=4)
    pad = 0.35 * max(0, 3 - len(labels))  # one or two offices: keep bars from looking bloated
    ax.set_ylim(len(labels) - 0.5 + pad, -0.5 - pad)


def _right_column(ax, y: float, text: str, *, x_pt: float, header: bool = False, **kw) -> None:
    """Text in a column just right of the axes (y in data, x in axes + *x_pt* points).

    A *header* ignores *y* and sits on the axes' top edge, level with the other labels
    drawn above the plot.
    """
    y_transform = ax.transAxes if header else ax.transData
    transform = offset_copy(
        blended_transform_factory(ax.transAxes, y_transform), fig=ax.figure, x=x_pt,
        y=2 if header else 0, units="points",
    )
    opts = {"va": "center", "ha": "left", "fontsize": 8.5, "color": MUTED, "clip_on": False}
    if header:
        opts.update(va="bottom", fontweight="bold")
        y = 1.0
    opts.update(kw)
    ax.text(1.0, y, text, transform=transform, **opts)


def _text_width_in(text: str, fontsize: float) -> float:
    """Rough printed width: CJK glyphs are one em wide, Latin ~0.6 em."""
    ems = sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text)
    return ems * fontsize / 72.0


def _room_for_labels(hi: np.ndarray, labels: Sequence[str], fontsize: float, axes_in: float,
                     floor: float) -> float:
    """Smallest x-limit (from 0) that keeps each label, printed right of hi[i], inside."""
    xmax = floor
    for h, label in zip(hi, labels, strict=True):
        if not np.isfinite(h) or not label:
            continue
        frac = min((_text_width_in(label, fontsize) + 0.08) / max(axes_in, 1.0), 0.6)
        xmax = max(xmax, h / (1.0 - frac))
    return xmax


def _percent_ticks(ax, top: float, as_percent: bool) -> None:
    """Ticks no further than 100 % even when the axis extends to make room for labels."""
    if as_percent:
        hi = min(top, 100.0)
        locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
        ticks = [t for t in locator.tick_values(0, hi) if -1e-9 <= t <= hi + 1e-9]
        ax.set_xticks(ticks, [f"{t:g}%" for t in ticks])
        ax.spines["bottom"].set_bounds(0, hi)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))


def _hbars(ax, y: np.ndarray, width: np.ndarray, *, left: np.ndarray | float = 0.0,
           height: float = 0.64, color: str, edgecolor: str = "none",
           linewidth: float = 0.0) -> PolyCollection:
    """Horizontal bars as one collection.

    Why not ``barh``: it creates one Rectangle artist per bar, which makes a 400-office
    Likert chart (2000 segments) several times slower to build and draw.
    """
    x0 = np.broadcast_to(np.asarray(left, dtype=float), np.shape(width))
    x1 = x0 + np.asarray(width, dtype=float)
    y0, y1 = y - height / 2, y + height / 2
    verts = np.stack([np.column_stack(c) for c in ((x0, y0), (x0, y1), (x1, y1), (x1, y0))],
                     axis=1)
    bars = PolyCollection(verts, facecolors=color, edgecolors=edgecolor, linewidths=linewidth,
                          zorder=2)
    ax.add_collection(bars, autolim=False)
    return bars


def _legend_above(ax, handles: Sequence, *, ncols: int) -> None:
    """One-row legend between title and plot, never on top of the data.

    Anchored to the axes (not the figure) so constrained layout counts it as part of the
    axes and puts the figure title above it instead of on top of it.
    """
    # Anchor at the axes' top edge with a pad in font units, not in axes fractions: a
    # fraction of a 38-inch-tall 400-office axes would open a large gap.
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols,
              fontsize=9, handlelength=1.4, columnspacing=1.4, borderaxespad=0.4,
              borderpad=0.2)


def _empty_figure(title: str, message: str = "無資料") -> Figure:
    """A small figure that says there is nothing to show (instead of an exception)."""
    fig = _new_figure(2.4)
    _title(fig, title)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=14, color=MUTED,
            transform=ax.transAxes)
    return fig


def _luminance(rgba: Sequence[float]) -> float:
    r, g, b = to_rgb(rgba)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _wrap(label: str, width: int) -> str:
    """Wrap a CJK label every *width* characters, preferring breaks after punctuation."""
    if len(label) <= width:
        return label
    lines: list[str] = []
    rest = label
    while len(rest) > width:
        cut = width
        for i in range(width, max(width // 2, 1), -1):
            if rest[i - 1] in "、，,；;/／ ）)":
                cut = i
                break
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        lines.append(rest)
    return "\n".join(lines)


# --------------------------------------------------------------------------- 1. bars + CI


@_styled
def office_comparison(
    names: Sequence[str],
    values: ArrayLike,
    ci_low: ArrayLike,
    ci_high: ArrayLike,
    overall: float | None,
    *,
    title: str,
    value_label: str = "滿意度 (%)",
    letters: Sequence[str] | None = None,
    as_percent: bool = True,
    ci_level: float | None = 0.95,
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
    """
    labels = _labels(names)
    k = len(labels)
    if k == 0:
        return _empty_figure(title)
    v = _floats(values, k, "values")
    lo = _floats(ci_low, k, "ci_low")
    hi = _floats(ci_high, k, "ci_high")
    ov = _floats([overall], 1, "overall")[0]
    if letters is not None:
        letters = _labels(letters, "letters")
        if len(letters) != k:
            raise ValueError(f"letters has {len(letters)} entries, expected {k}")
    scale = _scale([v, lo, hi, np.array([ov])], as_percent, "office_comparison")
    v, lo, hi, ov = v * scale, lo * scale, hi * scale, ov * scale

    order = _order(v)
    labels = [labels[i] for i in order]
    v, lo, hi = v[order], lo[order], hi[order]
    if letters is not None:
        letters = [letters[i] for i in order]

    rows = _rows(k, extra=2.3 if letters else 2.0)
    fig = _new_figure(rows.height)
    _title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    finite = np.isfinite(v)
    _hbars(ax, y[finite], v[finite], color=SKY)

    has_ci = np.isfinite(lo) & np.isfinite(hi)
    ax.hlines(y[has_ci], lo[has_ci], hi[has_ci], color=DARK, lw=1.1, zorder=3)
    if k <= 60:  # whisker caps; at hundreds of rows they would merge into a smear
        cap_y = np.concatenate([y[has_ci], y[has_ci]])
        ax.vlines(np.concatenate([lo[has_ci], hi[has_ci]]), cap_y - 0.16, cap_y + 0.16,
                  color=DARK, lw=1.1, zorder=3)

    # Axis extent: from 0 (bars must start at zero) to past the highest whisker + label.
    reach = np.where(np.isfinite(hi), hi, v)
    value_text = [_fmt(x, as_percent) if np.isfinite(x) else "無資料" for x in v]
    name_in = max((_text_width_in(n, rows.fontsize) for n in labels), default=1.0)
    letter_in = 0.25 * (len(set("".join(letters or ""))) + 1) if letters else 0.0
    axes_in = FIG_WIDTH - name_in - letter_in - 0.5
    known = np.append(reach, ov)
    known = known[np.isfinite(known)]
    top = float(known.max()) if known.size and known.max() > 0 else scale
    floor = top * 1.02
    if rows.annotate:
        xmax = _room_for_labels(np.where(np.isfinite(reach), reach, 0.0), value_text, 8.5,
                                axes_in, floor)
    else:
        xmax = floor
    ax.set_xlim(0, xmax)
    _percent_ticks(ax, xmax, as_percent)
    ax.set_xlabel(value_label)
    ax.grid(axis="x", color="#e6e6e6", lw=0.7, zorder=0)
    _office_axis(ax, labels, rows)
    ax.spines["left"].set_visible(False)

    if rows.annotate:
        for yy, x, text in zip(y, reach, value_text, strict=True):
            # White backing so the dashed average line never runs through a number.
            ax.annotate(text, (x if np.isfinite(x) else 0.0, yy), xytext=(4, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=8.5,
                        color=DARK if text != "無資料" else MUTED, zorder=5,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"})

    if np.isfinite(ov):
        ax.axvline(ov, color=VERMILLION, ls=(0, (4, 2)), lw=1.3, zorder=4)
        ax.text(ov, 1.0, f"全體平均 {_fmt(ov, as_percent)}", color=VERMILLION, fontsize=9,
                ha="center", va="bottom", fontweight="bold",
                transform=blended_transform_factory(ax.transData, ax.transAxes))

    measure = value_label.split(" (")[0]
    notes = [f"依{measure}由高至低排序。"]
    if ci_level is not None:
        notes[0] = f"細線為 {ci_level:.0%} 信賴區間；{notes[0]}"
    if letters is not None:
        _letter_columns(ax, letters, rows)
        notes.append("分組字母：有相同字母的事務所，彼此差異未達統計顯著（Dunn 檢定比較整體回答分布，不只滿意度）。")
    _footnote(fig, notes)
    return fig


def _letter_columns(ax, letters: Sequence[str], rows: _Rows) -> None:
    """Compact letter display: one column per distinct letter, so shared letters align."""
    distinct = sorted({ch for s in letters for ch in s if not ch.isspace()})
    fontsize = min(9.0, rows.fontsize + 0.5)
    _right_column(ax, 0, "分組", x_pt=6, header=True, color=DARK)
    if len(distinct) > 12 or (not rows.annotate and len(letters) > 60):
        # Too many letters for aligned columns: print the strings as they are.
        for yy, s in enumerate(letters):
            _right_column(ax, yy, s, x_pt=6, fontsize=fontsize, color=DARK)
        return
    col = {ch: i for i, ch in enumerate(distinct)}
    for yy, s in enumerate(letters):
        for ch in s:
            if ch in col:
                _right_column(ax, yy, ch, x_pt=6 + 10 * col[ch], fontsize=fontsize,
                              color=DARK, fontweight="bold")


# --------------------------------------------------------------------------- 2. Likert


@_styled
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
    labels = _labels(names)
    k = len(labels)
    level_labels = _labels(level_labels, "level_labels")
    if len(level_labels) != 5:
        raise ValueError(f"level_labels must have 5 entries, got {len(level_labels)}")
    if k == 0:
        return _empty_figure(title)
    p = np.asarray(proportions, dtype=float)
    if p.shape != (k, 5):
        raise ValueError(f"proportions has shape {p.shape}, expected ({k}, 5)")
    p = np.where(np.isfinite(p) & (p > 0), p, 0.0)
    total = p.sum(axis=1)
    missing = total <= 0
    p = np.divide(p, total[:, None], out=np.zeros_like(p), where=~missing[:, None]) * 100

    satisfied = np.where(missing, np.nan, p[:, 3] + p[:, 4])
    order = _order(satisfied)
    labels = [labels[i] for i in order]
    p, missing, satisfied = p[order], missing[order], satisfied[order]
    dissatisfied = p[:, 0] + p[:, 1]

    rows = _rows(k, extra=2.5)
    fig = _new_figure(rows.height)
    _title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    starts = -(dissatisfied + p[:, 2] / 2)
    left = starts.copy()
    for j in range(5):
        _hbars(ax, y, p[:, j], left=left, height=0.7, color=LIKERT_COLORS[j],
               edgecolor="white", linewidth=0.4 if k <= 60 else 0.0)
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
    ax.set_xlabel("回答比例 (%)：左為不滿意，右為滿意")
    _office_axis(ax, labels, rows)

    if rows.annotate:
        for yy in y:
            if missing[yy]:
                ax.text(0, yy, "無資料", ha="center", va="center", fontsize=8.5, color=MUTED)
                continue
            ax.annotate(f"{satisfied[yy]:.0f}%", (left[yy], yy), xytext=(4, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=8.5,
                        color=LIKERT_COLORS[4], fontweight="bold")
            ax.annotate(f"{dissatisfied[yy]:.0f}%", (starts[yy], yy), xytext=(-4, 0),
                        textcoords="offset points", va="center", ha="right", fontsize=8.5,
                        color=LIKERT_COLORS[0])

    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(LIKERT_COLORS, level_labels,
                                                                strict=True)]
    _legend_above(ax, handles, ncols=5)
    note = f"依「{level_labels[3]}＋{level_labels[4]}」比例由高至低排序。"
    if rows.annotate:
        note = (f"{note[:-1]}；右側數字為{level_labels[3]}以上，"
                f"左側為{level_labels[1]}以下的合計比例。")
    _footnote(fig, [note])
    return fig


# --------------------------------------------------------------------------- 3. heatmap


@_styled
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
    rows_l = _labels(office_names, "office_names")
    cols_l = _labels(item_labels, "item_labels")
    k, m = len(rows_l), len(cols_l)
    if k == 0 or m == 0:
        return _empty_figure(title)
    a = np.asarray(matrix, dtype=float)
    if a.shape != (k, m):
        raise ValueError(f"matrix has shape {a.shape}, expected ({k}, {m})")
    scale = _scale([a.ravel()], as_percent, "heatmap")
    a = a * scale
    if sort_rows:
        with np.errstate(all="ignore"):
            counts = np.isfinite(a).sum(axis=1)
            means = np.where(counts > 0, np.nansum(a, axis=1) / np.maximum(counts, 1), np.nan)
        order = _order(means)
        rows_l = [rows_l[i] for i in order]
        a = a[order]

    rows = _rows(k, extra=2.9, row=0.34)
    width = float(np.clip(2.6 + 0.85 * m, 6.0, 20.0))
    col_in = (width - 2.6) / m
    fig = _new_figure(rows.height, width)
    _title(fig, title)
    ax = fig.add_subplot()
    cmap = colormaps["viridis"].with_extremes(bad=NAN_FACE)
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
    ax.set_yticks(np.arange(k)[::y_step] + 0.5, rows_l[::y_step], fontsize=rows.fontsize)
    wrap = max(3, int(col_in * 72 / 9.0))
    ax.set_xticks(np.arange(m) + 0.5, [_wrap(c, wrap) for c in cols_l], fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)

    annotate = rows.annotate and col_in >= 0.42 and k * m <= 1500
    if annotate:
        for i in range(k):
            for j in range(m):
                if finite[i, j]:
                    colour = "white" if _luminance(cmap(mesh.norm(a[i, j]))) < 0.45 else "black"
                    ax.text(j + 0.5, i + 0.5, _fmt(a[i, j], False), ha="center", va="center",
                            fontsize=8.5, color=colour)
                else:
                    ax.text(j + 0.5, i + 0.5, "—", ha="center", va="center", fontsize=10,
                            color="#444444", fontweight="bold")
    cbar = fig.colorbar(mesh, ax=ax, location="bottom", shrink=0.5, aspect=35, pad=0.02)
    cbar.set_label(value_label, fontsize=9)
    cbar.outline.set_visible(False)
    if as_percent:
        cbar.formatter = FuncFormatter(lambda x, _pos: f"{x:.0f}%")
        cbar.update_ticks()
    notes = ["灰色斜線格（—）表示無資料。"] if not finite.all() else []
    if sort_rows:
        notes.append("事務所依各項平均由高至低排序。")
    _footnote(fig, [" ".join(notes)])
    return fig


# --------------------------------------------------------------------------- 4. dumbbell


@_styled
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
) -> Figure:
    """Change per office between two periods: hollow dot = before, filled dot = after.

    Why: directors ask "who improved, who slipped?".  The segment is blue when the value
    rose and vermillion when it fell (Okabe-Ito, colour-blind safe), and the signed change
    is printed in a column on the right, so direction never depends on colour alone.
    *sort_by* is ``"after"`` (latest standing) or ``"change"``.  Offices present in only
    one period (NaN in the other) keep their single dot and are marked 「僅…」.
    """
    labels = _labels(names)
    k = len(labels)
    if sort_by not in ("after", "change"):
        raise ValueError(f"sort_by must be 'after' or 'change', got {sort_by!r}")
    if k == 0:
        return _empty_figure(title)
    b = _floats(before, k, "before")
    a = _floats(after, k, "after")
    scale = _scale([a, b], as_percent, "dumbbell")
    b, a = b * scale, a * scale
    change = a - b
    key = change if sort_by == "change" else np.where(np.isfinite(a), a, b)
    order = _order(key)
    labels = [labels[i] for i in order]
    b, a, change = b[order], a[order], change[order]

    rows = _rows(k, extra=2.5)
    fig = _new_figure(rows.height)
    _title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    up = change > 0
    down = change < 0
    flat = change == 0
    size = 42 if rows.annotate else max(6.0, rows.fontsize**2 * 0.9)
    lw = 2.2 if rows.annotate else 1.0
    for mask, colour in ((up, BLUE), (down, VERMILLION), (flat, GREY)):
        ax.hlines(y[mask], b[mask], a[mask], color=colour, lw=lw, zorder=2)
    after_colour = np.where(up, BLUE, np.where(down, VERMILLION, DARK))
    fin_b, fin_a = np.isfinite(b), np.isfinite(a)
    ax.scatter(b[fin_b], y[fin_b], s=size, facecolor="white", edgecolor=MUTED, linewidth=1.3,
               zorder=3)
    ax.scatter(a[fin_a], y[fin_a], s=size, c=after_colour[fin_a], edgecolor="white",
               linewidth=0.6, zorder=4)

    _office_axis(ax, labels, rows)
    ax.spines["left"].set_visible(False)
    if rows.annotate:
        ax.grid(axis="y", color="#eeeeee", lw=0.7, zorder=0)
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
        _right_column(ax, 0, "變化", x_pt=8, header=True, color=DARK)
        for yy in y:
            if np.isfinite(change[yy]):
                sign = "+" if change[yy] > 0 else ("−" if change[yy] < 0 else "±")
                colour = BLUE if up[yy] else (VERMILLION if down[yy] else MUTED)
                _right_column(ax, yy, f"{sign}{abs(change[yy]):.1f}", x_pt=8, color=colour,
                              fontweight="bold")
            elif fin_a[yy] or fin_b[yy]:
                only = after_label if fin_a[yy] else before_label
                _right_column(ax, yy, f"僅{only}", x_pt=8, fontsize=7.5)
            else:
                _right_column(ax, yy, "無資料", x_pt=8, fontsize=7.5)

    handles = [
        Line2D([], [], ls="", marker="o", markersize=7, markerfacecolor="white",
               markeredgecolor=MUTED, markeredgewidth=1.3, label=before_label),
        Line2D([], [], ls="", marker="o", markersize=7, markerfacecolor=DARK,
               markeredgecolor="white", label=after_label),
        Line2D([], [], color=BLUE, lw=2.2, label="上升"),
        Line2D([], [], color=VERMILLION, lw=2.2, label="下降"),
    ]
    _legend_above(ax, handles, ncols=4)
    sort_note = "依最新一期數值" if sort_by == "after" else "依變化量"
    _footnote(fig, [f"{sort_note}由高至低排序；空心點為{before_label}，實心點為{after_label}。"])
    return fig


# --------------------------------------------------------------------------- 5. inspector


@_styled
def inspector_scores(
    names: Sequence[str],
    scores: ArrayLike,
    *,
    bands: Sequence[tuple[float, str]],
    title: str,
    n: ArrayLike | None = None,
    value_label: str = "平均分數",
) -> Figure:
    """Mean 0-100 mystery-shopper score per office as dots over shaded grade bands.

    Why: offices are graded (優等/甲/乙/丙/丁), so the reader needs the grade as much as
    the score; alternating background bands show both without a legend.  Dots rather
    than bars because scores cluster at 70-100 and the axis starts near the lowest score,
    where a bar would exaggerate differences.  *bands* are ``(lower bound, name)``
    pairs in any order; the top band ends at 100.  *n* (number of checks) is shown in a
    column beside the dots.
    """
    labels = _labels(names)
    k = len(labels)
    if k == 0:
        return _empty_figure(title)
    s = _floats(scores, k, "scores")
    counts = None if n is None else _floats(n, k, "n")
    band_list = sorted(((float(lo), str(name)) for lo, name in bands), reverse=True)
    if not band_list:
        raise ValueError("bands must contain at least one (lower bound, name) pair")
    order = _order(s)
    labels = [labels[i] for i in order]
    s = s[order]
    if counts is not None:
        counts = counts[order]

    rows = _rows(k, extra=2.3)
    fig = _new_figure(rows.height)
    _title(fig, title)
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
            if lower > left:
                ax.axvline(lower, color="#b8c4d2", lw=0.8, zorder=1)
            bound = f"≥{lower:g}" if lower > 0 else f"<{upper:g}"
            ax.text((lo_b + hi_b) / 2, 1.0, f"{name}\n{bound}", transform=band_tf, ha="center",
                    va="bottom", fontsize=9, color="#3b5068", fontweight="bold",
                    linespacing=1.2)
        upper = lower
        if upper <= left:
            break

    if rows.annotate:
        ax.hlines(y[fin], left, s[fin], color="#c9c9c9", lw=0.8, zorder=2)
    size = 50 if rows.annotate else max(6.0, rows.fontsize**2 * 0.9)
    ax.scatter(s[fin], y[fin], s=size, color=BLUE, zorder=3, edgecolor="white", linewidth=0.6)
    if rows.annotate:
        for yy in y:
            text = f"{s[yy]:.1f}" if fin[yy] else "無資料"
            x = s[yy] if fin[yy] else left
            ax.annotate(text, (x, yy), xytext=(6, 0), textcoords="offset points", va="center",
                        ha="left", fontsize=8.5, color=DARK if fin[yy] else MUTED, zorder=4)
    _office_axis(ax, labels, rows)
    ax.spines["left"].set_visible(False)
    ticks = [t for t in range(int(math.ceil(left / 10.0) * 10), 101, 10)]
    ax.set_xticks(ticks)
    ax.spines["bottom"].set_bounds(left, top)
    ax.set_xlabel(value_label)

    if counts is not None and rows.annotate:
        _right_column(ax, 0, "查核次數", x_pt=6, header=True, color=DARK)
        for yy in y:
            c = counts[yy]
            _right_column(ax, yy, f"n={c:.0f}" if np.isfinite(c) else "—", x_pt=6)
    _footnote(fig, ["依平均分數由高至低排序；底色區塊為等第。"])
    return fig


# --------------------------------------------------------------------------- 6. most missed


@_styled
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
    labels = _labels(item_labels, "item_labels")
    m = len(labels)
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    r = _floats(failure_rates, m, "failure_rates")
    same_n = np.ndim(n) == 0
    counts = np.full(m, float(n)) if same_n else _floats(n, m, "n")
    scale = _scale([r], as_percent, "most_missed")
    r = r * scale
    keep = [i for i in _order(r) if np.isfinite(r[i])][:top]
    if not keep:
        return _empty_figure(title)
    labels = [_wrap(labels[i], 16) for i in keep]
    r, counts = r[keep], counts[keep]
    k = len(keep)

    lines = sum(lab.count("\n") + 1 for lab in labels)
    rows = _rows(k, extra=1.9, row=max(0.34, 0.2 * lines / k + 0.14))
    fig = _new_figure(rows.height)
    _title(fig, title)
    ax = fig.add_subplot()
    y = np.arange(k)
    _hbars(ax, y, r, color=VERMILLION)
    texts = [
        f"{_fmt(rate, as_percent)}（n={c:.0f}）"
        if np.isfinite(c) and not same_n
        else _fmt(rate, as_percent)
        for rate, c in zip(r, counts, strict=True)
    ]
    name_in = max(_text_width_in(line, 9.5) for lab in labels for line in lab.split("\n"))
    xmax = _room_for_labels(r, texts, 8.5, FIG_WIDTH - name_in - 0.5, max(float(r.max()), 1e-9))
    ax.set_xlim(0, xmax)
    _percent_ticks(ax, xmax, as_percent)
    for yy, rate, text in zip(y, r, texts, strict=True):
        ax.annotate(text, (rate, yy), xytext=(4, 0), textcoords="offset points", va="center",
                    ha="left", fontsize=8.5, color=DARK)
    _office_axis(ax, labels, rows)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e6e6e6", lw=0.7, zorder=0)
    ax.set_xlabel("未做到比例 (%)" if as_percent else "未做到比例")
    shown = f"前 {k} 項" if m > k else f"全部 {k} 項"
    n_note = f"每項查核 {float(n):.0f} 次" if same_n else "n 為該項查核次數"
    _footnote(fig, [f"依未做到比例由高至低排序，顯示{shown}；{n_note}。"])
    return fig
