"""``flask cases notify-overdue``: run daily (cron or a systemd timer) to tell offices and
reviewers about cases past their due date, once per case."""

from __future__ import annotations

import click
from flask import current_app

from webapp.cycle.cases import services as cases
from webapp.cycle.notifications import services as notify
from webapp.platform.extensions import db


@click.group("cases")
def cases_cli() -> None:
    """改善追蹤 (improvement cases)."""


@cases_cli.command("notify-overdue")
def notify_overdue() -> None:
    """Tell offices and reviewers about cases past due, once per case."""
    # links in the notices and mails are built as the public site's own
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_BASE_URL"]):
        found = cases.notify_overdue()
        db.session.commit()
        notify.send_pending()
    click.echo(f"{found} overdue case(s) notified")


commands = [cases_cli]
