"""``flask plans notify-overdue``: run daily beside ``flask cases notify-overdue`` to tell each
inspector, and the coordinators, about checks past their due date, once per assignment."""

from __future__ import annotations

import click

from webapp.cycle.plans import services as plans
from webapp.platform.cli import commit_then_report

plans_cli = click.Group("plans", help="查核排程 (plans of unannounced checks).")
notify_overdue = commit_then_report(plans.notify_overdue, "{} overdue check(s) notified")
plans_cli.command("notify-overdue",
                   help="Tell inspectors and coordinators about overdue checks, once per assignment.")(notify_overdue)

commands = [plans_cli]
