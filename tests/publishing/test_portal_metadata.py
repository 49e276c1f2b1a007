"""metadata.json as data.gov.tw lists a dataset (issue 28, item 4): the 22 fields of the
platform's catalogue in its own names and shapes, the office's settings flowing through, download
links that are absolute and answer, a field list naming exactly the CSVs' columns (each grade
column by itself), and dates in Taipei time."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select
from support import factories
from support.opendata import PERIOD, download, publish, signed_in, survey

from webapp.platform.extensions import db
from webapp.publishing.opendata import portal
from webapp.publishing.opendata.publications import Publication

#: the columns of data.gov.tw's catalogue export (資料集清單), in its order; the export's header
#: spells 資料集上架方式 "資資料集上架方式"
PORTAL_FIELDS = ("資料集識別碼", "資料集名稱", "資料提供屬性", "服務分類", "品質檢測", "檔案格式",
                 "資料下載網址", "編碼格式", "資料集上架方式", "資料集描述", "主要欄位說明", "提供機關",
                 "更新頻率", "授權方式", "相關網址", "計費方式", "提供機關聯絡人姓名",
                 "提供機關聯絡人電話", "上架日期", "詮釋資料更新時間", "備註", "資料量")
#: given by the platform when the dataset is listed, so left empty
BY_THE_PLATFORM = {"資料集識別碼", "品質檢測"}
CSVS = ("survey.csv", "inspections.csv", "themes.csv")
SETTINGS = {"OPEN_DATA_PUBLISHER": "臺北市政府民政局", "OPEN_DATA_CONTACT": "王小明",
            "OPEN_DATA_CONTACT_PHONE": "02-0000-0000#123",
            "OPEN_DATA_CONTACT_EMAIL": "quality@example.gov.tw", "OPEN_DATA_PROVISION": "API服務",
            "OPEN_DATA_CATEGORY": "生活安全及品質", "OPEN_DATA_UPDATE_FREQUENCY": "不定期更新",
            "PUBLIC_BASE_URL": "https://open.example.gov.tw/"}


def published(app, offices) -> None:
    """The offices' survey answers and two approved phone checks, published as version 1."""
    inspector = factories.user("inspector")
    for score, grade in ((92.0, "優等"), (81.0, "甲")):
        factories.record(offices[0], inspector, "phone", "approved", score=score, grade=grade,
                         occurred_at=datetime(2025, 10, 1, 2, tzinfo=UTC))
    assert publish(signed_in(app, "analyst")).status_code == 302


def portal_fields(client, name: str = "metadata.json") -> dict:
    return json.loads(download(client, name))["data_gov_tw"]


def header(client, name: str) -> list[str]:
    return next(csv.reader(io.StringIO(download(client, name).decode("utf-8-sig"))))


def rows(client, name: str) -> int:
    return len(download(client, name).decode("utf-8-sig").splitlines()) - 1


