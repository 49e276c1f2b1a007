"""What every table shares: Taipei time, UTC timestamps that survive SQLite, ``utcnow``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import DateTime, String, TypeDecorator, event
from sqlalchemy.engine import Engine

TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")  # Taiwan keeps no daylight saving time


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which drops the zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def too_long(model: type, values: dict[str, Any]) -> list[tuple[str, int]]:
    """``(column, limit)`` for each text in ``values`` longer than ``model``'s column allows.

    Checked before the database: PostgreSQL refuses an over-long text while SQLite stores it, so
    only a check here gives the same answer on both engines.
    """
    problems = []
    for name, value in values.items():
        column = model.__table__.columns.get(name)
        if column is None or not isinstance(column.type, String) or column.type.length is None:
            continue
        if isinstance(value, str) and len(value) > column.type.length:
            problems.append((name, column.type.length))
    return problems


MAX_ROW_ID = 2**31 - 1


def row_id(text: object) -> int | None:
    """``text`` as a row id (1 .. 2**31 - 1), or None: a posted or stored number that no id
    column can hold must not reach the database driver (it overflows, differently per engine).
    ASCII digits only: ``"²".isdigit()`` is true, but ``int("²")`` fails."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ROW_ID else None


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL and a busy timeout so kiosks and inspectors can write together."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
