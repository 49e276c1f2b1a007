"""``flask report``: write the half-year (or quarterly) report's files into a folder."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from webapp.platform import audit
from webapp.platform.cli import fail
from webapp.platform.extensions import db
from webapp.programme.offices import OFFICE_KINDS
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


commands = [report]
