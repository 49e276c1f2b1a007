"""Write a report: self-contained HTML, charts (SVG, and PNG on request), JSON, XLSX and ODS.

The sheets come from ``sheets.tables`` and are written by the core's ``spreadsheets`` (display
formats, frozen headers, no formula ever runs).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path

from flask import render_template
from markupsafe import Markup
from matplotlib.figure import Figure

from analysis import charts
from webapp.platform import spreadsheets
from webapp.reporting.reports import sheets

PRINT_CSS = Markup((Path(__file__).parents[2] / "static" / "report-print.css")
                   .read_text("utf-8"))


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def report_json(report: dict) -> str:
    """report.json's text: compact, because only json's C encoder is fast and it does not
    indent (a 400-office report in a third of the time and two thirds of the size);
    programs read it, and a browser or ``jq`` lays it out for people."""
    return json.dumps(report, ensure_ascii=False, separators=(",", ":"))


def write_all(report: dict, figures: Iterable[tuple[str, Figure | str]], out: Path, *,
              png: bool = False) -> list[Path]:
    """Write every file of the report into ``out``; return the paths written.

    Charts are SVG with text as text: vector (they print sharp at any size), a fifth of the
    size of glyph paths, and drawn once.  ``figures`` may be lazy (``build.figures``): each is
    rendered and closed in turn; a chart already drawn (the page's cache) comes as its SVG
    text instead of a figure.  ``png=True`` adds a 200 dpi PNG of each, for programs that
    take no SVG; it draws every chart a second time, so it needs figures.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    svgs = {}
    for name, figure in figures:
        if isinstance(figure, str):
            if png:
                raise ValueError(f"{name}: a PNG needs the figure, not its SVG")
            svgs[name] = figure
        else:
            svgs[name] = charts.to_svg(figure, close=not png, text=True)
        (out / f"{name}.svg").write_text(svgs[name], encoding="utf-8")
        written.append(out / f"{name}.svg")
        if png:
            (out / f"{name}.png").write_bytes(charts.to_png(figure, dpi=200))  # closes it
            written.append(out / f"{name}.png")
    (out / "report.json").write_text(report_json(report), "utf-8")
    tables = sheets.tables(report)
    spreadsheets.write_xlsx(out / "report.xlsx", tables)
    spreadsheets.write_ods(out / "report.ods", tables)
    html = render_template("reports/standalone.html", report=report, print_css=PRINT_CSS,
                           charts={k: svg_data_uri(v) for k, v in svgs.items()}, lazy=False)
    (out / "report.html").write_text(html, encoding="utf-8")
    return written + [out / n for n in ("report.json", "report.xlsx", "report.ods", "report.html")]
