"""Improvement cases: opened when a low-scoring record is approved, answered by its office,
accepted or reopened by a reviewer, and counted in the next report (上次督導建議改進事項辦理情形).

Shared by the review (which opens cases), the cases pages (``webapp.followup``) and the report
(which counts them).  Every change is audited and goes in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import select

from forms.types import get_type
from webapp.capture import evidence
from webapp.capture import store as storage
from webapp.capture.submissions import Submission
from webapp.cycle.cases.models import CaseItem, ImprovementCase
from webapp.cycle.notifications import services as notify
from webapp.cycle.notifications.models import Notification
from webapp.platform import audit
from webapp.platform.db import TAIPEI, utcnow
from webapp.platform.extensions import db
from webapp.programme import instruments

DEFAULT_THRESHOLD = 90.0
DUE_DAYS = 30


def threshold(instrument) -> float:
    return float(instrument.definition.get("improvement_threshold", DEFAULT_THRESHOLD))


def failed_items(instrument, submission: Submission) -> list[dict]:
    """The items the record lost points on, as the version it was filled in words them."""
    answers = storage.stored_answers(submission)
    skipped = instrument.not_applicable_stored(answers)
    failed = []
    for question in instrument.questions():
        if question["key"] in skipped:
            continue
        score = get_type(question["type"]).score(question, answers.get(question["key"]))
        if score is not None and score.possible > 0 and score.earned < score.possible:
            failed.append({"key": question["key"], "label": label_of(question)})
    return failed


def label_of(question: dict) -> dict:
    label = question.get("short") or question["label"]
    return {"zh_TW": label.get("zh_TW", ""), "en": label.get("en", "")}


def open_for(submission: Submission) -> ImprovementCase | None:
    """After an approval: a case for the office when the score is under the instrument's
    improvement threshold (default 90) and some item lost points, or when the inspector
    marked an item 需改善 (whatever the score); otherwise None."""
    instrument = instruments.instrument_of(submission.instrument_version)
    marked = evidence.action_keys(submission)
    low = submission.score is not None and submission.score < threshold(instrument)
    if not low and not marked:
        return None
    if db.session.scalar(select(ImprovementCase).where(
            ImprovementCase.submission_id == submission.id)) is not None:
        return None   # approved again after a reopening of the record: one case per record
    items = failed_items(instrument, submission) if low else []
    listed = {i["key"] for i in items}
    items += [{"key": key, "label": label_of(instrument.question(key))}
              for key in marked if key not in listed and key in instrument.keys()]
    if not items:
        return None
    today = datetime.now(TAIPEI).date()
    case = ImprovementCase(submission_id=submission.id, office_id=submission.office_id,
                           period=submission.half, due_on=today + timedelta(days=DUE_DAYS),
                           items=[CaseItem(item_key=i["key"], label=i["label"], state="open")
                                  for i in items])
    db.session.add(case)
    db.session.flush()
    audit.record("created", "case", case.id, {"office": submission.office.code,
                                               "record": submission.id, "items": len(items)})
    notify.notify(notify.office_managers(case.office_id), "case_opened", {
        "office": submission.office.name, "case": case.id, "items": len(items),
        "due": case.due_on.isoformat()}, url_for("cases.show", case_id=case.id))
    return case


def answer(item: CaseItem, text: str) -> None:
    item.answer, item.state, item.answered_at = text, "answered", utcnow()
    item.reviewer_note = None
    item.case.updated_at = utcnow()
    audit.record("submitted", "case", item.case_id, {"item": item.item_key})


def decide(item: CaseItem, accept: bool, note: str | None) -> None:
    """Accept the office's answer, or reopen the item with a note; the case closes when every
    item is accepted (and opens again if one is reopened)."""
    item.state = "accepted" if accept else "open"
    item.reviewer_note, item.decided_at = note, utcnow()
    case = item.case
    case.closed_at = utcnow() if all(i.state == "accepted" for i in case.items) else None
    case.updated_at = utcnow()
    audit.record("approved" if accept else "returned", "case", case.id,
                 {"item": item.item_key, "note": note})
    if not accept:
        notify.notify(notify.office_managers(case.office_id), "case_reopened",
                      {"case": case.id, "note": note or ""},
                      url_for("cases.show", case_id=case.id))


def notify_overdue() -> int:
    """Tell each overdue open case's office managers and the reviewers, once per case (run
    daily: ``flask cases notify-overdue``); how many cases were new to the list."""
    today = datetime.now(TAIPEI).date()
    told = {n.params.get("case") for n in db.session.scalars(
        select(Notification).where(Notification.kind == "case_overdue"))}
    fresh = [c for c in db.session.scalars(select(ImprovementCase).where(
        ImprovementCase.closed_at.is_(None), ImprovementCase.due_on < today)) if c.id not in told]
    for case in fresh:
        notify.notify([*notify.office_managers(case.office_id), *notify.reviewers()],
                      "case_overdue", {"case": case.id, "office": case.office.name,
                                       "due": case.due_on.isoformat()},
                      url_for("cases.show", case_id=case.id))
    return len(fresh)


def followups(opened_in: str, office_ids: Sequence[int]) -> dict[int, dict]:
    """Per office: the cases opened in the half-year ``opened_in`` and how they stand now
    (opened, closed, overdue): the next report's 上次督導建議改進事項辦理情形."""
    found = {office_id: {"opened": 0, "closed": 0, "overdue": 0} for office_id in office_ids}
    today = datetime.now(TAIPEI).date()
    for office_id, closed_at, due_on in db.session.execute(   # a few cases an office, not a scan
            select(ImprovementCase.office_id, ImprovementCase.closed_at, ImprovementCase.due_on)
            .where(ImprovementCase.period == opened_in)):
        if office_id in found:
            found[office_id]["opened"] += 1
            found[office_id]["closed"] += closed_at is not None
            found[office_id]["overdue"] += closed_at is None and due_on < today
    return found
