"""Instruments as XLSForm workbooks: the file an admin downloads, edits (in Excel or Kobo) and
uploads again, or an XLSForm written elsewhere that becomes a new survey.

The sheets' content is ``forms.workbook`` (writing) and ``forms.xlsform`` (reading); this module
adds what makes the file pleasant in Excel (frozen headers, widths, drop-downs for the yes / no
columns), reads an upload through ``uploads.read_xlsx`` (by content, zip bombs and formulas
refused) and places each problem at its column's letter in the file as uploaded.  The web page
and ``flask instruments`` share it.
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from openpyxl.utils import get_column_letter

from forms import workbook, xlsform
from forms.workbook import Problem
from forms.xlsform_sheets import sheet_named
from webapp.platform import uploads
from webapp.platform.spreadsheets import Column, Sheet, write_xlsx
from webapp.programme import instruments

YES_NO = ("yes", "no")
#: the columns people choose rather than type, per sheet
DROP_DOWNS = {"survey": {"required": YES_NO, "allow_na": YES_NO}, "choices": {"not_applicable": YES_NO}}
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


class Upload:
    """An uploaded workbook read: the definition (``None`` when refused), every problem, and
    where each question sits in the file as uploaded."""

    def __init__(self, raw: bytes, filename: str | None = None):
        self.sheets = uploads.read_xlsx(raw, max_rows=2000)
        stem = PurePath(filename).stem if filename else None
        self.definition, self.problems = xlsform.from_sheets(self.sheets, default_id=stem)

    @property
    def refusals(self) -> list[Problem]:
        return [p for p in self.problems if not p.ignored]

    @property
    def ignored(self) -> list[Problem]:
        return [p for p in self.problems if p.ignored]

    def letter(self, problem: Problem) -> str:
        """The problem's column letter (A, B, ...) in its sheet as uploaded, for the admin's eye."""
        rows = sheet_named(self.sheets, problem.sheet)
        if rows and problem.column:
            for index, cell in enumerate(rows[0]):
                if cell is not None and str(cell).strip() == problem.column:
                    return get_column_letter(index + 1)
        return ""

    def located(self, problems: list[Problem]) -> list[tuple[Problem, str]]:
        return [(p, self.letter(p)) for p in problems]

    def row_of(self, key: str) -> int | str:
        rows = sheet_named(self.sheets, "survey")
        names = [str(c).strip().lower() if c is not None else "" for c in (rows[0] if rows else [])]
        if "name" in names:
            column = names.index("name")
            for number, row in enumerate(rows[1:], start=2):
                if column < len(row) and row[column] is not None and str(row[column]).strip() == key:
                    return number
        return "—"

    def breaks(self, locale: str) -> list[Problem]:
        """What the workbook changes that stored answers and the reports cannot follow
        (``forms.compat``), each on its ``survey`` row: a retyped question at its type, a
        dropped one at the row it no longer has (—)."""
        found = []
        for b in instruments.breaks(self.definition, locale):
            row = self.row_of(b.key)
            found.append(Problem("survey", row, "type" if row != "—" else "name", b.message))
        return found


def problem_lines(problems: list[Problem]) -> str:
    """Problems as the command line prints them, one per line."""
    return "\n".join(f"{p.sheet} 第 {p.row} 列" + (f" {p.column} 欄" if p.column else "")
                     + ("（已略過）" if p.ignored else "") + f"：{p.message}" for p in problems)
