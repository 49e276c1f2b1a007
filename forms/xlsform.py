"""Reading an XLSForm (ODK, KoboToolbox, pyxform) into an instrument definition.

Authors write forms in Kobo or Excel and should not have to rewrite them for this app, so the
standard is read as XLSForm tools read it: sheet and column names in any case, ``list name`` as
``list_name``, ``begin group`` as ``begin_group``, ``label:English`` as ``label::English``,
curly quotes in expressions as straight ones, groups nested as deep as wanted (each run of
questions in a group becomes a section, its conditions joined).  The app's own download
(``forms.workbook``) is one such file, with extra columns this module reads back losslessly.

What has no equivalent is listed by sheet, row and column with the reason, all at once.  Two
kinds: what would change what is asked or stored (a repeat, a photo, a choice filter, an
expression this app cannot evaluate) refuses the file; what only shapes how another tool shows
or fills it (``appearance``, ``constraint_message``, the device id, another language) is
``ignored`` and listed so the author knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import conditions
from .i18n import _
from .instrument import KINDS, check
from .workbook import BUILT_IN_LISTS, DEFAULT_LANGUAGE, Problem
from .xlsform_sheets import QUOTES, Reader, language, sheet_named

SHEETS = ("survey", "choices", "settings")
#: XLSForm types, by the app's type they become
TYPES = {"integer": "count", "int": "count", "decimal": "decimal", "text": "text", "string": "text",
         "date": "date", "datetime": "datetime", "note": "note", "select_one": "single_choice",
         "select1": "single_choice", "select_multiple": "multiple_choice"}
#: types the app records itself, or does not collect: left out, listed
METADATA = ("start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
            "username", "email", "audit", "imei", "start-geopoint", "calculate", "hidden")
#: survey columns read, with or without a language; the app's own extras after ``constraint``
SURVEY_READ = {"type", "name", "label", "hint", "required", "relevant", "constraint", "short",
               "points", "bands", "unit", "allow_na", "max_length"}
CHOICE_READ = {"list_name", "name", "label", "fraction", "not_applicable", "office_kinds"}
SETTINGS_READ = {"form_id", "id_string", "form_title", "title", "version", "default_language",
                 "title_en", "kind", "scored", "intro", "grade_bands", "improvement_threshold"}
#: what the database keeps of an instrument's key and a question's (instrument_versions.key,
#: answers.item_key)
KEY_LENGTH, NAME_LENGTH = 40, 64
_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")
_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")


def _expression(reader: Reader, row: int, record: dict, name: str) -> str | None:
    if name not in record:
        return None
    title, text = record[name]
    text = text.translate(QUOTES).strip()
    try:
        conditions.parse(text)
    except ValueError:
        reader.problem("survey", row, title, _(
            "條件「%(text)s」本系統無法判讀；可用的寫法：${題目} = '值'（也可用 != < <= > >= 比較），"
            "或 selected(${題目}, '值')；以 and / or 連接，不用括號", text=text))
        return None
    return text


def _bounds(reader: Reader, row: int, record: dict, question: dict) -> None:
    """``constraint`` as the app's bounds: a number's range, a text's length."""
    title, text = record["constraint"]
    whole = question["type"] == "count"
    for part in re.split(r"\s+and\s+", text.translate(QUOTES).strip(), flags=re.IGNORECASE):
        length, bound = _LENGTH.match(part), _BOUND.match(part)
        if length and question["type"] == "text":
            question["max_length"] = int(length[1])
            continue
        if bound and question["type"] in ("count", "decimal"):
            op, number = bound[1], float(bound[2])
            if op in (">", "<") and whole and number.is_integer():
                op, number = (">=", number + 1) if op == ">" else ("<=", number - 1)
            if op in (">=", "<=") and (not whole or number.is_integer()):
                value = int(number) if number.is_integer() else number
                question["min" if op == ">=" else "max"] = value
                continue
        reader.problem("survey", row, title, _(
            "限制條件「%(text)s」本系統無法照做；數字可寫 . >= 最小值 and . <= 最大值，"
            "文字可寫 string-length(.) <= 字數", text=text))
        return


def _choices(reader: Reader) -> dict[str, list[tuple[int, dict]]]:
    lists: dict[str, list[tuple[int, dict]]] = {}
    for row, record in reader.records("choices", CHOICE_READ):
        name = record.get("list_name", (None, None))[1]
        key = record.get("name", (None, None))[1]
        if not name or not key or re.search(r"\s", key):
            reader.problem("choices", row, "name", _("每個選項需要清單名稱（list_name）與不含空白的代碼（name）"))
            continue
        option: dict[str, Any] = {"key": key}
        if labels := reader.texts(record, "label"):
            option["label"] = labels
        for extra in ("fraction", "not_applicable", "office_kinds"):
            value = reader.value("choices", row, record, extra)
            if value is not None:
                option[extra] = value
        lists.setdefault(name, []).append((row, option))
    return lists


