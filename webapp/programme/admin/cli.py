"""Administrators' command-line tools: the office registry, instrument versions, accounts.

Every command reports problems in plain words on stderr and exits 1; nothing is half-done.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from forms import compat
from forms.instrument import KINDS
from webapp.platform import audit, uploads
from webapp.platform.cli import fail, known
from webapp.platform.db import too_long
from webapp.platform.extensions import db
from webapp.programme import instruments, office_registry
from webapp.programme.accounts import ROLES, User
from webapp.programme.admin import workbooks
from webapp.programme.offices import Office, upsert_offices

offices_cli = AppGroup("offices", help="機關名冊 Office registry.")
instruments_cli = AppGroup("instruments", help="問卷與查核表版本 Instrument versions.")
users_cli = AppGroup("users", help="帳號 Accounts.")

@offices_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def offices_import(file: Path) -> None:
    """Add or update offices from a CSV: code,name,kind,city[,district,active,name_en]."""
    try:
        rows, errors = office_registry.read(file.read_bytes())
    except uploads.ImportFileError as error:
        fail(str(error))
    if errors:
        fail("\n".join(f"第 {line} 行：{reason}" for line, reason in errors)
             + "\n沒有匯入任何資料。")
    added, updated = upsert_offices(rows)
    audit.record("imported", "offices", None, {"file": file.name, "added": added,
                                                 "updated": updated})
    db.session.commit()
    click.echo(f"新增 {added} 個機關，更新 {updated} 個。")


@instruments_cli.command("sync")
def instruments_sync() -> None:
    """Publish the shipped instruments; a changed file becomes a new version."""
    for row in instruments.sync_defaults():
        if isinstance(row, compat.Incompatible):
            # the admin's version stays current; the others were published all the same, and
            # `make run` goes on
            click.echo(f"{row.key}：內建版本與已發布的版本不相容，保留目前版本，沒有發布。" + " ".join(
                b.message for b in row.breaks), err=True)
        else:
            click.echo(f"{row.key} v{row.version}")


@instruments_cli.command("export")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json"]), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="file to write (default: KEY-vN.xlsx / .json here)")
def instruments_export(key: str, fmt: str, out: Path | None) -> None:
    """Write the current version of KEY as an XLSForm workbook (or JSON) to edit and publish."""
    import json

    known(key, instruments.published_keys(), "問卷或查核表")
    row, _instrument = instruments.current(key)
    out = out or Path(f"{key}-v{row.version}.{fmt}")
    if fmt == "xlsx":
        out.write_bytes(workbooks.xlsx_bytes(row.definition))
    else:
        out.write_text(json.dumps(row.definition, ensure_ascii=False, indent=1) + "\n", "utf-8")
    click.echo(f"{key} v{row.version} → {out}")


@instruments_cli.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def instruments_publish(file: Path) -> None:
    """Publish an edited instrument (an XLSForm .xlsx, or JSON); a change becomes a new
    version, and an XLSForm survey with a new form_id a new survey.  What the app has no
    equivalent for is listed by sheet, row and column."""
    import json

    from forms.diff import compare

    raw = file.read_bytes()
    if raw[:4] == b"PK\x03\x04" or file.suffix.lower() in (".xlsx", ".xls"):
        try:
            read = workbooks.Upload(raw, file.name)
        except uploads.ImportFileError as error:
            fail(str(error))
        if read.ignored:
            click.echo(workbooks.problem_lines(read.ignored), err=True)
        if read.refusals:
            fail(workbooks.problem_lines(read.refusals) + "\n沒有發布任何內容。")
        definition = read.definition
    else:
        try:
            definition = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            fail(f"問卷定義有誤（JSON 或 XLSForm .xlsx）：{error}")
    if not isinstance(definition, dict) or not isinstance(definition.get("key"), str):
        fail("問卷定義需要 key（問卷代碼）。")
    if definition.get("kind") in KINDS and (reason := instruments.kind_refusal(definition)):
        fail(reason + "\n沒有發布任何內容。")
    before = instruments.latest_version(definition["key"])
    try:
        row = instruments.publish(definition)
    except compat.Incompatible as error:
        fail("\n".join(b.message for b in error.breaks) + "\n沒有發布任何內容。")
    except (ValueError, AttributeError, TypeError, KeyError) as error:
        fail(f"問卷定義有誤：{error}")
    if before is not None and before.id == row.id:
        click.echo(f"{row.key} v{row.version} 內容相同，未產生新版本。")
        return
    if before is not None:
        changes = compare(before.definition, row.definition)
        click.echo(f"新增 {len(changes.added)} 題，刪除 {len(changes.removed)} 題，文字修改 "
                   f"{len(changes.reworded)} 題，配分修改 {len(changes.reweighted)} 題，其他修改 "
                   f"{len(changes.other)} 題，設定修改 {len(changes.settings)} 項。")
    db.session.commit()
    click.echo(f"已發布 {row.key} v{row.version}。")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None, help="display name, e.g. 王小明")
@click.option("--office", "office_code", default=None,
              help="the office an office manager (--role office) sees, by its code")
def users_create(email: str, role: str, name: str | None, office_code: str | None) -> None:
    """Create an account; the password is asked for, or read from stdin when piped."""
    email = email.strip().lower()
    office = None
    if role == "office":
        office = db.session.scalar(select(Office).where(Office.code == (office_code or "").upper()))
        if office is None:
            fail("機關主管需要 --office 指定一個存在的機關代碼。")
    if not email or "\x00" in email or too_long(User, {"email": email}):
        fail("電子郵件格式有誤（最多 254 字）。")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        fail(f"帳號 {email} 已存在。")
    if sys.stdin.isatty():
        password = click.prompt("密碼 Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")  # a file saved on Windows ends in CRLF
    if len(password) < 10:
        fail("密碼至少需要 10 個字元。")
    name = (name or "").strip() or None
    if name is not None and (len(name) > 100 or any(ord(c) < 32 or c in "<>" for c in name)):
        fail("顯示名稱最多 100 字，不能包含控制字元或角括號。")
    user = User(email=email, role=role, display_name=name, office_id=office.id if office else None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", "user", user.id, {"email": email, "role": role, "name": name})
    db.session.commit()
    click.echo(f"已建立 {email}({role})。")


commands = [offices_cli, instruments_cli, users_cli]
