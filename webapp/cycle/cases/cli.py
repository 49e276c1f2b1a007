"""``flask cases notify-overdue``: run daily (cron or a systemd timer) to tell offices and
reviewers about cases past their due date, once per case."""

from __future__ import annotations

import click

from webapp.cycle.cases import services as cases
from webapp.platform.extensions import db


@click.group("cases")
def cases_cli() -> None:
    """改善追蹤 (improvement cases)."""


@cases_cli.command("notify-overdue")
def notify_overdue() -> None:
    """Tell offices and reviewers about cases past due, once per case."""
    found = cases.notify_overdue()
    db.session.commit()   # then the mail, after the commit
    click.echo(f"{found} overdue case(s) notified")


commands = [cases_cli]
