"""Paper questionnaires on the web: the blank sheet with drop-downs, a line-numbered check that
stores nothing until every row passes, a preview, then a confirmation (issue 12, item 4)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from webapp.capture.submissions import Submission
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db

HEADER = ["office_code", "submitted_on", "attitude", "knowledge", "efficiency", "fairness",
          "environment", "waiting", "expectations", "overall", "service_used", "age_band", "comment"]


@pytest.fixture
def admin(app, client):
    factories.office()
    login(client, factories.user("admin").email, factories.PASSWORD)
    return client


def stored() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Submission))


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, raw: bytes, name="paper.xlsx", key="satisfaction"):
    token = hidden_fields(client.get("/paper/").get_data(as_text=True))["csrf_token"]
    return client.post("/paper/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "instrument": key, "file": (io.BytesIO(raw), name)})


def test_the_blank_sheet_offers_only_valid_answers(admin):
    book = load_workbook(io.BytesIO(admin.get("/paper/template/satisfaction.xlsx").data))
    sheet = book["paper"]
    assert [c.value for c in sheet[1]] == HEADER
    rules = {str(r.sqref)[0]: r for r in sheet.data_validations.dataValidation}
    assert set(rules) >= {"A", "C", "J", "K", "L"}           # office, likert items, choices
    # "stop" (refuse the value) is the schema's default, so a writer may leave it out
    assert all(r.showErrorMessage and r.errorStyle in (None, "stop") for r in rules.values())
    lists = book["lists"]
    column = rules["K"].formula1.split("!$")[1][0]
    services = [row[0].value for row in lists[f"{column}1:{column}20"] if row[0].value]
    assert len(services) == 8 and "household" not in services   # labels people read, not keys
    blank = admin.get("/paper/template/satisfaction.csv")
    csv = blank.data
    assert csv.startswith("\ufeff".encode()) and csv.decode("utf-8-sig").strip() == ",".join(HEADER)
    assert blank.headers["Content-Type"] == "text/csv; charset=utf-8"    # said once


def test_preview_then_confirm_stores_every_row_once(admin):
    rows = [["tph-daan", date(2025, 3, 2), 5, 4, None, 3, 4, 2, 5, 4, "household", "65plus", "很好"]
            for _ in range(3)]
    page = upload(admin, xlsx(rows))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "共 3 份" in html and stored() == 0
    done = admin.post("/paper/confirm", data=hidden_fields(html), follow_redirects=True)
    assert "已匯入 3 份紙本問卷" in done.get_data(as_text=True) and stored() == 3
    again = admin.post("/paper/confirm", data=hidden_fields(html), follow_redirects=True)
    assert "預覽已過期或無效" in again.get_data(as_text=True) and stored() == 3
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "responses")).one()
    assert event.detail == {"instrument": "satisfaction", "via": "web", "stored": 3}


def test_bad_rows_are_listed_by_line_and_nothing_is_stored(admin):
    rows = [["TPH-DAAN", date(2025, 3, 2), 5, 4, 3, 3, 4, 2, 5, 4, "household", "65plus", ""],
            ["NOPE", date(2025, 3, 2), 6, 4, 3, 3, 4, 2, 5, 4, "household", "65plus", ""]]
    page = upload(admin, xlsx(rows))
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "有 1 行有誤" in html
    assert "<td>3</td>" in html and "找不到機關代碼「NOPE」" in html and "attitude" in html
    assert stored() == 0


def test_another_accounts_preview_cannot_be_confirmed(app, admin):
    rows = [["TPH-DAAN", "2025-03-02", 5, 4, 3, 3, 4, 2, 5, 4, "household", "65plus", ""]]
    fields = hidden_fields(upload(admin, xlsx(rows)).get_data(as_text=True))
    other = app.test_client()
    login(other, factories.user("admin").email, factories.PASSWORD)
    token = hidden_fields(other.get("/paper/").get_data(as_text=True))["csrf_token"]
    response = other.post("/paper/confirm", data={**fields, "csrf_token": token}, follow_redirects=True)
    assert "預覽已過期或無效" in response.get_data(as_text=True) and stored() == 0
