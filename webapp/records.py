"""An inspector's record as people read it: sections, questions, answers and points.

The inspector's own page, the reviewer's decision page and (with the inspection cycle) an office's
improvement case all show a record the same way, in the wording of the version it was filled in.
"""

from __future__ import annotations

from forms.instrument import Instrument, pick
from forms.types import get_type

from . import instruments, storage
from .i18n import locale_code
from .models import Submission

INSPECTION_KEYS = ("phone", "mystery")


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

    sections = []
    for section in instrument.sections:
        items = []
        for question in section["questions"]:
            qtype = get_type(question["type"])
            stored = answers.get(question["key"])
            score = qtype.score(question, stored) if submission.status != "draft" else None
            items.append({"label": text(question["label"]),
                          "answer": qtype.display(question, stored, text),
                          "points": question.get("points"),
                          "earned": None if score is None or score.possible == 0 else score.earned,
                          "counted": score is not None and score.possible > 0})
        percent = (submission.section_scores or {}).get(section["key"])
        sections.append({"title": text(section["title"]), "items": items, "percent": percent})
    return sections
