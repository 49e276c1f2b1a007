"""QR slips printed on the web for an office, each with a short code a citizen can type at
``/c``; the public address comes from PUBLIC_BASE_URL and a loopback one is warned about."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from webapp.capture.survey import codes
from webapp.capture.survey.codes import SurveyCode
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the printed slips back")


@pytest.fixture
def admin(app, client):
    factories.office(code="TPH-DAAN", name="大安戶政")
    login(client, factories.user("admin").email, factories.PASSWORD)
    return client


def post_slips(client, **data):
    token = hidden_fields(client.get("/slips").get_data(as_text=True))["csrf_token"]
    return client.post("/slips", data={"csrf_token": token, "office": "TPH-DAAN", **data})


def test_a_loopback_address_is_warned_about(app, admin):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    assert "FLASK_PUBLIC_BASE_URL" in admin.get("/slips").get_data(as_text=True)
    app.config["PUBLIC_BASE_URL"] = "https://survey.example.gov.tw"
    page = admin.get("/slips").get_data(as_text=True)
    assert "FLASK_PUBLIC_BASE_URL" not in page and "https://survey.example.gov.tw" in page


def test_slips_carry_a_short_code_that_opens_the_survey_typed_by_hand(app, admin):
    app.config["PUBLIC_BASE_URL"] = "https://survey.example.gov.tw"
    response = post_slips(admin, count="3")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].endswith('qr-TPH-DAAN.pdf"')
    text = unicodedata.normalize("NFKC", "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages))
    printed = re.findall(r"\b([0-9A-Z]{4}-[0-9A-Z]{4})\b", text)
    assert len(printed) == 3 and "survey.example.gov.tw/c" in text
    stored = set(db.session.scalars(select(SurveyCode.code_hash)))
    assert {codes.digest(codes.normalize(c)) for c in printed} == stored
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "codes_issued")).one()
    assert event.detail["count"] == 3 and event.detail["via"] == "web"

    citizen = app.test_client()
    typed = printed[0].lower().replace("0", "o")      # as a person might type it
    found = citizen.get(f"/c?code={typed}")
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/survey/TPH-DAAN?c={printed[0].replace('-', '')}")
    assert citizen.get(found.headers["Location"]).status_code == 200     # the survey opens
    assert citizen.get(f"/c/{printed[1]}").status_code == 302
    wrong = citizen.get("/c?code=ZZZZ-ZZZZ")
    assert wrong.status_code == 404 and "找不到這個代碼" in wrong.get_data(as_text=True)
    assert citizen.get("/c").status_code == 200


def test_without_a_public_address_the_slips_use_the_one_the_admin_is_using(app, admin):
    from webapp.platform.web.site import site_base

    app.config["PUBLIC_BASE_URL"] = None
    with app.test_request_context("/slips", base_url="http://192.168.1.20:5101"):
        assert site_base() == "http://192.168.1.20:5101/"   # make run PORT=5101
    local = admin.get("/slips").get_data(as_text=True)   # the test client's http://localhost/
    assert "<code>http://localhost/</code>" in local and "FLASK_PUBLIC_BASE_URL" in local


@pytest.mark.parametrize("count", ["0", "601", "many", ""])
def test_a_bad_count_stores_nothing(admin, count):
    response = post_slips(admin, count=count)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SurveyCode)) == 0


def test_the_cli_warns_about_a_loopback_address(app, runner, tmp_path):
    factories.office(code="TPH-DAAN", name="大安戶政")
    out = tmp_path / "s.pdf"
    local = runner.invoke(args=["qr-sheet", "--office", "TPH-DAAN", "--count", "2",
                                "--out", str(out), "--base-url", "http://localhost:5000"])
    assert local.exit_code == 0 and "FLASK_PUBLIC_BASE_URL" in local.output
    public = runner.invoke(args=["qr-sheet", "--office", "TPH-DAAN", "--count", "2",
                                 "--out", str(out), "--base-url", "https://survey.example.gov.tw"])
    assert public.exit_code == 0 and "FLASK_PUBLIC_BASE_URL" not in public.output


def test_each_kiosk_link_is_shown_as_a_qr_code_with_a_copy_button(admin):
    token = hidden_fields(admin.get("/admin/kiosks").get_data(as_text=True))["csrf_token"]
    admin.post("/admin/kiosks", data={"csrf_token": token, "office": "TPH-DAAN",
                                      "label": "一樓櫃檯"})
    page = admin.get("/admin/kiosks").get_data(as_text=True)
    assert '<svg' in page and "一樓櫃檯 的專屬連結" in page and 'class="copy"' in page
    assert re.search(r'<code id="link-\d+">http://localhost/kiosk/[\w-]+</code>', page)
