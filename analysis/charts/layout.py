"""Placing a chart's axes in the room its title, legend, footnote and labels need.

Why not matplotlib's constrained layout: it measures every text by drawing the figure twice,
half the time of a 60-office chart.  The parts added here have known sizes, so each asks for
its room in inches as it is added and :func:`fit` places the axes once.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

__all__ = ["Room", "add_footnote", "add_title", "fit", "make_room", "new_figure", "room",
           "text_width_in"]

#: Footnote grey (the chart palette's MUTED).
FOOTNOTE = "#666666"
FIG_WIDTH = 8.0  # inches: 1600 px at the default 200 dpi, fits an A4 page with margins


@dataclass
class Room:
    """Inches a figure's parts need around its plotting area, gathered as they are added.

    Why not matplotlib's constrained layout: it measures every text by drawing the figure
    twice, half the time of a 60-office chart.  The parts here have known sizes (a title, one
    legend row, a few footnote lines, office names), so their room is computed directly.
    """

    left: float = 0.35
    right: float = 0.3
    top: float = 0.15
    bottom: float = 0.15
    title: str | None = None
    footnote: str | None = None
    footnote_lines: int = 0
    after: list = None  # callbacks that place extra axes once the main axes are placed

    def __post_init__(self) -> None:
        self.after = []


def room(fig: Figure) -> Room:
    """The figure's :class:`Room`, created on first use."""
    found = getattr(fig, "_room", None)
    if found is None:
        found = Room()
        fig._room = found
    return found


def _axis_room(fig: Figure, space: Room) -> tuple[float, float, float, float]:
    """Extra room for axis labels and tick labels the chart set directly on its axes."""
    left = right = top = bottom = 0.0
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        if ax.get_xlabel():
            bottom = max(bottom, 0.24)
        if ax.get_ylabel():   # the label beside the widest tick label ("100%")
            ticks = [t for t in ax.yaxis.get_majorticklabels() if t.get_text()]
            widest = max((text_width_in(t.get_text(), t.get_fontsize()) for t in ticks),
                         default=0.0)
            left = max(left, 0.26 + max(widest + 0.12 - space.left, 0.0))
        if ax.xaxis.get_ticks_position() in ("bottom", "default") and ax.get_xticks().size:
            bottom = max(bottom, 0.24 + (0.24 if ax.get_xlabel() else 0.0))
    return left, right, top, bottom


def fit(fig: Figure) -> Figure:
    """Place the axes of a figure built with :func:`new_figure` in the room its parts asked
    for, and pin the title and footnote to the figure's edges (in inches, not fractions, so
    a 40-inch 400-office chart keeps the same gaps as a 3-inch one)."""
    if fig.get_layout_engine() is not None or not fig.axes:
        return fig
    space = room(fig)
    width, height = fig.get_size_inches()
    extra_left, _r, _t, extra_bottom = _axis_room(fig, space)
    left = space.left + extra_left
    bottom = space.bottom + max(extra_bottom, 0.0)
    right, top = space.right, space.top
    fig.subplots_adjust(left=min(left / width, 0.7), right=1 - min(right / width, 0.28),
                        top=1 - min(top / height, 0.6), bottom=min(bottom / height, 0.6))
    if space.title:
        fig.suptitle(space.title, x=0.1 / width, y=1 - 0.08 / height, ha="left", va="top",
                     fontsize=13, fontweight="bold")
    if space.footnote:
        fig.text(0.1 / width, 0.06 / height, space.footnote, ha="left", va="bottom",
                 fontsize=8, color=FOOTNOTE, linespacing=1.4)
    for place in space.after:
        place()
    return fig


def new_figure(height: float, width: float = FIG_WIDTH) -> Figure:
    """A figure placed by :func:`fit` (see :class:`Room`), not by a layout engine."""
    return Figure(figsize=(width, height))


def add_title(fig: Figure, title: str) -> None:
    """Left-aligned bold title at the top edge (placed by :func:`fit`)."""
    space = room(fig)
    space.title = str(title)
    space.top += 13 * 1.25 / 72 + 0.14


LATIN_EM = 0.6   # a Latin glyph's rough width in ems; a CJK one is a whole em


def glyph_ems(ch: str) -> float:
    return 1.0 if ord(ch) > 0x2E7F else LATIN_EM


def text_width_in(text: str, fontsize: float) -> float:
    """Rough printed width of the widest line."""
    ems = max(sum(glyph_ems(ch) for ch in line) for line in text.split("\n"))
    return ems * fontsize / 72.0


def fold(line: str, width_in: float, fontsize: float) -> list[str]:
    """``line`` in lines that fit ``width_in`` inches: Latin text breaks at spaces, CJK text
    at any character."""
    if line.isascii():
        return textwrap.wrap(line, max(20, int(width_in * 72 / (fontsize * LATIN_EM)))) or [""]
    lines, current, used = [], "", 0.0
    for ch in line:
        em = glyph_ems(ch)
        if used + em * fontsize / 72 > width_in and current:
            lines.append(current)
            current, used = "", 0.0
        current += ch
        used += em * fontsize / 72
    return [*lines, current]


def add_footnote(fig: Figure, lines: Sequence[str]) -> None:
    """Small grey note under the chart (what whiskers mean, how rows are sorted), each line
    folded to the figure's width (an English note is longer than its Chinese)."""
    width = fig.get_figwidth() - 0.25
    text = "\n".join(part for line in lines if line for part in fold(line, width, 8))
    if text:
        space = room(fig)
        space.footnote = text
        count = text.count("\n") + 1
        space.bottom += count * 8 * 1.4 / 72 + 0.1


def make_room(fig: Figure, *, left: float = 0.0, right: float = 0.0, top: float = 0.0,
              bottom: float = 0.0) -> None:
    """Ask for more room (inches) on a side: labels drawn outside the axes."""
    space = room(fig)
    space.left = max(space.left, left) if left else space.left
    space.right = max(space.right, right) if right else space.right
    space.top += top
    space.bottom += bottom
