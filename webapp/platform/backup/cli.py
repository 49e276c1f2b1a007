"""``flask backup create --out DIR`` and ``flask backup restore DIR`` (README: "Backups")."""

from __future__ import annotations

import time
from pathlib import Path

import click

from webapp.platform import backup
from webapp.platform.cli import fail
from webapp.platform.extensions import db

backup_cli = click.Group("backup", help="Back up the database and the stored files, or restore them.")


def _said(manifest: dict, seconds: float) -> str:
    rows = sum(t["rows"] for t in manifest["tables"].values())
    size = sum(f["bytes"] for f in manifest["files"].values())
    return (f"{len(manifest['tables'])} tables, {rows} rows, {len(manifest['files'])} files "
            f"({size} bytes), schema {manifest['revision']}, in {seconds:.1f} s")


@backup_cli.command("create")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A new or empty folder.")
def create(out: Path) -> None:
    """A consistent copy of every table and stored file, with a manifest of counts and hashes."""
    started = time.monotonic()
    try:
        manifest = backup.create(out)
    except backup.BackupError as error:
        fail(str(error))
    click.echo(f"Backed up {_said(manifest, time.monotonic() - started)} into {out}")


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(folder: Path) -> None:
    """Load a backup into an empty database and empty file folders; refuses anything else."""
    started = time.monotonic()
    try:
        manifest = backup.restore(folder)
    except backup.BackupError as error:
        db.session.rollback()
        fail(str(error) + " Nothing was restored.")
    click.echo(f"Restored {_said(manifest, time.monotonic() - started)} from {folder}")


commands = [backup_cli]
