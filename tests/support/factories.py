"""Small builders for the rows tests need; each commits, like the CLI would."""

from __future__ import annotations

import secrets

from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.offices import Kiosk, Office

PASSWORD = "correct horse battery"


def office(code: str = "TPH-DAAN", name: str = "臺北市大安區戶政事務所", kind: str = "household",
           **extra) -> Office:
    row = Office(code=code, name=name, kind=kind, city=extra.pop("city", "臺北市"),
                 district=extra.pop("district", "大安區"), active=extra.pop("active", True))
    db.session.add(row)
    db.session.commit()
    return row


def user(role: str = "inspector", email: str | None = None) -> User:
    row = User(email=email or f"{role}-{secrets.token_hex(3)}@example.tw", role=role)
    row.set_password(PASSWORD)
    db.session.add(row)
    db.session.commit()
    return row


def kiosk(at: Office, active: bool = True) -> Kiosk:
    row = Kiosk(office_id=at.id, token=secrets.token_urlsafe(16), label="櫃檯 1", active=active)
    db.session.add(row)
    db.session.commit()
    return row


def personal_url(at: Office) -> str:
    """The personal-device survey address printed on a one-time QR slip."""
    from webapp.capture.survey import codes

    (code,) = codes.issue(at, 1)
    db.session.commit()
    return f"/survey/{at.code}?c={code}"


def record(at: Office, inspector: User | None, key: str = "phone", status: str = "submitted",
           occurred_at=None, score: float | None = None, **extra):
    """An inspector's record written straight to the table (no answers), for list tests that
    need many rows; a record worth reading answer by answer goes through the web form."""
    import uuid
    from datetime import UTC, datetime

    from analysis.periods import Period
    from webapp.capture.submissions import Submission
    from webapp.programme import instruments

    moment = occurred_at or datetime(2025, 8, 12, 2, 15, tzinfo=UTC)
    version, _definition = instruments.current(key)
    row = Submission(idempotency_key=uuid.uuid4().hex, office_id=at.id, instrument_key=key,
                     instrument_version_id=version.id, channel="inspector", status=status,
                     half=str(Period.half_of(moment)), quarter=str(Period.quarter_of(moment)),
                     occurred_at=moment, inspector_id=inspector.id if inspector else None,
                     submitted_at=None if status == "draft" else moment, score=score, **extra)
    db.session.add(row)
    db.session.commit()
    return row
