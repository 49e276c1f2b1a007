"""``flask demo-data``: what ``make run`` loads so a new user sees a working programme."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import func, select

from webapp.capture.submissions import Submission
from webapp.demo import data as demo
from webapp.platform.extensions import db


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


commands = [demo_data]