def _built_in(name: str, options: list[dict]) -> bool:
    """Whether a list is one of the app's fixed scales, word for word (the app's own download)."""
    fixed = BUILT_IN_LISTS.get(name)
    return fixed is not None and len(fixed) == len(options) and all(
        option["key"] == key and option.get("label") and all(
            label.get(lang) == text for lang, text in option["label"].items())
        for option, (key, label) in zip(options, fixed, strict=True))


def _settings(reader: Reader) -> dict[str, Any]:
    records = reader.records("settings", SETTINGS_READ)
    if len(records) > 1:
        reader.problem("settings", records[1][0], "", _("settings 只能有一列設定（XLSForm 的格式）"))
    row, record = records[0] if records else (2, {})
    if "default_language" in record:
        title, text = record["default_language"]
        if language(text) is None:
            reader.problem("settings", row, title, _("本系統只有中文與英文；預設語言「%(lang)s」的題目文字"
                                                     "以中文讀入", lang=text), ignored=True)
        reader.default_language = language(text) or DEFAULT_LANGUAGE
    values = {name: reader.value("settings", row, record, name) for name in
              ("kind", "scored", "grade_bands", "improvement_threshold")}
    form_id = (record.get("form_id") or record.get("id_string") or (None, reader.default_id))[1]
    if not form_id or not form_id.isidentifier() or form_id.startswith("_") or len(form_id) > KEY_LENGTH:
        reader.problem("settings", row, "form_id", _(
            "問卷代碼（form_id）「%(id)s」要以英文字母開頭，只用字母、數字與底線，最多 %(n)s 個字元",
            id=form_id or "", n=KEY_LENGTH))
    if values["kind"] is not None and values["kind"] not in KINDS:
        reader.problem("settings", row, "kind", _("請填 survey 或 inspection"))
    title = {}
    for key in ("form_title", "title"):
        if key in record:
            title[reader.default_language] = record[key][1]
    if "title_en" in record:
        title["en"] = record["title_en"][1]
    definition = {"key": form_id, "version": 1, "kind": values.pop("kind") or "survey",
                  "title": title or {reader.default_language: form_id or ""}, "sections": []}
    if intro := reader.texts(record, "intro"):
        definition["intro"] = intro
    definition.update({k: v for k, v in values.items() if v is not None})
    version = record.get("version", (None, ""))[1]
    if version.isascii() and version.isdigit() and int(version) >= 1:
        definition["version"] = int(version)
    return definition


def from_sheets(sheets: Mapping[str, Sequence[Sequence[Any]]], default_id: str | None = None
                ) -> tuple[dict | None, list[Problem]]:
    """The definition an XLSForm describes, and every problem found: ``None`` when any of them
    refuses the file.  ``default_id`` (the file's name) is the form id when settings gives none,
    as in pyxform."""
    reader = Reader(sheets, default_id)
    if not sheet_named(sheets, "survey"):
        names = "、".join(map(str, sheets)) or "—"
        hint = _("這是舊版的活頁簿（items 工作表），請重新下載") if "items" in sheets else \
            _("活頁簿裡的工作表：%(names)s", names=names)
        reader.problem("survey", 1, "", _("缺少 XLSForm 的「survey」工作表；%(hint)s", hint=hint))
        return None, reader.problems
    definition = _settings(reader)
    lists = _choices(reader)
    survey = _Survey(reader, lists, definition)
    survey.read()
    return _finish(reader, definition, survey.rows)


