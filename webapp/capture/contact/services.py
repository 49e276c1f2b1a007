"""When the survey offers a call back, the signed offer, and storing the request.

The offer is decided by the server when the answer is stored, so it works without JavaScript
and cannot be asked for by editing a page: a low overall score (``analysis.satisfaction``) or
a comment the reporting layer above read as a complaint (``complaint_in``).  The thank-you
page carries a signed, short-lived token naming the submission; it is the only way to attach
contact details to an answer, and the answer takes one request at most.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from analysis.satisfaction import MAIN_ITEM, is_dissatisfied
from forms.instrument import Instrument
from forms.types import Stored
from webapp.capture.contact.models import ContactRequest
from webapp.capture.store import to_the_minute
from webapp.capture.submissions import Submission
from webapp.platform.db import utcnow
from webapp.platform.events import Event
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook

#: the channels a citizen answers on and is still there to be asked (paper is keyed in later)
OFFERED_CHANNELS = ("kiosk", "personal")

#: functions take a submission id and answer True when one of its comments reads as a complaint
complaint_in = Hook("complaint_in", "(submission_id) -> bool")

#: a citizen asked to be contacted; the cycle opens the office's contact case
contact_requested = Event("contact_requested", "request_id: the new contact request's id")


class AlreadyRequested(Exception):
    """This answer already has its contact request (a second tab, Back and send again)."""


def offered(submission: Submission, instrument: Instrument,
            answers: Mapping[str, Stored | None]) -> bool:
    """Whether the citizen who just gave these answers is offered a call back."""
    if submission.channel not in OFFERED_CHANNELS or submission.delayed:
        return False   # an offline tablet's answer sent later: the citizen has long gone
    overall = answers.get(MAIN_ITEM)
    value = overall.value if overall is not None else None
    if isinstance(value, int) and 1 <= value and is_dissatisfied(value):
        return True
    # only a comment can be a complaint: most citizens write none, and their submission (the
    # hot path) asks the reading layer nothing
    wrote = any((answers.get(key) or Stored(None)).text for key in instrument.text_keys())
    return wrote and complaint_in.any(submission.id)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="contact-offer")


def offer_token(submission: Submission) -> str:
    return _signer().dumps([submission.id, submission.office_id, submission.channel])


def offered_submission(token: str | None, office_id: int, channel: str) -> Submission | None:
    """The submission a token offers a call back for, at this office and on this channel, while
    the offer lasts (``CONTACT_OFFER_MINUTES``); None for anything else."""
    if not token or len(token) > 200:
        return None
    try:
        submission_id, office, sent_on = _signer().loads(
            token, max_age=current_app.config["CONTACT_OFFER_MINUTES"] * 60)
    except (BadSignature, ValueError, TypeError):
        return None
    if office != office_id or sent_on != channel or not isinstance(submission_id, int):
        return None
    return db.session.get(Submission, submission_id)


def requested(submission: Submission) -> bool:
    return db.session.query(ContactRequest.id).filter_by(
        submission_id=submission.id).first() is not None


def request_contact(submission: Submission, *, name: str, phone: str | None,
                    email: str | None, consent: str) -> ContactRequest:
    """Store the request and announce it (the case opens after the commit); commits.  Raises
    ``AlreadyRequested`` when the answer has one, and stores nothing then."""
    made = ContactRequest(submission_id=submission.id, office_id=submission.office_id,
                          created_at=to_the_minute(utcnow()), name=name, phone=phone,
                          email=email, consent=consent)
    db.session.add(made)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyRequested() from None
    contact_requested.publish(request_id=made.id)
    db.session.commit()
    return made


def purge(request: ContactRequest) -> None:
    """Erase what can reach the citizen; the request itself stays for the office's figures."""
    request.name = request.phone = request.email = None
    request.purged_at = utcnow()


def masked_name(name: str | None) -> str:
    """王小明 → 王〇〇: enough for a coordinator to tell requests apart, not to find anyone."""
    if not name:
        return ""
    return name[0] + "〇" * min(len(name) - 1, 3) if len(name) > 1 else "〇"


def masked_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = [c for c in phone if c.isdigit()]
    return "＊" * max(len(digits) - 3, 3) + "".join(digits[-3:])


def masked_email(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    local, domain = email.rsplit("@", 1)
    return local[:1] + "＊＊＊@" + domain
