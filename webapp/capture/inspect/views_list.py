"""Inspectors' records as a list: the filters and orders the inspector's page and the review
queue share (office, instrument, status, dates, inspector, a search by office or number).

Both lists read the same rows through the same filters so that a reviewer and an inspector
looking for "大安 phone tests in March" type the same thing and get the same records.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from webapp.capture.records import INSPECTION_KEYS
from webapp.capture.submissions import STATUSES, Submission
from webapp.platform.extensions import db
from webapp.platform.web import listing
from webapp.programme.accounts import User
from webapp.programme.offices import Office


def status_labels() -> dict[str, str]:
    return {"draft": _("草稿"), "submitted": _("已送出"), "returned": _("退回修改"),
            "approved": _("已核定")}


def offices() -> list[Office]:
    """Offices that have inspectors' records, for the office filter."""
    return list(db.session.scalars(
        select(Office).where(Office.id.in_(select(Submission.office_id)
                                           .where(Submission.channel == "inspector")))
        .order_by(Office.code)))


def inspectors() -> list[User]:
    """Accounts that have filed a record, for the inspector filter."""
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(Submission.inspector_id)
                                       .where(Submission.channel == "inspector")))
        .order_by(User.display_name, User.email)))


def sorts() -> dict:
    return {"occurred": Submission.occurred_at, "updated": Submission.updated_at,
            "submitted": Submission.submitted_at, "office": Office.code,
            "instrument": Submission.instrument_key, "status": Submission.status,
            "score": Submission.score, "inspector": (User.display_name, User.email)}


def filtered(query: Select, offices: Sequence[Office], inspectors: Sequence[User] | None = None,
             statuses: Sequence[str] = STATUSES, status: str | None = None) -> Select:
    """``query`` (over submissions joined to their office and inspector) narrowed by the
    request's filters, each checked against what the page offers: ``offices`` and (where
    the page filters by them) ``inspectors``.  ``status`` applies when the query string has
    none (a blank one means every status)."""
    args = request.args
    query = query.where(Submission.channel == "inspector", Submission.status.in_(statuses))
    if key := listing.choice("instrument", INSPECTION_KEYS, _("類別")):
        query = query.where(Submission.instrument_key == key)
    if "status" in args:
        status = listing.choice("status", statuses, _("狀態"))
    if status:
        query = query.where(Submission.status == status)
    if code := listing.choice("office", [o.code for o in offices], _("受查機關")):
        query = query.where(Office.code == code)
    if inspectors is not None and args.get("inspector"):
        chosen = listing.choice("inspector", [str(u.id) for u in inspectors], _("檢查員"))
        query = query.where(Submission.inspector_id == int(chosen))
    query = listing.between(query, Submission.occurred_at)
    text = (args.get("q") or "").strip().lstrip("#")
    if listing.NUMBER.fullmatch(text):  # a record number, as the audit log shows it: #123
        return query.where(or_(Submission.id == int(text),
                               Office.code.contains(text)))
    return listing.search(query, Office.name, Office.name_en, Office.code)


def records() -> Select:
    """Inspectors' records with their office and (possibly deleted) inspector joined."""
    return (select(Submission).join(Office, Office.id == Submission.office_id)
            .outerjoin(User, User.id == Submission.inspector_id))
