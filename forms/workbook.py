"""An instrument as the sheets of a workbook people edit, after XLSForm (ODK, KoboToolbox).

Survey tools' users already know XLSForm, so its conventions are kept where they fit: one row
per question in order, ``label::zh_TW`` / ``label::en`` columns, ``required`` as yes / no,
``relevant`` in its own expression language, a choices sheet keyed by list name, a settings
sheet.  Four sheets:

- ``items``: section, key, type, labels, required, points, bands, relevant, ...;
- ``choices``: the options of each ``single_choice`` item (``list_name`` = the item's key), an
  option offered only at some kinds of office naming them in ``office_kinds`` (``land``);
- ``sections``: key, titles, relevant, in order;
- ``settings``: form id, kind, title, grade bands, improvement threshold, version (read only).

Pure data both ways (rows of cell values), so the web and the command line share it and the
file format (openpyxl) stays in the web app.  The round trip is lossless: a workbook written
from a definition reads back to the same definition, so an unchanged upload is no new version.
Every problem is reported with its sheet, row and column, all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .i18n import _
from .instrument import KINDS, OFFICE_KINDS, check
from .types import REGISTRY

LANGS = ("zh_TW", "en")
ITEM_COLUMNS = ("section", "key", "type", "label::zh_TW", "label::en", "short::zh_TW", "short::en",
                "required", "points", "bands", "relevant", "min", "max", "unit::zh_TW", "unit::en",
                "allow_na", "max_length")
CHOICE_COLUMNS = ("list_name", "key", "label::zh_TW", "label::en", "fraction", "not_applicable",
                  "office_kinds")
SECTION_COLUMNS = ("key", "title::zh_TW", "title::en", "relevant")
SETTING_COLUMNS = ("setting", "value")
SETTINGS = ("form_id", "kind", "scored", "title::zh_TW", "title::en", "intro::zh_TW", "intro::en",
            "grade_bands", "improvement_threshold", "version")
SHEETS = {"items": ITEM_COLUMNS, "choices": CHOICE_COLUMNS, "sections": SECTION_COLUMNS,
          "settings": SETTING_COLUMNS}
#: columns by how their cells are read; the rest are text
BOOLS, INTS, NUMBERS = {"required", "allow_na", "not_applicable", "scored"}, {"min", "max", "max_length"}, \
    {"points", "fraction", "improvement_threshold"}
_YES, _NO = {"yes", "true", "1", "是", "y"}, {"no", "false", "0", "否", "n"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int          # as the spreadsheet numbers it: the header is row 1
    column: str       # the header's name, "" for the row as a whole
    message: str


# --- writing ------------------------------------------------------------------------------


def bands_text(bands: Sequence[Sequence]) -> str:
    """``[[4, 1.0], [6, 0.5]]`` as ``4:1.0, 6:0.5``."""
    return ", ".join(f"{str(limit)}:{str(fraction)}" for limit, fraction in bands)


def grade_bands_text(bands: Sequence[Sequence]) -> str:
    """``[[90, "優等"], [80, "甲"]]`` as ``90 優等; 80 甲``."""
    return "; ".join(f"{str(lowest)} {label}" for lowest, label in bands)


def _bool_text(value: Any) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _cell(holder: Mapping[str, Any], column: str) -> Any:
    name, _sep, lang = column.partition("::")
    value = holder.get(name)
    if lang:
        if isinstance(value, str):
            return value if lang == "zh_TW" else None
        return (value or {}).get(lang)
    if name == "bands":
        return bands_text(value) if value else None
    if name == "office_kinds":
        return ", ".join(value) if value else None
    if name in BOOLS:
        return _bool_text(value)
    return value


def to_sheets(definition: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    """The workbook's sheets, each a header row and then data rows."""
    items, choices, sections = [list(ITEM_COLUMNS)], [list(CHOICE_COLUMNS)], [list(SECTION_COLUMNS)]
    for section in definition["sections"]:
        sections.append([_cell(section, c) for c in SECTION_COLUMNS])
        for question in section["questions"]:
            items.append([section["key"] if c == "section" else _cell(question, c) for c in ITEM_COLUMNS])
            for option in question.get("options") or ():
                choices.append([question["key"] if c == "list_name" else _cell(option, c)
                                for c in CHOICE_COLUMNS])
    top = dict(definition) | {"form_id": definition["key"]}
    settings = [list(SETTING_COLUMNS)]
    for name in SETTINGS:
        value = (grade_bands_text(top["grade_bands"]) if top.get("grade_bands") else None) \
            if name == "grade_bands" else _cell(top, name)
        settings.append([name, value])
    return {"items": items, "choices": choices, "sections": sections, "settings": settings}


