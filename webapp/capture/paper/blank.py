"""The blank sheet people key paper questionnaires into: a CSV header, or an XLSX whose every
answer column is a drop-down of the values the import accepts, so nobody can type 6 on a
five-point scale, a service that does not exist, or an office code with a typo."""

from __future__ import annotations

import io

from sqlalchemy import select

from forms.instrument import Instrument, pick
from forms.types import YES_NO_NA, get_type
from webapp.capture.paper import batches as paper
from webapp.platform.extensions import db
from webapp.platform.spreadsheets import Column, Sheet, write_xlsx
from webapp.programme.offices import Office

#: rows the drop-downs cover: a morning's stack of forms, several times over
ROWS = 2000


def csv_bytes(instrument: Instrument) -> bytes:
    """The header, UTF-8 with a BOM (Excel in Taiwan then opens it as UTF-8)."""
    return ("\ufeff" + ",".join(paper.header(instrument)) + "\r\n").encode("utf-8")


def allowed(question: dict) -> list[str] | None:
    """What a cell may hold for ``question``: the values its CSV reading accepts."""
    qtype = get_type(question["type"])
    if qtype.name == "yes_no_na":
        labels = [label["zh_TW"] for _key, _value, label in YES_NO_NA]
        return labels if question.get("allow_na", True) else labels[:2]
    if qtype.name == "likert5":
        return ["5", "4", "3", "2", "1"]   # blank = no answer
    if qtype.name == "multiple_choice":
        return None    # several keys or labels in one cell: no drop-down can offer that
    labels = qtype.choice_labels(question)  # single choice: by label, read back by from_csv
    return [pick(label, "zh_TW") for label in labels.values()] if labels else None


def xlsx_bytes(instrument: Instrument) -> bytes:
    columns = paper.header(instrument)
    codes = list(db.session.scalars(select(Office.code).where(Office.active).order_by(Office.code)))
    choices = {0: codes} if codes else {}
    for index, question in enumerate(instrument.answered(), start=len(paper.FIXED_COLUMNS)):
        values = allowed(question)
        if values:
            choices[index] = values
    sheet = Sheet("paper", [Column(c) for c in columns], [], choices=choices, blank_rows=ROWS)
    buffer = io.BytesIO()
    write_xlsx(buffer, [sheet])
    return buffer.getvalue()
