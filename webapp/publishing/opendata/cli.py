"""``flask opendata publish|export``: freeze a period as open data; write its files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from webapp.platform import audit, links
from webapp.platform.cli import fail
from webapp.platform.extensions import db
from webapp.publishing.opendata import files
from webapp.publishing.opendata import publications as snapshot


@click.group("opendata")
def opendata() -> None:
    """De-identified open data: publish a half-year, write its files."""


@opendata.command("publish")
@click.option("--period", required=True, help="An ended half-year, e.g. 2025H2.")
@click.option("--note", default=None, help="What a correction changed (needed after the first).")
def publish(period: str, note: str | None) -> None:
    """Freeze PERIOD's de-identified results as its next version."""
    try:
        publication = snapshot.publish(period, note, None)
    except snapshot.PublishError as error:
        db.session.rollback()
        fail(str(error))
    db.session.commit()
    click.echo(f"published {period} v{publication.version}")


@opendata.command("export")
@click.option("--period", required=True, help="A published half-year, e.g. 2025H2.")
@click.option("--version", type=int, default=None, help="A version (default: the latest).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
def export(period: str, version: int | None, out: Path) -> None:
    """Write survey.csv, inspections.csv, themes.csv, results.json and metadata.json into OUT."""
    publication = snapshot.latest(period, version)
    if publication is None:
        fail(f"{period}{f' v{version}' if version else ''} has not been published: "
             f"run `flask opendata publish --period {period}` first")
    log = snapshot.log_until(publication)
    if not current_app.config.get("PUBLIC_BASE_URL"):
        click.echo(f"注意：未設定 FLASK_PUBLIC_BASE_URL，metadata.json 的下載網址會指向 {links.LOCAL_URL}；"
                   "上架前請設定網站的公開網址後重新匯出。", err=True)
    out.mkdir(parents=True, exist_ok=True)
    for name in files.NAMES:
        (out / name).write_bytes(files.file_bytes(name, publication, log))
        click.echo(out / name)
    audit.record("exported", "opendata", publication.id,
                 {"period": period, "version": publication.version})
    db.session.commit()


commands = [opendata]
