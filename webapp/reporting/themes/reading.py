"""Reading comments into themes: when they are stored, again after a new catalogue, and by hand.

A citizen's comment is read in the transaction that stores it (``store.answers_written``), so
a comment is never counted without its themes.  Comments stored before any catalogue was
published, and those read with an older version, are read by the ``themes`` job; one an analyst
corrected is never read again: the correction wins.  The coding sees the masked text only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select

from analysis.themes.catalogue import TONES, Catalogue
from analysis.themes.coding import code
from forms.catalogue import CITIZEN_SURVEYS
from webapp.capture import store
from webapp.capture.contact import services as contact
from webapp.capture.submissions import Answer, Submission
from webapp.platform import audit
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.masking import mask
from webapp.programme import instruments
from webapp.programme import themes as catalogues
from webapp.programme.themes import ThemeCatalogueVersion
from webapp.reporting.themes.models import CommentCode, CommentTheme

BATCH = 500


def _coded(answer_id: int, text: str, row: ThemeCatalogueVersion, catalogue: Catalogue) -> CommentCode:
    coding = code(mask(text), catalogue)
    return CommentCode(answer_id=answer_id, catalogue_version_id=row.id, tone=coding.tone,
                       reading=coding.as_json(),
                       themes=[CommentTheme(theme=k, tone=m.tone) for k, m in coding.themes.items()])


@store.answers_written
def follow(submission: Submission, instrument, rows: Sequence[Mapping], sign: int) -> None:
    """A citizen's comment is read as it is stored, in the same transaction."""
    if sign < 0 or instrument.key not in CITIZEN_SURVEYS:
        return
    items = set(instrument.text_keys())
    texts = {r["item_key"]: r["text"] for r in rows
             if r["item_key"] in items and (r["text"] or "").strip()}
    current = catalogues.current() if texts else None
    if current is None:
        return
    for answer_id, key in db.session.execute(select(Answer.id, Answer.item_key).where(
            Answer.submission_id == submission.id, Answer.item_key.in_(texts))):
        db.session.add(_coded(answer_id, texts[key], *current))


@contact.complaint_in
def complained(submission_id: int) -> bool:
    """For the survey's call-back offer: one of the citizen's comments reads as a complaint."""
    return db.session.scalar(select(func.count()).select_from(CommentCode).join(
        Answer, Answer.id == CommentCode.answer_id).where(
        Answer.submission_id == submission_id, CommentCode.tone == "complaint")) > 0


def read_all() -> str:
    """Read every comment without a coding, or coded with an older catalogue and not corrected
    by hand, in batches of ``BATCH`` committed one by one (the ``themes`` job)."""
    current = catalogues.current()
    if current is None:
        return "no catalogue published"
    row, catalogue = current
    done = 0
    for key in CITIZEN_SURVEYS:
        stale = (select(Answer.id, Answer.text, CommentCode.answer_id)
                 .outerjoin(CommentCode, CommentCode.answer_id == Answer.id)
                 .where(Answer.instrument_key == key, Answer.item_key.in_(instruments.current(key)[1].text_keys()),
                        Answer.value.is_(None), Answer.text.isnot(None),
                        func.trim(Answer.text) != "",
                        or_(CommentCode.answer_id.is_(None),
                            and_(CommentCode.catalogue_version_id < row.id,
                                 CommentCode.corrected_at.is_(None))))
                 .order_by(Answer.id).limit(BATCH))
        while batch := db.session.execute(stale).all():
            # only what is still uncorrected now: an analyst may have corrected one meanwhile
            gone = set(db.session.scalars(
                delete(CommentCode).where(CommentCode.answer_id.in_([a for a, _t, c in batch if c]),
                                          CommentCode.corrected_at.is_(None))
                .returning(CommentCode.answer_id)))
            db.session.add_all(_coded(answer_id, text, row, catalogue)
                               for answer_id, text, coded in batch if not coded or answer_id in gone)
            db.session.commit()
            done += len(batch)
    current_app.logger.info("themes: %s comments read with catalogue v%s", done, row.version)
    return f"{done} comments read with v{row.version}"


class CorrectionRefused(ValueError):
    """The themes or tone given are not in the catalogue."""


def correct(answer_id: int, themes: Sequence[str], tone: str, user_id: int) -> CommentCode:
    """An analyst's reading replaces the automatic one for good, audited with both.

    A theme the coding also found keeps the tone it found there while the comment's tone stands;
    any other theme takes the comment's tone."""
    coded = db.session.get(CommentCode, answer_id)
    if coded is None:
        raise LookupError(answer_id)
    catalogue = catalogues.catalogue_of(db.session.get(ThemeCatalogueVersion,
                                                       coded.catalogue_version_id))
    current = catalogues.current()
    known = set(catalogue.keys) | (set(current[1].keys) if current else set())
    if tone not in TONES or not set(themes) <= known:
        raise CorrectionRefused(tone)
    before = {"themes": [t.theme for t in coded.themes], "tone": coded.tone}
    found = coded.reading.get("themes", {})
    keep = tone == coded.reading.get("tone")
    coded.themes = [CommentTheme(theme=k, tone=found[k]["tone"] if keep and k in found else tone)
                    for k in dict.fromkeys(themes)]
    coded.tone = tone
    coded.corrected_by_id, coded.corrected_at = user_id, utcnow()
    audit.record("changed", "comment", answer_id,
                 {"before": before, "after": {"themes": list(dict.fromkeys(themes)), "tone": tone}})
    db.session.commit()
    return coded
