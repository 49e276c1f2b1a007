"""``flask plans notify-overdue``: run daily beside ``flask cases notify-overdue`` to tell each
inspector, and the coordinators, about checks past their due date, once per assignment."""

from __future__ import annotations

import click

from webapp.cycle.plans import services as plans
from webapp.platform.extensions import db


@click.group("plans")
def plans_cli() -> None:
    """查核排程 (plans of unannounced checks)."""


@plans_cli.command("notify-overdue")
def notify_overdue() -> None:
    """Tell inspectors and coordinators about overdue checks, once per assignment."""
    found = plans.notify_overdue()
    db.session.commit()   # then the mail, after the commit
    click.echo(f"{found} overdue check(s) notified")


commands = [plans_cli]