def test_every_field_of_the_portal_is_there_in_its_names_and_shapes(app, offices):
    published(app, offices)
    anyone = app.test_client()
    found = portal_fields(anyone)
    assert tuple(found) == PORTAL_FIELDS == portal.NAMES
    assert {name for name, value in found.items() if not value} == (
        BY_THE_PLATFORM | {"提供機關聯絡人電話"})   # the phone: the office's, no default
    assert found["資料集名稱"] == "戶政及地政事務所服務品質調查結果（114年下半年）"
    assert "少於 30 人的格位不公開" in found["資料集描述"]
    # one value per resource, in the same order, as the portal's catalogue writes them
    assert found["檔案格式"] == "CSV;CSV;CSV;JSON"
    assert found["編碼格式"] == "UTF-8;UTF-8;UTF-8;UTF-8"
    links = found["資料下載網址"].split(";")
    assert [link.rsplit("/", 1)[1] for link in links] == [*CSVS, "results.json"]
    counts = [rows(anyone, name) for name in CSVS]
    assert found["資料量"] == ";".join(map(str, [*counts, sum(counts)]))
    results = json.loads(download(anyone, "results.json"))
    assert sum(len(results[k]) for k in ("survey", "inspections", "themes")) == sum(counts)
    assert found["授權方式"] == "政府資料開放授權條款-第1版" and found["計費方式"] == "免費"
    assert "授權說明網址:https://data.gov.tw/license" in found["備註"].splitlines()
    assert found["資料集上架方式"] == "原始資料"
    # the office's defaults
    assert (found["資料提供屬性"], found["服務分類"], found["更新頻率"]) == ("檔案資料", "公共資訊", "每6月")
    assert found["提供機關"] == "服務品質督導小組" and found["提供機關聯絡人姓名"] == "服務品質業務承辦人"
    # the same record in results.json, and every source of portal.FIELDS is a known one
    assert results["metadata"]["data_gov_tw"] == found
    assert {source for _name, source, _how in portal.FIELDS} == {
        portal.PLATFORM, portal.PRODUCT, portal.PUBLICATION, portal.SETTING}
    for _name, source, setting in portal.FIELDS:
        assert source != portal.SETTING or setting in app.config, setting


def test_the_offices_settings_flow_through_and_the_links_answer(app, offices):
    app.config.update(SETTINGS)
    published(app, offices)
    anyone = app.test_client()
    found = portal_fields(anyone)
    assert found["提供機關"] == "臺北市政府民政局"
    assert found["提供機關聯絡人姓名"] == "王小明"
    assert found["提供機關聯絡人電話"] == "02-0000-0000#123"
    assert "聯絡人電子郵件:quality@example.gov.tw" in found["備註"].splitlines()
    assert (found["資料提供屬性"], found["服務分類"], found["更新頻率"]) == (
        "API服務", "生活安全及品質", "不定期更新")
    assert not {name for name, value in found.items() if not value} - BY_THE_PLATFORM
    meta = json.loads(download(anyone, "metadata.json"))
    assert (meta["publisher"], meta["contact"]) == ("臺北市政府民政局", "王小明")   # kept keys
    assert meta["update_frequency"] == "不定期更新" and meta["license"] == found["授權方式"]
    # absolute links on the public address, each answering with the file itself
    base = f"https://open.example.gov.tw/open/{PERIOD}/"
    assert found["相關網址"] == base
    links = found["資料下載網址"].split(";")
    assert links == [base + name for name in (*CSVS, "results.json")]
    for link, name in zip(links, (*CSVS, "results.json"), strict=True):
        response = anyone.get(link)
        assert response.status_code == 200, link
        if name.endswith(".csv"):
            assert response.data == download(anyone, name)
    assert anyone.get(found["相關網址"]).status_code == 200


def test_without_a_public_address_the_links_are_the_address_the_harvester_used(app, offices, runner,
                                                                                tmp_path):
    published(app, offices)
    anyone = app.test_client()
    app.config["PUBLIC_BASE_URL"] = None
    for link in portal_fields(anyone)["資料下載網址"].split(";"):
        assert link.startswith(f"http://localhost/open/{PERIOD}/"), link   # the test client's
        assert anyone.get(link).status_code == 200, link
    other = anyone.get(f"/open/{PERIOD}/metadata.json", base_url="http://other.example")
    assert "http://other.example/open/" in other.get_data(as_text=True)
    assert "Host" in other.headers["Vary"]          # a shared cache keeps each address apart
    exported = runner.invoke(args=["opendata", "export", "--period", PERIOD, "--out", str(tmp_path)])
    assert exported.exit_code == 0 and "未設定 FLASK_PUBLIC_BASE_URL" in exported.output


def test_a_grade_named_with_brackets_or_a_line_break_keeps_the_field_list_whole():
    found = portal.field_list({"inspections.csv": {"grade_優(A)": "等第為「優(A)」的次數",
                                                   "note": "第一行\n第二行; 第三行"}})
    assert found == "grade_優[A](等第為「優[A]」的次數);note(第一行 第二行； 第三行)"


