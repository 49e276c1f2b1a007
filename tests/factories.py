"""Small builders for the rows tests need; each commits, like the CLI would."""

from __future__ import annotations

import secrets

from webapp.extensions import db
from webapp.models import Kiosk, Office, User

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
    from webapp.survey import codes

    (code,) = codes.issue(at, 1)
    db.session.commit()
    return f"/survey/{at.code}?c={code}"
