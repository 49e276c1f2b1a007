"""Improvement cases: opened when a low-scoring record is approved, answered by its office,
accepted or reopened by a reviewer, and counted in the next report (上次督導建議改進事項辦理情形).

Shared by the review (which opens cases), the cases pages (``webapp.followup``) and the report
(which counts them).  Every change is audited and goes in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from forms.scoring import lost_points
from webapp.capture import evidence
from webapp.capture import store as storage
from webapp.capture.submissions import Submission
from webapp.cycle.cases.models import CaseAnswer, CaseItem, ImprovementCase
from webapp.cycle.notifications import services as notify
from webapp.cycle.notifications.models import Notification
from webapp.platform import audit, links
from webapp.platform.db import TAIPEI, utcnow
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.review.decisions import after_approval, record_approved

DEFAULT_THRESHOLD = 90.0
DUE_DAYS = 30


def threshold(instrument) -> float:
    return float(instrument.definition.get("improvement_threshold", DEFAULT_THRESHOLD))


def failed_items(instrument, submission: Submission) -> list[dict]:
    """The items the record lost points on, as the version it was filled in words them."""
    return [{"key": q["key"], "label": label_of(q)}
            for q in lost_points(instrument, storage.stored_answers(submission))]


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
        **notify.office_named(submission.office), "case": case.id, "items": len(items),
        "due": case.due_on.isoformat()}, links.path_for("cases.show", case_id=case.id))
    return case


@record_approved.connect
def open_after_approval(record_id: int) -> None:
    """After an approval is committed: the office's case, when the record calls for one."""
    record = db.session.get(Submission, record_id)
    if record is not None:
        open_for(record)


@after_approval
def said_after_approval(record_id: int) -> str:
    """What the reviewer reads after approving: the case the approval opened, if any."""
    case = db.session.scalar(select(ImprovementCase).where(
        ImprovementCase.submission_id == record_id))
    if case is None:
        return ""
    return _("已核定；分數低於改善門檻，已為受查機關開立改善追蹤案 #%(id)s（%(n)s 項）。",
             id=case.id, n=len(case.items))


@evidence.shown_to_office
def office_sees_photos(record: Submission) -> bool:
    """An office's manager sees a record's photos once the record has an improvement case."""
    return db.session.scalar(select(func.count()).select_from(ImprovementCase).where(
        ImprovementCase.submission_id == record.id)) > 0


class Stale(Exception):
    """The office changed its answer after the reviewer opened the page: ``seen`` is the
    answer the page showed (None when it showed none), ``current`` the one that now waits."""

    def __init__(self, seen: CaseAnswer | None, current: CaseAnswer | None):
        super().__init__("the answer changed")
        self.seen, self.current = seen, current


def answer(item: CaseItem, text: str, by=None) -> CaseAnswer:
    """The office's answer to ``item``, kept beside every earlier one."""
    given = CaseAnswer(text=text, author_id=getattr(by, "id", None), at=utcnow())
    item.history.append(given)
    item.answer, item.state, item.answered_at = text, "answered", given.at
    item.reviewer_note = None
    item.case.updated_at = utcnow()
    db.session.flush()
    audit.record("submitted", "case", item.case_id, {"item": item.item_key, "answer": given.id})
    return given


def latest_answer(item: CaseItem) -> CaseAnswer | None:
    """The answer that waits for a decision.  One the previous release stored during a rolling
    deploy is only in the item's columns: it is shown as an unsaved copy, never lost."""
    kept = item.history[-1] if item.history else None
    if item.answer is not None and (kept is None or kept.text != item.answer
                                    or kept.at != item.answered_at):
        return CaseAnswer(item_id=item.id, text=item.answer, at=item.answered_at)
    return kept


