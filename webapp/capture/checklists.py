"""An inspector's checklist from draft to submission: saved new, saved over the revision its
page showed, submitted, or (a draft) deleted.  The reviewer's decision that follows is
``review.decisions``.

Every save names the revision its page showed: a second tab or an old page gets a ``Conflict``
with the record as the server holds it, never a silent overwrite, and the inspector chooses.
A submission publishes ``record_submitted`` and a draft saved ``record_drafted``; the cycle
above fills the inspector's assignment, or gives it back (a draft counts for nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete as sql_delete

from forms.instrument import Instrument
from forms.types import Stored
from webapp.capture import evidence, store
from webapp.capture.records import log_event
from webapp.capture.submissions import Answer, RecordEvent, Submission, record_submitted
from webapp.platform import audit
from webapp.platform.events import Event
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook
from webapp.programme.accounts import User
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Office

#: the statuses an inspector may still change: their draft, or a record returned to them
EDITABLE = ("draft", "returned")

#: a record was saved as a draft: a new one, or one returned and kept back to finish
record_drafted = Event("record_drafted", "record_id: an inspector's record saved as a draft")
#: a draft is about to be deleted, in the deleting transaction: what the layers above link to
#: it lets go of it (a check it filled when it was sent, before it was returned)
deleting = Hook("draft_deleting", "record -> None")


@dataclass
class Posted:
    """A checklist as its page posted it."""

    key: str                               #: the idempotency key the page was given
    office: Office
    occurred_at: datetime
    answers: Mapping[str, Stored | None]
    notes: evidence.Notes
    draft: bool                            #: saved as a draft, or submitted
    seen: int                              #: the revision the page showed (0: a new one)

    @property
    def status(self) -> str:
        return "draft" if self.draft else "submitted"


@dataclass
class Conflict:
    """Why a save was refused, with the record as the server holds it: ``sent`` (it is no
    longer the inspector's to change) or ``changed`` (changed elsewhere since the page opened)."""

    record: Submission
    why: str


class NotThisRecord(Exception):
    """The page's key belongs to another record (another instrument, inspector or channel)."""


class NotADraft(Exception):
    """Only a draft may be deleted; this one was sent meanwhile."""


def save(instrument: Instrument, version: InstrumentVersion, posted: Posted, by: User,
         record: Submission | None = None) -> Submission | Conflict:
    """Store the posted checklist and commit: new (under its key, once), or over ``record``
    (an edit).  The same page sent again stores nothing twice."""
    by_key = record is None
    record = record or store.by_key(posted.key)
    if record is None:
        made, _created = store.store(
            version=version, instrument=instrument, office=posted.office, channel="inspector",
            status=posted.status, occurred_at=posted.occurred_at, answers=posted.answers,
            idempotency_key=posted.key, inspector=by, then=lambda new: _filed(
                new, instrument.key, posted, created=True))
        return made
    if (record.idempotency_key != posted.key or record.channel != "inspector"
            or record.instrument_key != instrument.key
            or (by_key and record.inspector_id != by.id)):
        raise NotThisRecord(record.id)
    if resent(record, instrument, posted):
        return record
    if record.status not in EDITABLE:
        db.session.rollback()
        return Conflict(record, "sent")
    with store.writing():
        if posted.seen != record.revision or not store.claim_revision(
                record, posted.seen, EDITABLE, instrument_version_id=version.id):
            db.session.rollback()
            return Conflict(record, "changed")
        store.replace_answers(record, instrument, office=posted.office,
                              occurred_at=posted.occurred_at, answers=posted.answers,
                              status=posted.status, commit=False)
    _filed(record, instrument.key, posted, created=False)
    db.session.commit()
    return record


def resent(record: Submission, instrument: Instrument, posted: Posted) -> bool:
    """Whether ``posted`` is exactly what ``record`` already holds (the same page sent again)."""
    return (store.matches(record, office=posted.office, channel="inspector",
                          answers=posted.answers, instrument_key=instrument.key,
                          inspector=record.inspector)
            and record.occurred_at == posted.occurred_at and record.status == posted.status
            and evidence.notes_of(record) == posted.notes)


def _filed(record: Submission, key: str, posted: Posted, created: bool) -> None:
    """What follows a save in its transaction: the audit, the notes, and on a submission the
    record's history and the ``record_submitted`` event (a draft: ``record_drafted``)."""
    if created:
        audit.record("created", "submission", record.id,
                     {"instrument": key, "office": posted.office.code})
    else:
        audit.record("changed", "submission", record.id, {"office": posted.office.code})
    evidence.save_notes(record, posted.notes)
    if not posted.draft:
        audit.record("submitted", "submission", record.id,
                     {"score": record.score, "grade": record.grade})
        db.session.flush()
        log_event(record, "submitted")
        record_submitted.publish(record_id=record.id)
    else:
        record_drafted.publish(record_id=record.id)


def delete_draft(record: Submission) -> set[str]:
    """Delete a draft with its answers, history, notes and photos, audited, and commit; the
    photo files to forget (``evidence.forget_files``) now that it is gone.  ``NotADraft``
    when it was sent meanwhile: nothing is deleted."""
    record_id, detail = record.id, {"instrument": record.instrument_key,
                                    "office": record.office.code}
    deleting.results(record)
    files = evidence.delete_record_evidence(record)
    for child in (Answer, RecordEvent):
        db.session.execute(sql_delete(child).where(child.submission_id == record_id))
    gone = db.session.execute(sql_delete(Submission).where(
        Submission.id == record_id, Submission.status == "draft")).rowcount
    if gone != 1:
        db.session.rollback()
        raise NotADraft(record_id)
    audit.record("deleted", "submission", record_id, detail)
    db.session.commit()
    evidence.forget_files(files)
    return files
