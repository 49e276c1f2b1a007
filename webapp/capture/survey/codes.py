"""One-time codes for the personal-device survey: each printed QR code is good for one response.

Only a hash of each code is stored (``webapp.capture.onetime``); using a code is a conditional
UPDATE in the same transaction as the submission, so two phones racing with the same slip store
one response.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.capture import onetime
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.programme.offices import Office

# the names the survey's pages, commands and tests use
digest, normalize, shown, generate = onetime.digest, onetime.normalize, onetime.shown, onetime.generate


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


def issue(office: Office, count: int) -> list[str]:
    """Create ``count`` codes for ``office``; the plain codes exist only in the return value."""
    if not 1 <= count <= 5000:
        raise ValueError("一次可產生 1 到 5000 個代碼")
    plain = generate(count)
    db.session.add_all(SurveyCode(office_id=office.id, code_hash=digest(c)) for c in plain)
    return plain


def lookup(code: str | None) -> SurveyCode | None:
    """The code as given (older slips carry mixed-case codes), else as a person typed it."""
    for hashed in onetime.candidates(code):
        row = db.session.scalar(select(SurveyCode).where(SurveyCode.code_hash == hashed))
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