def answers_with_photos(item: CaseItem, photos: Sequence) -> list[tuple[CaseAnswer, list]]:
    """Each answer of ``item``, oldest first, with the photos sent with it (``photos``: the
    item's).  A photo is only ever sent with an answer, in the same request, so it belongs to
    the last answer given before it was stored; one older than every kept answer (sent with an
    answer the previous release overwrote) goes with the earliest."""
    answers = list(item.history)
    current = latest_answer(item)
    if current is not None and current.id is None:
        answers.append(current)
    grouped: list[tuple[CaseAnswer, list]] = [(given, []) for given in answers]
    for photo in sorted(photos, key=lambda p: (p.created_at, p.id)):
        before = [n for n, (given, _kept) in enumerate(grouped) if given.at <= photo.created_at]
        if grouped:
            grouped[before[-1] if before else 0][1].append(photo)
    return grouped


def decide(item: CaseItem, accept: bool, note: str | None, seen: str) -> None:
    """Accept the office's answer, or reopen the item with a note; the case closes when every
    item is accepted (and opens again if one is reopened).  ``seen`` is the answer the
    reviewer's page showed (``answer_mark``): any other raises ``Stale`` with both, so a
    decision never applies to words the reviewer has not read."""
    current = latest_answer(item)
    if item.state != "answered" or answer_mark(item) != seen:
        shown = db.session.get(CaseAnswer, int(seen)) if seen.isdigit() else None
        raise Stale(shown if shown is not None and shown.item_id == item.id else None, current)
    item.state = "accepted" if accept else "open"
    item.reviewer_note, item.decided_at = note, utcnow()
    case = item.case
    case.closed_at = utcnow() if all(i.state == "accepted" for i in case.items) else None
    case.updated_at = utcnow()
    audit.record("approved" if accept else "returned", "case", case.id,
                 {"item": item.item_key, "note": note, "answer": current.id if current else None,
                  "text": current.text if current else None})
    if not accept:
        notify.notify(notify.office_managers(case.office_id), "case_reopened",
                      {"case": case.id, "note": note or ""},
                      links.path_for("cases.show", case_id=case.id))


def answer_mark(item: CaseItem) -> str:
    """Which answer of an item a page shows: its number in the item's history."""
    current = latest_answer(item)
    if current is None:
        return ""
    return str(current.id) if current.id is not None else "@" + current.at.isoformat()


def notify_overdue() -> int:
    """Tell each overdue open case's office managers and the reviewers, once per case (run
    daily: ``flask cases notify-overdue``); how many cases were new to the list."""
    today = datetime.now(TAIPEI).date()
    told = {n.params.get("case") for n in db.session.scalars(
        select(Notification).where(Notification.kind == "case_overdue"))}
    fresh = [c for c in db.session.scalars(select(ImprovementCase).where(
        ImprovementCase.overdue_on(today))) if c.id not in told]
    for case in fresh:
        notify.notify([*notify.office_managers(case.office_id), *notify.reviewers()],
                      "case_overdue", {"case": case.id, **notify.office_named(case.office),
                                       "due": case.due_on.isoformat()},
                      links.path_for("cases.show", case_id=case.id))
    return len(fresh)


def followups(opened_in: str, office_ids: Sequence[int], *, internal: bool = False
              ) -> dict[int, dict]:
    """Per office: the cases opened in the half-year ``opened_in`` and how they stand now
    (opened, closed, overdue): the next report's 上次督導建議改進事項辦理情形; ``internal``:
    the staff survey's cases instead of the checks'."""
    found = {office_id: {"opened": 0, "closed": 0, "overdue": 0} for office_id in office_ids}
    today = datetime.now(TAIPEI).date()
    for office_id, closed, overdue in db.session.execute(   # a few cases an office, not a scan
            select(ImprovementCase.office_id, ImprovementCase.closed_at.is_not(None),
                   ImprovementCase.overdue_on(today))
            .where(ImprovementCase.period == opened_in,
                   ImprovementCase.staff_round_id.is_not(None) if internal
                   else ImprovementCase.staff_round_id.is_(None))):
        if office_id in found:
            found[office_id]["opened"] += 1
            found[office_id]["closed"] += bool(closed)
            found[office_id]["overdue"] += bool(overdue)
    return found
