"""The audit log: who created, changed, submitted, approved, returned, imported or exported what.

Events are added in the same transaction as the change they describe, so a rolled-back change
leaves no event and a committed one always has its event.  The application never updates or
deletes an event: the session refuses to flush such a change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook


class AuditEvent(db.Model):
    """Who did what to which record, and when.  Rows are only ever added (see ``audit.py``)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict | None] = mapped_column(JSON)


ACTIONS = ("created", "changed", "submitted", "approved", "returned", "deleted", "imported",
           "exported",
           "kiosk_registered", "kiosk_changed", "user_created", "user_changed", "office_changed",
           "codes_issued", "instrument_published", "upload_refused", "published", "closed")


#: the rows the audit log's page names its targets by, from the layers that own them: each
#: function takes a target type and the ids of that type on the page, and returns
#: ``{id: row}`` for the types it owns (``{}`` for the others)
targets = Hook("audit_targets", "(target_type, ids) -> {id: row}")


def target_rows(target_type: str, ids: set[int]) -> dict:
    found: dict = {}
    for rows in targets.results(target_type, ids):
        found.update(rows)
    return found


def actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "cli" if not has_request_context() else "anonymous"


def record(action: str, target_type: str, target_id: int | None = None,
           detail: dict[str, Any] | None = None, *, who: str | None = None) -> AuditEvent:
    """Add an event to the current transaction (the caller commits with its change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor_id, label = actor()
    entry = AuditEvent(actor_id=actor_id, actor=who or label, action=action,
                       target_type=target_type, target_id=target_id, detail=detail)
    db.session.add(entry)
    return entry


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("audit events are append-only")
