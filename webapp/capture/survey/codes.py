"""One-time codes for the personal-device survey: each printed QR code is good for one response.

Only a hash of each code is stored, so a database leak does not hand out valid codes; using a
code is a conditional UPDATE in the same transaction as the submission, so two phones racing
with the same slip store one response.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.programme.offices import Office


class SurveyCode(db.Model):
    """A one-time code printed as a QR slip: good for exactly one personal-device response."""

    __tablename__ = "survey_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))

    office: Mapped[Office] = relationship()


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


#: Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper survives
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8            # 40 bits: guessing one of an office's open codes is hopeless at 10/min
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def normalize(code: str) -> str:
    """What a person typed (``7kq4-m2xd``, ``7KQ4 M2XD``, an O for a 0) as the stored code."""
    return code.strip().upper().translate(_READ_AS)


def shown(code: str) -> str:
    """A short code as printed on a slip: two groups of four."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def issue(office: Office, count: int) -> list[str]:
    """Create ``count`` codes for ``office``; the plain codes exist only in the return value."""
    if not 1 <= count <= 5000:
        raise ValueError("一次可產生 1 到 5000 個代碼")
    plain = ["".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(count)]
    db.session.add_all(SurveyCode(office_id=office.id, code_hash=digest(c)) for c in plain)
    return plain


def lookup(code: str | None) -> SurveyCode | None:
    """The code as given (older slips carry mixed-case codes), else as a person typed it."""
    if not code or len(code) > 64:
        return None
    for candidate in dict.fromkeys((code, normalize(code))):
        row = db.session.scalar(select(SurveyCode).where(SurveyCode.code_hash == digest(candidate)))
        if row is not None:
            return row
    return None


def find(office: Office, code: str | None) -> SurveyCode | None:
    row = lookup(code)
    return row if row is not None and row.office_id == office.id else None


class CodeUsed(Exception):
    """Another response used this one-time code first."""


def redeem_or_fail(row: SurveyCode, submission_id: int) -> None:
    """``redeem`` in the response's own transaction; ``CodeUsed`` rolls both back."""
    if not redeem(row, submission_id):
        raise CodeUsed(row.id)


def redeem(row: SurveyCode, submission_id: int) -> bool:
    """Mark the code used by ``submission_id``; False if another response used it first."""
    result = db.session.execute(
        update(SurveyCode).where(SurveyCode.id == row.id, SurveyCode.used_at.is_(None))
        .values(used_at=utcnow().replace(second=0, microsecond=0), submission_id=submission_id)
    )
    return result.rowcount == 1
