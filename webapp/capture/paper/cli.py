"""``flask responses``: paper questionnaires keyed into a CSV, checked and stored all or none."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.capture.paper import batches as paper
from webapp.platform import audit, uploads
from webapp.platform.cli import fail, known
from webapp.platform.extensions import db
from webapp.programme import instruments

#: ``export`` is added by the reporting layer (``reporting/reports/cli.py``)
responses_cli = AppGroup("responses", help="紙本問卷匯入、原始資料匯出 Paper questionnaires in, "
                                          "de-identified responses out.")


@responses_cli.command("template")
@click.argument("key")
def responses_template(key: str) -> None:
    """Print the CSV header for keying in paper questionnaires of survey KEY."""
    known(key, instruments.published_keys(), "問卷", shown=instruments.fillable_surveys())
    _version, instrument = instruments.current(key)
    click.echo(",".join(paper.header(instrument)))


@responses_cli.command("import")
@click.argument("key")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def responses_import(key: str, file: Path) -> None:
    """Import keyed-in paper questionnaires of survey KEY: all rows or none."""
    known(key, instruments.published_keys(), "問卷", shown=instruments.fillable_surveys())
    try:
        result = paper.import_csv(key, file.read_bytes())
    except uploads.ImportFileError as error:
        fail(str(error))
    if result.errors:
        lines = [f"第 {line} 行：{reason}" for line, reason in result.errors]
        fail("\n".join(lines) + f"\n共 {len(result.errors)} 行有誤，沒有匯入任何資料。")
    audit.record("imported", "responses", None, {"instrument": key, "file": file.name,
                                                   "stored": result.stored})
    db.session.commit()
    click.echo(f"匯入 {result.stored} 份問卷" +
               (f",{result.already} 份先前已匯入" if result.already else "") + "。")


commands = [responses_cli]