# --- reading ------------------------------------------------------------------------------


class _Bad(ValueError):
    """One cell that cannot be read; becomes a Problem with its place."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]  # the apostrophe a download puts before = + - @ (never a formula)
    return text or None


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise _Bad(_("「%(text)s」不是數字", text=text)) from None


def _read_bands(text: str) -> list[list]:
    bands = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        limit, sep, fraction = part.partition(":")
        if not sep:
            raise _Bad(_("級距要寫成「上限:比例」，以逗號分隔，例如 4:1.0, 6:0.5"))
        bands.append([_number(limit.strip()), _number(fraction.strip())])
    return bands


def _read_grade_bands(text: str) -> list[list]:
    bands = []
    for part in filter(None, (p.strip() for p in re.split(r"[;；]", text))):
        lowest, _sep, label = part.partition(" ")
        if not label.strip():
            raise _Bad(_("等第要寫成「最低分 名稱」，以分號分隔，例如 90 優等; 80 甲"))
        bands.append([_number(lowest), label.strip()])
    return bands


def _value(column: str, text: str) -> Any:
    name = column.partition("::")[0]
    if name in BOOLS:
        if text.lower() in _YES:
            return True
        if text.lower() in _NO:
            return False
        raise _Bad(_("請填 yes 或 no"))
    if name in INTS:
        number = _number(text)
        if not isinstance(number, int):
            raise _Bad(_("請填整數"))
        return number
    if name in NUMBERS:
        return _number(text)
    if name == "bands":
        return _read_bands(text)
    if name == "grade_bands":
        return _read_grade_bands(text)
    if name == "office_kinds":
        kinds = [k for k in re.split(r"[,，、\s]+", text) if k]
        if not set(kinds) <= set(OFFICE_KINDS):
            raise _Bad(_("機關類別請填 %(kinds)s（以逗號分隔），留空表示每個機關都有這個選項",
                         kinds="、".join(OFFICE_KINDS)))
        return kinds
    return text


class _Reader:
    def __init__(self, sheets: Mapping[str, Sequence[Sequence[Any]]]):
        self.sheets, self.problems = sheets, []

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    def records(self, sheet: str, columns: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
        """Each non-empty row as {column: value}, cells read by their column's kind."""
        rows = self.sheets.get(sheet)
        if not rows:
            self.problem(sheet, 1, "", _("缺少工作表「%(sheet)s」或它是空的", sheet=sheet))
            return []
        header = [_text(h) for h in rows[0]]
        for name in header:
            if name and name not in columns:
                self.problem(sheet, 1, name, _("不認得的欄位「%(name)s」；可用的欄位：%(known)s",
                                               name=name, known="、".join(columns)))
        result = []
        for number, row in enumerate(rows[1:], start=2):
            record = {}
            for name, cell in zip(header, row, strict=False):
                text = _text(cell)
                if name not in columns or text is None:
                    continue
                if sheet == "settings":  # a value is read by its setting's kind (convert)
                    record[name] = text
                    continue
                try:
                    record[name] = _value(name, text)
                except _Bad as error:
                    self.problem(sheet, number, name, str(error))
            if record:
                result.append((number, record))
        return result

    def convert(self, sheet: str, row: int, column: str, text: str) -> Any:
        try:
            return _value(column, text)
        except _Bad as error:
            self.problem(sheet, row, column, str(error))
            return None


def _assign(target: dict[str, Any], record: Mapping[str, Any], skip: Sequence[str] = ()) -> None:
    """Columns into a definition dict: ``label::zh_TW`` into ``label``; ``key`` as it is."""
    for column, value in record.items():
        if column in skip:
            continue
        name, _sep, lang = column.partition("::")
        if lang:
            target.setdefault(name, {})[lang] = value
        else:
            target[name] = value


