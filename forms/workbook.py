"""An instrument as an XLSForm workbook (ODK, KoboToolbox): the file an admin downloads, edits
and uploads again, and that survey tools' users already know.

Writing follows the standard so pyxform converts the download as it is: a ``survey`` sheet (one
row per question, ``begin_group`` / ``end_group`` around each section), ``choices`` and a one-row
``settings`` sheet, labels as ``label::中文 (zh)`` / ``label::English (en)``.  What XLSForm
has no column for (points, bands, short labels, units, option fractions, grade bands, the kind)
rides in extra columns that XLSForm tools ignore.  The scales the app fixes (five-point Likert,
yes / no / not applicable) are choice lists with reserved names and the app's own wording.

Reading is ``forms.xlsform``.  The round trip is lossless: a workbook written from a definition
reads back to the same definition, so an unchanged upload is no new version.  This module also
keeps what both directions share: a problem's place, and how a cell is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .i18n import _
from .instrument import OFFICE_KINDS
from .types import LIKERT_LEVELS, LIKERT_NO_ANSWER, NO_ANSWER, YES_NO_NA

#: the app's languages as XLSForm names them (name and BCP 47 code)
LANGUAGES = {"zh_TW": "中文 (zh)", "en": "English (en)"}
DEFAULT_LANGUAGE = "zh_TW"
#: columns per sheet as written; ``name::`` columns are written once per language
SURVEY_COLUMNS = ("type", "name", "label::", "hint::", "required", "relevant", "constraint",
                  "short::", "points", "bands", "unit::", "allow_na", "max_length")
CHOICE_COLUMNS = ("list_name", "name", "label::", "fraction", "not_applicable", "office_kinds")
SETTING_COLUMNS = ("form_id", "form_title", "version", "default_language", "title_en", "kind",
                   "scored", "intro::", "grade_bands", "improvement_threshold")
#: XLSForm types of the app's question types (select types add their list's name)
XLSFORM_TYPES = {"count": "integer", "decimal": "decimal", "text": "text", "datetime": "dateTime",
                 "date": "date", "note": "note", "single_choice": "select_one",
                 "multiple_choice": "select_multiple", "likert5": "select_one",
                 "yes_no_na": "select_one"}
#: the fixed scales as choice lists: (list name, [(name, label), ...])
BUILT_IN_LISTS = {
    "likert5": [(str(v), label) for v, label in LIKERT_LEVELS] + [(NO_ANSWER, LIKERT_NO_ANSWER)],
    "yes_no_na": [(key, label) for key, _v, label in YES_NO_NA],
    "yes_no": [(key, label) for key, _v, label in YES_NO_NA[:2]],
}
#: columns by how their cells are read; the rest are text
BOOLS, INTS, NUMBERS = {"required", "allow_na", "not_applicable", "scored"}, {"max_length"}, \
    {"points", "fraction", "improvement_threshold"}
_YES, _NO = {"yes", "true", "true()", "1", "是", "y"}, {"no", "false", "false()", "0", "否", "n"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    """Something in a workbook at a place: ``ignored`` ones are listed and the rest refuse it."""

    sheet: str
    row: int | str    # as the spreadsheet numbers it: the header is row 1
    column: str       # the header's name, "" for the row as a whole
    message: str
    ignored: bool = False


def header(columns: Sequence[str]) -> list[str]:
    """The header row: a ``label::`` column once per language."""
    return [name for c in columns for name in (
        [f"{c}{LANGUAGES[lang]}" for lang in LANGUAGES] if c.endswith("::") else [c])]


# --- writing ------------------------------------------------------------------------------


def bands_text(bands: Sequence[Sequence]) -> str:
    """``[[4, 1.0], [6, 0.5]]`` as ``4:1.0, 6:0.5``."""
    return ", ".join(f"{str(limit)}:{str(fraction)}" for limit, fraction in bands)


def grade_bands_text(bands: Sequence[Sequence]) -> str:
    """``[[90, "優等"], [80, "甲"]]`` as ``90 優等; 80 甲``."""
    return "; ".join(f"{str(lowest)} {label}" for lowest, label in bands)


def _in(label: Any, lang: str) -> str | None:
    if isinstance(label, str):
        return label if lang == DEFAULT_LANGUAGE else None
    return (label or {}).get(lang)


def _plain(holder: Mapping[str, Any], name: str) -> Any:
    value = holder.get(name)
    if value is None:
        return None
    if name in ("bands",):
        return bands_text(value) if value else None
    if name == "grade_bands":
        return grade_bands_text(value) if value else None
    if name == "office_kinds":
        return ", ".join(value) if value else None
    if name in BOOLS:
        return "yes" if value else "no"
    return value


def _row(holder: Mapping[str, Any], columns: Sequence[str], fixed: Mapping[str, Any]) -> list:
    row = []
    for column in columns:
        if column.endswith("::"):
            row += [_in(holder.get(column[:-2]), lang) for lang in LANGUAGES]
        else:
            row.append(fixed[column] if column in fixed else _plain(holder, column))
    return row


def list_name(question: Mapping[str, Any]) -> str:
    """The choice list a question's options are written under."""
    if question["type"] == "likert5":
        return "likert5"
    if question["type"] == "yes_no_na":
        return "yes_no" if question.get("allow_na") is False else "yes_no_na"
    return question["key"] + ("_options" if question["key"] in BUILT_IN_LISTS else "")


