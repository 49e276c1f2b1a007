"""The ``data_gov_tw`` object of ``metadata.json``: a publication as 政府資料開放平臺 (data.gov.tw)
lists a dataset, field by field, in the platform's own names and shapes.

Why: an office lists each published half-year on data.gov.tw, through the platform's back office
or its metadata API, and the platform judges the listing by these fields (its 品質檢測 checks that
each link answers, the file downloads, is structured, and that the encoding and the field list
match the file).  Made here, from the frozen publication and the settings, the clerk copies
values instead of composing them, and they cannot drift from the files: the links are this
site's, the field list is the CSV headers' (each grade column by itself), the dates are the
publication's.

The names, their order and the shapes of the values are those of the platform's catalogue
export (政府資料開放平臺資料集清單, 22 columns, from https://data.gov.tw/datasets/datasets_download),
the one list of what the platform holds for every dataset; its metadata API (機關發布開發指引,
https://data.nat.gov.tw/about/doc?chapter=31&doc=5) and dataset pages use other names for
some (資料集提供機關 = 提供機關, 資料集提供機關聯絡人 = 提供機關聯絡人姓名, 資料集類型 =
資料集上架方式).  The export's header spells 資料集上架方式 with a doubled 資 (資資料集上架方式);
the dataset page's spelling is used here.  Shapes, as the export writes them:

* one value per resource, in the same order, joined by ``;``: 檔案格式 (``JSON;CSV;XML``),
  資料下載網址, 編碼格式 (``UTF-8;UTF-8``) and 資料量 (rows, ``56;56``);
* 主要欄位說明: ``欄位名(說明)`` joined by ``;``, a bracket inside a description as ``[ ]``;
* dates ``YYYY-MM-DD HH:MM:SS`` in Taipei time, with no offset;
* 更新頻率 ``每1日``, ``每6月``, ``不定期更新``; 授權方式 ``政府資料開放授權條款-第1版``, its URL in
  備註 as ``授權說明網址:https://data.gov.tw/license`` (the catalogue has no column for it, nor
  for the contact's e-mail).

Where each value comes from (``FIELDS``): ``platform``, given by data.gov.tw on listing and left
empty here; ``product``, the same for every deployment; ``publication``, made from the published
version; ``setting``, the office's choice (``OPEN_DATA_*`` in ``webapp/settings.py``).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from analysis.periods import Period
from webapp.platform import links
from webapp.platform.db import TAIPEI

PLATFORM, PRODUCT, PUBLICATION, SETTING = "platform", "product", "publication", "setting"

#: every field: its name on data.gov.tw, where its value comes from, and how it is made (for a
#: setting, the setting's name)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("資料集識別碼", PLATFORM, "the platform's serial number, given when the dataset is listed"),
    ("資料集名稱", PUBLICATION, "metadata.json's title: the survey's name and the ROC period"),
    ("資料提供屬性", SETTING, "OPEN_DATA_PROVISION"),
    ("服務分類", SETTING, "OPEN_DATA_CATEGORY"),
    ("品質檢測", PLATFORM, "the platform's quality mark, from its own checks of the listing"),
    ("檔案格式", PRODUCT, "per resource: CSV;CSV;CSV;JSON"),
    ("資料下載網址", PUBLICATION, "per resource: PUBLIC_BASE_URL + /open/<period>/<file>, the "
                             "period's latest version (a correction reaches the listing)"),
    ("編碼格式", PRODUCT, "per resource: UTF-8 (each CSV starts with a BOM)"),
    ("資料集上架方式", PRODUCT, "原始資料（資料集類型：原始資料、系統介接程式、行動化應用軟體、其他）"),
    ("資料集描述", PUBLICATION, "metadata.json's description, the suppression threshold in it"),
    ("主要欄位說明", PUBLICATION, "every column of the three CSVs, each grade column by itself, "
                             "as 欄位名(說明); a column in several files names each file's meaning"),
    ("提供機關", SETTING, "OPEN_DATA_PUBLISHER"),
    ("更新頻率", SETTING, "OPEN_DATA_UPDATE_FREQUENCY"),
    ("授權方式", PRODUCT, "政府資料開放授權條款-第1版"),
    ("相關網址", PUBLICATION, "the period's page here: its versions and their correction notes"),
    ("計費方式", PRODUCT, "免費"),
    ("提供機關聯絡人姓名", SETTING, "OPEN_DATA_CONTACT"),
    ("提供機關聯絡人電話", SETTING, "OPEN_DATA_CONTACT_PHONE"),
    ("上架日期", PUBLICATION, "when the period's version 1 was published, Taipei time"),
    ("詮釋資料更新時間", PUBLICATION, "when this version was published, Taipei time"),
    ("備註", PUBLICATION, "the license URL, the contact's e-mail (OPEN_DATA_CONTACT_EMAIL), the "
                        "calendar, the version, what results.json holds"),
    ("資料量", PUBLICATION, "per resource: its rows (results.json: the three tables' together)"),
)
NAMES = tuple(name for name, _source, _how in FIELDS)

#: the resources listed, in the order of every per-resource value
RESOURCES = ("survey.csv", "inspections.csv", "themes.csv", "results.json")
FORMATS = {".csv": "CSV", ".json": "JSON"}
ENCODING = "UTF-8"
LICENSE = "政府資料開放授權條款-第1版"
LICENSE_URL = "https://data.gov.tw/license"
FEE = "免費"
LISTING = "原始資料"


def taipei_time(moment: datetime) -> str:
    """``2026-01-16 04:30:00``: the platform's date shape, in Taipei time."""
    return moment.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M:%S")


