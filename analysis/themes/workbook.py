"""The theme catalogue as spreadsheet sheets, one word per row, lossless both ways.

An analyst edits words, not JSON: ``themes`` (key, the two labels), ``signals`` (theme, kind,
word: one row per word), ``words`` (list, word: tone words, negators, degrees, wishes, turns)
and ``variants`` (as typed, standard form).  Reading a workbook back lists every problem with its
sheet, row and column, in both languages, and then the catalogue's own check runs on the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.themes.catalogue import LANGUAGES, SIGNAL_LISTS, WORD_LISTS, CatalogueError, check

SHEETS = {
    "themes": ("key", "label::zh_TW", "label::en"),
    "signals": ("theme", "kind", "word"),
    "words": ("list", "word"),
    "variants": ("typed", "standard"),
}
#: the ``list`` column of the ``words`` sheet: the tone words, then the catalogue's word lists
WORD_SHEET_LISTS = ("tone_complaint", "tone_praise", *WORD_LISTS)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int          #: as the spreadsheet numbers it (the header is row 1)
    column: str
    message: dict[str, str]


def to_sheets(definition: Mapping[str, Any]) -> dict[str, list[list[str]]]:
    themes = definition.get("themes", [])
    sheets = {name: [list(header)] for name, header in SHEETS.items()}
    for theme in themes:
        sheets["themes"].append([theme["key"], *(theme["label"][lang] for lang in LANGUAGES)])
        for kind in SIGNAL_LISTS:
            sheets["signals"] += [[theme["key"], kind, word] for word in theme.get(kind, [])]
    tone = definition.get("tone", {})
    for name in WORD_SHEET_LISTS:
        words = tone.get(name.removeprefix("tone_"), []) if name.startswith("tone_") else \
            definition.get(name, [])
        sheets["words"] += [[name, word] for word in words]
    sheets["variants"] += [[typed, standard] for typed, standard
                           in definition.get("variants", {}).items()]
    return sheets


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def from_sheets(sheets: Mapping[str, Sequence[Sequence[object]]], *, version: int = 0
                ) -> tuple[dict | None, list[Problem]]:
    """The definition in ``sheets``, or every problem found (then None)."""
    problems: list[Problem] = []

    def problem(sheet: str, row: int, column: str, zh: str, en: str) -> None:
        problems.append(Problem(sheet, row, column, {"zh_TW": zh, "en": en}))

    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for name, header in SHEETS.items():
        table = sheets.get(name)
        if not table:
            problem(name, 1, "", f"缺少工作表「{name}」", f"the sheet “{name}” is missing")
            continue
        found = [_text(h) for h in table[0]]
        missing = [h for h in header if h not in found]
        for column in missing:
            problem(name, 1, column, f"缺少欄位「{column}」", f"the column “{column}” is missing")
        if missing:
            continue
        rows[name] = [(n, {h: _text(line[found.index(h)]) if found.index(h) < len(line) else ""
                           for h in header})
                      for n, line in enumerate(table[1:], start=2)
                      if any(_text(cell) for cell in line)]
    if problems:
        return None, problems
    themes: dict[str, dict] = {}
    for n, row in rows["themes"]:
        if row["key"] in themes:
            problem("themes", n, "key", f"主題代碼「{row['key']}」重複", f"theme key “{row['key']}” repeats")
        themes[row["key"]] = {"key": row["key"], "label": {lang: row[f"label::{lang}"]
                                                           for lang in LANGUAGES},
                              **{kind: [] for kind in SIGNAL_LISTS}}
    for n, row in rows["signals"]:
        if row["theme"] not in themes:
            problem("signals", n, "theme", f"「{row['theme']}」不在 themes 工作表",
                    f"“{row['theme']}” is not on the themes sheet")
        elif row["kind"] not in SIGNAL_LISTS:
            problem("signals", n, "kind", f"類別應為 {'、'.join(SIGNAL_LISTS)} 之一",
                    f"kind is one of {', '.join(SIGNAL_LISTS)}")
        elif not row["word"]:
            problem("signals", n, "word", "詞不能空白", "the word is blank")
        else:
            themes[row["theme"]][row["kind"]].append(row["word"])
    definition: dict[str, Any] = {"key": "themes", "version": version,
                                  "themes": list(themes.values()),
                                  "tone": {"complaint": [], "praise": []},
                                  **{name: [] for name in WORD_LISTS}, "variants": {}}
    for n, row in rows["words"]:
        if row["list"] not in WORD_SHEET_LISTS:
            problem("words", n, "list", f"清單應為 {'、'.join(WORD_SHEET_LISTS)} 之一",
                    f"list is one of {', '.join(WORD_SHEET_LISTS)}")
        elif row["word"]:
            name = row["list"]
            target = definition["tone"][name.removeprefix("tone_")] if name.startswith("tone_") \
                else definition[name]
            target.append(row["word"])
    for n, row in rows["variants"]:
        if not row["typed"] or not row["standard"]:
            problem("variants", n, "standard" if row["typed"] else "typed",
                    "寫法與標準寫法都要填", "both the typed and the standard form are needed")
        else:
            definition["variants"][row["typed"]] = row["standard"]
    if problems:
        return None, problems
    try:
        check(definition)
    except CatalogueError as error:
        return None, [Problem(_sheet_of(p.where), 0, "", p.message) for p in error.problems]
    return definition, []


def _sheet_of(where: str) -> str:
    if where.startswith("themes"):
        return "themes" if where.count(".") == 0 or where.endswith(("key", "label")) else "signals"
    return "variants" if where.startswith("variants") else "words"
