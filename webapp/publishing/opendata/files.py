"""A publication's files: CSV (UTF-8), JSON and the metadata Taiwan's open-data platform asks
for (data.gov.tw: ``metadata.json``'s ``data_gov_tw``, its 22 fields made in ``portal``).

Every file is made from the frozen snapshot alone, so a download of version 1 reads the same
bytes next year (the JSON files also carry settings: the publisher, the contact, the site's
address).  The CSV starts with a byte-order mark: Excel in Taiwan then reads it as
UTF-8 instead of Big5, and pandas and LibreOffice read it either way.  Its text cells get the
analysts' exports' guard (``spreadsheets.safe_cell``): an office or a question named
``=HYPERLINK(...)`` reaches whoever opens the file as text, never as a formula.  Every column
of every CSV is described by itself, each grade column (one per grade name of the inspections'
instruments) included: in ``metadata.json``, in ``datapackage.json`` and in 主要欄位說明.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from flask import current_app

from analysis.periods import Period
from webapp.platform import links
from webapp.platform.db import TAIPEI
from webapp.platform.spreadsheets import safe_cell
from webapp.publishing.opendata import package, portal
from webapp.publishing.opendata.portal import LICENSE, LICENSE_URL
from webapp.publishing.opendata.publications import (
    INSPECTION_COLUMNS,
    SURVEY_COLUMNS,
    Publication,
    inspection_rows,
    survey_rows,
)
from webapp.publishing.opendata.themes import THEME_COLUMNS, THEME_FIELDS, theme_rows

NAMES = ("survey.csv", "inspections.csv", "themes.csv", "results.json", "metadata.json",
         "datapackage.json")

SURVEY_FIELDS = {
    "period": "期間（例如 2025H2 為 114年下半年）", "instrument": "問卷代碼",
    "office_code": "機關代碼（ALL 為全部機關合計）", "office_name": "機關名稱",
    "office_kind": "機關類別（household 戶政、land 地政）", "item": "題目代碼", "item_label": "題目",
    "n": "作答人數（不含未作答）", "level_1": "非常不滿意 人數", "level_2": "不滿意 人數",
    "level_3": "普通 人數", "level_4": "滿意 人數", "level_5": "非常滿意 人數",
    "satisfied_rate": "滿意度（滿意與非常滿意的比例，0–1）",
    "wilson_low": "滿意度 95% 信賴區間下限（Wilson）", "wilson_high": "滿意度 95% 信賴區間上限（Wilson）",
    "mean": "平均分數（1–5）",
    "suppressed": "保密原因（small_n：人數少於門檻；complementary：為避免推算而一併保密），空白為公開",
}
INSPECTION_FIELDS = {
    "period": SURVEY_FIELDS["period"], "instrument": "查核類別（phone 電話禮貌測試、mystery 神秘客查核）",
    "office_code": "機關代碼", "office_name": "機關名稱", "office_kind": SURVEY_FIELDS["office_kind"],
    "checks": "核定的查核次數", "mean_score": "平均分數（0–100）",
    "suppressed": "保密原因，空白為公開",
}   # and each grade column: ``inspection_fields``


assert tuple(SURVEY_FIELDS) == SURVEY_COLUMNS, "describe every published survey column"
assert set(INSPECTION_FIELDS) == {*INSPECTION_COLUMNS, "suppressed"}, "describe every inspection column"


def _title(section: dict, key: str) -> str:
    title = section.get("title") or key
    return (title.get("zh_TW") or key) if isinstance(title, dict) else str(title)


def inspection_fields(publication: Publication, columns: list[str]) -> dict[str, str]:
    """What each of ``inspections.csv``'s ``columns`` means: one grade column per grade name of
    the period's inspection instruments, each described by itself."""
    sections = publication.data["inspections"]
    described = {}
    for column in columns:
        if column in INSPECTION_FIELDS:
            described[column] = INSPECTION_FIELDS[column]
            continue
        grade = column.removeprefix("grade_")
        where = "、".join(_title(s, key) for key, s in sections.items() if grade in s["grades"])
        described[column] = f"等第為「{grade}」的核定查核次數（{where}；依各次查核所用問卷版本評定）"
    return described


