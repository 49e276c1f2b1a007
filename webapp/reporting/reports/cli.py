"""``flask report``: write the half-year (or quarterly) report's files into a folder."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from analysis.periods import Period
from webapp.capture.paper.cli import responses_cli
from webapp.platform import audit
from webapp.platform.cli import fail, known
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.offices import OFFICE_KINDS
from webapp.reporting import exports, rollups
from webapp.reporting.reports import build, files


@click.command("report")
@click.option("--period", required=True, help="Half-year, e.g. 2025H2, or quarter, e.g. 2025Q3.")
@click.option("--instrument", type=click.Choice([*build.REPORT_KEYS, "all"]), default="all",
              show_default=True)
@click.option("--compare-to", default=None,
              help="An earlier period of the same kind, e.g. 2025H1 or 2025Q2.")
@click.option("--kind", type=click.Choice(list(OFFICE_KINDS)), default=None,
              help="Only household-registration or land-administration offices.")
@click.option("--office", "codes", multiple=True, help="Only these office codes (repeatable).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--png", is_flag=True, help="Also write a 200 dpi PNG of every chart (SVG always).")
def report(period: str, instrument: str, compare_to: str | None, kind: str | None,
           codes: tuple[str, ...], out: Path, png: bool) -> None:
    """Write report.html, report.json, report.xlsx, report.ods and the charts into OUT."""
    try:
        data = build.build(period, instrument, compare_to, kind, list(codes) or None,
                           **build.thresholds(current_app.config))
    except build.ReportError as error:
        fail(str(error))
    written = files.write_all(data, build.figures(data), out, png=png)
    audit.record("exported", "report", None, {"period": period, "instrument": instrument,
                                              "out": str(out)})
    db.session.commit()
    for section in data["instruments"].values():
        if section.get("empty"):
            click.echo(section["message"], err=True)
    click.echo(f"{data['period_label']}報告：寫入 {len(written)} 個檔案到 {out}")


@click.group("rollups")
def rollups_cli() -> None:
    """統計彙總表 Count tables kept for ended periods."""


@rollups_cli.command("build")
@click.option("--period", default=None, help="Only this period, e.g. 2025H2 (default: all ended).")
def build_rollups(period: str | None) -> None:
    """Build the count tables of every ended period that lacks them (run daily, and after late
    paper forms for a closed period): reports on those periods then read thousands of rows
    instead of scanning every answer.  Reading a report never builds them."""
    made = rollups.build_ended(period)
    for key, found in made:
        click.echo(f"{key} {found}")
    click.echo(f"{len(made)} rollup(s) built")


@responses_cli.command("export")
@click.argument("key")
@click.option("--period", required=True, help="2025H2 (half-year) or 2025Q3 (quarter)")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["zh_TW", "en"]), default="zh_TW", show_default=True,
              help="language of the variable and value labels")
@click.option("--stata-version", type=click.Choice([str(v) for v in exports.STATA_VERSIONS]),
              default=str(exports.DEFAULT_STATA_VERSION), show_default=True,
              help=".dta format: 118 opens in Stata 14 and later (Unicode labels); 117 in Stata 13 "
                   "(no Unicode: Chinese labels come out garbled)")
def responses_export(key: str, period: str, fmt: str, out: Path, lang: str,
                     stata_version: str) -> None:
    """Write a period's de-identified responses (CSV, XLSX, SPSS .sav, Stata .dta) of KEY: a
    shipped instrument or one made from an XLSForm."""
    known(key, instruments.published_keys(), "問卷或查核表")
    try:
        period = str(Period.parse(period))
        data = exports.table(key, period, lang)
    except (ValueError, exports.ExportError) as error:
        fail(str(error))
    if not data.rows:
        fail(f"{Period.parse(period).roc_label()}（{period}）沒有{key}的資料，沒有寫出檔案。")
    exports.write(data, fmt, out, stata_version=int(stata_version))
    audit.record("exported", "responses", None, {"instrument": key, "period": period,
                                                   "format": fmt, "rows": len(data.rows)})
    db.session.commit()
    click.echo(f"寫出 {len(data.rows)} 筆回應到 {out}")


commands = [report, rollups_cli]
