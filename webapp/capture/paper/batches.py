"""Paper questionnaires keyed into a CSV or an XLSX: checked with the same forms as the web, stored all or nothing.

Each row goes through the instrument's form class, so a paper answer obeys exactly the rules
a tablet answer does.  One bad row stops the whole import and every bad row is reported with
its line number, because a half-imported batch is worse than none: nobody can tell which
sheets are in.  The idempotency key is derived from the file's content and the line, so
importing the same file twice stores it once.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import Form

from analysis.periods import FIRST_YEAR, Period
from forms.builder import answers_from_form, build_form
from forms.instrument import Instrument
from forms.types import get_type
from webapp.capture import onetime
from webapp.capture import store as storage
from webapp.capture.staff import services as staff
from webapp.platform import uploads
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.uploads import ImportFileError, decode
from webapp.programme import instruments
from webapp.programme.offices import OFFICE_KINDS, Office

FIXED_COLUMNS = ("office_code", "submitted_on")


@dataclass
class ImportResult:
    stored: int = 0
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


#: the staff survey's paper form may carry its one-time code, so one person's code counts once
#: whether it was used on the web or on paper
CODE_COLUMN = "code"


def header(instrument: Instrument) -> list[str]:
    extra = [CODE_COLUMN] if instrument.key == staff.STAFF_KEY else []
    return [*FIXED_COLUMNS, *extra, *instrument.keys()]


def read_table(raw: bytes) -> list[tuple[int, list[str]]]:
    """The file's rows as (line, cells) with the header first: a CSV (UTF-8) or an XLSX
    workbook's first sheet, judged by content.  Lines are what the file shows: the CSV's line,
    the spreadsheet's row number."""
    if uploads.kind_of(raw) == "text":
        reader = csv.reader(io.StringIO(decode(raw), newline=""))
        return [(reader.line_num, cells) for cells in reader]
    sheets = uploads.read_xlsx(raw)
    first = next((rows for name, rows in sheets.items() if name != "lists"), [])
    return [(number, [_cell_text(v) for v in cells]) for number, cells in enumerate(first, start=1)]


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold: a date cell as YYYY-MM-DD, 5.0 as 5."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Checked:
    """A checked file: its problems, or what would be stored (line, office, day, answers)."""

    instrument: Instrument
    version: object
    digest: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    pending: list[tuple[int, Office, date, dict]] = field(default_factory=list)
    codes: dict[int, str] = field(default_factory=dict)   # line -> staff code to use


def import_csv(key: str, raw: bytes, today: date | None = None) -> ImportResult:
    """Validate every row, then add all of them to the session, or none; the caller commits.
    Takes a CSV or an XLSX (the name is historical)."""
    checked = check_file(key, raw, today)
    if checked.errors:
        return ImportResult(errors=checked.errors)
    return store(checked)


def check_file(key: str, raw: bytes, today: date | None = None) -> Checked:
    """Every row through the instrument's form; nothing is written."""
    version, instrument = instruments.current(key)
    if instrument.kind != "survey":
        raise ImportFileError(_("「%(key)s」不是問卷，無法從紙本匯入。", key=key))
    table = read_table(raw)
    columns = [c.strip() for c in (table[0][1] if table else [])]
    expected = header(instrument)
    unknown = [c for c in columns if c and c not in expected]
    missing = [c for c in FIXED_COLUMNS if c not in columns]
    if unknown or missing or len(set(columns)) != len(columns):
        raise ImportFileError(
            _("標題列不正確：") + "; ".join(filter(None, [
                _("不認得的欄位 %(names)s", names=", ".join(unknown)) if unknown else "",
                _("缺少欄位 %(names)s", names=", ".join(missing)) if missing else "",
                _("欄位重複") if len(set(columns)) != len(columns) else "",
            ])) + _("。正確的標題列為：%(header)s", header=",".join(expected))
        )
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    form_classes: dict[str | None, type[Form]] = {}
    today = today or datetime.now(TAIPEI).date()
    checked = Checked(instrument, version, hashlib.sha256(raw).hexdigest()[:40])
    spreadsheet = uploads.kind_of(raw) != "text"
    for line, cells in table[1:]:
        if not any(c.strip() for c in cells):
            continue
        if spreadsheet and not any(c.strip() for c in cells[len(columns):]):
            cells = (cells + [""] * len(columns))[:len(columns)]  # a sheet's row has no fixed width
        if len(cells) != len(columns):
            checked.errors.append((line, _("欄位數為 %(n)s，標題列有 %(m)s 欄", n=len(cells), m=len(columns))))
            continue
        problems = []
        row = dict(zip(columns, cells, strict=True))
        office = offices.get(row["office_code"].strip().upper())
        if office is None:
            problems.append(_("office_code：找不到機關代碼「%(code)s」", code=row["office_code"]))
        try:
            day = date.fromisoformat(row["submitted_on"].strip())
            if day > today:
                problems.append(_("submitted_on：日期在未來"))
            elif day.year < FIRST_YEAR:
                problems.append(_("submitted_on：日期應在 %(year)s 年之後，收到「%(day)s」",
                                  year=FIRST_YEAR, day=day))
        except ValueError:
            problems.append(_("submitted_on：日期應為 YYYY-MM-DD，收到「%(text)s」", text=row["submitted_on"]))
        formdata = MultiDict()
        for question in instrument.questions():
            if question["key"] in row:
                cell = get_type(question["type"]).from_csv(question, row[question["key"]])
                if isinstance(cell, list):   # several options chosen
                    formdata.setlist(question["key"], cell)
                elif cell != "":
                    formdata[question["key"]] = cell
        kind = office.kind if office is not None else None
        if kind not in form_classes:  # the options offered at this kind of office
            form_classes[kind] = build_form(instrument, "zh_TW", base=Form, office_kind=kind)
        form = form_classes[kind](formdata=formdata)
        if not form.validate():
            for name, messages in form.errors.items():
                problems.append(_cell_problem(instrument, name, row, messages, office))
        code = row.get(CODE_COLUMN, "").strip()
        if code and office is not None and not any(p.startswith("submitted_on") for p in problems):
            problem = _code_problem(checked, line, code, office, day)
            if problem:
                problems.append(f"{CODE_COLUMN}：{problem}")
        if problems:
            checked.errors.append((line, "；".join(problems)))
        else:
            checked.pending.append((line, office, day, answers_from_form(instrument, form)))
    if not checked.pending and not checked.errors:
        checked.errors.append((1, _("檔案沒有資料列")))
    return checked


