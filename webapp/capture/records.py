"""An inspector's record as people read it: sections, questions, answers and points; and its
history (each submission, return and approval, with the answers as they were then).

The inspector's own page, the reviewer's decision page and (with the inspection cycle) an office's
improvement case all show a record the same way, in the wording of the version it was filled in.
Two versions of a record (the reviewer's last look and now; a stale tab and the server) are
compared question by question with ``differences``.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.catalogue import INSPECTIONS
from forms.instrument import Instrument, pick
from forms.types import Stored, get_type
from webapp.capture import evidence
from webapp.capture import store as storage
from webapp.capture.submissions import RecordEvent, Submission
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.programme import instruments

INSPECTION_KEYS = INSPECTIONS


def titles() -> dict[str, str]:
    """Each inspection instrument's current title in the page's language."""
    return {key: pick(instruments.current(key)[1].definition["title"], locale_code())
            for key in INSPECTION_KEYS}


def answer_rows(instrument: Instrument, submission: Submission) -> list[dict]:
    """Each section with its questions and answers, in the version's own wording."""
    answers = storage.stored_answers(submission)
    locale = locale_code()

    def text(label):
        return pick(label, locale)

    skipped = instrument.not_applicable_stored(answers)
    notes = evidence.notes_of(submission)
    sections = []
    for section in instrument.sections:
        items = []
        for question in section["questions"]:
            qtype = get_type(question["type"])
            stored = answers.get(question["key"])
            score = qtype.score(question, stored) if submission.status != "draft" else None
            if question["key"] in skipped:  # the condition did not hold: shown as such
                score, shown = None, _("不適用（免答）")
            else:
                shown = qtype.display(question, stored, text)
            items.append({"key": question["key"], "label": text(question["label"]),
                          "answer": shown,
                          "points": question.get("points"),
                          "earned": None if score is None or score.possible == 0 else score.earned,
                          "counted": score is not None and score.possible > 0,
                          "note": notes.get(question["key"], (None, False))[0],
                          "action": notes.get(question["key"], (None, False))[1]})
        percent = (submission.section_scores or {}).get(section["key"])
        sections.append({"title": text(section["title"]), "items": items, "percent": percent})
    return sections


def snapshot(answers: Mapping[str, Stored | None]) -> dict[str, list]:
    """Answers as JSON: ``{item: [value, text]}``."""
    return {key: [a.value, a.text] for key, a in answers.items() if a is not None}


def from_snapshot(data: Mapping[str, list]) -> dict[str, Stored]:
    return {key: Stored(value, text) for key, (value, text) in data.items()}


def log_event(submission: Submission, action: str, comment: str | None = None) -> None:
    """Add a step to the record's history, in the caller's transaction."""
    actor = current_user.id if current_user and current_user.is_authenticated else None
    db.session.add(RecordEvent(
        submission_id=submission.id, revision=submission.revision, action=action,
        actor_id=actor, answers=snapshot(storage.stored_answers(submission)),
        score=submission.score, comment=comment))


def history(submission: Submission) -> list[RecordEvent]:
    return list(db.session.scalars(select(RecordEvent).where(
        RecordEvent.submission_id == submission.id).order_by(RecordEvent.id)))


def differences(instrument: Instrument, before: Mapping[str, Stored | None],
                after: Mapping[str, Stored | None]) -> list[dict]:
    """The questions whose answer differs between two versions, as a reader sees them."""
    locale = locale_code()

    def text(label):
        return pick(label, locale)

    rows = []
    for question in instrument.answered():
        key = question["key"]
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        qtype = get_type(question["type"])
        rows.append({"key": key, "label": text(question["label"]),
                     "before": qtype.display(question, old, text),
                     "after": qtype.display(question, new, text)})
    return rows


def changes_since_return(instrument: Instrument, submission: Submission) -> list[dict] | None:
    """What the inspector changed after the record was last returned; None if it never was."""
    returned = [e for e in history(submission) if e.action == "returned"]
    if not returned:
        return None
    return differences(instrument, from_snapshot(returned[-1].answers),
                       storage.stored_answers(submission))
