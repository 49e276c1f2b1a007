"""Administrators' command-line tools: the office registry, instrument versions, accounts.

Every command reports problems in plain words on stderr and exits 1; nothing is half-done.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from .. import audit, instruments, office_registry, storage, uploads
from ..cli import fail
from ..extensions import db
from ..models import ROLES, User, too_long

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
    added, updated = storage.upsert_offices(rows)
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


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None, help="display name, e.g. 王小明")
def users_create(email: str, role: str, name: str | None) -> None:
    """Create an account; the password is asked for, or read from stdin when piped."""
    email = email.strip().lower()
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
    user = User(email=email, role=role, display_name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", "user", user.id, {"email": email, "role": role, "name": name})
    db.session.commit()
    click.echo(f"已建立 {email}({role})。")


commands = [offices_cli, instruments_cli, users_cli]
