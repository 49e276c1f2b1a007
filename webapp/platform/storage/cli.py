"""``flask storage migrate --to URL``: copy every stored file to another backend, checked by hash.

For moving from the embedded folder to an object store (or between buckets): run it, set
``STORAGE_URL`` to the new store on every server, restart them, run it once more to pick up
what was stored in between (files already there with the same content are skipped).
"""

from __future__ import annotations

import hashlib

import click

from webapp.platform import storage
from webapp.platform.cli import fail

storage_cli = click.Group("storage", help="Where stored files (photos) live.")


@storage_cli.command("migrate")
@click.option("--to", "target_url", required=True,
              help="file:///a/folder or s3://bucket?endpoint=http://host:port")
def migrate(target_url: str) -> None:
    """Copy every file of the current store to TARGET, verifying each by its SHA-256."""
    source = storage.current()
    try:
        target = storage.from_url(target_url)
        target.check()
    except Exception as error:
        fail(f"The target store cannot be used: {type(error).__name__}: {error}")
    copied = skipped = 0
    bad: list[str] = []
    for name in source.names():
        data = source.get(name)
        if data is None:
            continue
        digest = hashlib.sha256(data).hexdigest()
        there = target.get(name)
        if there is not None and hashlib.sha256(there).hexdigest() == digest:
            skipped += 1
            continue
        target.put(name, data)
        back = target.get(name)
        if back is None or hashlib.sha256(back).hexdigest() != digest:
            bad.append(name)
            continue
        copied += 1
    click.echo(f"{copied} copied, {skipped} already there, {len(bad)} failed "
               f"({source.url} -> {target.url})")
    if bad:
        fail("Not the same after copying: " + ", ".join(bad[:20]))


commands = [storage_cli]
