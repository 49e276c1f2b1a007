"""Offices and the counter tablets registered to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db


def upsert_offices(rows: list[dict]) -> tuple[int, int]:
    """Add offices by code, update those that exist; return ``(added, updated)``.

    The caller commits, with its audit event, so an import lands whole or not at all.
    """
    existing = {o.code: o for o in db.session.scalars(select(Office))}
    added = updated = 0
    for row in rows:
        office = existing.get(row["code"])
        if office is None:
            db.session.add(Office(active=row.get("active", True), name_en=row.get("name_en"), **{
                k: row[k] for k in ("code", "name", "kind", "city", "district")}))
            added += 1
        else:
            for key in ("name", "name_en", "kind", "city", "district", "active"):
                if key in row:
                    setattr(office, key, row[key])
            updated += 1
    db.session.flush()
    return added, updated


OFFICE_KINDS = {"household": "戶政事務所", "land": "地政事務所"}


class Office(db.Model):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(150))
    kind: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(20))
    district: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Kiosk(db.Model):
    """A counter tablet registered to one office, reached through its own secret link."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    office: Mapped[Office] = relationship()
