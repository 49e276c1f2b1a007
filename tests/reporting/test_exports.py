"""De-identified raw responses out: CSV with a BOM, XLSX, and SPSS / Stata files whose variable
and value labels are read back with pyreadstat; nothing that could name anyone leaves."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from support import factories
from support.web import login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.audit import AuditEvent
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.masking import REPLACEMENTS
from webapp.programme import instruments
from webapp.reporting import exports

PII = "請回電 0912-345-678，身分證 A123456789"


@pytest.fixture
def seeded(app):
    daan = factories.office(code="TPH-DAAN", name="大安戶政")
    kiosk = factories.kiosk(daan)
    version, survey = instruments.current("satisfaction")
    rows = [("kiosk", 5, "household", "65plus", PII), ("personal", 2, "land_registration",
                                                        "under30", "=HYPERLINK(\"x\")"),
            ("paper", None, None, None, None)]
    for i, (channel, overall, service, age, comment) in enumerate(rows):
        answers = {"overall": Stored(overall) if overall else None,
                   "attitude": Stored(4),
                   "service_used": Stored(1 if service == "household" else 4, service)
                   if service else None,
                   "age_band": Stored(4 if age == "65plus" else 1, age) if age else None,
                   "comment": Stored(None, comment) if comment else None}
        storage.store(version=version, instrument=survey, office=daan, channel=channel,
                      status="submitted", kiosk=kiosk if channel == "kiosk" else None,
                      occurred_at=datetime(2025, 9, 10 + i, 16, 42, tzinfo=TAIPEI),
                      answers=answers, idempotency_key=f"export-{i:010d}")
    version, mystery = instruments.current("mystery")
    inspector = factories.user("inspector")
    for status in ("approved", "submitted"):
        storage.store(version=version, instrument=mystery, office=daan, channel="inspector",
                      status=status, occurred_at=datetime(2025, 8, 1, 10, tzinfo=TAIPEI),
                      answers={"clean": Stored(1), "seating": Stored(0),
                               "accessibility": Stored(None), "wait_minutes": Stored(12),
                               "improvements": Stored(None, "聯絡 chief@example.gov.tw")},
                      idempotency_key=f"export-m-{status}", inspector=inspector)
    return daan


def export(runner, tmp_path, key, fmt, *extra):
    out = tmp_path / f"{key}.{fmt}"
    result = runner.invoke(args=["responses", "export", key, "--period", "2025H2",
                                 "--format", fmt, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def test_spss_and_stata_carry_labels_and_the_right_values(seeded, runner, tmp_path):
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        frame, meta = read(str(export(runner, tmp_path, "satisfaction", fmt)))
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        assert labels["overall"] == "整體而言，您對這次服務的滿意程度"
        assert meta.variable_value_labels["overall"] == {
            1: "非常不滿意", 2: "不滿意", 3: "普通", 4: "滿意", 5: "非常滿意"}
        services = meta.variable_value_labels["service_used"]
        assert services[1].startswith("戶籍登記") and services[4] == "土地、建物登記"
        channels = meta.variable_value_labels["channel"]
        frame = frame.sort_values("date")
        assert [channels[c] for c in frame["channel"]] == ["臨櫃平板", "個人手機（QR 碼）",
                                                           "紙本問卷"]
        assert frame["overall"].tolist()[:2] == [5, 2] and pd.isna(frame["overall"].iloc[2])
        assert frame["service_used"].tolist()[:2] == [1, 4]
        assert frame["date"].tolist() == [date(2025, 9, 10), date(2025, 9, 11), date(2025, 9, 12)]
        assert meta.original_variable_types["date"] == ("DATE11" if fmt == "sav" else "%td")
        assert frame["comment"].iloc[0] == f"請回電 {REPLACEMENTS['phone']}，身分證 " \
                                           f"{REPLACEMENTS['national_id']}"


def test_english_labels_on_request(seeded, runner, tmp_path):
    _frame, meta = pyreadstat.read_sav(str(export(runner, tmp_path, "satisfaction", "sav",
                                                  "--lang", "en")))
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["channel"] == "Channel"
    assert meta.variable_value_labels["overall"][5] == "Very satisfied"


def test_csv_is_utf8_with_a_bom_and_keeps_nothing_that_names_anyone(seeded, runner, tmp_path):
    out = export(runner, tmp_path, "satisfaction", "csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "0912-345-678" not in text and "A123456789" not in text
    assert "16:42" not in text and "kiosk_id" not in text and "token" not in text
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert set(frame.columns) >= {"response_id", "office_code", "date", "channel", "overall"}
    assert not {"kiosk", "user_agent", "ip", "address", "inspector"} & set(frame.columns)
    assert frame["channel"].tolist() == ["kiosk", "personal", "paper"]
    assert frame["comment"].iloc[1] == "'=HYPERLINK(\"x\")"          # never runs as a formula


def test_inspections_export_only_approved_records_without_the_inspector(seeded, runner,
                                                                        tmp_path):
    book = load_workbook(export(runner, tmp_path, "mystery", "xlsx"))
    sheet = book["responses"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1                                          # the submitted one waits
    row = dict(zip(header, rows[0], strict=True))
    assert row["clean"] == 1 and row["seating"] == 0 and row["accessibility"] is None
    assert row["wait_minutes"] == 12 and row["score"] is not None and "grade" in row
    assert row["improvements"] == f"聯絡 {REPLACEMENTS['email']}"
    assert "inspector" not in " ".join(header)
    assert book["labels"]["A1"].value == "variable"                # the codebook sheet
    frame, meta = pyreadstat.read_dta(str(export(runner, tmp_path, "mystery", "dta")))
    assert meta.variable_value_labels["clean"] == {0: "否", 1: "是"}


def test_a_date_time_answer_keeps_only_its_date():
    assert exports._cells({"type": "datetime"}, None, "2025-07-01T09:30") == ["2025-07-01"]


def test_cli_refuses_bad_periods_and_empty_ones(seeded, runner, tmp_path):
    out = tmp_path / "x.csv"
    bad = runner.invoke(args=["responses", "export", "satisfaction", "--period", "2025H3",
                              "--out", str(out)])
    empty = runner.invoke(args=["responses", "export", "satisfaction", "--period", "2019H1",
                                "--out", str(out)])
    assert bad.exit_code == 1 and empty.exit_code == 1 and "沒有" in empty.output
    assert not out.exists()


def test_analysts_download_on_the_web_and_it_is_audited(seeded, client):
    login(client, factories.user("analyst").email, factories.PASSWORD)
    response = client.get("/reports/responses.sav?instrument=satisfaction&period=2025H2")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'filename="satisfaction-2025H2.sav"' in response.headers["Content-Disposition"]
    assert response.data[:4] == b"$FL2"                             # an SPSS system file
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "responses")
                               ).one()
    assert event.action == "exported" and event.detail["rows"] == 3
    assert client.get("/reports/responses.sav?period=2025H9").status_code == 400
    assert client.get("/reports/responses.sav?instrument=nope&period=2025H2").status_code == 400
    assert client.get("/reports/responses.pdf?period=2025H2").status_code == 404
    assert client.get("/reports/responses.csv?period=2019H1").status_code == 404


def test_pspp_reads_the_dates_as_dates(seeded, runner, tmp_path):
    """GNU PSPP, as an analyst's SPSS: the date is a DATE11 variable its date functions take."""
    if shutil.which("pspp") is None:
        pytest.skip("PSPP is not installed (scripts/system-deps.sh installs Debian's pspp)")
    saved = export(runner, tmp_path, "satisfaction", "sav")
    syntax = tmp_path / "read.sps"
    syntax.write_text(f"GET FILE='{saved}'.\nDISPLAY DICTIONARY.\n"
                      "COMPUTE month = XDATE.MONTH(date).\nCOMPUTE day = XDATE.MDAY(date).\n"
                      "LIST VARIABLES=date month day.\n", "utf-8")
    out = tmp_path / "read.csv"
    subprocess.run(["pspp", "-O", "format=csv", "-o", str(out), str(syntax)], check=True,
                   timeout=120, capture_output=True)
    text = out.read_text("utf-8")
    assert re.search(r"^date,\d+,日期,Scale,Input,\d+,Right,DATE11,DATE11$", text, re.M), text
    assert "10-SEP-2025,9.00,10.00" in text and "12-SEP-2025,9.00,12.00" in text


