"""Demo call-back requests (民眾抱怨處理) for the demo office manager's office: one resolved in
time, one tried once, one waiting and one overdue, so /contacts and the report show each state.
The names and numbers are made up (0900 numbers are not issued)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from analysis.satisfaction import MAIN_ITEM, is_dissatisfied
from webapp.capture.contact import services as contact
from webapp.capture.submissions import Answer, Submission
from webapp.cycle.contacts import services as contacts
from webapp.cycle.contacts.models import ContactCase
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.offices import Office

PEOPLE = [("王先生", "0900-000-101", None), ("陳小姐", None, "chen@example.tw"),
          ("林太太", "02-0000-0303", None), ("張先生", "0900-000-404", None)]
#: what the manager did on each: (means, result) attempts, and whether its due time has passed
STORIES = [([("phone", "resolved")], False), ([("phone", "no_answer")], False), ([], False),
           ([], True)]


def requests(office: Office, half: str) -> int:
    """Up to four requests on the office's let-down kiosk and phone answers of ``half``."""
    manager = db.session.scalar(select(User).where(User.role == "office",
                                                   User.office_id == office.id))
    let_down = db.session.scalars(
        select(Submission).join(Answer, Answer.submission_id == Submission.id)
        .where(Submission.office_id == office.id, Submission.half == half,
               Submission.channel.in_(contact.OFFERED_CHANNELS), Answer.item_key == MAIN_ITEM,
               Answer.value.is_not(None)).order_by(Submission.id)).all()
    chosen = [s for s in let_down if any(a.item_key == MAIN_ITEM and a.value is not None
                                         and is_dissatisfied(a.value) for a in s.answers)]
    made = 0
    with current_app.test_request_context():   # the notifications link to the case
        for submission, (name, phone, email), (attempts, late) in zip(chosen, PEOPLE, STORIES,
                                                                      strict=False):
            if contact.requested(submission):
                continue
            contact.request_contact(submission, name=name, phone=phone and phone.replace("-", ""),
                                    email=email, consent="（示範資料）")
            case = db.session.scalar(select(ContactCase).where(
                ContactCase.request.has(submission_id=submission.id)))
            if late:
                case.due_at = utcnow() - timedelta(days=1)
            for means, result in attempts:
                contacts.record_attempt(case, means=means, result=result, note=None, by=manager)
            db.session.commit()
            made += 1
    return made
