"""Traditional Chinese font discovery for the charts.

Why this module exists: matplotlib's default font (DejaVu Sans) has no CJK glyphs, so an
office name such as 「松山戶政事務所」 would be drawn as empty boxes ("tofu") with nothing
worse than a warning.  A director reading such a chart cannot tell which bar is which
office, so we would rather fail loudly at render time, with a message that says how to
fix the machine, than ship an unreadable chart.

The charts must also be safe inside a multi-threaded web server.  matplotlib keeps its
style in the process-global ``rcParams``; :func:`rc_context` therefore serialises chart
construction *and* rendering behind one lock (tick labels are created lazily at draw time,
so the font has to be in force while saving as well as while building).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager, ft2font

_log = logging.getLogger(__name__)

#: Families tried in order.  The first is what Debian's ``fonts-noto-cjk`` provides; the
#: others are fallbacks that are only accepted if they really carry the glyphs we draw.
DEFAULT_CANDIDATES: tuple[str, ...] = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Noto Serif CJK TC",
    "AR PL UMing TW",
    "Noto Sans CJK JP",
)

#: Characters that every chart in this project draws (office names, item labels, grades,
#: axis words, punctuation).  A candidate font must contain all of them; 戶 (U+6236) in
#: particular is missing from Japanese-only fonts, which use 戸 (U+6238).
SAMPLE_TEXT = (
    "松山信義大安中山中正大同萬華文山南港內湖士林北投戶政地事務所"
    "請、謝謝對不起滿意度全體平均優等甲乙丙丁非常普通年上下半"
    "（）「」，。：—−%0123456789"
)

#: Where font packages put CJK fonts on Debian/Ubuntu (fonts-noto-cjk, fonts-arphic-uming)
#: and on a few other common layouts.  Used only when matplotlib's cached font list does not
#: know any candidate yet, e.g. because the package was installed after the cache was built.
FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/truetype/arphic",
    "/usr/local/share/fonts",
    str(Path.home() / ".local/share/fonts"),
    str(Path.home() / ".fonts"),
)
_FONT_FILE_HINTS = ("cjk", "notosanstc", "notoseriftc", "uming")
_FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")

INSTALL_HINT = (
    "No Traditional Chinese font found for the charts (找不到繁體中文字型，圖表無法顯示中文). "
    "Install one with `sudo apt-get install fonts-noto-cjk` (Debian/Ubuntu; provides "
    "'Noto Sans CJK TC'), or run `make run` / `make test`, which install it for you. "
    "A running server picks the new font up on its next chart (the font cache is refreshed)."
)

_RENDER_LOCK = threading.RLock()


def _covers(entry: font_manager.FontEntry, sample: str) -> bool:
    """True if the font face of *entry* has a glyph for every character of *sample*."""
    try:
        font = ft2font.FT2Font(entry.fname, face_index=getattr(entry, "index", 0))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ch.isspace() or font.get_char_index(ord(ch)) != 0 for ch in sample)


def _entries_named(family: str) -> list[font_manager.FontEntry]:
    wanted = family.casefold()
    entries = [e for e in font_manager.fontManager.ttflist if e.name.casefold() == wanted]
    # Regular weight first: that is the face used for almost all chart text.
    return sorted(entries, key=lambda e: abs(_weight(e.weight) - 400))


def _weight(weight: str | int) -> int:
    if isinstance(weight, int):
        return weight
    return font_manager.weight_dict.get(str(weight), 400)


def _first_covering(candidates: Sequence[str], sample: str) -> str | None:
    for family in candidates:
        for entry in _entries_named(family):
            if _covers(entry, sample):
                return entry.name
    return None


def _candidate_files(font_dirs: Sequence[str]) -> list[str]:
    """Font files in *font_dirs* (and fontconfig's list) that look like CJK fonts."""
    found: set[str] = set()
    for directory in font_dirs:
        if os.path.isdir(directory):
            for root, _dirs, files in os.walk(directory):
                for name in files:
                    if name.lower().endswith(_FONT_SUFFIXES):
                        found.add(os.path.join(root, name))
    with contextlib.suppress(Exception):  # fontconfig may be absent; the dirs still count
        found.update(font_manager.findSystemFonts())
    return sorted(
        path
        for path in found
        if any(hint in Path(path).name.lower().replace("-", "") for hint in _FONT_FILE_HINTS)
    )


def refresh_font_cache(font_dirs: Sequence[str] = FONT_DIRS) -> list[str]:
    """Register CJK font files that matplotlib's cached font list does not know yet.

    Why: matplotlib builds ``fontlist-*.json`` once and never rescans, so a font package
    installed after the first import (``apt-get install fonts-noto-cjk`` in a running
    container) is invisible until the cache is rebuilt.  We add only the missing files
    (cheap) and write the cache back so other worker processes see them too.

    Returns the paths that were added.
    """
    known = {os.path.realpath(e.fname) for e in font_manager.fontManager.ttflist}
    added: list[str] = []
    for path in _candidate_files(font_dirs):
        if os.path.realpath(path) in known:
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError) as exc:
            _log.info("skipping unreadable font file %s: %s", path, exc)
            continue
        added.append(path)
    if added:
        cache = Path(mpl.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
        font_manager.json_dump(font_manager.fontManager, cache)
        _log.info("added %d CJK font file(s) to matplotlib's font cache", len(added))
    return added


def find_tc_font(
    candidates: Sequence[str] = DEFAULT_CANDIDATES,
    *,
    sample: str = SAMPLE_TEXT,
    font_dirs: Sequence[str] = FONT_DIRS,
) -> str:
    """Return the first family in *candidates* that matplotlib can use for *sample*.

    Takes the candidate list as a parameter so that the failure path (and its install
    hint) can be tested without uninstalling fonts.  If nothing matches, the font cache is
    refreshed once from *font_dirs* before giving up.

    Raises:
        RuntimeError: no candidate is installed or none has all glyphs of *sample*; the
            message says how to install ``fonts-noto-cjk``.
    """
    family = _first_covering(candidates, sample)
    if family is None and refresh_font_cache(font_dirs):
        family = _first_covering(candidates, sample)
    if family is None:
        tried = ", ".join(repr(c) for c in candidates) or "(none)"
        raise RuntimeError(f"{INSTALL_HINT} Families tried: {tried}.")
    return family


@functools.cache
def tc_font_family() -> str:
    """The Traditional Chinese font family used by every chart (looked up once per process).

    Raises:
        RuntimeError: see :func:`find_tc_font`.
    """
    return find_tc_font()


def style() -> dict[str, Any]:
    """rcParams for the charts: CJK font, no chart junk, deterministic SVG output.

    ``text.parse_math`` is off because office and item names are user data: a ``$`` in a
    name must be printed, not parsed as TeX.  The SVG hash salt and the missing date make
    identical charts byte-identical, so they can be cached and compared.
    """
    family = tc_font_family()
    return {
        "font.family": [family, "DejaVu Sans"],
        "font.size": 10,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#555555",
        "axes.linewidth": 0.8,
        "axes.axisbelow": True,
        "axes.unicode_minus": True,
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "xtick.labelsize": 9,
        "ytick.labelsize": 9.5,
        "legend.frameon": False,
        "legend.fontsize": 9,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "text.parse_math": False,
        "text.color": "#222222",
        "svg.fonttype": "path",
        "svg.hashsalt": "service-quality-charts",
        "hatch.color": "#9a9a9a",
        "hatch.linewidth": 0.6,
    }


@contextlib.contextmanager
def rc_context() -> Iterator[None]:
    """Apply :func:`style` while building or rendering a chart, one thread at a time.

    Why a lock: ``rcParams`` is process-global, and two overlapping ``rc_context`` blocks
    in different threads can restore each other's settings, leaving a chart drawn with
    DejaVu Sans (tofu boxes) or the wrong style.  The lock is re-entrant so chart functions
    may nest it.
    """
    rc = style()  # resolve (and possibly raise) before taking the lock
    with _RENDER_LOCK, mpl.rc_context(rc):
        yield
