"""A citizen's request to be contacted about one survey answer.

Kept in a table of its own, never joined into the answers: the exports, the API and the open
data read submissions and answers only, so the details cannot leak into them by a new column.
The details are erased (``purged_at`` set) by the retention job once the case has been closed
for ``RETAIN_CONTACT_DAYS``; the row stays, so the office's figures still count the request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.capture.submissions import Submission
from webapp.platform.db import UTCDateTime
from webapp.platform.extensions import db


class ContactRequest(db.Model):
    __tablename__ = "contact_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: one request per survey answer: the unique key, not a look-up, refuses a second one
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    name: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    #: the consent as the citizen read it, in their language (who sees it, what for, how long)
    consent: Mapped[str] = mapped_column(Text)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submission: Mapped[Submission] = relationship()

    @property
    def purged(self) -> bool:
        return self.purged_at is not None