def _cell_problem(instrument: Instrument, name: str, row: dict, messages,
                  office: Office | None) -> str:
    """A cell's problem as the person keying the forms reads it: the column, the question it
    holds, what is wrong and what the cell said."""
    said = " ".join(str(m) for m in messages).rstrip("。.")
    try:
        question = instrument.question(name)
    except KeyError:
        return f"{name}：{said}"
    label = question.get("short") or question["label"]
    text = label.get("zh_TW", "") if isinstance(label, dict) else str(label)
    cell = (row.get(name) or "").strip()
    kept = get_type(question["type"]).from_csv(question, cell)
    option = next((o for o in question.get("options") or () if o["key"] == kept), None) \
        if isinstance(kept, str) else None
    if office is not None and option is not None and office.kind not in option.get(
            "office_kinds", (office.kind,)):
        return _("%(column)s（%(question)s）：「%(cell)s」不是%(kind)s的選項", column=name,
                 question=text, cell=cell[:20], kind=OFFICE_KINDS.get(office.kind, office.kind))
    got = _("，收到「%(cell)s」", cell=cell[:20]) if cell else _("，這格是空的")
    return f"{name}（{text}）：{said}{got}"


def _code_problem(checked: Checked, line: int, code: str, office: Office, day: date) -> str | None:
    """Why a staff form's code cannot count (read only: the code is used when stored); a row
    this very file stored before keeps the code it used."""
    if storage.by_key(_key(checked, line)) is not None:
        return None
    normal = onetime.normalize(code)
    if normal in checked.codes.values():
        return _("代碼「%(code)s」在這個檔案中出現兩次", code=code[:20])
    problem = staff.paper_code_problem(code, office, Period.half_of(day))
    if problem is None:
        checked.codes[line] = normal
    return problem


def _key(checked: Checked, line: int) -> str:
    return f"paper-{checked.digest}-{line}"


def store(checked: Checked) -> ImportResult:
    """Add every checked row to the session; the caller commits with its audit event."""
    result = ImportResult()
    try:
        for line, office, day, answers in checked.pending:
            _submission, created = storage.store(
                version=checked.version, instrument=checked.instrument, office=office,
                channel="paper", status="submitted",
                occurred_at=datetime.combine(day, time(12), TAIPEI), answers=answers,
                idempotency_key=_key(checked, line), commit=False,
            )
            if created and line in checked.codes:
                try:
                    staff.use_on_paper(checked.codes[line])
                except staff.CodeUsed:
                    db.session.rollback()   # a phone used it since the check: none of the file
                    return ImportResult(errors=[(line, _("代碼「%(code)s」剛剛已在網路上使用，這份不重複計入",
                                                         code=checked.codes[line]))])
            result.stored += created
            result.already += not created
    except Exception:
        db.session.rollback()
        raise
    return result  # the caller commits, with its audit event: both land or neither
