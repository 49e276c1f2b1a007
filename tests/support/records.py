"""Inspectors' records and the audit log as the review tests and the accounts tests use them."""

from __future__ import annotations

from sqlalchemy import select

from forms.instrument import load_default
from support.flows import post_page
from webapp.capture.submissions import Submission
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db


def submit_phone_test(client, office, **changes):
    phone = load_default("phone")
    answers = {q["key"]: "yes" for q in phone.questions() if q["type"] == "yes_no_na"}
    answers.update(rings="3", office=office.code, occurred_at="2025-08-12T10:15", action="submit")
    answers.update(changes)
    response = post_page(client, "/inspect/new/phone", answers)
    assert response.status_code == 302
    return db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()


def events(action=None, *, publishing=False):
    """The log, without the shipped instruments' publication (``instruments sync``) unless asked."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    elif not publishing:
        query = query.where(AuditEvent.action != "instrument_published")
    return db.session.scalars(query).all()
