"""Command-line registration: each feature package brings its own commands (its ``cli.py``).

Every command reports problems in plain words on stderr and exits 1 (``fail``); nothing is
half-done.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click

from webapp.platform.extensions import db


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def known(value: str, choices: Sequence[str], what: str, shown: Sequence[str] | None = None) -> None:
    """Refuse ``value`` unless it is one of ``choices`` (known only when the command runs, so no
    ``click.Choice``), naming what may be given instead (``shown``, default the choices)."""
    if value not in choices:
        fail(f"沒有「{value}」這份{what}；可用：{', '.join(choices if shown is None else shown)}")


def commit_then_report(job: Callable[[], int], done: str) -> Callable[[], None]:
    """The body of a scheduled job: run ``job``, commit (its events' mail follows the commit),
    and print ``done`` with the count it returned."""

    def run() -> None:
        found = job()
        db.session.commit()
        click.echo(done.format(found))

    return run
