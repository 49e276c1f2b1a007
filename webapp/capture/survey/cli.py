"""``flask qr-sheet``: print one-time QR slips for the personal-device survey."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from webapp.capture import qrsheet
from webapp.capture.survey import views_slips as slips
from webapp.platform import audit, links
from webapp.platform.cli import fail
from webapp.platform.extensions import db
from webapp.programme.offices import Office


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
    base = base_url or links.public_base()
    if qrsheet.loopback(base):
        click.echo(f"注意：條碼指向 {base}，只有伺服器本機開得了，民眾的手機連不到。"
                   "請設定 FLASK_PUBLIC_BASE_URL 或加上 --base-url。", err=True)
    pages = slips.print_slips(office, count, base, out)
    audit.record("codes_issued", "office", office.id, {"count": count, "file": out.name})
    db.session.commit()
    click.echo(f"{office.name}：{count} 個一次性問卷條碼，{pages} 頁，寫入 {out}")


commands = [qr_sheet]
