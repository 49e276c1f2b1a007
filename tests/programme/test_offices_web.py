"""Offices on the web: add, edit, switch off, and a CSV registry upload that lands whole or not
at all, with each bad row listed by its line, as ``flask offices import`` does."""

from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.programme.offices import Office


@pytest.fixture
def admin(app, client):
    factories.office(code="TPH-DAAN", name="大安戶政")
    login(client, factories.user("admin").email, factories.PASSWORD)
    return client


def token(client) -> str:
    return hidden_fields(client.get("/admin/offices").get_data(as_text=True))["csrf_token"]


def upload(client, content: bytes, name: str = "offices.csv"):
    return client.post("/admin/offices/import", content_type="multipart/form-data", data={
        "csrf_token": token(client), "file": (io.BytesIO(content), name)})


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Office))


def test_an_admin_adds_and_edits_an_office(admin):
    added = admin.post("/admin/offices", data={
        "csrf_token": token(admin), "code": "tph-xinyi", "name": "信義戶政",
        "name_en": "Xinyi Household Registration Office", "kind": "household",
        "city": "臺北市", "district": "信義區"})
    assert added.status_code == 302
    xinyi = db.session.scalar(select(Office).where(Office.code == "TPH-XINYI"))
    assert xinyi.name_en.startswith("Xinyi") and xinyi.active
    again = admin.post("/admin/offices", data={"csrf_token": token(admin), "code": "TPH-XINYI",
                                               "name": "重複", "kind": "land"})
    assert again.status_code == 400 and "已經有機關使用" in again.get_data(as_text=True)
    # said at the top of the long page, focused, naming the field, before the list of offices
    html = again.get_data(as_text=True)
    summary = html.index('class="flash error error-summary"')
    assert summary < html.index("<table") and 'href="#q-code"' in html[summary:html.index("<table")]
    assert "已經有機關使用" in html[summary:html.index("<table")]
    from webapp.platform.audit import AuditEvent
    made = db.session.scalar(select(AuditEvent).where(AuditEvent.detail["added"].as_string()
                                                      == "TPH-XINYI"))
    assert made.action == "created"   # 建立了, not 修改了
    odd = admin.post("/admin/offices", data={"csrf_token": token(admin), "code": "台北<1>",
                                             "name": "x", "kind": "land"})
    assert odd.status_code == 400 and count() == 2
    page = admin.get(f"/admin/offices/{xinyi.id}").get_data(as_text=True)
    edited = admin.post(f"/admin/offices/{xinyi.id}", data={
        **hidden_fields(page), "name": "臺北市信義區戶政事務所", "kind": "household",
        "city": "臺北市", "district": "信義區", "name_en": ""})
    assert edited.status_code == 302
    db.session.expire_all()
    assert xinyi.name == "臺北市信義區戶政事務所" and xinyi.name_en is None
    change = db.session.scalars(select(AuditEvent).where(AuditEvent.target_id == xinyi.id)).all()
    assert change[-1].detail["name"] == ["信義戶政", "臺北市信義區戶政事務所"]


def test_a_good_registry_lands_whole(admin):
    csv = ("code,name,kind,city,name_en\nTPH-DAAN,臺北市大安區戶政事務所,戶政,臺北市,Daan\n"
           "NTL-BANQIAO,新北市板橋地政事務所,地政,新北市,\n").encode("utf-8-sig")
    response = upload(admin, csv)
    assert response.status_code == 302
    assert count() == 2
    assert db.session.scalar(select(Office.name).where(Office.code == "TPH-DAAN")) \
        == "臺北市大安區戶政事務所"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "imported")).one()
    assert event.detail == {"via": "web", "added": 1, "updated": 1}


@pytest.mark.parametrize("content, name, message", [
    ("code,name,kind,city\nA-1,甲,戶政,臺北市\nB-2,,戶政,臺北市\nC-3,丙,nope,臺北市\n"
     .encode(), "x.csv", "有 2 行有誤"),
    ("code,name,kind,city\nA-1,甲,戶政,臺北市\n".encode("big5"), "x.csv", "Big5"),
    (b"PK\x03\x04" + bytes(range(256)) * 4, "offices.csv", "UTF-8"),
    (b"name,city\nx,y\n", "x.csv", "標題列需有"),
    (b"code,name,kind,city\n" + b"A-1,x,land,y\n" * 20000, "x.csv", "200 KB"),
    (b"code,name,kind,city\n", "x.csv", "沒有任何機關"),
])
def test_a_bad_registry_is_refused_whole_with_a_clear_message(admin, content, name, message):
    response = upload(admin, content, name)
    assert response.status_code in (400, 413)
    text = unescape(response.get_data(as_text=True))
    assert message in text, text[:2000]
    assert count() == 1


def test_bad_lines_are_listed_by_number(admin):
    response = upload(admin, "code,name,kind,city\nA-1,甲,戶政,臺北市\nB-2,,戶政,臺北市\n"
                             "C-3,丙,nope,臺北市\n".encode())
    rows = unescape(response.get_data(as_text=True)).split('id="problems-title"')[1]
    assert "<td>3</td><td>代碼與名稱必填" in rows and "<td>4</td><td>kind 應為" in rows


def test_an_upload_without_a_file_is_a_clear_400(admin):
    response = admin.post("/admin/offices/import", data={"csrf_token": token(admin)})
    assert response.status_code == 400 and "請選擇檔案" in response.get_data(as_text=True)