def _plain(text: str) -> str:
    """A name or description that keeps the ``欄位名(說明);`` shape whole: brackets as the
    portal writes them inside, no semicolon, one line (a grade may be named 優(A))."""
    text = " ".join(text.split())
    return text.replace("(", "[").replace(")", "]").replace(";", "；")


def field_list(tables: dict[str, dict[str, str]]) -> str:
    """主要欄位說明 of ``tables`` (each file's columns, in header order, with their meaning):
    every column once, in the order the files and their headers give; a column whose meaning
    differs between files says each file's."""
    meanings: dict[str, dict[str, list[str]]] = {}
    for name, described in tables.items():
        for column, text in described.items():
            meanings.setdefault(column, {}).setdefault(text, []).append(name)
    parts = []
    for column, texts in meanings.items():
        text = next(iter(texts)) if len(texts) == 1 else "；".join(
            f"{'、'.join(names)}：{text}" for text, names in texts.items())
        parts.append(f"{_plain(column)}({_plain(text)})")
    return ";".join(parts)


def record(publication, log: list, meta: dict, tables: dict[str, dict[str, str]],
           counts: dict[str, int], base: str) -> dict[str, str]:
    """The 22 fields of ``publication``: ``log`` is its period's versions up to it, ``meta``
    metadata.json's other keys, ``tables`` each CSV's column descriptions, ``counts`` each
    resource's rows, ``base`` the site as the public reaches it (no trailing slash)."""
    config = current_app.config
    period = Period.parse(publication.data["period"])

    def url(endpoint: str, **values: str) -> str:
        return base + links.path_for(endpoint, period=period, **values)

    first = min(log, key=lambda p: p.version, default=publication)
    email = config.get("OPEN_DATA_CONTACT_EMAIL") or ""
    notes = [f"授權說明網址:{LICENSE_URL}",
             *([f"聯絡人電子郵件:{email}"] if email else []),
             f"期間為西元半年（{period} = {period.roc_label()}），日期與時間為臺北時間（Asia/Taipei）。",
             f"第 {publication.version} 版；各版本與更正說明見相關網址，下載網址一律提供最新版。",
             "results.json 以 JSON 提供與三個 CSV 相同的列（survey、inspections、themes）及詮釋資料"
             "（metadata）。"]
    values = {
        "資料集識別碼": "", "品質檢測": "",
        "資料集名稱": meta["title"], "資料集描述": meta["description"],
        "檔案格式": ";".join(FORMATS[name[name.rindex("."):]] for name in RESOURCES),
        "資料下載網址": ";".join(url("opendata.latest_file", name=name) for name in RESOURCES),
        "編碼格式": ";".join(ENCODING for _name in RESOURCES),
        "資料集上架方式": LISTING, "主要欄位說明": field_list(tables),
        "授權方式": LICENSE, "計費方式": FEE, "相關網址": url("opendata.period_page"),
        "上架日期": taipei_time(first.published_at),
        "詮釋資料更新時間": taipei_time(publication.published_at),
        "備註": "\n".join(notes),
        "資料量": ";".join(str(counts[name]) for name in RESOURCES),
    }
    for name, source, setting in FIELDS:
        if source == SETTING:
            values[name] = str(config.get(setting) or "")
    return {name: values[name] for name in NAMES}
