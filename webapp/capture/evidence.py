"""Evidence on an inspector's record: a note per checklist item, the mark 需改善 (requires
action), and photos of a mystery visit.

Notes and marks travel with the checklist's own form (``note__<item>``, ``act__<item>``); a
marked item opens an improvement case on approval whatever the score (``webapp.cases``).
Photos are re-encoded by ``webapp.photos`` (which drops EXIF and GPS) and stored by content
hash; the rows here say which record they belong to.  Who may see a photo: the reviewers, the
inspector who took it, and the manager of the checked office once the record has an
improvement case.  None of this reaches an export: exports read answers only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from forms.instrument import pick
from webapp.capture import photo_files as photos
from webapp.capture.submissions import Submission
from webapp.platform import audit
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.hooks import Hook
from webapp.programme.accounts import User


class ItemNote(db.Model):
    __tablename__ = "item_notes"
    __table_args__ = (UniqueConstraint("submission_id", "item_key", name="uq_item_notes_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    action_required: Mapped[bool] = mapped_column(Boolean, default=False)

class Photo(db.Model):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    #: set when the office manager sent it with an improvement case's answer
    case_item_id: Mapped[int | None] = mapped_column(ForeignKey("case_items.id"))
    digest: Mapped[str] = mapped_column(String(64), index=True)
    caption: Mapped[str | None] = mapped_column(String(200))
    #: the checklist item the photo documents (a question key of the record's instrument)
    item_key: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


NOTE_LENGTH = 500
MAX_PHOTOS = 10          # per record: a few of what was wrong, not an album
NOTED_TYPES = ("yes_no_na",)
Notes = dict[str, tuple[str | None, bool]]

_BASES: dict[tuple, type] = {}


def noted_keys(instrument) -> list[str]:
    return [q["key"] for q in instrument.questions() if q["type"] in NOTED_TYPES]


def form_base(instrument, base: type) -> type:
    """``base`` with a note and a 需改善 box for each checked item, one class per version (the
    form cache in ``webapp.instruments`` keys on the base class)."""
    key = (instrument.key, instrument.checksum(), base)
    if key not in _BASES:
        fields = {}
        for item in noted_keys(instrument):
            fields[f"note__{item}"] = TextAreaField(
                _l("備註"), validators=[Optional(), Length(max=NOTE_LENGTH, message=_l(
                    "備註最多 %(n)s 字", n=NOTE_LENGTH))])
            fields[f"act__{item}"] = BooleanField(_l("列為需改善（核定後開立改善追蹤）"))
        _BASES[key] = type(f"{base.__name__}Evidence", (base,), fields)
    return _BASES[key]


def from_form(instrument, form) -> Notes:
    """The posted notes and marks, only for the items that have either."""
    found = {}
    for item in noted_keys(instrument):
        text = (form[f"note__{item}"].data or "").strip() or None
        marked = bool(form[f"act__{item}"].data)
        if text or marked:
            found[item] = (text, marked)
    return found


def notes_of(record: Submission) -> Notes:
    if record.id is None:
        return {}
    return {n.item_key: (n.note, n.action_required) for n in db.session.scalars(
        select(ItemNote).where(ItemNote.submission_id == record.id))}


def form_data(notes: Notes) -> dict:
    data = {}
    for item, (text, marked) in notes.items():
        data[f"note__{item}"], data[f"act__{item}"] = text or "", marked
    return data


def save_notes(record: Submission, notes: Mapping[str, tuple[str | None, bool]]) -> None:
    """Replace the record's notes, in the caller's transaction."""
    db.session.execute(delete(ItemNote).where(ItemNote.submission_id == record.id))
    db.session.add_all(ItemNote(submission_id=record.id, item_key=item, note=text,
                                action_required=marked) for item, (text, marked) in notes.items())


def action_keys(record: Submission) -> list[str]:
    return list(db.session.scalars(select(ItemNote.item_key).where(
        ItemNote.submission_id == record.id, ItemNote.action_required).order_by(ItemNote.id)))


# -- photos ------------------------------------------------------------------------------------

def photo_items(instrument, locale: str) -> list[tuple[str, str]]:
    """The checklist items a photo may document, (key, label in ``locale``), in form order: the
    checked items, the ones a note or a 需改善 mark go with."""
    return [(q["key"], pick(q["label"], locale)) for q in instrument.questions()
            if q["type"] in NOTED_TYPES]


def photos_of(record: Submission) -> list[Photo]:
    return list(db.session.scalars(select(Photo).where(Photo.submission_id == record.id)
                                   .order_by(Photo.id)))


def add_photo(record: Submission, raw: bytes, caption: str | None, max_bytes: int, *,
              by: User, case_item_id: int | None = None, item_key: str | None = None,
              items: Mapping[str, str] | None = None) -> Photo:
    """Re-encode and keep one photo (``photos.PhotoError`` for what is not a usable photo):
    the inspector's of the visit, or the office's with an answer in its improvement case."""
    if item_key and item_key not in (items or {}):
        raise photos.PhotoError(_l("照片對應的查核項目不在這份查核表中，請重新選擇。"))
    if sum(p.case_item_id == case_item_id for p in photos_of(record)) >= MAX_PHOTOS:
        raise photos.PhotoError(_l("每筆紀錄最多 %(n)s 張照片。", n=MAX_PHOTOS))
    processed = photos.process(raw, max_bytes)
    photos.save(processed)
    row = Photo(submission_id=record.id, case_item_id=case_item_id, item_key=item_key or None,
                digest=processed.digest,
                caption=caption or None, width=processed.width, height=processed.height,
                size=len(processed.image), uploaded_by_id=by.id)
    db.session.add(row)
    db.session.flush()
    audit.record("created", "photo", row.id, {"record": record.id, "bytes": row.size})
    return row


def remove_photos(rows: list[Photo]) -> set[str]:
    """Delete photo rows in the caller's transaction; the digests to pass to ``forget_files``
    once it has committed (a rolled-back deletion must still find its files)."""
    for row in rows:
        audit.record("deleted", "photo", row.id, {"record": row.submission_id})
        db.session.delete(row)
    return {p.digest for p in rows}


def forget_files(digests: set[str]) -> None:
    """After the commit: remove the files no photo row uses any more (two records may hold
    the same picture, stored once)."""
    if not digests:
        return
    still = set(db.session.scalars(select(Photo.digest).where(Photo.digest.in_(digests))))
    for digest in digests - still:
        photos.delete(digest)


def delete_record_evidence(record: Submission) -> set[str]:
    """Everything a record carries besides its answers, when the record itself goes; the
    digests for ``forget_files`` after the commit."""
    digests = remove_photos(photos_of(record))
    db.session.execute(delete(ItemNote).where(ItemNote.submission_id == record.id))
    return digests


#: whether an office's manager may see the photos of a record of their office (the cycle above
#: says yes once the record has an improvement case): functions take the record, return a bool
shown_to_office = Hook("photos_shown_to_office", "record -> whether its office's manager sees "
                                                 "its photos")


def may_see(user: User, photo: Photo) -> bool:
    """Reviewers and admins; the inspector of the record, for the photos taken with it; the
    manager of the checked office once the record has an improvement case.  Nobody else,
    analysts included.  The photos an office sends with its case answers are not the
    inspector's: the reviewer judges them, the check was anonymous, and they may show the
    office's staff."""
    record = db.session.get(Submission, photo.submission_id)
    if record is None or not user.is_authenticated:
        return False
    if user.role in ("reviewer", "admin"):
        return True
    if user.role == "inspector":
        return record.inspector_id == user.id and photo.case_item_id is None
    if user.role == "office":
        return user.office_id == record.office_id and shown_to_office.any(record)
    return False