def _plain_number(number: int | float) -> str:
    """A bound as XLSForm reads it: 0.00001, never 1e-05."""
    return str(number) if isinstance(number, int) else format(Decimal(repr(number)), "f")


def constraint(question: Mapping[str, Any]) -> str | None:
    """A number's bounds as XLSForm's constraint (``. >= 0 and . <= 20``)."""
    if question["type"] not in ("count", "decimal"):
        return None
    parts = [f". {op} {_plain_number(question[k])}" for k, op in (("min", ">="), ("max", "<="))
             if k in question]
    return " and ".join(parts) or None


def to_sheets(definition: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    """The workbook's sheets, each a header row and then data rows."""
    survey, choices = [header(SURVEY_COLUMNS)], [header(CHOICE_COLUMNS)]
    built_in: list[str] = []
    for section in definition["sections"]:
        survey.append(_row({"label": section.get("title"), "relevant": section.get("relevant")},
                           SURVEY_COLUMNS, {"type": "begin_group", "name": section["key"]}))
        for question in section["questions"]:
            kind = XLSFORM_TYPES[question["type"]]
            if kind.startswith("select"):
                kind = f"{kind} {list_name(question)}"
            survey.append(_row(question, SURVEY_COLUMNS, {
                "type": kind, "name": question["key"], "constraint": constraint(question)}))
            if question["type"] in ("likert5", "yes_no_na"):
                if list_name(question) not in built_in:
                    built_in.append(list_name(question))
                continue
            for option in question.get("options") or ():
                choices.append(_row(option, CHOICE_COLUMNS, {"list_name": list_name(question),
                                                             "name": option["key"]}))
        survey.append(_row({}, SURVEY_COLUMNS, {"type": "end_group"}))
    for name in built_in:
        choices += [_row({"label": label}, CHOICE_COLUMNS, {"list_name": name, "name": key})
                    for key, label in BUILT_IN_LISTS[name]]
    title = definition.get("title")
    settings = _row(definition, SETTING_COLUMNS, {
        "form_id": definition["key"], "form_title": _in(title, DEFAULT_LANGUAGE),
        "version": str(definition["version"]), "default_language": LANGUAGES[DEFAULT_LANGUAGE],
        "title_en": _in(title, "en")})
    return {"survey": survey, "choices": choices,
            "settings": [header(SETTING_COLUMNS), settings]}


# --- reading a cell -------------------------------------------------------------------------


class Bad(ValueError):
    """One cell that cannot be read; becomes a Problem with its place."""


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES:
        text = text[1:]  # the apostrophe a download puts before = + - @ (never a formula)
    return text or None


def number_of(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise Bad(_("「%(text)s」不是數字", text=text)) from None


def _read_bands(text: str) -> list[list]:
    bands = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        limit, sep, fraction = part.partition(":")
        if not sep:
            raise Bad(_("級距要寫成「上限:比例」，以逗號分隔，例如 4:1.0, 6:0.5"))
        bands.append([number_of(limit.strip()), number_of(fraction.strip())])
    return bands


def _read_grade_bands(text: str) -> list[list]:
    bands = []
    for part in filter(None, (p.strip() for p in re.split(r"[;；]", text))):
        lowest, _sep, label = part.partition(" ")
        if not label.strip():
            raise Bad(_("等第要寫成「最低分 名稱」，以分號分隔，例如 90 優等; 80 甲"))
        bands.append([number_of(lowest), label.strip()])
    return bands


def read_value(name: str, text: str) -> Any:
    """A cell of column ``name`` (without its language) as the definition holds it."""
    if name in BOOLS:
        if text.lower() in _YES:
            return True
        if text.lower() in _NO:
            return False
        raise Bad(_("請填 yes 或 no"))
    if name in INTS:
        number = number_of(text)
        if not isinstance(number, int):
            raise Bad(_("請填整數"))
        return number
    if name in NUMBERS:
        return number_of(text)
    if name == "bands":
        return _read_bands(text)
    if name == "grade_bands":
        return _read_grade_bands(text)
    if name == "office_kinds":
        kinds = [k for k in re.split(r"[,，、\s]+", text) if k]
        if not set(kinds) <= set(OFFICE_KINDS):
            raise Bad(_("機關類別請填 %(kinds)s（以逗號分隔），留空表示每個機關都有這個選項",
                        kinds="、".join(OFFICE_KINDS)))
        return kinds
    return text
