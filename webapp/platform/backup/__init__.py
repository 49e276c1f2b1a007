"""Backups that restore: every table's rows and every stored file, engine-neutral.

``create`` reads all tables in one snapshot (on PostgreSQL a read-only repeatable-read
transaction; on SQLite a copy made with SQLite's own online-backup API), writes each table as
JSON lines with its values in plain forms (ISO times, base64 bytes) and copies the files each
layer keeps (``file_stores``, each a ``storage`` backend: a folder or a bucket), then a manifest
with every table's row count and every file's size and SHA-256.  ``restore`` checks the manifest
against the files, brings an empty database to the backup's schema revision, refuses a database
or a store that holds anything, loads the rows in foreign-key order and moves PostgreSQL's id
sequences past them.  Because nothing in the files depends on the engine, the same pair moves an
office from the embedded SQLite to PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    create_engine,
    func,
    select,
    text,
)

from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook

FORMAT = 1
#: each function answers ``(name, store)`` for a store of files the layer keeps
file_stores = Hook("backup_file_stores", "() -> (name, a platform.storage.Storage)")


class BackupError(Exception):
    """A backup that cannot be made or restored, said for the operator."""


def _tables():
    return list(db.metadata.sorted_tables)   # foreign keys first


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _typed(column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    return value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """A connection that sees the database as of one moment, whatever is written meanwhile."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="backup-") as scratch:
            copy = Path(scratch) / "snapshot.db"
            source = engine.raw_connection()
            try:
                target = sqlite3.connect(copy)
                source.driver_connection.backup(target)
                target.close()
            finally:
                source.close()
            frozen = create_engine(f"sqlite:///{copy}")
            try:
                with frozen.connect() as connection:
                    yield connection
            finally:
                frozen.dispose()
        return
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            yield connection


def _revision(connection: Connection) -> str | None:
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:    # no table: a database never migrated
        return None


def create(out: Path) -> dict:
    """Write a backup into the empty or new folder ``out``; return its manifest."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty; give a new folder for the backup.")
    (out / "tables").mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": FORMAT, "created_at": utcnow().isoformat(),
                                "engine": db.engine.dialect.name, "tables": {}, "files": {}}
    with _snapshot() as connection:
        manifest["revision"] = _revision(connection)
        for table in _tables():
            path = out / "tables" / f"{table.name}.jsonl"
            count = 0
            with path.open("w", encoding="utf-8") as file:
                order = list(table.primary_key.columns) or list(table.columns)
                for row in connection.execute(select(table).order_by(*order)).mappings():
                    file.write(json.dumps({k: _plain(v) for k, v in row.items()},
                                          ensure_ascii=False, sort_keys=True) + "\n")
                    count += 1
            manifest["tables"][table.name] = {"rows": count, "sha256": _sha256(path)}
    for name, store in file_stores.results():
        for stored in store.names():
            relative = f"{name}/{stored}"
            target = out / "files" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.get(stored) or b"")
            manifest["files"][relative] = {"bytes": target.stat().st_size,
                                           "sha256": _sha256(target)}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict:
    """The backup's manifest, after checking every table and file against it."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} has no readable manifest.json ({type(error).__name__}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for name, facts in manifest["tables"].items():
        path = folder / "tables" / f"{name}.jsonl"
        if not path.is_file() or _sha256(path) != facts["sha256"]:
            raise BackupError(f"tables/{name}.jsonl is missing or changed since the backup.")
    for relative, facts in manifest["files"].items():
        path = folder / "files" / relative
        if not path.is_file() or _sha256(path) != facts["sha256"]:
            raise BackupError(f"files/{relative} is missing or changed since the backup.")
    return manifest


def restore(folder: Path) -> dict:
    """Load the backup in ``folder`` into this app's empty database and empty file folders."""
    from flask_migrate import upgrade

    manifest = read_manifest(folder)
    with db.engine.connect() as connection:
        revision = _revision(connection)
    if revision is None:
        upgrade(revision=manifest["revision"])
    elif revision != manifest["revision"]:
        raise BackupError(f"The database is at schema revision {revision}, the backup at "
                          f"{manifest['revision']}; restore into an empty database.")
    known = {t.name for t in _tables()}
    if unknown := sorted(set(manifest["tables"]) - known):
        raise BackupError(f"The backup has tables this release does not know: {', '.join(unknown)}.")
    busy = [t.name for t in _tables() if db.session.scalar(select(func.count()).select_from(t))]
    stores = dict(file_stores.results())
    busy += [f"{name} ({store.url})" for name, store in stores.items()
             if next(iter(store.names()), None) is not None]
    if busy:
        raise BackupError("The target is not empty (" + ", ".join(busy) + "); restore only into "
                          "a new database and empty folders, before `instruments sync`.")
    for table in _tables():
        if table.name not in manifest["tables"]:
            continue
        columns = {c.name: c for c in table.columns}
        batch: list[dict] = []
        with (folder / "tables" / f"{table.name}.jsonl").open(encoding="utf-8") as file:
            for line in file:
                row = json.loads(line)
                batch.append({k: _typed(columns[k], v) for k, v in row.items() if k in columns})
                if len(batch) == 1000:
                    db.session.execute(table.insert(), batch)
                    batch = []
        if batch:
            db.session.execute(table.insert(), batch)
    if db.engine.dialect.name == "postgresql":
        for table in _tables():
            if "id" in table.columns and isinstance(table.columns["id"].type, Integer):
                db.session.execute(text(
                    "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                    f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table.name}), 1), "
                    f"(SELECT COUNT(*) FROM {table.name}) > 0)"), {"t": table.name})
    written: list[tuple[str, str]] = []
    try:
        for relative in manifest["files"]:
            name, _sep, rest = relative.partition("/")
            if name not in stores:
                raise BackupError(f"No file store named {name!r} in this release.")
            stores[name].put(rest, (folder / "files" / relative).read_bytes())
            written.append((name, rest))
        db.session.commit()
    except BaseException:       # all or nothing: no rows without their files, nor files alone
        db.session.rollback()
        for name, rest in written:
            stores[name].delete(rest)
        raise
    return manifest
