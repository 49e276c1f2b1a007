"""Contact cases: opened after a citizen's request is committed, answered attempt by attempt by
the office's manager, told about when overdue, and counted per office for the report.

Every change is audited without the citizen's details: the audit log outlives the retention
period, so it names the case, never the person.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import func, select, update

from analysis.periods import Period
from webapp.capture.contact.models import ContactRequest
from webapp.capture.contact.services import contact_requested
from webapp.capture.submissions import Submission, in_period
from webapp.cycle.contacts.models import OUTCOMES, ContactAttempt, ContactCase
from webapp.cycle.notifications import services as notify
from webapp.cycle.notifications.models import Notification
from webapp.platform import audit, links
from webapp.platform.db import TAIPEI, utcnow
from webapp.platform.extensions import db
from webapp.platform.masking import mask
from webapp.platform.workdays import due_after
from webapp.programme import instruments


class Closed(Exception):
    """The case was closed (maybe on another tablet) before this attempt was sent."""


def open_for(request: ContactRequest) -> ContactCase:
    """The office's case for a request (one per request), due in ``CONTACT_DUE_WORKING_DAYS``."""
    found = db.session.scalar(select(ContactCase).where(ContactCase.request_id == request.id))
    if found is not None:
        return found
    # due from when the citizen asked, however late the case opens (``open_missing``)
    case = ContactCase(request_id=request.id, office_id=request.office_id, opened_at=utcnow(),
                       due_at=due_after(request.created_at,
                                        current_app.config["CONTACT_DUE_WORKING_DAYS"]))
    db.session.add(case)
    db.session.flush()
    audit.record("created", "contact_case", case.id, {"office": case.office.code})
    notify.notify(notify.office_managers(case.office_id), "contact_opened", {
        **notify.office_named(case.office), "case": case.id, "due": _day(case.due_at)},
        links.path_for("contacts.show", case_id=case.id))
    return case


def _day(moment) -> str:
    return moment.astimezone(TAIPEI).date().isoformat()


@contact_requested.connect
def open_after_request(request_id: int) -> None:
    request = db.session.get(ContactRequest, request_id)
    if request is not None:
        open_for(request)


def record_attempt(case: ContactCase, *, means: str, result: str, note: str | None,
                   by) -> ContactAttempt:
    """One attempt to reach the citizen; a closing result closes the case with that outcome."""
    now = utcnow()
    changes = {"updated_at": now,
               "first_attempt_at": func.coalesce(ContactCase.first_attempt_at, now)}
    if result in OUTCOMES:
        changes |= {"closed_at": now, "outcome": result}
    # one conditional UPDATE: of two managers closing the case at once, one gets Closed
    done = db.session.execute(update(ContactCase).where(
        ContactCase.id == case.id, ContactCase.closed_at.is_(None)).values(**changes)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Closed()
    attempt = ContactAttempt(case_id=case.id, at=now, by_id=getattr(by, "id", None),
                             means=means, result=result, note=note)
    db.session.add(attempt)
    db.session.flush()
    db.session.expire(case)
    audit.record("submitted", "contact_case", case.id,
                 {"means": means, "result": result, "closed": case.closed_at is not None})
    return attempt


def open_missing() -> int:
    """Cases for requests whose handler did not run (a crash between commit and handler)."""
    missing = db.session.scalars(select(ContactRequest).where(~select(ContactCase.id).where(
        ContactCase.request_id == ContactRequest.id).exists())).all()
    for request in missing:
        open_for(request)
    return len(missing)


def notify_overdue() -> dict[str, int]:
    """The ``contacts-overdue`` job: open any missing case, then tell the office's managers and
    the coordinators about each case nobody tried by its due time, once per case."""
    opened = open_missing()
    told = {n.params.get("case") for n in db.session.scalars(
        select(Notification).where(Notification.kind == "contact_overdue"))}
    fresh = [c for c in db.session.scalars(select(ContactCase).where(
        ContactCase.overdue_at(utcnow()))) if c.id not in told]
    for case in fresh:
        notify.notify([*notify.office_managers(case.office_id), *notify.coordinators()],
                      "contact_overdue", {"case": case.id, **notify.office_named(case.office),
                                          "due": _day(case.due_at)},
                      links.path_for("contacts.show", case_id=case.id))
    return {"opened": opened, "overdue": len(fresh)}


def figures(period: Period, office_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per office, for the requests made on answers of ``period``: requests, answered in time
    (a first attempt by the due time), resolved, and still open."""
    found = {office_id: {"requests": 0, "answered_in_time": 0, "resolved": 0, "open": 0}
             for office_id in office_ids}
    rows = db.session.execute(
        select(ContactCase.office_id, ContactCase.first_attempt_at, ContactCase.due_at,
               ContactCase.closed_at, ContactCase.outcome)
        .join(ContactRequest, ContactRequest.id == ContactCase.request_id)
        .join(Submission, Submission.id == ContactRequest.submission_id)
        .where(in_period(Submission, str(period)), ContactCase.office_id.in_(list(office_ids))))
    for office_id, first, due, closed, outcome in rows:
        counts = found[office_id]
        counts["requests"] += 1
        counts["answered_in_time"] += first is not None and first <= due
        counts["resolved"] += outcome == "resolved"
        counts["open"] += closed is None
    return found


def comments_of(case: ContactCase) -> list[str]:
    """What the citizen wrote in the survey, masked: the one part of it the office sees."""
    submission = case.request.submission
    keys = instruments.instrument_of(submission.instrument_version).text_keys()
    return [mask(a.text) for a in submission.answers if a.item_key in keys and a.text]