def test_stata_118_by_default_and_117_on_request(seeded, runner, tmp_path):
    default = export(runner, tmp_path, "satisfaction", "dta")
    assert b"<release>118</release>" in default.read_bytes()[:80]
    old = tmp_path / "old.dta"
    result = runner.invoke(args=["responses", "export", "satisfaction", "--period", "2025H2",
                                 "--format", "dta", "--stata-version", "117", "--out", str(old)])
    assert result.exit_code == 0, result.output
    assert b"<release>117</release>" in old.read_bytes()[:80]
    frame, _meta = pyreadstat.read_dta(str(old), encoding="utf-8")   # 117 names no encoding
    assert sorted(frame["date"]) == [date(2025, 9, 10), date(2025, 9, 11), date(2025, 9, 12)]
    refused = runner.invoke(args=["responses", "export", "satisfaction", "--period", "2025H2",
                                  "--format", "dta", "--stata-version", "116", "--out", str(old)])
    assert refused.exit_code == 2


def test_excel_gets_real_dates_and_the_web_one_charset(seeded, runner, tmp_path, client):
    sheet = load_workbook(export(runner, tmp_path, "satisfaction", "xlsx"))["responses"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("date") + 1)
    assert cell.value == datetime(2025, 9, 10) and cell.number_format == "yyyy-mm-dd"
    login(client, factories.user("analyst").email, factories.PASSWORD)
    response = client.get("/reports/responses.csv?instrument=satisfaction&period=2025H2")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
