"""Printed slips read back as a phone would: the PDF rendered to pixels by PDFium (pypdfium2)
at a given resolution, then ZBar finds the QR codes (``zbar_scan.mjs``, Node).  ``available()``
says why not when Node or the npm package is missing (the tests skip with it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("zbar_scan.mjs")
PACKAGE = ROOT / "node_modules" / "@undecaf" / "zbar-wasm"


def unavailable() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed: ZBar runs in Node (make test installs it from npm)"
    if not PACKAGE.exists():
        return "@undecaf/zbar-wasm is not installed: run `make` (needs npm and the npm registry)"
    return None


def scan_pdf(pdf: bytes, dpi: int, grid: tuple[int, int] = (1, 1)) -> list[list[str]]:
    """What ZBar reads on each page of ``pdf`` rendered in grey at ``dpi``; with ``grid``
    (columns, rows) each cell of a page is read on its own, as a phone held over one slip
    sees it, and the cells' findings are listed page by page."""
    document = pdfium.PdfDocument(pdf)
    columns, rows = grid
    with tempfile.TemporaryDirectory() as folder:
        args, cells = [], []
        for number, page in enumerate(document):
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            width, height = image.width / columns, image.height / rows
            for cell in range(columns * rows):
                left, top = (cell % columns) * width, (cell // columns) * height
                piece = image.crop((round(left), round(top), round(left + width),
                                    round(top + height)))
                path = Path(folder) / f"page-{number}-{cell}.raw"
                path.write_bytes(piece.tobytes())
                args += [str(piece.width), str(piece.height), str(path)]
                cells.append(number)
        found = subprocess.run(["node", str(SCRIPT), *args], capture_output=True, text=True,
                               check=True, cwd=ROOT, timeout=300)
    pages: list[list[str]] = [[] for _ in range(len(document))]
    for number, line in zip(cells, found.stdout.splitlines(), strict=True):
        pages[number] += [s["data"] for s in json.loads(line) if s["type"] == "ZBAR_QRCODE"]
    return pages


def font_sizes(pdf: bytes, text: str) -> set[float]:
    """The font sizes ``text`` is printed at, wherever it appears in ``pdf``."""
    sizes = set()
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        whole = textpage.get_text_range()
        start = whole.find(text)
        while start >= 0:
            sizes |= {pdfium_raw.FPDFText_GetFontSize(textpage.raw, i)
                      for i in range(start, start + len(text))}
            start = whole.find(text, start + 1)
    return sizes