def test_the_field_list_names_exactly_each_csvs_columns(app, offices):
    """No pattern entry: each grade column (one per grade name) is described by itself, in the
    portal's field list, in metadata.json's fields and in the Table Schemas."""
    published(app, offices)
    anyone = app.test_client()
    headers = {name: header(anyone, name) for name in CSVS}
    grades = [c for c in headers["inspections.csv"] if c.startswith("grade_")]
    assert grades == ["grade_優等", "grade_甲", "grade_乙", "grade_丙", "grade_丁"]
    found = portal_fields(anyone)["主要欄位說明"]
    entries = found.split(";")
    assert all(e.count("(") == 1 and e.endswith(")") and e.index("(") > 0 for e in entries), found
    names = [e[:e.index("(")] for e in entries]
    union = list(dict.fromkeys(c for name in CSVS for c in headers[name]))
    assert names == union   # every column of every CSV once, in the files' order
    said = {e[:e.index("(")]: e[e.index("(") + 1:-1] for e in entries}
    assert said["grade_優等"] == "等第為「優等」的核定查核次數（電話禮貌測試、神秘客查核；依各次查核所用問卷版本評定）"
    assert len({said[g] for g in grades}) == len(grades)
    # a column whose meaning differs between the files says each file's
    assert said["instrument"] == ("survey.csv：問卷代碼；inspections.csv：查核類別（phone 電話禮貌測試、"
                                  "mystery 神秘客查核）")
    assert said["period"] == "期間（例如 2025H2 為 114年下半年）"

    meta = json.loads(download(anyone, "metadata.json"))
    for name in CSVS:
        assert list(meta["fields"][name]) == headers[name], name
        assert all(meta["fields"][name].values()), name
    package = json.loads(download(anyone, "datapackage.json"))
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == headers[resource["path"]]
        assert all(f["description"] == meta["fields"][resource["path"]][f["name"]] for f in fields)
    inspections = {f["name"]: f for f in package["resources"][1]["schema"]["fields"]}
    assert inspections["grade_甲"]["type"] == "integer"
    assert inspections["grade_甲"]["description"] == said["grade_甲"]


def test_the_dates_are_taipei_time_and_a_correction_keeps_the_first_listing(app, offices):
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    first = db.session.scalars(select(Publication)).one()
    first.published_at = datetime(2026, 1, 15, 20, 30, tzinfo=UTC)   # 04:30 on the 16th in Taipei
    db.session.commit()
    anyone = app.test_client()
    found = portal_fields(anyone)
    assert found["上架日期"] == found["詮釋資料更新時間"] == "2026-01-16 04:30:00"

    survey(offices[2], 2, 30)    # late paper questionnaires: a correction big enough to publish
    assert publish(analyst, note="補登萬華所紙本問卷 30 份").status_code == 302
    second = db.session.scalars(select(Publication).where(Publication.version == 2)).one()
    second.published_at = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)    # 1 March, 01:00 in Taipei
    db.session.commit()
    found = portal_fields(anyone)
    assert found["上架日期"] == "2026-01-16 04:30:00"            # listed when version 1 came out
    assert found["詮釋資料更新時間"] == "2026-03-01 01:00:00"     # updated by the correction
    assert "第 2 版" in found["備註"]
    meta = json.loads(download(anyone, "metadata.json"))
    assert meta["published_at"] == "2026-03-01T01:00:00+08:00"
    old = json.loads(anyone.get(f"/open/{PERIOD}/v1/metadata.json").data)["data_gov_tw"]
    assert old["詮釋資料更新時間"] == "2026-01-16 04:30:00" and "第 1 版" in old["備註"]
    # the links stay the period's latest: a listing made from version 1 serves the correction
    assert old["資料下載網址"] == found["資料下載網址"]
