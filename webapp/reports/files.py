"""Write a report: self-contained HTML, charts (SVG and print PNG), JSON, XLSX and ODS.

The spreadsheets are the open-data form of the report, so every text cell is neutralised
against formula injection: a cell starting with = + - @ or a tab is prefixed with an apostrophe,
as OWASP recommends, and never evaluated by Excel or LibreOffice.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path

from flask import render_template
from matplotlib.figure import Figure

from analysis import charts

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A spreadsheet cell that can never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _range(values: list | None, scale=pct) -> tuple:
    return (None, None) if not values else (scale(values[0]), scale(values[1]))


def tables(report: dict) -> list[tuple[str, list[str], list[list[object]]]]:
    """The report as sheets: (sheet name, header, rows); used by XLSX, ODS and the web page.
    An office too small to judge has its n and 樣本數不足, and no rate."""
    sheets = []
    for key, section in report["instruments"].items():
        if section.get("empty"):
            continue
        if section["kind"] == "survey":
            header = ["機關代碼", "機關", "有效樣本", "未作答", "可評比", "平均", "平均95%CI下限",
                      "平均95%CI上限", "滿意度%", "滿意度95%CI下限", "滿意度95%CI上限", "誤差範圍±%",
                      "調整後滿意度%", "名次區間（最佳）", "名次區間（最差）", "分組", "與全體相比"]
            rows = []
            for o in section["offices"]:
                if o["reportable"]:
                    rows.append([o["code"], o["name"], o["n"], o["no_answer"], "是", o["mean"],
                                 *o["mean_ci"], pct(o["satisfied_rate"]),
                                 *_range(o["satisfied_ci"]), pct(o["margin_of_error"]),
                                 pct(o["shrunk_rate"]), *o["rank_interval"], o["group"],
                                 {"above": "明顯較高", "below": "明顯較低"}.get(
                                     o["funnel"]["outside"], "隨機誤差內")])
                else:
                    rows.append([o["code"], o["name"], o["n"], o["no_answer"], "樣本數不足",
                                 *[None] * 12])
            sheets.append((f"{key}", header, rows))
            if section.get("change"):
                sheets.append((f"{key}_change", [
                    "機關代碼", "機關", "前期滿意度%", "本期滿意度%", "變化（百分點）", "95%CI下限",
                    "95%CI上限", "p", "校正後p（Holm）", "方向", "可偵測的最小變化（百分點）"],
                    [[c["code"], c["name"], pct(c["before_rate"]), pct(c["after_rate"]),
                      pct(c["diff"]), *_range(c["diff_ci"]), c["p"], c["p_adjusted"],
                      {"up": "上升", "down": "下降"}.get(c["direction"], ""), pct(c["mdd"])]
                     for c in section["change"] if c["reportable"]]))
        else:
            section_keys = [s["key"] for s in section["sections"]]
            header = ["機關代碼", "機關", "查核次數", "平均分數", "95%CI下限", "95%CI上限", "等第",
                      *[s["label"] for s in section["sections"]]]
            rows = [[o["code"], o["name"], o["checks"], o["score_mean"], *o["score_ci"],
                     o["grade"] if o["graded"] else ("查核次數不足" if o["checks"] else None),
                     *[o["sections"].get(k) for k in section_keys]] for o in section["offices"]]
            sheets.append((key, header, rows))
            sheets.append((f"{key}_items", ["項目", "缺失率%", "95%CI下限", "95%CI上限", "適用次數"],
                           [[i["label"], pct(i["failure_rate"]), *_range(i["failure_ci"]), i["n"]]
                            for i in section["items"]]))
    return sheets


def write_xlsx(path: Path, sheets: Iterable[tuple[str, list[str], list[list[object]]]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    book.save(path)


def write_ods(path: Path, sheets: Iterable[tuple[str, list[str], list[list[object]]]]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, header, rows in sheets:
        table = Table(name=name)
        for row in [header, *rows]:
            table_row = TableRow()
            for value in row:
                value = safe_cell(value)
                if isinstance(value, bool) or value is None:
                    cell = TableCell(valuetype="string")
                    if value is not None:
                        cell.addElement(P(text=str(value)))
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    document.save(str(path))


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_svgs(figures: Iterable[tuple[str, Figure]]) -> dict[str, str]:
    return {name: charts.to_svg(fig) for name, fig in figures}


def write_all(report: dict, figures: Iterable[tuple[str, Figure]], out: Path) -> list[Path]:
    """Write every file of the report into ``out``; return the paths written.

    ``figures`` may be lazy (``reporting.figures``): each is rendered and closed in turn.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    svgs = {}
    for name, figure in figures:
        svgs[name] = charts.to_svg(figure, close=False)
        (out / f"{name}.svg").write_text(svgs[name], encoding="utf-8")
        (out / f"{name}.png").write_bytes(charts.to_png(figure, dpi=200))  # closes it
        written += [out / f"{name}.svg", out / f"{name}.png"]
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    sheets = tables(report)
    write_xlsx(out / "report.xlsx", sheets)
    write_ods(out / "report.ods", sheets)
    html = render_template("reports/standalone.html", report=report, sheets=sheets,
                           charts={k: svg_data_uri(v) for k, v in svgs.items()})
    (out / "report.html").write_text(html, encoding="utf-8")
    return written + [out / n for n in ("report.json", "report.xlsx", "report.ods", "report.html")]
