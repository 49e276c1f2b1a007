"""Analysts edit the theme catalogue as a workbook: download, upload edited, see what changed and
which comments would read differently, publish a version (audited); stale and broken uploads are
refused with the reason, and the office cannot reach the pages."""

from __future__ import annotations

import io
from datetime import datetime
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from support import factories
from support.web import hidden_fields, login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.audit import AuditEvent
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme import themes as catalogues
from webapp.reporting.themes import reading


@pytest.fixture
def analyst(app, office, client):
    version, survey = instruments.current("satisfaction")
    storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                  status="submitted", occurred_at=datetime(2025, 9, 3, 10, tzinfo=TAIPEI),
                  answers={"overall": Stored(4), "comment": Stored(None, "門口的盆栽很漂亮")},
                  idempotency_key="catalogue-000001")
    login(client, factories.user("analyst").email, factories.PASSWORD)
    return client


def edited_workbook(client, change) -> bytes:
    response = client.get("/reports/themes/v1.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def add_plant(book) -> None:
    book["signals"].append(["facilities", "mention", "盆栽"])


def upload(client, raw: bytes):
    token = hidden_fields(client.get("/reports/themes").get_data(as_text=True))["csrf_token"]
    return client.post("/reports/themes/upload", data={
        "csrf_token": token, "file": (io.BytesIO(raw), "themes.xlsx")},
        content_type="multipart/form-data")


def test_upload_preview_and_publish_a_new_version(analyst):
    preview = upload(analyst, edited_workbook(analyst, add_plant))
    assert preview.status_code == 200
    html = unescape(preview.get_data(as_text=True))
    assert "環境與設施・提及詞：新增「盆栽」" in html
    assert "最近 1 則意見中，有 1 則會判讀成不同的主題或語氣" in html
    fields = hidden_fields(preview.get_data(as_text=True))
    published = analyst.post("/reports/themes/publish", data=fields)
    assert published.status_code == 302
    assert catalogues.latest_version().version == 2
    actions = [(e.action, e.target_type) for e in db.session.scalars(select(AuditEvent))]
    assert ("imported", "theme_workbook") in actions
    assert ("instrument_published", "theme_catalogue") in actions
    assert reading.read_all() == "1 comments read with v2"
    # the same preview again: someone (this analyst) published in between
    again = analyst.post("/reports/themes/publish", data=fields, follow_redirects=True)
    assert "已有人發布了主題目錄第 2 版" in unescape(again.get_data(as_text=True))
    assert catalogues.latest_version().version == 2


def test_a_broken_workbook_lists_its_problems_and_publishes_nothing(analyst):
    def break_it(book) -> None:
        book["signals"].append(["nonsense", "mention", "盆栽"])

    response = upload(analyst, edited_workbook(analyst, break_it))
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "「nonsense」不在 themes 工作表" in html
    assert catalogues.latest_version().version == 1
    refused = upload(analyst, b"not a workbook at all")
    assert refused.status_code == 400 and catalogues.latest_version().version == 1


@pytest.mark.parametrize("role", ["office", "coordinator", "reviewer"])
def test_others_do_not_reach_the_catalogue(app, client, office, role):
    person = factories.user(role)
    person.office_id = office.id if role == "office" else None
    db.session.commit()
    login(client, person.email, factories.PASSWORD)
    assert client.get("/reports/themes").status_code in (403, 404)
    assert client.get("/reports/themes/v1.xlsx").status_code in (403, 404)