class _Survey:
    """The survey sheet's rows as sections of questions."""

    def __init__(self, reader: Reader, lists: dict, definition: dict):
        self.reader, self.lists, self.definition = reader, lists, definition
        self.groups: list[tuple[int, str, dict, str | None]] = []   # row, key, title, relevant
        self.section: dict | None = None
        self.rows: dict[str, int] = {}
        self.section_keys: set[str] = set()

    def read(self) -> None:
        for row, record in self.reader.records("survey", SURVEY_READ):
            kind_title, kind = record.get("type", ("type", ""))
            words = re.sub(r"^(begin|end|select)\s+(group|repeat|one|multiple)\b", r"\1_\2",
                           kind.strip(), flags=re.IGNORECASE).split()
            base = words[0].lower() if words else ""
            if base == "begin_group":
                name = record.get("name", (None, ""))[1]
                self.groups.append((row, name, self.reader.texts(record, "label"),
                                    _expression(self.reader, row, record, "relevant")))
                self.section = None
            elif base == "end_group":
                if not self.groups:
                    self.reader.problem("survey", row, kind_title, _("end_group 之前沒有對應的 begin_group"))
                else:
                    self.groups.pop()
                self.section = None
            elif base in METADATA:
                self.reader.problem("survey", row, kind_title, _(
                    "「%(type)s」：本系統自行記錄填答時間，不收集裝置或帳號資訊，也不做計算；這一列已略過",
                    type=kind), ignored=True)
            elif base in TYPES:
                self.question(row, record, TYPES[base], words, kind_title)
            else:
                self.reader.problem("survey", row, kind_title, _(
                    "題型「%(type)s」本系統沒有對應（可用：select_one、select_multiple、text、integer、"
                    "decimal、date、dateTime、note、begin_group）", type=kind or "—"))
        for row, name, _title, _relevant in self.groups:
            self.reader.problem("survey", row, "type", _("群組「%(name)s」沒有 end_group", name=name))

    def question(self, row: int, record: dict, qtype: str, words: list[str], title: str) -> None:
        key = record.get("name", (None, ""))[1]
        if not key.isidentifier() or key.startswith("_") or key in self.rows or len(key) > NAME_LENGTH:
            self.reader.problem("survey", row, "name", _(
                "每一題需要不重複的代碼（字母、數字、底線，最多 %(n)s 個字元）", n=NAME_LENGTH))
            return
        self.rows[key] = row
        question: dict[str, Any] = {"key": key, "type": qtype}
        for base in ("label", "hint", "short", "unit"):
            if texts := self.reader.texts(record, base):
                question[base] = texts
        if "label" not in question:
            self.reader.problem("survey", row, "label", _("請填題目文字（中文或英文）"))
        if qtype in ("single_choice", "multiple_choice"):
            self.options(row, question, words, title)
        for name in ("required", "points", "bands", "allow_na", "max_length"):
            value = self.reader.value("survey", row, record, name)
            if value is not None:
                question[name] = value
        if "constraint" in record:
            _bounds(self.reader, row, record, question)
        if relevant := _expression(self.reader, row, record, "relevant"):
            question["relevant"] = relevant
        self.place(row, question)

    def options(self, row: int, question: dict, words: list[str], title: str) -> None:
        if len(words) != 2:
            self.reader.problem("survey", row, title, _(
                "選擇題要寫成「select_one 清單名稱」（or_other 與外部清單不支援）"))
            return
        found = self.lists.get(words[1])
        if not found:
            self.reader.problem("survey", row, title, _("choices 工作表沒有清單「%(name)s」", name=words[1]))
            return
        options = [dict(option) for _row, option in found]
        if question["type"] == "single_choice" and _built_in(words[1], options):
            question["type"] = "likert5" if words[1] == "likert5" else "yes_no_na"
            if words[1] == "yes_no":
                question["allow_na"] = False
            return
        for option_row, option in found:
            if "label" not in option:
                self.reader.problem("choices", option_row, "label", _("請填選項文字（中文或英文）"))
        question["options"] = options

    def place(self, row: int, question: dict) -> None:
        if self.section is None:
            self.section = self.new_section(row)
        self.section["questions"].append(question)

    def new_section(self, row: int) -> dict:
        """A section for the questions from here: the innermost open group's, its conditions
        and those of the groups around it joined by ``and``."""
        if self.groups:
            _row, name, title, _relevant = self.groups[-1]
            base, label = name or "group", title or {DEFAULT_LANGUAGE: name}
        else:
            base, label = "main", self.definition["title"]
        key, n = base, 1
        while key in self.section_keys or not key.isidentifier():
            n += 1
            key = f"{base}_{n}" if base.isidentifier() else f"section_{n}"
        self.section_keys.add(key)
        section: dict[str, Any] = {"key": key, "title": dict(label), "questions": []}
        gates = [g[3] for g in self.groups if g[3]]
        if len(gates) > 1 and any(re.search(r"\bor\b", g, re.IGNORECASE) for g in gates):
            self.reader.problem("survey", row, "relevant", _(
                "巢狀群組的條件含有 or，無法合併成一個條件；請把條件寫在題目上"))
        elif gates:
            section = {"key": key, "title": dict(label), "relevant": " and ".join(gates),
                       "questions": []}
        self.definition["sections"].append(section)
        return section


def _finish(reader: Reader, definition: dict, rows: dict[str, int]
            ) -> tuple[dict | None, list[Problem]]:
    if not definition["sections"] and not any(not p.ignored for p in reader.problems):
        reader.problem("survey", 1, "", _("survey 工作表沒有任何題目"))
    order = list(SHEETS)
    problems = sorted(reader.problems, key=lambda p: (order.index(p.sheet) if p.sheet in order
                                                      else len(order), p.row if isinstance(p.row, int) else 0))
    if any(not p.ignored for p in problems):
        return None, problems
    try:
        check(definition)
    except ValueError as error:  # what the sheets cannot see: conditions, option keys, bands
        named = [k for k in re.findall(r"'(\w+)'", str(error)) if k in rows]
        place = ("survey", rows[named[0]], "") if named else ("settings", 2, "")
        return None, [*problems, Problem(*place, _("定義檢查：%(error)s", error=str(error)))]
    return definition, problems

