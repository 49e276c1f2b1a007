"""An XLSForm's sheets read as XLSForm tools read them, before any meaning is given to them.

Sheet names in any case; column names in any case, ``list name`` as ``list_name``, and a language
after ``::`` (or pyxform's old single ``:``), by name or code; each row a record of
``{column: (header as written, text)}`` so a problem can name the column as the file has it.
A column the app has no use for, or a language it does not speak, is listed as left out once,
on the header row; one whose content would change what is asked refuses the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .i18n import _
from .workbook import DEFAULT_LANGUAGE, Bad, Problem, read_value, text_of

#: columns read with a language suffix; without one, they are in the form's default language
LANGUAGE_COLUMNS = {"label", "hint", "short", "unit", "intro"}
#: columns whose content changes what is asked: a file using them is refused
REFUSED_COLUMNS = {"choice_filter", "repeat_count"}
#: curly quotes Excel types into expressions, as the straight ones XLSForm means
QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})


def language(suffix: str) -> str | None:
    """``zh_TW``, ``en`` or ``None`` for a column's language: ``中文 (zh-TW)``, ``English (en)``,
    ``English``, ``zh_TW``, ``Chinese`` all name one of the two the app speaks."""
    found = re.search(r"\(([^)]+)\)\s*$", suffix)
    code = (found[1] if found else suffix).strip().lower().replace("_", "-")
    name = (suffix[:found.start()] if found else suffix).strip().lower()
    if code.startswith("zh") or name in ("chinese", "中文", "繁體中文", "華語", "國語"):
        return "zh_TW"
    if code == "en" or code.startswith("en-") or name == "english":
        return "en"
    return None


def _column(name: str) -> tuple[str, str | None]:
    """A header as (base, language suffix): ``label::English (en)``, ``label:english``."""
    base, sep, suffix = name.partition("::")
    if not sep and ":" in name and not name.startswith("$"):
        base, sep, suffix = name.partition(":")
    return base.strip().lower().replace(" ", "_"), (suffix.strip() if sep else None)


def sheet_named(sheets: Mapping[str, Sequence[Sequence[Any]]], name: str) -> Sequence[Sequence[Any]]:
    for title, rows in sheets.items():
        if str(title).strip().lower() == name:
            return rows
    return []


class Reader:
    def __init__(self, sheets: Mapping[str, Sequence[Sequence[Any]]], default_id: str | None):
        self.sheets, self.default_id, self.problems = sheets, default_id, []
        self.default_language = DEFAULT_LANGUAGE

    def problem(self, sheet, row, column, message, ignored=False) -> None:
        self.problems.append(Problem(sheet, row, column, message, ignored))

    def records(self, sheet: str, known: set[str]) -> list[tuple[int, dict[str, Any]]]:
        """Each non-empty row as {column: value}; a language column keyed ``base::lang``."""
        rows = sheet_named(self.sheets, sheet)
        if not rows:
            return []
        columns: list[tuple[str, str] | None] = []
        used = {i for row in rows[1:] for i, cell in enumerate(row) if text_of(cell) is not None}
        for index, cell in enumerate(rows[0]):
            title = text_of(cell)
            columns.append(None)
            if title is None:
                continue
            base, suffix = _column(title)
            if base in REFUSED_COLUMNS and index in used:
                self.problem(sheet, 1, title, _("「%(name)s」會改變題目或選項，本系統無法照做；請刪除這一欄",
                                                name=title))
            elif base not in known or (suffix is not None and base not in LANGUAGE_COLUMNS):
                if index in used:
                    self.problem(sheet, 1, title, _("本系統沒有對應的欄位，這一欄已略過"), ignored=True)
            elif suffix is not None and language(suffix) is None:
                if index in used:
                    self.problem(sheet, 1, title, _("本系統只有中文與英文；「%(lang)s」這一欄已略過",
                                                    lang=suffix), ignored=True)
            else:
                lang = language(suffix) if suffix is not None else None
                columns[index] = (title, f"{base}::{lang}" if lang else base)
        result = []
        for number, row in enumerate(rows[1:], start=2):
            record = {}
            for place, cell in zip(columns, row, strict=False):
                text = text_of(cell)
                if place is None or text is None:
                    continue
                title, key = place
                if key in LANGUAGE_COLUMNS:   # no language: the form's default one
                    key = f"{key}::{self.default_language}"
                record[key] = (title, text)
            if record:
                result.append((number, record))
        return result

    def value(self, sheet: str, row: int, record: dict, name: str) -> Any:
        if name not in record:
            return None
        title, text = record[name]
        try:
            return read_value(name.partition("::")[0], text.translate(QUOTES))
        except Bad as error:
            self.problem(sheet, row, title, str(error))
            return None

    def texts(self, record: dict, base: str) -> dict[str, str]:
        return {key.partition("::")[2]: text for key, (_t, text) in record.items()
                if key.startswith(base + "::")}
