"""QR slips a citizen can use (issue 28, item 6): ZBar reads every code of a printed sheet at
200 dpi and each leads to a working survey; the address to type and the code print at 10 pt or
more; the web's slips point at the address the admin opened /slips at when none is set."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from support import factories, zbar
from support.web import hidden_fields, login

from webapp.capture import qrsheet
from webapp.platform.extensions import db

if (reason := zbar.unavailable()) is not None:
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture
def admin(app, client):
    factories.office(code="TPH-DAAN", name="臺北市大安區戶政事務所")
    login(client, factories.user("admin").email, factories.PASSWORD)
    return client


def slips(client, count: int) -> bytes:
    """The PDF an admin prints at /slips."""
    token = hidden_fields(client.get("/slips").get_data(as_text=True))["csrf_token"]
    response = client.post("/slips", data={"csrf_token": token, "office": "TPH-DAAN",
                                           "count": str(count)})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    return response.data


def test_zbar_reads_every_code_at_200_dpi_and_each_opens_the_survey(app, admin):
    app.config["PUBLIC_BASE_URL"] = "https://survey.household.taipei.gov.tw"
    pdf = slips(admin, 38)                       # three full pages and two slips on the next
    pages = zbar.scan_pdf(pdf, dpi=200, grid=(qrsheet.COLUMNS, qrsheet.ROWS))
    assert [len(found) for found in pages] == [12, 12, 12, 2]
    urls = [url for found in pages for url in found]
    assert len(set(urls)) == 38
    citizen = app.test_client()
    for url in urls:
        assert url.startswith("https://survey.household.taipei.gov.tw/survey/TPH-DAAN?c=")
        page = citizen.get(url.removeprefix("https://survey.household.taipei.gov.tw"))
        assert page.status_code == 200 and "送出" in page.get_data(as_text=True), url


def test_the_address_to_type_and_the_code_print_at_10_pt_or_more(app, admin):
    app.config["PUBLIC_BASE_URL"] = "https://survey.household.taipei.gov.tw"
    pdf = slips(admin, 2)
    assert min(zbar.font_sizes(pdf, "survey.household.taipei.gov.tw/c")) >= 10
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}", "".join(
        page.get_textpage().get_text_range() for page in zbar.pdfium.PdfDocument(pdf))).group()
    assert min(zbar.font_sizes(pdf, code)) >= 10
    assert qrsheet.TYPED_PT >= 10 and qrsheet.CODE_PT >= 10


def test_without_a_configured_address_the_slips_point_where_slips_was_opened(app, admin):
    import io

    from webapp.capture.survey import views_slips
    from webapp.platform.web.site import site_base
    from webapp.programme.offices import Office

    app.config["PUBLIC_BASE_URL"] = None
    office = db.session.scalar(select(Office).where(Office.code == "TPH-DAAN"))
    with app.test_request_context("/slips", base_url="https://quality.example.gov.tw/"):
        base = site_base()
        printed = io.BytesIO()
        views_slips.print_slips(office, 1, base, printed)
    (found,) = zbar.scan_pdf(printed.getvalue(), dpi=200, grid=(qrsheet.COLUMNS, qrsheet.ROWS))
    assert found[0].startswith("https://quality.example.gov.tw/survey/TPH-DAAN?c=")
    assert min(zbar.font_sizes(printed.getvalue(), "quality.example.gov.tw/c")) >= 10