def from_sheets(sheets: Mapping[str, Sequence[Sequence[Any]]]) -> tuple[dict | None, list[Problem]]:
    """The definition a workbook describes, or ``None`` and every problem found."""
    reader = _Reader(sheets)
    settings: dict[str, Any] = {}
    setting_rows: dict[str, int] = {}
    for row, record in reader.records("settings", SETTING_COLUMNS):
        name = record.get("setting")
        if name not in SETTINGS:
            reader.problem("settings", row, "setting", _("不認得的設定「%(name)s」；可用的設定：%(known)s",
                                                         name=name or "", known="、".join(SETTINGS)))
            continue
        setting_rows[name] = row
        if "value" in record:
            value = reader.convert("settings", row, name, record["value"])
            if value is not None:
                settings[name] = value
    definition: dict[str, Any] = {}
    _assign(definition, {k: v for k, v in settings.items() if k not in ("form_id", "version")})
    definition = {"key": settings.get("form_id"), "version": 1, **definition, "sections": []}
    version = settings.get("version")
    if isinstance(version, int) and version >= 1:
        definition["version"] = version
    for name, message in (("form_id", _("請填問卷代碼（英文字母開頭，例如 phone）")),
                          ("kind", _("請填 survey 或 inspection")), ("title::zh_TW", _("請填中文名稱"))):
        if name not in settings:
            reader.problem("settings", setting_rows.get(name, 1), "value" if name in setting_rows else "",
                           message if name in setting_rows else _("缺少設定「%(name)s」：%(why)s",
                                                                   name=name, why=message))
    if settings.get("kind") not in (None, *KINDS):
        reader.problem("settings", setting_rows["kind"], "value", _("請填 survey 或 inspection"))

    section_of: dict[str, dict] = {}
    for row, record in reader.records("sections", SECTION_COLUMNS):
        key = record.get("key")
        if not key or not str(key).isidentifier() or key in section_of:
            reader.problem("sections", row, "key", _("每個區段需要不重複的英文代碼"))
            continue
        if "title::zh_TW" not in record:
            reader.problem("sections", row, "title::zh_TW", _("請填區段的中文標題"))
        section = {"key": key}
        _assign(section, record, skip=("key",))
        section["questions"] = []
        section_of[key] = section
        definition["sections"].append(section)

    item_row: dict[str, int] = {}
    for row, record in reader.records("items", ITEM_COLUMNS):
        key, qtype, section_key = record.get("key"), record.get("type"), record.get("section")
        if not key or not str(key).isidentifier() or key.startswith("_") or key in item_row:
            reader.problem("items", row, "key", _("每一題需要不重複的英文代碼（字母、數字、底線）"))
            continue
        item_row[key] = row
        if qtype not in REGISTRY:
            reader.problem("items", row, "type", _("題型「%(type)s」不存在；可用的題型：%(known)s",
                                                   type=qtype or "", known="、".join(sorted(REGISTRY))))
        if "label::zh_TW" not in record:
            reader.problem("items", row, "label::zh_TW", _("請填題目的中文文字"))
        if section_key not in section_of:
            reader.problem("items", row, "section", _("區段「%(section)s」不在 sections 工作表上",
                                                      section=section_key or ""))
            continue
        question = {"key": key, "type": qtype}
        _assign(question, record, skip=("key", "type", "section"))
        section_of[section_key]["questions"].append(question)

    questions = {q["key"]: q for s in definition["sections"] for q in s["questions"]}
    for row, record in reader.records("choices", CHOICE_COLUMNS):
        owner = questions.get(record.get("list_name"))
        if owner is None or owner.get("type") != "single_choice":
            reader.problem("choices", row, "list_name", _("「%(name)s」不是單選題的代碼",
                                                          name=record.get("list_name") or ""))
            continue
        if not record.get("key") or "label::zh_TW" not in record:
            reader.problem("choices", row, "key", _("每個選項需要代碼與中文文字"))
            continue
        option: dict[str, Any] = {}
        _assign(option, record, skip=("list_name",))
        owner.setdefault("options", []).append(option)
    for section in definition["sections"]:
        if not section["questions"]:
            reader.problem("sections", 1, "key", _("區段「%(section)s」沒有任何題目", section=section["key"]))
    if reader.problems:  # in the order people read the workbook: sheet by sheet, row by row
        order = list(SHEETS)
        return None, sorted(reader.problems, key=lambda p: (order.index(p.sheet) if p.sheet in order
                                                            else len(order), p.row))
    try:
        check(definition)
    except ValueError as error:  # what the sheets cannot see: conditions, option keys, bands
        named = [k for k in re.findall(r"'(\w+)'", str(error)) if k in item_row]
        place = ("items", item_row[named[0]], "") if named else ("settings", 1, "")
        return None, [Problem(*place, _("定義檢查：%(error)s", error=str(error)))]
    return definition, []