def tables(publication: Publication) -> dict[str, tuple[list[str], dict[str, str], list[dict]]]:
    """Each CSV's name, columns, column descriptions and rows."""
    columns, rows = inspection_rows(publication)
    return {"survey.csv": (list(SURVEY_COLUMNS), SURVEY_FIELDS, survey_rows(publication)),
            "inspections.csv": (columns, inspection_fields(publication, columns), rows),
            "themes.csv": (list(THEME_COLUMNS), THEME_FIELDS, theme_rows(publication.data))}


def csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else safe_cell(row[k]) for k in columns})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def corrections(publications: list) -> list[dict]:
    # the day in Taipei: a publication at 04:30 is that day's, not the day before's (UTC)
    return [{"version": p.version, "published_at": p.published_at.astimezone(TAIPEI).date().isoformat(),
             "note": p.note or "首次發布"} for p in publications]


def metadata(publication: Publication, log: list, base: str | None = None) -> dict:
    """``metadata.json``; ``base``: the site as the public reaches it (``PUBLIC_BASE_URL``)."""
    period = Period.parse(publication.data["period"])
    config = current_app.config
    found = tables(publication)
    meta = {
        "title": f"戶政及地政事務所服務品質調查結果（{period.roc_label()}）",
        "description": (
            "各戶政、地政事務所民眾滿意度調查的各題作答分布、滿意度與其 95% 信賴區間、平均分數，"
            "電話禮貌測試與神秘客查核的核定次數、平均分數與等第分布，以及民眾意見提到各主題的人數。"
            f"作答（或留下意見）人數少於 {publication.data['min_n']} 人的格位不公開（並為避免由合計推算"
            "而一併保密其他格位），不含民眾意見的文字、時間、填答管道與個人資料。"),
        "fields": {name: described for name, (_columns, described, _rows) in found.items()},
        "license": LICENSE, "license_url": LICENSE_URL, "fee": "免費",
        "encoding": "UTF-8", "formats": ["CSV", "JSON"],
        "update_frequency": config["OPEN_DATA_UPDATE_FREQUENCY"], "temporal_coverage": {
            "start": period.start().isoformat(),
            "end": (period.end() - timedelta(days=1)).isoformat()},  # end() is the next start
        "publisher": config["OPEN_DATA_PUBLISHER"], "contact": config["OPEN_DATA_CONTACT"],
        "version": publication.version,
        "published_at": publication.published_at.astimezone(TAIPEI).isoformat(timespec="seconds"),
        # periods are Gregorian half-years (2025H2 = 114年下半年), dates ISO 8601 in Taipei time;
        # only the titles use the ROC calendar
        "calendar": {"periods": "西元（Gregorian）：2025H2 = 114年下半年",
                     "dates": "ISO 8601，Asia/Taipei", "titles": "民國紀年（ROC）"},
        "suppression": {"min_n": publication.data["min_n"],
                        "min_checks": publication.data["min_checks"]},
        "corrections": corrections(log),
    }
    counts = {name: len(rows) for name, (_columns, _described, rows) in found.items()}
    counts["results.json"] = sum(counts.values())   # the same rows, in one file
    # the platform's own fields, names and shapes (portal.FIELDS says where each comes from)
    meta["data_gov_tw"] = portal.record(publication, log, meta, meta["fields"], counts,
                                        (base or links.public_base()).rstrip("/"))
    return meta


def file_bytes(name: str, publication: Publication, log: list, base: str | None = None) -> bytes:
    """One of ``NAMES`` for ``publication``; ``log`` is its period's versions up to it; ``base``
    the site as the public reaches it, for the metadata's links (default ``PUBLIC_BASE_URL``)."""
    if name == "survey.csv":
        return csv_bytes(list(SURVEY_COLUMNS), survey_rows(publication))
    if name == "inspections.csv":
        return csv_bytes(*inspection_rows(publication))
    if name == "themes.csv":
        return csv_bytes(list(THEME_COLUMNS), theme_rows(publication.data))
    if name == "results.json":
        body = {"metadata": metadata(publication, log, base), "survey": survey_rows(publication),
                "inspections": inspection_rows(publication)[1],
                "themes": theme_rows(publication.data)}
        return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    if name == "metadata.json":
        return json.dumps(metadata(publication, log, base), ensure_ascii=False,
                          indent=1).encode("utf-8")
    if name == "datapackage.json":
        described = {name: (columns, fields) for name, (columns, fields, _rows)
                     in tables(publication).items()}
        body = package.datapackage(publication, described, metadata(publication, log, base))
        return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    raise KeyError(name)
