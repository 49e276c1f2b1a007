"""Every upload page refuses what it must, with a message in the user's language and nothing
stored: wrong types judged by content, zip bombs, oversized files, formulas, Big5 text
(issue 12, item 9).  The list of upload pages is checked against the views marked takes_file."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.programme import instruments

#: endpoint -> (page with the form, upload URL, extra form fields)
UPLOADS = {
    "admin.import_offices": ("/admin/offices", "/admin/offices/import", {}),
    "admin.upload_instrument": ("/admin/instruments", "/admin/instruments/upload", {}),
    "paper.upload": ("/paper/", "/paper/upload", {"instrument": "satisfaction"}),
    "reports.upload_themes": ("/reports/themes", "/reports/themes/upload", {}),
}


def table_counts() -> dict[str, int]:
    """Rows per table, but the audit log's, which records the refusal itself (``refusals``)."""
    db.session.rollback()
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables if t.name != "audit_events"}


def refusals() -> list[dict]:
    db.session.rollback()
    return [e.detail for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "upload_refused").order_by(AuditEvent.id))]


def refused_once(before: list[dict], endpoint: str, reason: str) -> None:
    """One more refusal in the log, naming the page and why, and nothing of the file's content."""
    after = refusals()
    assert len(after) == len(before) + 1, after
    assert after[-1]["page"] == endpoint and after[-1]["reason"] == reason
    assert set(after[-1]) == {"page", "reason", "kind", "bytes", "problems"}


@pytest.fixture
def admin(app, client):
    factories.office()
    instruments.sync_defaults()   # published on first use otherwise: not the upload's doing
    login(client, factories.user("admin").email, factories.PASSWORD)
    return client


def send(client, endpoint: str, raw: bytes, name: str = "upload.xlsx", lang: str | None = None):
    page, url, extra = UPLOADS[endpoint]
    token = hidden_fields(client.get(page).get_data(as_text=True))["csrf_token"]
    return client.post(url + (f"?lang={lang}" if lang else ""), content_type="multipart/form-data",
                       data={"csrf_token": token, **extra, "file": (io.BytesIO(raw), name)})


def test_every_upload_page_is_listed(app):
    marked = {endpoint for endpoint, view in app.view_functions.items()
              if getattr(view, "takes_a_file", False)}
    # the photo pages (takes_photo) are walked with hostile files in tests/test_evidence.py
    assert marked == set(UPLOADS) | {"inspect.add_photo", "cases.show"}


def workbook_bytes(formula: bool = False) -> bytes:
    book = Workbook()
    book.active.append(["office_code", "submitted_on"])
    book.active.append(["=HYPERLINK(\"http://evil.example\",\"x\")" if formula else "TPH-DAAN", "2025-03-02"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A valid-looking workbook whose one sheet unpacks to 50 MB of zeros (a few KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return out.getvalue()


CASES = {
    "zip bomb": (zip_bomb(), "x.xlsx", "異常地大"),
    "formula": (workbook_bytes(formula=True), "x.xlsx", "含有公式"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.xls", "舊版 Excel"),
    "pdf named xlsx": (b"%PDF-1.4\n" + b"x" * 200, "x.xlsx", None),
    "broken zip": (b"PK\x03\x04" + b"\x00" * 300, "x.xlsx", "損壞"),
}


@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_files_get_a_message_and_store_nothing(admin, endpoint, case):
    raw, name, message = CASES[case]
    if endpoint == "admin.import_offices":   # a CSV page: any workbook or archive is not a CSV
        message = "不是 CSV 文字檔"
    before, logged = table_counts(), refusals()
    response = send(admin, endpoint, raw, name)
    html = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (endpoint, case, response.status_code)
    assert 'class="error"' in html or "flash error" in html
    if message:
        assert message in html, (endpoint, case)
    assert table_counts() == before
    refused_once(logged, endpoint, "unreadable")


@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
def test_a_10_mb_file_is_refused_with_the_limit_in_the_users_language(admin, endpoint):
    page, url, extra = UPLOADS[endpoint]
    fields = {"csrf_token": hidden_fields(admin.get(page).get_data(as_text=True))["csrf_token"], **extra}
    boundary = "big0boundary"  # a body built by hand: the test client would spool it to a file
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
             "Content-Type: text/csv\r\n\r\n").encode() + b"a" * (10 * 1024 * 1024) + \
        f"\r\n--{boundary}--\r\n".encode()
    before, logged = table_counts(), refusals()
    response = admin.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "上傳的檔案最大 2 MB" in response.get_data(as_text=True)
    assert table_counts() == before
    refused_once(logged, endpoint, "too_large")


def test_a_refused_upload_reads_as_a_sentence_in_the_audit_log(admin):
    send(admin, "paper.upload", CASES["broken zip"][0])
    assert "上傳了 紙本問卷檔案，未被接受（無法讀取）" in admin.get("/admin/audit").get_data(as_text=True)


@pytest.mark.parametrize("endpoint", ["admin.import_offices", "paper.upload"])
def test_big5_text_is_refused_with_instructions_in_english_too(admin, endpoint):
    raw = "office_code,submitted_on\r\n大安,2025-03-02\r\n".encode("big5")
    zh = send(admin, endpoint, raw, "big5.csv").get_data(as_text=True)
    assert "Big5" in zh and "CSV UTF-8" in zh
    en = send(admin, endpoint, raw, "big5.csv", lang="en")
    assert en.status_code == 400 and "looks like Big5" in en.get_data(as_text=True)


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.one_of(st.binary(max_size=4096),
                     st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
                     st.text(max_size=500).map(lambda t: t.encode("utf-8"))),
       name=st.sampled_from(["a.xlsx", "a.csv", "../../etc/passwd", "a.exe", ""]))
def test_any_bytes_under_any_name_end_in_a_page_or_a_4xx(admin, endpoint, raw, name):
    before = table_counts()
    response = send(admin, endpoint, raw, name or "x")
    assert response.status_code < 500, (endpoint, raw[:40], response.status_code)
    if response.status_code >= 400:
        assert table_counts() == before


def test_a_file_with_bad_lines_is_logged_with_how_many_but_not_what(admin):
    logged = refusals()
    raw = "office_code,submitted_on,overall\r\nNOPE-1,2025-03-02,5\r\nTPH-DAAN,2025-13-02,5\r\n"
    response = send(admin, "paper.upload", raw.encode(), "bad.csv")
    assert response.status_code == 400
    refused_once(logged, "paper.upload", "problems")
    assert refusals()[-1]["problems"] == 2 and "NOPE" not in str(refusals()[-1])
