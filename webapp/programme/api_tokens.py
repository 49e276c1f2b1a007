"""API tokens: made, checked, revoked, and their use counted per day.

A token is ``sq_`` and 43 random characters; only its SHA-256 is kept, so a token is shown
once and a lost one is replaced, not recovered.  Checking a token is a lookup by that hash.
Shared by the admin pages and ``flask api-tokens`` (which make them) and ``/api/v1`` (which
checks them).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.platform import audit
from webapp.platform.db import TAIPEI, UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.programme.accounts import User

API_SCOPES = ("public", "analyst")

class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))   # shown in lists: which token this is
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

class ApiUsage(db.Model):
    """How many requests a token made on a day (Taipei): the daily summary of its use."""

    __tablename__ = "api_usage"
    __table_args__ = (UniqueConstraint("token_id", "day", name="uq_api_usage_token_id_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    day: Mapped[date] = mapped_column(Date)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)


PREFIX = "sq_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(name: str, scope: str, user: User | None) -> tuple[ApiToken, str]:
    """A new token and its text, which is never stored; the caller commits."""
    if scope not in API_SCOPES:
        raise ValueError(f"scope must be one of {', '.join(API_SCOPES)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("a token needs a name of at most 100 characters")
    text = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, scope=scope, token_hash=digest(text), prefix=text[:10],
                   created_by_id=user.id if user else None)
    db.session.add(row)
    db.session.flush()
    audit.record("created", "api_token", row.id, {"name": name, "scope": scope})
    return row, text


def revoke(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("changed", "api_token", row.id, {"revoked": True})


def find(text: str) -> ApiToken | None:
    """The live token ``text`` names, or None (unknown, malformed or revoked)."""
    if not text.startswith(PREFIX) or len(text) > 100:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(text)))
    return row if row is not None and row.revoked_at is None else None


def count_use(row: ApiToken, refused: bool = False) -> None:
    """Add one request to the token's count for today (Taipei), committed on its own."""
    day = datetime.now(TAIPEI).date()
    column = ApiUsage.refused if refused else ApiUsage.requests
    changed = db.session.execute(update(ApiUsage).where(
        ApiUsage.token_id == row.id, ApiUsage.day == day).values({column: column + 1})).rowcount
    if not changed:
        try:  # the day's first request; another worker may be inserting the same row
            with db.session.begin_nested():
                db.session.add(ApiUsage(token_id=row.id, day=day, requests=0 if refused else 1,
                                        refused=1 if refused else 0))
        except IntegrityError:
            db.session.execute(update(ApiUsage).where(
                ApiUsage.token_id == row.id, ApiUsage.day == day).values({column: column + 1}))
    db.session.commit()


def usage(row: ApiToken, days: int = 30) -> list[ApiUsage]:
    return list(db.session.scalars(select(ApiUsage).where(ApiUsage.token_id == row.id)
                                   .order_by(ApiUsage.day.desc()).limit(days)))
