"""Command-line tools: offices, instruments, paper responses, accounts and demo data.

Every command reports problems in plain words on stderr and exits 1; nothing is half-done.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from forms.instrument import DEFAULT_KEYS

from . import audit, codes, demo, instruments, paper, qrsheet, report_files, reporting
from .extensions import db
from .models import OFFICE_KINDS, ROLES, Office, Submission, User

offices_cli = AppGroup("offices", help="機關名冊 Office registry.")
responses_cli = AppGroup("responses", help="紙本問卷 Paper questionnaires.")
instruments_cli = AppGroup("instruments", help="問卷與查核表版本 Instrument versions.")
users_cli = AppGroup("users", help="帳號 Accounts.")

KIND_ALIASES = {"household": "household", "戶政": "household", "戶政事務所": "household",
                "land": "land", "地政": "land", "地政事務所": "land"}
TRUE_WORDS = {"", "1", "true", "yes", "y", "是"}
FALSE_WORDS = {"0", "false", "no", "n", "否"}


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@offices_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def offices_import(file: Path) -> None:
    """Add or update offices from a CSV: code,name,kind,city,district[,active]."""
    try:
        text = paper.decode(file.read_bytes())
    except paper.ImportFileError as error:
        fail(str(error))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    required = {"code", "name", "kind", "city"}
    if not required <= set(reader.fieldnames or []):
        fail(f"標題列需有 {', '.join(sorted(required))}（可加 district, active）")
    rows, errors = [], []
    for row in reader:
        line = reader.line_num
        code = (row.get("code") or "").strip().upper()
        kind = KIND_ALIASES.get((row.get("kind") or "").strip().lower())
        active = (row.get("active") or "").strip().lower()
        if not code or len(code) > 16 or not (row.get("name") or "").strip():
            errors.append(f"第 {line} 行：代碼與名稱必填，代碼最多 16 字")
        elif kind is None:
            errors.append(f"第 {line} 行：kind 應為 {'/'.join(OFFICE_KINDS)}（或 戶政/地政）")
        elif active not in TRUE_WORDS | FALSE_WORDS:
            errors.append(f"第 {line} 行：active 應為 1 或 0")
        else:
            rows.append({"code": code, "name": row["name"].strip(), "kind": kind,
                         "city": row["city"].strip(), "district": (row.get("district") or "").strip(),
                         "active": active in TRUE_WORDS})
    if errors:
        fail("\n".join(errors) + "\n沒有匯入任何資料。")
    added, updated = demo.upsert_offices(rows)
    audit.record("imported", "offices", None, {"file": file.name, "added": added,
                                                 "updated": updated})
    db.session.commit()
    click.echo(f"新增 {added} 個機關，更新 {updated} 個。")


@instruments_cli.command("sync")
def instruments_sync() -> None:
    """Publish the shipped instruments; a changed file becomes a new version."""
    for row in instruments.sync_defaults():
        click.echo(f"{row.key} v{row.version}")


@instruments_cli.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def instruments_publish(file: Path) -> None:
    """Publish an edited instrument (JSON); a changed definition becomes a new version."""
    import json

    try:
        definition = json.loads(file.read_text("utf-8"))
        before = instruments.latest_version(definition.get("key", ""))
        row = instruments.publish(definition)
    except (ValueError, AttributeError) as error:
        fail(f"問卷定義有誤：{error}")
    if before is not None and before.id == row.id:
        click.echo(f"{row.key} v{row.version} 內容相同，未產生新版本。")
        return
    db.session.commit()
    click.echo(f"已發布 {row.key} v{row.version}。")


@responses_cli.command("template")
@click.argument("key", type=click.Choice(DEFAULT_KEYS))
def responses_template(key: str) -> None:
    """Print the CSV header for keying in paper questionnaires."""
    _version, instrument = instruments.current(key)
    click.echo(",".join(paper.header(instrument)))


@responses_cli.command("import")
@click.argument("key", type=click.Choice(DEFAULT_KEYS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def responses_import(key: str, file: Path) -> None:
    """Import keyed-in paper questionnaires: all rows or none."""
    try:
        result = paper.import_csv(key, file.read_bytes())
    except paper.ImportFileError as error:
        fail(str(error))
    if result.errors:
        lines = [f"第 {line} 行：{reason}" for line, reason in result.errors]
        fail("\n".join(lines) + f"\n共 {len(result.errors)} 行有誤，沒有匯入任何資料。")
    audit.record("imported", "responses", None, {"instrument": key, "file": file.name,
                                                   "stored": result.stored})
    db.session.commit()
    click.echo(f"匯入 {result.stored} 份問卷" +
               (f",{result.already} 份先前已匯入" if result.already else "") + "。")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
def users_create(email: str, role: str) -> None:
    """Create an account; the password is asked for, or read from stdin when piped."""
    email = email.strip().lower()
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        fail(f"帳號 {email} 已存在。")
    if sys.stdin.isatty():
        password = click.prompt("密碼 Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")  # a file saved on Windows ends in CRLF
    if len(password) < 10:
        fail("密碼至少需要 10 個字元。")
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", "user", user.id, {"email": email, "role": role})
    db.session.commit()
    click.echo(f"已建立 {email}({role})。")


@click.command("demo-data")
@click.option("--scale", default=1.0, show_default=True, help="Multiply the number of responses.")
@click.option("--if-empty", is_flag=True, help="Do nothing when submissions already exist.")
@click.option("--logins-file", type=click.Path(path_type=Path), default=None,
              help="Also write the new demo logins to this file.")
def demo_data(scale: float, if_empty: bool, logins_file: Path | None) -> None:
    """Load Taipei's and New Taipei's offices, demo accounts and two half-years of responses."""
    if if_empty and db.session.scalar(select(func.count()).select_from(Submission)):
        click.echo("資料庫已有資料，略過示範資料。")
        return
    result = demo.load(scale=scale)
    click.echo(f"示範資料：{result['submissions']} 筆，期間 {', '.join(result['halves'])}")
    lines = [f"{email}  {password}" for email, password in result["logins"].items()]
    if lines:
        click.echo("示範帳號 Demo logins:\n  " + "\n  ".join(lines))
        if logins_file:
            logins_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


@click.command("report")
@click.option("--period", required=True, help="Half-year, e.g. 2025H2, or quarter, e.g. 2025Q3.")
@click.option("--instrument", type=click.Choice([*reporting.REPORT_KEYS, "all"]), default="all",
              show_default=True)
@click.option("--compare-to", default=None,
              help="An earlier period of the same kind, e.g. 2025H1 or 2025Q2.")
@click.option("--kind", type=click.Choice(list(OFFICE_KINDS)), default=None,
              help="Only household-registration or land-administration offices.")
@click.option("--office", "codes", multiple=True, help="Only these office codes (repeatable).")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
def report(period: str, instrument: str, compare_to: str | None, kind: str | None,
           codes: tuple[str, ...], out: Path) -> None:
    """Write report.html, report.json, report.xlsx, report.ods and the charts into OUT."""
    try:
        data = reporting.build(period, instrument, compare_to, kind, list(codes) or None)
    except reporting.ReportError as error:
        fail(str(error))
    files = report_files.write_all(data, reporting.figures(data), out)
    audit.record("exported", "report", None, {"period": period, "instrument": instrument,
                                              "out": str(out)})
    db.session.commit()
    for section in data["instruments"].values():
        if section.get("empty"):
            click.echo(section["message"], err=True)
    click.echo(f"{data['period_label']}報告：寫入 {len(files)} 個檔案到 {out}")


@click.command("qr-sheet")
@click.option("--office", "office_code", required=True, help="Office code, e.g. TPH-DAAN.")
@click.option("--count", required=True, type=click.IntRange(1, 5000))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--base-url", default=None,
              help="Public address of the survey site (default: PUBLIC_BASE_URL setting).")
def qr_sheet(office_code: str, count: int, out: Path, base_url: str | None) -> None:
    """Print one-time QR codes for the personal-device survey, each good for one response."""
    office = db.session.scalar(select(Office).where(Office.code == office_code.upper()))
    if office is None or not office.active:
        fail(f"找不到機關代碼「{office_code}」。")
    if not out.parent.is_dir():
        fail(f"資料夾「{out.parent}」不存在，請先建立。")
    base = base_url or current_app.config["PUBLIC_BASE_URL"]
    plain = codes.issue(office, count)
    audit.record("codes_issued", "office", office.id, {"count": count, "file": out.name})
    urls = [qrsheet.survey_url(base, office.code, code) for code in plain]
    pages = qrsheet.write_sheet(out, office.name, urls)
    db.session.commit()
    click.echo(f"{office.name}：{count} 個一次性問卷條碼，{pages} 頁，寫入 {out}")


def register_cli(app: Flask) -> None:
    for command in (offices_cli, responses_cli, instruments_cli, users_cli, demo_data, report,
                    qr_sheet):
        app.cli.add_command(command)
