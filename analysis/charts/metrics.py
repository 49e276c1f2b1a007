"""Text sizes remembered for the life of the process, not of one drawing.

Why: matplotlib measures every string with FreeType each time a figure is drawn, and its own
cache lives only as long as one renderer, that is one ``savefig``.  A report writes the same
office names, percentages and headings in chart after chart and report after report, and
measuring them again was a third of the time its five charts took to draw
(``benchmarks/analysis.py``).  A size depends only on the string, the font properties, the
kind of renderer, its resolution and the hinting settings, so those make the key.

The hook is the one matplotlib's own test suite replaces
(``matplotlib.testing.conftest`` patches ``matplotlib.text._get_text_metrics_with_cache``), a
module-level function every text layout calls.  Should a later matplotlib drop it,
:func:`install` leaves matplotlib alone and charts are drawn as before, only slower.

Every text's layout also reads its font's ascent and descent from the font file's tables,
unless the renderer answers ``_get_font_height_metrics`` (as matplotlib's PDF and PostScript
renderers do); the SVG renderer gets an answer remembered per font, computed as matplotlib
computes it: another tenth of the drawing.  ``tests/test_charts.py`` checks that charts drawn
either way are the same bytes, so a matplotlib that changed either hook fails there.
"""

from __future__ import annotations

import threading

import matplotlib as mpl
from matplotlib import text as mtext
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import fontManager, get_font

__all__ = ["MAX_ENTRIES", "clear", "install", "installed", "size", "uninstall"]

MAX_ENTRIES = 50_000  # a few MB; emptied when full rather than growing without end

_ORIGINAL = getattr(mtext, "_get_text_metrics_with_cache", None)
_sizes: dict[tuple, tuple[float, float, float]] = {}
_lock = threading.Lock()


def _font_key(prop) -> tuple:
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), prop.get_file(),
            prop.get_math_fontfamily())


def _measured(renderer, text, fontprop, ismath, dpi):
    if ismath == "TeX":   # sizes from an external TeX run: not ours to keep
        return _ORIGINAL(renderer, text, fontprop, ismath, dpi)
    key = (type(renderer), getattr(renderer, "dpi", None), text, _font_key(fontprop), ismath,
           dpi, mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"])
    found = _sizes.get(key)
    if found is None:
        found = _ORIGINAL(renderer, text, fontprop, ismath, dpi)
        with _lock:
            if len(_sizes) >= MAX_ENTRIES:
                _sizes.clear()
            _sizes[key] = found
    return found


#: The font tables matplotlib reads a font's height from, in its order of preference.
_HEIGHT_TABLES = (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                  ("hhea", "lineGap", "ascent", "descent"))
_heights: dict[tuple, tuple] = {}


def _font_heights(renderer, prop) -> tuple:
    """Ascent, descent and line gap of *prop*'s font at its size in points (an SVG is drawn
    at 72 dpi), as ``Text._get_layout`` computes them; (None, None, None) lets it measure."""
    key = _font_key(prop)
    found = _heights.get(key)
    if found is None:
        found = (None, None, None)
        font = get_font(fontManager._find_fonts_by_props(prop))
        for table_name, gap_key, ascent_key, descent_key in _HEIGHT_TABLES:
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            scale = prop.get_size_in_points() / font.get_sfnt_table("head")["unitsPerEm"]
            found = (table[ascent_key] * scale, -table[descent_key] * scale,
                     table[gap_key] * scale)
            break
        with _lock:
            _heights[key] = found
    return found


def install() -> bool:
    """Measure through the process-wide caches from now on; False if matplotlib has no hook."""
    if _ORIGINAL is None:
        return False
    mtext._get_text_metrics_with_cache = _measured
    if not hasattr(RendererSVG, "_get_font_height_metrics"):
        RendererSVG._get_font_height_metrics = _font_heights
    return True


def installed() -> bool:
    return getattr(mtext, "_get_text_metrics_with_cache", None) is _measured


def uninstall() -> None:
    """Back to matplotlib's own measuring (for tests that compare the two)."""
    if _ORIGINAL is not None:
        mtext._get_text_metrics_with_cache = _ORIGINAL
    if getattr(RendererSVG, "_get_font_height_metrics", None) is _font_heights:
        del RendererSVG._get_font_height_metrics


def size() -> int:
    return len(_sizes)


def clear() -> None:
    with _lock:
        _sizes.clear()
        _heights.clear()
