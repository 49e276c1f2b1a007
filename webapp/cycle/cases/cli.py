"""``flask cases notify-overdue``: run daily (cron or a systemd timer) to tell offices and
reviewers about cases past their due date, once per case."""

from __future__ import annotations

import click

from webapp.cycle.cases import services as cases
from webapp.platform.cli import commit_then_report

cases_cli = click.Group("cases", help="改善追蹤 (improvement cases).")
notify_overdue = commit_then_report(cases.notify_overdue, "{} overdue case(s) notified")
cases_cli.command("notify-overdue",
                   help="Tell offices and reviewers about cases past due, once per case.")(notify_overdue)

commands = [cases_cli]
