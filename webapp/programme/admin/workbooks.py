"""Instruments as XLSX workbooks: the file an admin downloads, edits and uploads again.

The sheets' content is ``forms.workbook`` (XLSForm's conventions, lossless both ways); this
module adds what makes the file pleasant in Excel (frozen headers, widths, drop-downs for the
question type and the yes / no columns) and reads an upload through ``uploads.read_xlsx``
(by content, zip bombs and formulas refused).  The web page and ``flask instruments`` share it.
"""

from __future__ import annotations

import io
from typing import Any

from forms import workbook
from forms.types import REGISTRY
from webapp.platform import uploads
from webapp.platform.spreadsheets import Column, Sheet, write_xlsx
from webapp.programme import instruments

YES_NO = ("yes", "no")
#: the columns people choose rather than type, per sheet
DROP_DOWNS = {
    "items": {"type": tuple(sorted(REGISTRY)), "required": YES_NO, "allow_na": YES_NO},
    "choices": {"not_applicable": YES_NO},
}
#: empty rows below the data that still get the drop-downs, for items people add
ROOM = 60


def xlsx_bytes(definition: dict[str, Any]) -> bytes:
    sheets = []
    for name, rows in workbook.to_sheets(definition).items():
        header, *data = rows
        lists = DROP_DOWNS.get(name, {})
        sheets.append(Sheet(name, [Column(str(h)) for h in header], [list(r) for r in data],
                            choices={header.index(c): v for c, v in lists.items()},
                            blank_rows=ROOM if lists else 0))
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def read(raw: bytes) -> tuple[dict | None, list[workbook.Problem]]:
    """The definition in an uploaded workbook, or every problem with its sheet, row and column.
    Raises ``uploads.ImportFileError`` when the file as a whole cannot be read."""
    sheets = uploads.read_xlsx(raw, max_rows=2000)
    return workbook.from_sheets({name: rows for name, rows in sheets.items() if name != "lists"})


def column_letter(sheet: str, column: str) -> str:
    """Where a problem's column is in the downloaded layout (A, B, ...), for the admin's eye."""
    from openpyxl.utils import get_column_letter

    columns = workbook.SHEETS.get(sheet, ())
    return get_column_letter(columns.index(column) + 1) if column in columns else ""


def breaks_as_problems(definition: dict[str, Any], locale: str) -> list[workbook.Problem]:
    """What the edited workbook changes that stored answers and the reports cannot follow
    (``forms.compat``), each on its ``items`` row: a retyped question at its type, a dropped
    one at the row it no longer has (—)."""
    rows = {q["key"]: n for n, q in enumerate(
        (q for s in definition["sections"] for q in s["questions"]), start=2)}
    return [workbook.Problem("items", rows.get(b.key, "—"), "type" if b.key in rows else "key",
                             b.message) for b in instruments.breaks(definition, locale)]
