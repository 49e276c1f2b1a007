"""The low findings: both engines answer alike, links stay on the site, an import and its audit
event land together, error pages promise only what is true, and secret files are private."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from support import factories
from support.flows import full_phone_answers, post_form, signed_in
from support.web import hidden_fields

from webapp import create_app
from webapp.capture.submissions import Submission
from webapp.platform import audit
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.programme.offices import Office

ROOT = Path(__file__).resolve().parents[2]


def rows(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


# -- 8. PostgreSQL parity --------------------------------------------------------------------

@pytest.mark.parametrize("url, status", [
    ("/kiosk/%00", 404), ("/survey/%00", 404), ("/survey/TPH-DAAN%00", 404),
    ("/reports/?office=%00", 400), ("/admin/audit?actor=a%00b", 400),
    ("/reports/quality?period=2025H2%00", 400),
    # an id no integer column holds: no such row, not a driver overflow (found by hypothesis)
    ("/review/99999999999999999999", 404), ("/inspect/99999999999999999999/edit", 404),
    ("/admin/users/2147483648", 404),
])
def test_odd_paths_and_filters_are_refused_before_the_database(client, url, status):
    signed_in(client, factories.user("admin"))
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:300]


def test_an_overlong_office_name_is_a_line_error_on_both_engines(runner, tmp_path):
    file = tmp_path / "offices.csv"
    file.write_text("code,name,kind,city\nTPH-A,臺北市甲區戶政事務所,household,臺北市\n"
                    f"TPH-B,{'長' * 300},household,臺北市\n", "utf-8")
    result = runner.invoke(args=["offices", "import", str(file)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "第 3 行：name 最多 100 字" in result.output
    assert rows(Office) == 0


def test_a_posted_version_no_id_column_holds_is_a_400(client, office):
    signed_in(client, factories.user("inspector"))
    for version in ("99999999999999999999", "²"):
        response = post_form(client, "/inspect/new/phone",
                             {**full_phone_answers(), "version": version}, office)
        assert response.status_code == 400, version
    assert rows(Submission) == 0


def test_a_nul_in_an_imported_file_is_refused_with_a_message(runner, tmp_path):
    file = tmp_path / "offices.csv"
    file.write_bytes("code,name,kind,city\nTPH-A,甲\x00,household,臺北市\n".encode())
    result = runner.invoke(args=["offices", "import", str(file)])
    assert result.exit_code == 1 and "NUL" in result.output and rows(Office) == 0


# -- 9. links stay on the site ---------------------------------------------------------------

def test_the_404_pages_links_stay_on_the_site(client):
    response = client.get("/%5Cevil.example/login")
    assert response.status_code == 404
    links = [link for link in re.findall(r'(?:href|action)="([^"]*)"',
                                         response.get_data(as_text=True))
             if link != "data:," and not link.startswith("#")]
    assert links
    for link in links:
        assert link.startswith("/") and not link.startswith(("//", "/\\")), link
        assert "evil.example" not in link, link


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example", "//evil.example",
                                    "https://evil.example/", "/\tevil"])
def test_sign_in_never_redirects_off_site(app, target):
    from support.web import hidden_fields

    user = factories.user("analyst")
    client = app.test_client()
    page = client.get("/login", query_string={"next": target})
    data = {**hidden_fields(page.get_data(as_text=True)), "email": user.email,
            "password": factories.PASSWORD}
    response = client.post("/login", query_string={"next": target}, data=data)
    assert response.status_code == 302 and response.location == "/reports/"


# -- 10. an import and its audit event in one transaction ------------------------------------

@pytest.fixture
def audit_fails(monkeypatch):
    """Writing the "imported" event fails, as a kill between rows and event would."""
    real = audit.record

    def record(action, *args, **kwargs):
        if action == "imported":
            raise OperationalError("INSERT", {}, Exception("killed"))
        return real(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", record)


def test_paper_rows_never_land_without_their_audit_event(runner, office, tmp_path, audit_fails):
    file = tmp_path / "paper.csv"
    file.write_text(f"office_code,submitted_on,overall\n{office.code},2025-03-01,5\n", "utf-8")
    result = runner.invoke(args=["responses", "import", "satisfaction", str(file)])
    assert result.exit_code != 0
    assert rows(Submission) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "imported")) == 0


def test_offices_never_land_without_their_audit_event(runner, tmp_path, audit_fails):
    file = tmp_path / "offices.csv"
    file.write_text("code,name,kind,city\nTPH-A,臺北市甲區戶政事務所,household,臺北市\n", "utf-8")
    result = runner.invoke(args=["offices", "import", str(file)])
    assert result.exit_code != 0
    assert rows(Office) == 0


# -- 11. an error page says only what is true ------------------------------------------------

def test_the_inspectors_503_page_holds_the_checklist_and_the_resend_stores_once(
        client, office, monkeypatch):
    """Issue 25, finding 12b: the page says the answers are still on it; they are, in the
    checklist itself, with the same key, and sending it again stores it once."""
    from webapp.capture import checklists

    signed_in(client, factories.user("inspector"))
    page = hidden_fields(client.get("/inspect/new/phone").get_data(as_text=True))
    sent = {**page, **full_phone_answers(rings="7", scenario="詢問 <b>印鑑</b> 證明"),
            "office": office.code, "occurred_at": "2025-08-12T10:15", "action": "submit"}

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(checklists, "save", locked)
    response = client.post("/inspect/new/phone", data=sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "您填寫的內容仍在下方表單中" in html
    assert '<form method="post" novalidate' in html and "恢復」取回" not in html
    again = hidden_fields(html)
    assert again["idempotency_key"] == sent["idempotency_key"]
    assert 'value="7"' in html and "詢問 &lt;b&gt;印鑑&lt;/b&gt; 證明" in html
    assert f'value="{office.code}" selected' in html or f'selected value="{office.code}"' in html
    assert rows(Submission) == 0

    monkeypatch.undo()                 # the database is back: 送出 on that page, twice
    for _ in range(2):
        assert client.post("/inspect/new/phone", data={**sent, **again}).status_code == 302
    (record,) = db.session.scalars(select(Submission)).all()
    assert record.idempotency_key == sent["idempotency_key"]
    assert {a.item_key: a.value for a in record.answers}["rings"] == 7


def test_with_the_database_down_the_inspectors_503_page_holds_what_was_sent(
        client, office, tmp_path):
    """The database cannot even say who is signed in: a 503 (not a 500) whose page holds what
    was sent, with a button that sends it again; the resend, once the database is back, is
    stored once.  Only the poster's own checklist comes back (a forged one is refused, still
    a page, not a 500); other requests are told to try again."""
    from support.web import make_config

    signed_in(client, factories.user("inspector"))
    page = hidden_fields(client.get("/inspect/new/phone").get_data(as_text=True))
    sent = {**page, **full_phone_answers(rings="4"), "office": office.code,
            "occurred_at": "2025-08-12T10:15", "action": "draft"}
    down = create_app(make_config(f"sqlite:///{tmp_path}/no/such/dir/service.db", tmp_path))
    down.test_client_class = type(client)
    tablet = down.test_client()
    tablet.set_cookie("session", client.get_cookie("session").value)     # the same browser
    try:
        posted = tablet.post("/inspect/new/phone?office=X", data=sent)
        forged = tablet.post("/inspect/new/phone", data={**sent, "csrf_token": "forged"})
        listed = tablet.get("/inspect/")
    finally:
        with down.app_context():
            db.engine.dispose()
    html = posted.get_data(as_text=True)
    assert posted.status_code == 503 and "您填寫的內容都保留在這個頁面裡" in html
    assert 'action="/inspect/new/phone?office=X"' in html and "再送一次" in html
    held = hidden_fields(html)
    assert {k: v for k, v in held.items() if k != "csrf_token"} == {
        k: v for k, v in sent.items() if k != "csrf_token"}
    assert forged.status_code == 400 and "頁面已過期" in forged.get_data(as_text=True)
    assert listed.status_code == 503 and "請稍候再試一次" in listed.get_data(as_text=True)
    assert not any(sent["idempotency_key"] in other.get_data(as_text=True)
                   for other in (forged, listed))

    for _ in range(2):                 # the database is back: 再送一次, twice
        assert client.post("/inspect/new/phone", data=held).status_code == 302
    (record,) = db.session.scalars(select(Submission)).all()
    assert (record.idempotency_key, record.status) == (sent["idempotency_key"], "draft")


# -- 12. private files -----------------------------------------------------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "new.db"
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        with db.engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x)")
            connection.commit()
            assert mode(path) == 0o600
            assert mode(Path(f"{path}-wal")) == 0o600
        db.engine.dispose()


def test_the_secret_key_file_is_readable_by_its_owner_only(tmp_path):
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path),
                    "instance/config.py"], check=True, capture_output=True)
    config = tmp_path / "instance" / "config.py"
    assert "SECRET_KEY = " in config.read_text() and mode(config) == 0o600
