"""Paper questionnaires keyed into a CSV: checked with the same forms as the web, stored all or nothing.

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

from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import Form

from analysis.periods import FIRST_YEAR
from forms.builder import answers_from_form, build_form
from forms.instrument import Instrument
from forms.types import get_type

from .. import instruments, storage
from ..extensions import db
from ..models import TAIPEI, Office
from ..uploads import ImportFileError, decode

FIXED_COLUMNS = ("office_code", "submitted_on")


@dataclass
class ImportResult:
    stored: int = 0
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def header(instrument: Instrument) -> list[str]:
    return [*FIXED_COLUMNS, *instrument.keys()]


def import_csv(key: str, raw: bytes, today: date | None = None) -> ImportResult:
    """Validate every row, then add all of them to the session, or none; the caller commits."""
    version, instrument = instruments.current(key)
    if instrument.kind != "survey":
        raise ImportFileError(f"「{key}」不是問卷，無法從紙本匯入。")
    reader = csv.reader(io.StringIO(decode(raw), newline=""))
    columns = [c.strip() for c in next(reader, [])]
    expected = header(instrument)
    unknown = [c for c in columns if c not in expected]
    missing = [c for c in FIXED_COLUMNS if c not in columns]
    if unknown or missing or len(set(columns)) != len(columns):
        raise ImportFileError(
            "標題列不正確：" + "; ".join(filter(None, [
                f"不認得的欄位 {', '.join(unknown)}" if unknown else "",
                f"缺少欄位 {', '.join(missing)}" if missing else "",
                "欄位重複" if len(set(columns)) != len(columns) else "",
            ])) + f"。正確的標題列為：{','.join(expected)}"
        )
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    form_class = build_form(instrument, "zh_TW", base=Form)
    digest = hashlib.sha256(raw).hexdigest()[:40]
    today = today or datetime.now(TAIPEI).date()
    result, pending = ImportResult(), []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            result.errors.append((line, f"欄位數為 {len(cells)},標題列有 {len(columns)} 欄"))
            continue
        row = dict(zip(columns, cells, strict=True))
        problems = []
        office = offices.get(row["office_code"].strip().upper())
        if office is None:
            problems.append(f"office_code:找不到機關代碼「{row['office_code']}」")
        try:
            day = date.fromisoformat(row["submitted_on"].strip())
            if day > today:
                problems.append("submitted_on:日期在未來")
            elif day.year < FIRST_YEAR:
                problems.append(f"submitted_on:日期應在 {FIRST_YEAR} 年之後，收到「{day}」")
        except ValueError:
            problems.append(f"submitted_on:日期應為 YYYY-MM-DD,收到「{row['submitted_on']}」")
        formdata = MultiDict()
        for question in instrument.questions():
            if question["key"] in row:
                cell = get_type(question["type"]).from_csv(question, row[question["key"]])
                if cell != "":
                    formdata[question["key"]] = cell
        form = form_class(formdata=formdata)
        if not form.validate():
            for name, messages in form.errors.items():
                problems.append(f"{name}:{' '.join(str(m) for m in messages)}")
        if problems:
            result.errors.append((line, ";".join(problems)))
        else:
            pending.append((line, office, day, answers_from_form(instrument, form)))
    if result.errors or not pending:
        if not pending and not result.errors:
            result.errors.append((1, "檔案沒有資料列"))
        return result
    try:
        for line, office, day, answers in pending:
            _submission, created = storage.store(
                version=version, instrument=instrument, office=office, channel="paper",
                status="submitted", occurred_at=datetime.combine(day, time(12), TAIPEI),
                answers=answers, idempotency_key=f"paper-{digest}-{line}", commit=False,
            )
            result.stored += created
            result.already += not created
    except Exception:
        db.session.rollback()
        raise
    return result  # the caller commits, with its audit event: both land or neither
