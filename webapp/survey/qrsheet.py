"""A printable A4 sheet of one-time survey QR codes, cut into slips handed out at the counter.

Drawn with matplotlib's PDF backend (already a dependency for the charts) from segno's QR
matrices, with the Traditional Chinese font the charts use.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import segno
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from analysis import fonts

A4 = (8.27, 11.69)
COLUMNS, ROWS = 3, 4


def survey_url(base_url: str, office_code: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/survey/{office_code}?{urlencode({'c': code})}"


def write_sheet(path: Path, office_name: str, urls: list[str]) -> int:
    """Write the slips to ``path`` (PDF); return the number of pages."""
    pages = 0
    per_page = COLUMNS * ROWS
    with fonts.rc_context(), PdfPages(path) as pdf:
        for start in range(0, len(urls), per_page):
            figure = Figure(figsize=A4)
            for slot, url in enumerate(urls[start:start + per_page]):
                column, row = slot % COLUMNS, slot // COLUMNS
                left = 0.04 + column * 0.32
                bottom = 1 - (row + 1) * 0.24
                axes = figure.add_axes((left + 0.04, bottom + 0.055, 0.2, 0.15))
                matrix = np.array(segno.make(url, error="m").matrix, dtype=float)
                axes.imshow(1 - matrix, cmap="gray", interpolation="nearest", vmin=0, vmax=1)
                axes.set_axis_off()
                figure.text(left + 0.14, bottom + 0.215, office_name, ha="center", fontsize=9,
                            fontweight="bold")
                figure.text(left + 0.14, bottom + 0.035, "請用手機掃描填寫滿意度問卷", ha="center",
                            fontsize=8.5)
                figure.text(left + 0.14, bottom + 0.015, "每張限填一次・不記名", ha="center",
                            fontsize=7, color="#555555")
            pdf.savefig(figure)
            pages += 1
    return pages
