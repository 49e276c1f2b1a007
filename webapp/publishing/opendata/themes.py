"""Theme counts in the open data: per half-year, office and theme, how many commenters mention
it, complain of it and praise it; offices with fewer than ``OPEN_DATA_MIN_N`` commenters
withheld (``analysis.opendata.theme_cells``).  Never a comment's text."""

from __future__ import annotations

from analysis import opendata
from webapp.programme import instruments
from webapp.reporting.themes import shown
from webapp.reporting.themes.counts import theme_counts

SURVEY = "satisfaction"
THEME_COLUMNS = ("period", "office_code", "office_name", "office_kind", "theme", "theme_label",
                 "commenters", "mentions", "complaints", "praise", "suppressed")
THEME_FIELDS = {
    "period": "期間（例如 2025H2 為 114年下半年）",
    "office_code": "機關代碼（ALL 為全部機關合計）", "office_name": "機關名稱",
    "office_kind": "機關類別（household 戶政、land 地政）",
    "theme": "主題代碼（wait 等候時間、attitude 服務態度、competence 專業與正確、facilities 環境與設施、"
             "guidance 動線指引與標示、online 網路與線上服務、parking 停車與交通、procedure 流程文件與規費）",
    "theme_label": "主題名稱", "commenters": "留下意見的民眾人數",
    "mentions": "意見提到此主題的人數", "complaints": "其中抱怨此主題的人數",
    "praise": "其中稱讚此主題的人數",
    "suppressed": "保密原因（small_n：留下意見的人數少於門檻；complementary：為避免推算而一併保密），空白為公開",
}
assert tuple(THEME_FIELDS) == THEME_COLUMNS, "describe every published theme column"


def build(period: str, offices: list, min_n: int) -> tuple[dict, dict]:
    """The published theme rows of ``period`` with their labels, and their counts for the
    correction rule (``basis``)."""
    _row, survey = instruments.current(SURVEY)
    items = survey.text_keys()
    labels = {"zh_TW": shown.theme_labels("zh_TW"), "en": shown.theme_labels("en")}
    keys = list(labels["zh_TW"])
    codes = [o.code for o in offices]
    counts = theme_counts(SURVEY, period, items, [o.id for o in offices], keys)
    table = (counts.commenters, counts.mentions, counts.complaints, counts.praise)
    data = {"labels": {k: {lang: labels[lang][k] for lang in labels} for k in keys},
            "rows": opendata.theme_cells(codes, keys, *table, min_n)}
    return data, opendata.theme_basis(codes, keys, *table)


def theme_rows(data: dict) -> list[dict]:
    """The rows of ``themes.csv`` of a publication's frozen ``data`` (none before themes were
    published)."""
    themes = data.get("themes") or {"labels": {}, "rows": []}
    offices = {o["code"]: o for o in data["offices"]}
    return [{"period": data["period"], "office_code": row["office_code"],
             "office_name": offices.get(row["office_code"], {}).get("name", "全部機關"),
             "office_kind": offices.get(row["office_code"], {}).get("kind", ""),
             "theme": row["theme"],
             "theme_label": themes["labels"].get(row["theme"], {}).get("zh_TW", row["theme"]),
             **{k: row[k] for k in ("commenters", "mentions", "complaints", "praise",
                                    "suppressed")}}
            for row in themes["rows"]]
