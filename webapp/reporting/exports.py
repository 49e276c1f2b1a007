"""De-identified raw responses out, one row per response, for analysts' own tools.

CSV (UTF-8 with a BOM, what Excel in Taiwan opens correctly), XLSX, SPSS ``.sav`` and Stata
``.dta``; the last two carry variable labels (the question) and value labels (非常滿意 ...,
each option), written by pyreadstat.  What is left out is the point: no kiosk, no user agent,
no address or IP, no inspector, no time finer than the date (a date-time answer keeps its
date), and every free-text answer masked (``masking``).  Only what counts leaves: submitted
surveys and approved inspection records.

Single-choice answers are written as their option key in CSV and XLSX (readable without a
codebook) and as the option's number with its label in SPSS and Stata, numbered in the
current version's order; a key only an older version had is numbered after them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import and_, select

from forms.catalogue import CATALOGUE, CITIZEN_SURVEYS
from forms.instrument import Instrument, pick
from forms.types import LIKERT_LEVELS, YES_NO_NA
from webapp.capture.store import CITIZEN_CHANNELS
from webapp.capture.submissions import CHANNEL_LABELS, Answer, Submission
from webapp.platform import masking, spreadsheets
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme.instruments import InstrumentVersion
from webapp.programme.offices import Office
from webapp.reporting import counts as aggregates
from webapp.reporting.counts import in_period
from webapp.reporting.themes import shown
from webapp.reporting.themes.counts import codes_by_submission

FORMATS = ("csv", "xlsx", "sav", "dta")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}
STATA_STRING_BYTES = 2045   # the longest str# a .dta holds


class ExportError(ValueError):
    """An export that cannot be made, with a message for the person asking."""


@dataclass
class Variable:
    """One column: ``kind`` is ``text``, ``int``, ``float``, ``scale`` (numbers with value
    labels) or ``choice`` (option keys, numbered in SPSS and Stata)."""

    name: str
    label: str
    kind: str = "text"
    labels: dict = field(default_factory=dict)   # scale: {value: label}; choice: {key: label}


@dataclass
class Table:
    variables: list[Variable]
    rows: list[list]


def _name(key: str, taken: set[str]) -> str:
    """A variable name SPSS and Stata both accept: a letter first, letters, digits, _, <= 32."""
    name = re.sub(r"\W", "_", key, flags=re.ASCII)
    if not re.match(r"[A-Za-z]", name):
        name = "q_" + name
    name = name[:32]
    while name.lower() in taken:
        name = name[:29] + f"_{len(taken)}"
    taken.add(name.lower())
    return name


def _variables(instrument: Instrument, locale: str) -> tuple[list[Variable], list[dict]]:
    english = locale.startswith("en")
    fixed = [("response_id", "回應編號", "Response number", "int"),
             ("office_code", "機關代碼", "Office code", "text"),
             ("office_name", "機關", "Office", "text"),
             ("period", "期間", "Period", "text"),
             ("date", "日期", "Date", "date"),
             ("instrument_version", "問卷版本", "Instrument version", "int")]
    variables = [Variable(n, en if english else zh, kind) for n, zh, en, kind in fixed]
    if instrument.kind == "survey":
        variables.append(Variable("channel", "Channel" if english else "填答管道", "choice", {
            c: pick(CHANNEL_LABELS[c], locale) for c in CITIZEN_CHANNELS}))
    else:
        variables += [Variable("score", "Score" if english else "分數", "float"),
                      Variable("grade", "Grade" if english else "等第", "text")]
    taken = {v.name for v in variables}
    questions = list(instrument.answered())
    for question in questions:
        variables += _question_variables(question, locale, taken)
    return variables, questions


CHOSEN = {1: {"zh_TW": "有選", "en": "Selected"}, 0: {"zh_TW": "未選", "en": "Not selected"}}


def _question_variables(question: dict, locale: str, taken: set[str]) -> list[Variable]:
    """A question's columns: one, or one 0/1 per option of a multiple choice (as SPSS and
    Stata users tabulate them)."""
    label = pick(question.get("label", question["key"]), locale)
    qtype = question["type"]
    if qtype == "multiple_choice":
        return [Variable(_name(f"{question['key']}_{o['key']}", taken),
                         f"{label}：{pick(o['label'], locale)}", "scale",
                         {v: pick(lbl, locale) for v, lbl in sorted(CHOSEN.items())})
                for o in question["options"]]
    name = _name(question["key"], taken)
    if qtype == "likert5":
        return [Variable(name, label, "scale", {v: pick(lbl, locale) for v, lbl in sorted(LIKERT_LEVELS)})]
    if qtype == "yes_no_na":
        return [Variable(name, label, "scale", {
            v: pick(lbl, locale) for _, v, lbl in YES_NO_NA if v is not None})]
    if qtype == "single_choice":
        return [Variable(name, label, "choice", {
            o["key"]: pick(o["label"], locale) for o in question["options"]})]
    kind = {"count": "int", "decimal": "float", "date": "date"}.get(qtype, "text")
    return [Variable(name, label, kind)]   # text and date-time answers as text


def _width(question: dict) -> int:
    return len(question["options"]) if question["type"] == "multiple_choice" else 1


def _cells(question: dict, value: int | None, text: str | None) -> list:
    kind = question["type"]
    if kind == "multiple_choice":
        chosen = (text or "").split()
        return [int(o["key"] in chosen) for o in question["options"]]
    if kind == "single_choice":
        return [text]
    if kind == "text":
        return [masking.mask(text)]
    if kind == "datetime":
        return [(text or "")[:10] or None]         # the date, never the time
    if kind == "decimal":
        return [float(text) if text else None]
    if kind == "date":
        return [date.fromisoformat(text) if text else None]
    return [value]


def table(instrument_key: str, period: str, locale: str = "zh_TW", *, office: str | None = None,
          after: int = 0, limit: int | None = None) -> Table:
    """The responses of ``period`` to ``instrument_key``, with the questions of the newest
    version the period was answered on; those of one ``office``, and a page of ``limit`` after
    response number ``after`` (the API's cursor), when asked."""
    try:
        instrument = aggregates.answered_on(instrument_key, period)
    except LookupError:
        raise ExportError(f"沒有「{instrument_key}」這份問卷或查核表") from None
    entry = CATALOGUE.get(instrument_key)
    if instrument.kind == "survey" and entry is not None and entry.filled_by == "staff":
        # one row per person of a small office, with its day, would let a manager pick out
        # who said what: staff answers leave only as the report's statistics
        raise ExportError("內部同仁滿意度調查不提供逐筆資料：為保護填答同仁，只在半年報中以統計呈現。")
    variables, questions = _variables(instrument, locale)
    width = sum(_width(q) for q in questions)
    first_item = len(variables) - width
    position, start = {}, first_item
    for question in questions:
        position[question["key"]] = (start, question)
        start += _width(question)
    statuses = list(aggregates.counted_statuses(instrument_key))
    conditions = [Submission.instrument_key == instrument_key, in_period(Submission, period),
                  Submission.status.in_(statuses), Submission.id > after]
    if office is not None:
        conditions.append(Submission.office_id.in_(select(Office.id).where(Office.code == office)))
    english = locale.startswith("en")
    rows: dict[int, list] = {}
    for sid, half, at, channel, score, grade, code, name, name_en, version in db.session.execute(
            select(Submission.id, Submission.half, Submission.occurred_at, Submission.channel,
                   Submission.score, Submission.grade, Office.code, Office.name, Office.name_en,
                   InstrumentVersion.version)
            .join(Office, Office.id == Submission.office_id)
            .join(InstrumentVersion, InstrumentVersion.id == Submission.instrument_version_id)
            .where(*conditions).order_by(Submission.id).limit(limit)):
        head = [sid, code, (name_en or name) if english else name, half,
                at.astimezone(TAIPEI).date(), version]
        head += [channel] if instrument.kind == "survey" else [score, grade]
        rows[sid] = head + [None] * width
    answers = db.session.execute(
        select(Answer.submission_id, Answer.item_key, Answer.value, Answer.text)
        .join(Submission, Submission.id == Answer.submission_id).where(
            *conditions, Submission.id <= max(rows, default=0)))
    for submission_id, key, value, text in answers:
        if key in position and submission_id in rows:
            start, question = position[key]
            cells = _cells(question, value, text)
            rows[submission_id][start:start + len(cells)] = cells
    if instrument_key in CITIZEN_SURVEYS:   # what the comment is about, as read or corrected
        variables += theme_variables(locale)
        coded = codes_by_submission(and_(*conditions, Submission.id <= max(rows, default=0)))
        for sid, row in rows.items():
            themes, tone = coded.get(sid, (None, None))
            row += [themes, tone]
    return Table(variables, list(rows.values()))


def theme_variables(locale: str) -> list[Variable]:
    english = locale.startswith("en")
    return [Variable("comment_themes", "Comment themes (keys, ; between)" if english
                     else "意見主題（代碼，以 ; 分隔）", "text"),
            Variable("comment_tone", "Comment tone" if english else "意見語氣", "choice",
                     shown.tone_labels())]


# --- writing ---------------------------------------------------------------------------------

def _codes(variable: Variable, rows: list[list], column: int) -> dict[str, int]:
    """Option key -> number: the instrument's order, then keys only older versions had."""
    codes = {key: i + 1 for i, key in enumerate(variable.labels)}
    for row in rows:
        key = row[column]
        if key is not None and key not in codes:
            codes[key] = len(codes) + 1
    return codes


def _frame(data: Table, stata: bool):
    import pandas as pd  # only exports need it

    columns, value_labels = {}, {}
    for j, variable in enumerate(data.variables):
        values = [row[j] for row in data.rows]
        if variable.kind == "choice":
            codes = _codes(variable, data.rows, j)
            values = [codes.get(v) for v in values]
            value_labels[variable.name] = {n: variable.labels.get(k, k) for k, n in codes.items()}
        elif variable.kind == "scale":
            value_labels[variable.name] = dict(variable.labels)
        if variable.kind == "int" and None not in values:
            columns[variable.name] = pd.array(values, dtype="int64")
        elif variable.kind in ("choice", "scale", "int", "float"):
            # whole numbers with gaps: a float column, NaN where there is no answer
            columns[variable.name] = pd.array(values, dtype="Float64").astype("float64")
        elif variable.kind == "date":   # a date variable (SPSS DATE11, Stata %td), not text
            columns[variable.name] = pd.Series(values, dtype="object")   # datetime.date objects
        else:
            text = ["" if v is None else str(v) for v in values]
            if stata:
                text = [_fit_stata(t) for t in text]
            columns[variable.name] = text
    frame = pd.DataFrame(columns, columns=[v.name for v in data.variables])
    labels = [v.label for v in data.variables]
    measures = {v.name: {"choice": "nominal", "scale": "ordinal", "text": "nominal",
                         "date": "scale"}.get(
        v.kind, "scale") for v in data.variables}
    return frame, labels, value_labels, measures


def _fit_stata(text: str) -> str:
    """A .dta string holds 2045 bytes: a longer comment is cut at a character, with …."""
    if len(text.encode()) <= STATA_STRING_BYTES:
        return text
    cut = text.encode()[:STATA_STRING_BYTES - 3].decode(errors="ignore")
    return cut + "…"


def _text_rows(data: Table) -> Iterator[list]:
    for row in data.rows:
        yield [spreadsheets.safe_cell(v) for v in row]


#: the .dta versions written: 118 (Stata 14 and later, Unicode: the Chinese labels) by default;
#: 117 for Stata 13, which reads no Unicode (labels and text outside ASCII come out garbled);
#: 119 (Stata 15+) only matters past 32,767 variables.  pyreadstat numbers them by Stata release.
STATA_VERSIONS = {117: 13, 118: 14, 119: 15}
DEFAULT_STATA_VERSION = 118


def write(data: Table, fmt: str, path: Path, stata_version: int = DEFAULT_STATA_VERSION) -> None:
    """Write ``data`` as ``fmt`` (one of ``FORMATS``) to ``path``; a .dta as ``stata_version``."""
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([v.name for v in data.variables])
            writer.writerows(_text_rows(data))
    elif fmt == "xlsx":
        kinds = {"int": "int", "float": "dec1", "scale": "int"}
        columns = [spreadsheets.Column(v.name, kinds.get(v.kind, "text"))
                   for v in data.variables]
        labels = spreadsheets.Sheet("labels", [spreadsheets.Column("variable"),
                                               spreadsheets.Column("label"),
                                               spreadsheets.Column("values")],
                                    [[v.name, v.label, "; ".join(f"{k} = {lbl}" for k, lbl in
                                                                 v.labels.items())]
                                     for v in data.variables])
        spreadsheets.write_xlsx(path, [spreadsheets.Sheet("responses", columns, data.rows),
                                       labels])
    elif fmt in ("sav", "dta"):
        import pyreadstat

        frame, labels, value_labels, measures = _frame(data, stata=fmt == "dta")
        if fmt == "sav":
            pyreadstat.write_sav(frame, str(path), column_labels=labels,
                                 variable_value_labels=value_labels, variable_measure=measures)
        else:
            pyreadstat.write_dta(frame, str(path), column_labels=labels,
                                 variable_value_labels=value_labels,
                                 version=STATA_VERSIONS[stata_version])
    else:
        raise ExportError(f"格式應為 {'、'.join(FORMATS)} 之一")
