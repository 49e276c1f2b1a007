"""A printable A4 sheet of one-time survey QR codes, cut into slips: handed out at the counter
to citizens, or to an office's staff for the staff survey.

Drawn with matplotlib's PDF backend (already a dependency for the charts) from segno's QR
matrices, with the Traditional Chinese font the charts use.
"""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path
from typing import IO
from urllib.parse import urlencode, urlsplit

import numpy as np
import segno
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from analysis import fonts

A4 = (8.27, 11.69)
COLUMNS, ROWS = 3, 4
#: where to type the code and the code itself, in points: large enough for an elderly citizen
#: to read and type without glasses at arm's length (print below 10 pt is hard to read)
TYPED_PT, CODE_PT = 10, 12


def survey_url(base_url: str, office_code: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/survey/{office_code}?{urlencode({'c': code})}"


def short_url(base_url: str) -> str:
    """Where someone who cannot scan types the slip's code (``/c``), without the scheme."""
    return base_url.rstrip("/").split("://", 1)[-1] + "/c"


def loopback(base_url: str) -> bool:
    """Whether QR codes for ``base_url`` would only open on the server itself."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


CITIZEN_WORDS = ("請用手機掃描填寫滿意度問卷", "每張限填一次・不記名")


def write_sheet(path: Path | IO[bytes], office_name: str, urls: list[str],
                codes: list[str] | None = None, typed_at: str | None = None,
                words: tuple[str, str] = CITIZEN_WORDS) -> int:
    """Write the slips to ``path`` (PDF); return the number of pages.  With ``codes`` and
    ``typed_at`` each slip also says where to type its code by hand; ``words`` are the slip's
    invitation and its small print."""
    pages = 0
    per_page = COLUMNS * ROWS
    with fonts.rc_context(), PdfPages(path) as pdf:
        for start in range(0, len(urls), per_page):
            figure = Figure(figsize=A4)
            for slot, url in enumerate(urls[start:start + per_page]):
                column, row = slot % COLUMNS, slot // COLUMNS
                left = 0.04 + column * 0.32
                bottom = 1 - (row + 1) * 0.24
                typed = bool(codes and typed_at)
                # room below for where to type the code, in print an older eye reads (>= 10 pt)
                lift = 0.04 if typed else 0.0
                axes = figure.add_axes((left + 0.04, bottom + 0.052 + lift, 0.2, 0.158 - lift))
                # with its quiet zone: a reader finds the code by the white around it
                # error correction L: the fewest, so the largest, modules; a slip is printed
                # fresh, not worn on a door for years (tested: ZBar at 200 dpi reads them all)
                matrix = np.array(list(segno.make(url, error="l", boost_error=False)
                                       .matrix_iter(border=2)), dtype=float)
                # as vector squares, not an image a printer or viewer would smooth
                axes.pcolormesh(1 - matrix[::-1], cmap="gray", vmin=0, vmax=1,
                                antialiased=False, edgecolors="none", snap=True)
                axes.set_aspect("equal")
                axes.set_axis_off()
                figure.text(left + 0.14, bottom + 0.215, office_name, ha="center", fontsize=9,
                            fontweight="bold")
                figure.text(left + 0.14, bottom + 0.035 + lift, words[0],
                            ha="center", fontsize=8.5)
                figure.text(left + 0.14, bottom + 0.019 + lift, words[1],
                            ha="center", fontsize=7, color="#555555")
                if typed:
                    figure.text(left + 0.14, bottom + 0.041, "無法掃描時，請開啟網址",
                                ha="center", fontsize=TYPED_PT)
                    figure.text(left + 0.14, bottom + 0.025, typed_at, ha="center",
                                fontsize=TYPED_PT, fontweight="bold")
                    figure.text(left + 0.14, bottom + 0.005, f"輸入代碼 {codes[start + slot]}",
                                ha="center", fontsize=CODE_PT, fontweight="bold")
            pdf.savefig(figure)
            pages += 1
    return pages
