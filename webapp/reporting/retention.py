"""Keep what can point to a person only as long as it is needed (個人資料保護法).

Three rules, each a number of days in the settings (0: keep for good), applied by the daily
``retention`` job (``flask jobs run``) and recorded in the audit log as one event with counts:

- ``RETAIN_COMMENT_DAYS``: a citizen's comment is replaced by its masked text (``masking``)
  this long after it was given; the masked text stays, the original is gone.
- ``RETAIN_EVIDENCE_PHOTOS_DAYS``: a mystery visit's photos are deleted this long after the
  record was approved, or after its improvement case closed if it had one (never while the
  case is open or the record still under review).
- ``RETAIN_CASE_PHOTOS_DAYS``: the photos an office sent with a case's answers, this long after
  the case closed.
- ``RETAIN_CONTACT_DAYS``: a citizen's call-back details (name, phone, e-mail) and the notes on
  the attempts, this long after the contact case closed; 0 erases them at the next run after
  closing, never keeps them for good: the consent the citizen agreed to names this period.

Nothing here touches a count: a masked comment is still a comment (the rollups count it the
same), a record keeps its answers and score, and published open data are frozen copies.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, tuple_, update

from webapp.capture.contact.models import ContactRequest
from webapp.capture.contact.services import purge
from webapp.capture.evidence import Photo, forget_files
from webapp.capture.submissions import Answer, RecordEvent, Submission
from webapp.cycle.cases.models import CaseItem, ImprovementCase
from webapp.cycle.contacts.models import ContactAttempt, ContactCase
from webapp.platform import audit
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.masking import mask
from webapp.programme.instruments import InstrumentVersion


def cutoff(setting: str, now: datetime) -> datetime | None:
    days = int(current_app.config.get(setting) or 0)
    return now - timedelta(days=days) if days > 0 else None


def comment_items() -> list[tuple[str, str]]:
    """(instrument, question) of every free-text question any version of a survey asked:
    what citizens and staff wrote (an inspector's notes are a check's record, kept)."""
    return sorted({(row.key, question["key"]) for row in db.session.scalars(select(InstrumentVersion))
                   if row.definition["kind"] == "survey" for section in row.definition["sections"]
                   for question in section["questions"] if question["type"] == "text"})


def mask_comments(before: datetime) -> int:
    """Comments given before ``before`` whose text still differs from its masked form."""
    masked = 0
    items = comment_items()
    if not items:
        return 0
    rows = db.session.scalars(select(Answer).join(Submission, Submission.id == Answer.submission_id)
                              .where(tuple_(Answer.instrument_key, Answer.item_key).in_(items),
                                     Answer.text.is_not(None), Submission.occurred_at < before))
    for answer in rows:
        shown = mask(answer.text)
        if shown != answer.text:
            answer.text = shown
            masked += 1
    return masked


def _approved_at():
    return (select(func.max(RecordEvent.at)).where(RecordEvent.submission_id == Submission.id,
                                                   RecordEvent.action == "approved")
            .correlate(Submission).scalar_subquery())


def evidence_photos(before: datetime) -> list[Photo]:
    """A record's own photos, once it was approved and any case of it closed, before ``before``."""
    case = ImprovementCase
    return list(db.session.scalars(
        select(Photo).join(Submission, Submission.id == Photo.submission_id)
        .outerjoin(case, case.submission_id == Submission.id)
        .where(Photo.case_item_id.is_(None), Submission.status == "approved",
               _approved_at() < before,
               or_(case.id.is_(None), and_(case.closed_at.is_not(None), case.closed_at < before)))))


def case_photos(before: datetime) -> list[Photo]:
    """Photos sent with a case's answers, once the case closed before ``before``."""
    return list(db.session.scalars(
        select(Photo).join(CaseItem, CaseItem.id == Photo.case_item_id)
        .join(ImprovementCase, ImprovementCase.id == CaseItem.case_id)
        .where(ImprovementCase.closed_at.is_not(None), ImprovementCase.closed_at < before)))


def contact_details(before: datetime) -> int:
    """Erase the details of requests whose case closed before ``before``."""
    found = db.session.scalars(select(ContactRequest).join(
        ContactCase, ContactCase.request_id == ContactRequest.id).where(
        ContactRequest.purged_at.is_(None), ContactCase.closed_at.is_not(None),
        ContactCase.closed_at <= before)).all()
    for request in found:
        purge(request)
    if found:   # a manager's note may name the citizen despite the label's warning
        db.session.execute(update(ContactAttempt).where(ContactAttempt.case_id.in_(
            select(ContactCase.id).where(ContactCase.request_id.in_([r.id for r in found]))))
            .values(note=None).execution_options(synchronize_session=False))
    return len(found)


def apply(now: datetime | None = None) -> dict[str, int]:
    """Apply every rule once (the ``retention`` job); what each did."""
    now = now or utcnow()
    done = {"comments_masked": 0, "evidence_photos": 0, "case_photos": 0,
            "contact_details": contact_details(
                now - timedelta(days=int(current_app.config.get("RETAIN_CONTACT_DAYS") or 0)))}
    if before := cutoff("RETAIN_COMMENT_DAYS", now):
        done["comments_masked"] = mask_comments(before)
    doomed: list[Photo] = []
    if before := cutoff("RETAIN_EVIDENCE_PHOTOS_DAYS", now):
        found = evidence_photos(before)
        done["evidence_photos"] = len(found)
        doomed += found
    if before := cutoff("RETAIN_CASE_PHOTOS_DAYS", now):
        found = case_photos(before)
        done["case_photos"] = len(found)
        doomed += found
    digests = {photo.digest for photo in doomed}
    for photo in doomed:
        db.session.delete(photo)
    if any(done.values()):
        audit.record("deleted", "retention", None, done)
    db.session.commit()
    forget_files(digests)       # after the commit: a rolled-back deletion still has its files
    return done
