"""Mail that is not lost: written to an outbox in the transaction that causes it, then sent.

A notification's mail is a row of ``mail_outbox`` added with the notification, so a change that
is rolled back sends nothing and one that commits always has its mail.  Right after the commit
the new rows are sent (``mail_queued``); a mail server that is down leaves them waiting, and
the ``mail`` job (``flask jobs run``) tries again with growing pauses, from a minute to six
hours, for about a day, before it gives up and the admin's page (``/admin/mail``) lists the mail
as failed.  Each send first claims its rows with a conditional ``UPDATE``, so two servers (or a
request and the job) never send the same mail twice.  Sent mail is deleted after
``KEEP_SENT_DAYS``: the rows hold addresses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, String, Text, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from webapp.platform import mail
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.events import Event
from webapp.platform.extensions import db

#: attempts before a mail is given up: 1+2+4+…+360 minutes, about a day of trying
MAX_ATTEMPTS = 12
LONGEST_PAUSE = timedelta(hours=6)
#: a claim outlives any send; a sender that died lets go then
CLAIM = timedelta(minutes=5)
KEEP_SENT_DAYS = 30


class OutgoingMail(db.Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last failure's kind (``ConnectionRefusedError``), never the server's words
    last_error: Mapped[str] = mapped_column(String(80), default="")

    @property
    def state(self) -> str:
        return "sent" if self.sent_at else "failed" if self.failed_at else "waiting"


#: mail was added to the outbox; after the commit it is sent at once
mail_queued = Event("mail_queued", "ids: the new outbox rows")


def queue(mails: list[tuple[str, str, str]]) -> list[OutgoingMail]:
    """Add each ``(to, subject, body)`` to the caller's transaction (none when no mail server
    is set up); they are sent together, over one connection, after its commit."""
    if not mails or not mail.configured():
        return []
    rows = [OutgoingMail(recipient=to, subject=mail.one_line(subject, mail.SUBJECT_CHARS),
                         body=body) for to, subject, body in mails]
    db.session.add_all(rows)
    db.session.flush()
    mail_queued.publish(ids=[row.id for row in rows])
    return rows


def pause(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempts - 1)), LONGEST_PAUSE)


def _claim(ids: list[int], now: datetime) -> list[int]:
    """The ids this sender won, each claimed in one atomic ``UPDATE``."""
    won = []
    for row_id in ids:
        taken = db.session.execute(
            update(OutgoingMail).where(
                OutgoingMail.id == row_id, OutgoingMail.sent_at.is_(None),
                OutgoingMail.failed_at.is_(None),
                or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
            .values(claimed_until=now + CLAIM))
        if taken.rowcount == 1:
            won.append(row_id)
    db.session.commit()
    return won


def deliver(ids: list[int] | None = None) -> int:
    """Send the waiting mail whose time has come (or those ``ids``); how many went."""
    now = utcnow()
    due = select(OutgoingMail.id).where(OutgoingMail.sent_at.is_(None),
                                        OutgoingMail.failed_at.is_(None),
                                        OutgoingMail.next_attempt_at <= now)
    if ids is not None:
        due = due.where(OutgoingMail.id.in_(ids))
    mine = _claim(list(db.session.scalars(due.order_by(OutgoingMail.id))), now)
    if not mine:
        return 0
    rows = list(db.session.scalars(select(OutgoingMail).where(OutgoingMail.id.in_(mine))
                                   .order_by(OutgoingMail.id)))
    errors = mail.send_each([mail.message(r.recipient, r.subject, r.body) for r in rows])
    done = utcnow()
    for row, error in zip(rows, errors, strict=True):
        row.claimed_until = None
        if error is None:
            row.sent_at = done
            continue
        row.attempts += 1
        row.last_error = error[:80]
        row.next_attempt_at = done + pause(row.attempts)
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at = done
    db.session.commit()
    return sum(error is None for error in errors)


def deliver_due() -> str:
    """The ``mail`` job: send what waits, then forget mail sent long ago."""
    sent = deliver()
    forgotten = db.session.execute(delete(OutgoingMail).where(
        OutgoingMail.sent_at < utcnow() - timedelta(days=KEEP_SENT_DAYS))).rowcount
    return f"{sent} sent, {forgotten} old removed"


@mail_queued.connect
def send_now(ids: list[int]) -> None:
    deliver(ids)
