"""The look every chart shares: colours, sizes, figure and axis helpers, SVG and PNG output.

The chart families (one module each in :mod:`analysis.charts`) must read as one report: the
same palette, title and footnote placement, office axis, row heights that shrink gracefully for
hundreds of offices, and the same checks on their input.  Those pieces, and the rendering to
SVG and PNG under the chart fonts (:mod:`analysis.fonts`), are defined here once.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ParamSpec

import matplotlib as mpl
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory, offset_copy
from numpy.typing import ArrayLike

from analysis import fonts
from analysis.charts.layout import (
    FIG_WIDTH,
    FOOTNOTE,
    Room,
    add_footnote,
    add_title,
    fit,
    make_room,
    new_figure,
    room,
    text_width_in,
)
from analysis.charts.render import WEB_FONTS, to_png, to_svg
from analysis.charts.words import t

__all__ = [
    "BLUE",
    "DARK",
    "FIG_WIDTH",
    "GREY",
    "HIGHLIGHT",
    "HIGHLIGHT_MARK",
    "LIKERT_COLORS",
    "MAX_HEIGHT",
    "MUTED",
    "NAN_FACE",
    "ORANGE",
    "OTHERS",
    "SKY",
    "VERMILLION",
    "VERMILLION_TEXT",
    "SEPARATOR",
    "Room",
    "RowLayout",
    "WEB_FONTS",
    "add_footnote",
    "add_title",
    "fit",
    "make_room",
    "room",
    "as_floats",
    "as_labels",
    "contrast",
    "empty_figure",
    "fmt_value",
    "hbars",
    "legend_above",
    "new_figure",
    "office_axis",
    "office_labels",
    "row_labels",
    "percent_scale",
    "percent_ticks",
    "relative_luminance",
    "right_column",
    "room_for_labels",
    "row_layout",
    "sort_order",
    "styled",
    "text_width_in",
    "to_png",
    "to_svg",
    "wrap_label",
]

# Okabe & Ito (2008) colour-blind-safe palette.
BLUE = "#0072B2"
SKY = "#56B4E9"
VERMILLION = "#D55E00"
#: Vermilion dark enough for small text on white (5.8:1; WCAG 1.4.3 asks 4.5:1, #D55E00 is 3.9:1)
VERMILLION_TEXT = "#A84A00"
ORANGE = "#E69F00"
GREY = "#8c8c8c"
DARK = "#222222"
MUTED = FOOTNOTE
#: Five-point Likert scale, ColorBrewer RdBu (colour-blind safe) with a grey neutral, every
#: colour at least 3.3:1 on white (WCAG 1.4.11).  Neighbours are as close as 1.0:1 (no five
#: colours can be 3:1 from white and from each other), so the bars draw a white gap of
#: :data:`SEPARATOR` points between segments, itself 3.3:1 or more from every fill.  The old
#: light palette had three colours at 1.6-2:1 on white and neighbours 1.2-3:1 apart.
LIKERT_COLORS = ("#b2182b", "#d6604d", "#8a8a8a", "#4393c3", "#2166ac")
#: Width (points) of the white gap between touching segments of a stacked bar.
SEPARATOR = 1.2
#: One office among the others (its scorecard): its bar or dot in this colour, every other
#: office's in :data:`OTHERS` (both 3:1 or more on white), its name bold after this mark.
HIGHLIGHT = BLUE
OTHERS = "#767676"   # 4.5:1 on white, 3.9:1 on a grade band's tint
HIGHLIGHT_MARK = "▶ "
NAN_FACE = "#eeeeee"

MAX_HEIGHT = 40.0  # inches: 8000 px at 200 dpi, far below Agg's limits


# --------------------------------------------------------------------------- helpers


def relative_luminance(colour) -> float:
    """WCAG 2's relative luminance (sRGB channels linearised)."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                for c in to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(first, second) -> float:
    """WCAG 2's contrast ratio of two colours, 1 to 21 (text needs 4.5, large text and
    graphical parts 3)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)

_P = ParamSpec("_P")


def styled(build: Callable[_P, Figure]) -> Callable[_P, Figure]:
    """Build the figure under the chart style (CJK font) and the rendering lock, then place
    its axes from the room its parts asked for (:func:`fit`)."""

    @functools.wraps(build)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> Figure:
        with fonts.rc_context():
            return fit(build(*args, **kwargs))

    return wrapper


@dataclass(frozen=True)
class RowLayout:
    """Vertical layout for a chart with one row per office."""

    height: float  # figure height in inches
    fontsize: float  # y tick label size in points
    step: int  # label every step-th row (1 = all)
    annotate: bool  # enough room for per-row value labels


def row_layout(k: int, *, extra: float = 1.9, row: float = 0.34,
               min_height: float = 2.4) -> RowLayout:
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
    return RowLayout(height=height, fontsize=fontsize, step=step, annotate=pitch >= 11.0)


def as_labels(names: Sequence[object], what: str = "names") -> list[str]:
    if isinstance(names, str):
        raise TypeError(f"{what} must be a sequence of labels, not a single string")
    return ["" if n is None else str(n) for n in names]


def as_floats(values: ArrayLike | None, k: int, what: str) -> np.ndarray:
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


def percent_scale(arrays: Sequence[np.ndarray], as_percent: bool, what: str) -> float:
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


def fmt_value(value: float, as_percent: bool, digits: int = 1) -> str:
    if not np.isfinite(value):
        return "—"
    return f"{value:.{digits}f}%" if as_percent else f"{value:.{digits}f}"


def sort_order(key: np.ndarray, *, descending: bool = True) -> np.ndarray:
    """Stable sort by *key*, NaN last (a missing value must not top a ranking)."""
    filled = np.where(np.isfinite(key), -key if descending else key, np.inf)
    return np.argsort(filled, kind="stable")


#: The artist label that marks a text as an office name on the y axis (see :func:`office_labels`).
OFFICE_LABEL = "_office_name"


def office_axis(ax, labels: Sequence[str], rows: RowLayout, highlight: int | None = None
                ) -> None:
    """Office names left of the axes, first row at the top (room for the longest on the left).

    Why texts and not y tick labels: a tick is five artists (a label, a spare label, two
    marks and a grid line), built and copied for every row; plain texts placed where the
    tick labels would be draw the same picture in about a sixth less time per chart.

    The *highlight* row (an office's own scorecard) is named in bold after a 「▶」, always
    shown however many rows are thinned out: its colour is never the only cue (WCAG 1.4.1).
    """
    labels = list(labels)
    y = np.arange(len(labels))
    shown = y[:: rows.step]
    if highlight is not None:
        labels[highlight] = f"{HIGHLIGHT_MARK}{labels[highlight]}"
        shown = np.union1d(shown, [highlight])
    widest = max((text_width_in(labels[i], rows.fontsize) for i in shown), default=0.0)
    make_room(ax.figure, left=widest + 0.2)
    row_labels(ax, shown, [labels[i] for i in shown], rows.fontsize)
    if highlight is not None:
        for text in ax.texts:
            if text.get_label() == OFFICE_LABEL and text.get_position()[1] == highlight:
                text.set_fontweight("bold")
                text.set_color(DARK)
    pad = 0.35 * max(0, 3 - len(labels))  # one or two offices: keep bars from looking bloated
    ax.set_ylim(len(labels) - 0.5 + pad, -0.5 - pad)


def row_labels(ax, y: Sequence[float], labels: Sequence[str], fontsize: float) -> None:
    """*labels* left of the axes at rows *y* (data), where y tick labels would be, as texts."""
    ax.set_yticks([])
    beside = offset_copy(blended_transform_factory(ax.transAxes, ax.transData), fig=ax.figure,
                         x=-4, y=0, units="points")
    colour = mpl.rcParams["ytick.color"]
    for yy, label in zip(y, labels, strict=True):
        ax.text(0, yy, label, transform=beside, ha="right", va="center_baseline",
                fontsize=fontsize, color=colour, clip_on=False, label=OFFICE_LABEL)


def office_labels(ax) -> list[str]:
    """The office names :func:`office_axis` wrote, top to bottom (without the highlight's
    mark)."""
    return [t.get_text().removeprefix(HIGHLIGHT_MARK) for t in ax.texts
            if t.get_label() == OFFICE_LABEL]


def right_column(ax, y: float, text: str, *, x_pt: float, header: bool = False, **kw) -> None:
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
    make_room(ax.figure, right=x_pt / 72 + text_width_in(str(text), opts["fontsize"]) + 0.15)


def room_for_labels(hi: np.ndarray, labels: Sequence[str], fontsize: float, axes_in: float,
                     floor: float) -> float:
    """Smallest x-limit (from 0) that keeps each label, printed right of hi[i], inside."""
    xmax = floor
    for h, label in zip(hi, labels, strict=True):
        if not np.isfinite(h) or not label:
            continue
        frac = min((text_width_in(label, fontsize) + 0.08) / max(axes_in, 1.0), 0.6)
        xmax = max(xmax, h / (1.0 - frac))
    return xmax


def percent_ticks(ax, top: float, as_percent: bool) -> None:
    """Ticks no further than 100 % even when the axis extends to make room for labels."""
    if as_percent:
        hi = min(top, 100.0)
        locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
        ticks = [t for t in locator.tick_values(0, hi) if -1e-9 <= t <= hi + 1e-9]
        ax.set_xticks(ticks, [f"{t:g}%" for t in ticks])
        ax.spines["bottom"].set_bounds(0, hi)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))


def hbars(ax, y: np.ndarray, width: np.ndarray, *, left: np.ndarray | float = 0.0,
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


def legend_above(ax, handles: Sequence, *, ncols: int) -> None:
    """One-row legend between title and plot, never on top of the data.

    Anchored to the axes (not the figure) so constrained layout counts it as part of the
    axes and puts the figure title above it instead of on top of it.
    """
    # As many columns as fit the axes' width (English labels are longer than Chinese ones).
    space = room(ax.figure)
    width = ax.figure.get_figwidth() - space.left - space.right - 0.2
    labels = [h.get_label() for h in handles]

    def widest(cols: int) -> float:
        return max(sum(text_width_in(lbl, 9) + 0.45 for lbl in labels[i:i + cols])
                   for i in range(0, len(labels), cols))

    while ncols > 1 and widest(ncols) > width:
        ncols -= 1
    lines = math.ceil(len(handles) / ncols)
    # Anchor at the axes' top edge with a pad in font units, not in axes fractions: a
    # fraction of a 38-inch-tall 400-office axes would open a large gap.
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols,
              fontsize=9, handlelength=1.4, columnspacing=1.4, borderaxespad=0.4,
              borderpad=0.2)
    make_room(ax.figure, top=lines * 9 * 1.6 / 72 + 0.16)


def empty_figure(title: str, message: str | None = None) -> Figure:
    """A small figure that says there is nothing to show (instead of an exception)."""
    fig = new_figure(2.4)
    add_title(fig, title)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message or t("無資料"), ha="center", va="center", fontsize=14, color=MUTED,
            transform=ax.transAxes)
    return fig


def wrap_label(label: str, width: int) -> str:
    """Wrap a CJK label every *width* characters, preferring breaks after punctuation; a
    label in Latin letters (half as wide) wraps at spaces, twice as many characters a line."""
    if label.isascii():
        return textwrap.fill(label, width * 2, break_long_words=False) if label else label
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

