"""Command-line registration: each feature package brings its own commands (its ``cli.py``).

Every command reports problems in plain words on stderr and exits 1 (``fail``); nothing is
half-done.
"""

from __future__ import annotations

import sys

import click


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)
