"""Theme catalogue versions in the database: publish one, find the current one.

As with instruments, a catalogue is never edited in place: publishing content that differs from
the latest version stores a new version, audited.  Each comment's coding names the version it was
read with, so the ``themes`` job knows which comments to read again after a new version.
"""

from __future__ import annotations

import copy
from datetime import datetime

from sqlalchemy import JSON, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from analysis.themes.catalogue import Catalogue, check, load_default
from webapp.platform import audit
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db


class ThemeCatalogueVersion(db.Model):
    __tablename__ = "theme_catalogue_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def publish(definition: dict) -> ThemeCatalogueVersion:
    """Store ``definition`` as the newest version unless the newest already equals it."""
    catalogue = check(definition)
    latest = latest_version()
    if latest is not None and latest.checksum == catalogue.checksum:
        return latest
    frozen = copy.deepcopy(definition)
    frozen["version"] = 1 if latest is None else latest.version + 1
    row = ThemeCatalogueVersion(version=frozen["version"], definition=frozen,
                                checksum=check(frozen).checksum)
    db.session.add(row)
    db.session.flush()
    audit.record("instrument_published", "theme_catalogue", row.id,
                 {"key": "themes", "version": row.version})
    db.session.commit()
    return row


def latest_version() -> ThemeCatalogueVersion | None:
    newest = select(func.max(ThemeCatalogueVersion.version)).scalar_subquery()
    return db.session.scalar(select(ThemeCatalogueVersion)
                             .where(ThemeCatalogueVersion.version == newest))


def current() -> tuple[ThemeCatalogueVersion, Catalogue] | None:
    """The version comments are read with now, or None before any is published (reads never
    publish; ``flask instruments sync`` does)."""
    row = latest_version()
    return None if row is None else (row, catalogue_of(row))


def catalogue_of(row: ThemeCatalogueVersion) -> Catalogue:
    key = (row.id, row.checksum)
    if key not in _CACHE:
        _CACHE[key] = check(row.definition)
    return _CACHE[key]


_CACHE: dict[tuple[int, str], Catalogue] = {}


def sync_default() -> ThemeCatalogueVersion:
    """Publish the shipped catalogue (a no-op when unchanged since the last sync)."""
    return publish(load_default().definition)
