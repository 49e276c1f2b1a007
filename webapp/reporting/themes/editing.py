"""The theme catalogue edited in a spreadsheet: the workbook an analyst downloads, the upload read
back by content, and how a new version would read the comments already given.

Nothing is published from the upload itself: the preview shows what changed and which recent
comments would be read differently, and publishing refuses if another version was published in
between (``views_catalogue``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy import select

from analysis.themes.catalogue import SIGNAL_LISTS, Catalogue
from analysis.themes.coding import code
from analysis.themes.workbook import SHEETS, WORD_SHEET_LISTS, Problem, from_sheets, to_sheets
from forms.catalogue import CITIZEN_SURVEYS
from webapp.capture.submissions import Answer
from webapp.platform import uploads
from webapp.platform.extensions import db
from webapp.platform.masking import mask
from webapp.platform.spreadsheets import Column, Sheet, write_xlsx
from webapp.reporting.themes.models import CommentCode

#: the columns people choose rather than type, per sheet
DROP_DOWNS = {"signals": {"kind": SIGNAL_LISTS}, "words": {"list": WORD_SHEET_LISTS}}
ROOM = 200          # empty rows below the data that still get the drop-downs
SAMPLE = 500        # recent comments read again with the new version in the preview
SHOWN = 10


def xlsx_bytes(definition: dict) -> bytes:
    sheets = []
    for name, rows in to_sheets(definition).items():
        header, *data = rows
        lists = DROP_DOWNS.get(name, {})
        sheets.append(Sheet(name, [Column(h) for h in header], data,
                            choices={header.index(c): v for c, v in lists.items()},
                            blank_rows=ROOM if lists else 0))
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def read(raw: bytes, version: int) -> tuple[dict | None, list[Problem]]:
    """The catalogue in an uploaded workbook, or every problem by sheet, row and column.
    Raises ``uploads.ImportFileError`` when the file as a whole cannot be read."""
    sheets = uploads.read_xlsx(raw, max_rows=20_000)
    return from_sheets({name: rows for name, rows in sheets.items() if name in SHEETS},
                       version=version)


@dataclass(frozen=True)
class Reread:
    text: str
    before: tuple[str, ...]    #: theme keys, then the tone
    after: tuple[str, ...]


def reread(old: Catalogue, new: Catalogue) -> tuple[int, int, list[Reread]]:
    """Of the newest ``SAMPLE`` comments not corrected by hand (a new version leaves those as
    they are), how many were read, how many the new version reads differently, and the first
    ``SHOWN`` of those (masked)."""
    rows = db.session.scalars(
        select(Answer.text).join(CommentCode, CommentCode.answer_id == Answer.id)
        .where(Answer.instrument_key.in_(CITIZEN_SURVEYS), CommentCode.corrected_at.is_(None))
        .order_by(Answer.id.desc()).limit(SAMPLE)).all()
    changed = []
    for text in rows:
        masked = mask(text)
        was, now = code(masked, old), code(masked, new)
        before, after = (*sorted(was.themes), was.tone), (*sorted(now.themes), now.tone)
        if before != after:
            changed.append(Reread(masked, before, after))
    return len(rows), len(changed), changed[:SHOWN]
