"""Admins' jobs done in the browser, signed in as an admin: an instrument edited in Excel is
uploaded, previewed and published (issue 12, item 1)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from support import browser, factories
from support.axe import AXE, axe_violations

from webapp.programme import instruments

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser


def reweigh_tone(path, points: int) -> bytes:
    book = load_workbook(path)
    survey = book["survey"]
    header = [c.value for c in survey[1]]
    for row in survey.iter_rows(min_row=2):
        if row[header.index("name")].value == "tone":
            row[header.index("points")].value = points
            row[header.index("label::中文 (zh)")].value = "語氣清晰、溫和有禮"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("size", ["TABLET", "PHONE"])
def test_admin_downloads_edits_previews_and_publishes_an_instrument(open_page, live_server, tmp_path, size):
    admin = factories.user("admin")
    page = open_page("/login", bypass_csp=True, **getattr(browser, size))  # axe is injected
    browser.sign_in(page, admin.email, factories.PASSWORD)
    page.goto("/admin/instruments")
    with page.expect_download() as download:
        page.get_by_role("link", name="下載 phone 活頁簿").click()
    saved = tmp_path / "phone.xlsx"
    download.value.save_as(saved)
    edited = tmp_path / "phone-edited.xlsx"
    edited.write_bytes(reweigh_tone(saved, 20))

    page.get_by_label("編修後的活頁簿（.xlsx）").set_input_files(str(edited))
    page.get_by_role("button", name="上傳並預覽").click()
    expect(page.get_by_role("heading", name="預覽：電話禮貌測試")).to_be_visible()
    expect(page.get_by_role("heading", name="配分修改（1）")).to_be_visible()
    expect(page.get_by_text("配分：10 → 20")).to_be_visible()
    preview = page.get_by_role("form", name="表單預覽")
    expect(preview.get_by_text("語氣清晰、溫和有禮", exact=False).first).to_be_visible()
    # the preview behaves like the form: the transfer items wait for the transfer question
    expect(page.locator("#q-confirms_target")).to_be_hidden()
    preview.locator("#q-needs_transfer label.choice").filter(has=page.get_by_text("是", exact=True)).click()
    expect(page.locator("#q-confirms_target")).to_be_visible()
    if AXE.exists():
        assert axe_violations(page) == []
    assert instruments.current("phone")[0].version == 1

    page.get_by_role("button", name="發布為新版本").click()
    expect(page.get_by_role("status").or_(page.locator(".flash.ok"))).to_contain_text("已發布 phone v2")
    row, phone = instruments.current("phone")
    assert row.version == 2 and phone.question("tone")["points"] == 20
    assert page.console_errors == []
